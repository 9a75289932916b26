"""E-signed PDFs: the signature dictionaries name who signed and when, where the page leaves them blank."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from index.cleaning import build_document
from index.readers import read_file
from tests.scans import text_pdf

PAGE = [
    ("BỘ XÂY DỰNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("", "Độc lập - Tự do - Hạnh phúc"),
    ("Số: 1074/QĐ-BXD", "Hà Nội, ngày      tháng 6 năm 2026"),
    "",
    "QUYẾT ĐỊNH",
    "Ban hành các giải pháp kỹ thuật về phòng cháy, chữa cháy",
    "",
    "Điều 1. Ban hành kèm theo Quyết định này các giải pháp kỹ thuật.",
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    "",
    ("Nơi nhận:", "KT. BỘ TRƯỞNG"),
    ("- Như Điều 3;", "THỨ TRƯỞNG"),
    "- Lưu: VT.",
]


def signed(pdf: bytes, signatures: list[tuple[str, str]]) -> bytes:
    """The PDF with signature fields whose dictionaries say who signed and when, as e-office systems write them."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    fields = ArrayObject()
    for number, (reason, when) in enumerate(signatures, start=1):
        value = DictionaryObject({
            NameObject("/Type"): NameObject("/Sig"), NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
            NameObject("/Reason"): TextStringObject(reason), NameObject("/M"): TextStringObject(when),
            NameObject("/Location"): TextStringObject("Hà Nội"),
        })
        field = DictionaryObject({
            NameObject("/FT"): NameObject("/Sig"), NameObject("/T"): TextStringObject(f"Signature{number}"),
            NameObject("/V"): writer._add_object(value), NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        })
        fields.append(writer._add_object(field))
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): fields})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_the_signer_and_the_blank_day_come_from_the_electronic_signatures(tmp_path):
    path = tmp_path / "qd-ky-so.pdf"
    path.write_bytes(signed(text_pdf([PAGE], size=11), [
        ("Lê Minh Long<long@moc.gov.vn> đã ký lên văn bản này!", "D:20260628220334+07'00'"),
        ("Phạm Minh Hà<ha@moc.gov.vn> đã ký lên văn bản này!", "D:20260629092941+07'00'"),
        ("BỘ XÂY DỰNG<boxaydung@moc.gov.vn> đã ký lên văn bản này!", "D:20260629112432+07'00'"),
    ]))

    parsed = read_file(path)
    document, _ = build_document(parsed, "h")

    assert [s.signer for s in parsed.signatures] == ["Lê Minh Long", "Phạm Minh Hà", "BỘ XÂY DỰNG"]
    assert document.signer == "Phạm Minh Hà"  # the last person; the body's own stamp comes after
    assert document.date == "2026-06"  # signature data the page does not show leaves the blank day blank


def test_the_stamp_printed_on_the_page_fills_the_blank_day_and_is_not_a_passage(tmp_path):
    stamp = [("", "Ký bởi: Bộ Xây dựng"), ("", "Cơ quan: Bộ Xây dựng"), ("", "Thời gian ký: 29.06.2026 11:24:32 +07:00")]
    path = tmp_path / "qd-dau-ky-so.pdf"
    path.write_bytes(text_pdf([stamp + PAGE], size=11))

    parsed = read_file(path)
    document, passages = build_document(parsed, "h")

    assert parsed.signatures[0].signer == "Bộ Xây dựng" and parsed.signatures[0].visible
    assert document.date == "2026-06-29" and document.code == "1074/QĐ-BXD" and document.doc_type == "Quyết định"
    assert not any("Ký bởi" in p.text or "Thời gian ký" in p.text for p in passages)


def test_a_stamp_from_another_month_does_not_replace_what_the_page_says(tmp_path):
    path = tmp_path / "qd-ky-so-muon.pdf"
    path.write_bytes(signed(text_pdf([PAGE], size=11), [("BỘ XÂY DỰNG đã ký", "D:20260709112432+07'00'")]))

    document, _ = build_document(read_file(path), "h")

    assert document.date == "2026-06" and document.signer is None


def test_an_unsigned_pdf_has_no_signatures(tmp_path):
    path = tmp_path / "qd.pdf"
    path.write_bytes(text_pdf([PAGE], size=11))

    assert read_file(path).signatures == ()
