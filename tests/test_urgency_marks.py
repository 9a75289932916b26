"""An urgency stamp (độ khẩn: "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC", "HỎA TỐC HẸN GIỜ") under a document's number is a
line of its own: never joined to the capitals type line below it, never the document's type or title, and the
document builds; the header records it.

Every input is built here: blocks as readers give them, .txt and .docx files, PDFs typeset with DejaVu Serif
(tests/scans.py), and scans of such a page, the stamp framed under the number, read by real Tesseract.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.cleaning import build_document
from index.documents import Block, ParsedFile
from index.errors import ClassifiedDocument
from index.formal.header import read_header
from index.formal.lines import formal_lines
from index.formal.urgency import urgency_of
from index.readers import read_file
from index.readers.pdf import paragraphs
from tests.generated_files import docx_bytes
from tests.scans import HEADER, SIGNATURE, stamped_scan, text_pdf

DPI = 200
MARKS = [("KHẨN", "Khẩn"), ("THƯỢNG KHẨN", "Thượng khẩn"), ("HỎA TỐC", "Hỏa tốc")]
MARK_IDS = ["khan", "thuong-khan", "hoa-toc"]

HEAD = (
    "UBND TỈNH LÀO CAI                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "SỞ CÔNG THƯƠNG                       Độc lập - Tự do - Hạnh phúc",
    "Số: 12/TB-SCT                        Lào Cai, ngày 10 tháng 4 năm 2026",
)
SUBJECT = "Kết quả kiểm tra kho vật liệu nổ công nghiệp quý I năm 2026"  # no "Về việc" to find it by
BODY = (
    "Thực hiện Kế hoạch số 45/KH-UBND ngày 02 tháng 3 năm 2026 của Ủy ban nhân dân tỉnh, Sở Công Thương yêu cầu "
    "các đơn vị sử dụng vật liệu nổ công nghiệp tự kiểm tra kho chứa trước ngày 30 tháng 6 năm 2026.",
    "Các đơn vị báo cáo kết quả bằng văn bản về Sở Công Thương để tổng hợp.",
)
TITLE = "Thông báo số 12/TB-SCT của Sở Công Thương tỉnh Lào Cai về kết quả kiểm tra kho vật liệu nổ công nghiệp quý I năm 2026"


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def assert_read_as_the_notice(document, mark: str, title: str = TITLE) -> None:
    assert document.doc_type == "Thông báo"
    assert document.title == title
    assert mark.casefold() not in document.title.casefold() and mark.casefold() not in (document.subject or "").casefold()


# ------------------------------------------------------------------------------------ the stamp line
@pytest.mark.parametrize("line, urgency", [
    ("KHẨN", "Khẩn"),
    ("THƯỢNG KHẨN", "Thượng khẩn"),
    ("HỎA TỐC", "Hỏa tốc"),
    ("HOẢ TỐC", "Hỏa tốc"),  # the old placing of the tone mark
    ("HỎA TỐC HẸN GIỜ", "Hỏa tốc hẹn giờ"),
    ("THƯỢNG   KHẨN", "Thượng khẩn"),  # spaced apart, as pdftotext -layout may print it
    ("| KHẨN |", "Khẩn"),  # the stamp's frame
    ("[THƯỢNG KHẨN]", "Thượng khẩn"),
    ("I THƯỢNG KHẢN l", "Thượng khẩn"),  # OCR: the frame's sides read as letters, a tone mark misread
    ("Độ khẩn: Hỏa tốc", "Hỏa tốc"),  # typed after its label
    ("TỐI MẬT - KHẨN", "Khẩn"),  # printed beside the độ mật stamp
])
def test_a_stamp_line_gives_its_urgency(line, urgency):
    assert urgency_of(line) == urgency


@pytest.mark.parametrize("line", [
    "Khẩn",  # a word, not a stamp: stamps are printed in capitals
    "Hỏa tốc",
    "KHẨN TRƯƠNG KHẮC PHỤC HẬU QUẢ CƠN BÃO SỐ 3",
    "KHẨN CẤP",
    "Khẩn trương triển khai kế hoạch.",
    "MẬT",
    "THÔNG BÁO",
])
def test_words_and_headings_that_open_like_a_stamp_are_none(line):
    assert urgency_of(line) is None


@pytest.mark.parametrize("lines", [
    ["Số: 12/TB-SCT", "KHẨN", "THÔNG BÁO", SUBJECT],
    ["Số: 12/TB-SCT", "", "KHẨN", "THÔNG BÁO", SUBJECT, "", BODY[1], ""],  # blank-line paragraphs
], ids=["line-by-line", "blank-line-paragraphs"])
def test_pdf_paragraphs_keep_the_stamp_apart_from_the_capitals_type_line(lines):
    rebuilt = paragraphs(["\n".join(lines)])

    assert "KHẨN" in rebuilt and not any("KHẨN THÔNG BÁO" in text for text in rebuilt)


@pytest.mark.parametrize("where", ["under-the-number", "top-of-page", "after-the-type", "joined-to-the-type"])
def test_the_header_records_the_stamp_wherever_it_stands_and_reads_the_rest(where):
    stamp, rest = "THƯỢNG KHẨN", [*HEAD, "THÔNG BÁO", SUBJECT, *BODY]
    lines = {
        "under-the-number": [*HEAD, stamp, *rest[3:]],
        "top-of-page": [stamp, *rest],
        "after-the-type": [*HEAD, "THÔNG BÁO", stamp, SUBJECT, *BODY],
        "joined-to-the-type": [*HEAD, f"{stamp} THÔNG BÁO {SUBJECT}", *BODY],
    }[where]
    blocks = tuple(Block(text) for text in lines)

    header = read_header(formal_lines(blocks))
    document, _ = build_document(ParsedFile("thong-bao.txt", blocks), "h")

    assert header.urgency == "Thượng khẩn" and header.issuer_lines == ["UBND TỈNH LÀO CAI", "SỞ CÔNG THƯƠNG"]
    assert_read_as_the_notice(document, stamp)


def test_a_stamp_under_the_number_of_a_cong_van_is_not_part_of_its_subject():
    blocks = (
        Block("UBND TỈNH LÀO CAI\nSỞ CÔNG THƯƠNG\nSố: 812/SCT-KTAT\nV/v kiểm tra kho vật liệu\nnổ công nghiệp\nHỎA TỐC"),
        Block("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nLào Cai, ngày 10 tháng 4 năm 2026"),
        Block("Kính gửi: Các đơn vị sử dụng vật liệu nổ công nghiệp."),
        *(Block(text) for text in BODY),
    )

    document, _ = build_document(ParsedFile("cong-van.docx", blocks), "h")

    assert document.doc_type == "Công văn" and document.subject == "V/v kiểm tra kho vật liệu nổ công nghiệp"
    assert "tốc" not in document.title.casefold()


def test_a_report_without_a_formal_header_does_not_take_the_stamp_for_its_title():
    blocks = tuple(Block(text) for text in (
        "SỞ CÔNG THƯƠNG TỈNH LÀO CAI", "HỎA TỐC HẸN GIỜ", "BÁO CÁO", "Kết quả kiểm tra kho vật liệu nổ công nghiệp quý I",
        "Trong quý I năm 2026, Sở Công Thương đã kiểm tra 12 kho vật liệu nổ công nghiệp trên địa bàn tỉnh và phát hiện "
        "3 kho chưa bảo đảm điều kiện an toàn.",
    ))

    document, passages = build_document(ParsedFile("bao-cao.txt", blocks), "h")

    assert document.title == "BÁO CÁO Kết quả kiểm tra kho vật liệu nổ công nghiệp quý I"
    assert not any("HỎA TỐC" in passage.text for passage in passages)


# ------------------------------------------------------------------------------------ files
@pytest.mark.parametrize("mark, urgency", MARKS, ids=MARK_IDS)
def test_txt_with_a_stamp_above_the_type_line(tmp_path, mark, urgency):
    text = "\n".join([*HEAD, mark, "THÔNG BÁO", SUBJECT, "", *BODY]) + "\n"

    parsed = read_file(write(tmp_path, "thong-bao.txt", text))
    document, passages = build_document(parsed, "h")

    assert_read_as_the_notice(document, mark)
    assert read_header(formal_lines(parsed.blocks)).urgency == urgency
    assert passages[0].text.startswith("Thực hiện Kế hoạch số 45/KH-UBND")


def _docx_notice(mark: str, in_cell: bool) -> bytes:
    def build(document) -> None:
        table = document.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "\n".join(["UBND TỈNH LÀO CAI", "SỞ CÔNG THƯƠNG", "Số: 12/TB-SCT", *([mark] if in_cell else [])])
        table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nLào Cai, ngày 10 tháng 4 năm 2026"
        if not in_cell:
            document.add_paragraph(mark)
        document.add_paragraph("THÔNG BÁO")
        document.add_paragraph(SUBJECT)
        for text in BODY:
            document.add_paragraph(text)

    return docx_bytes(build)


@pytest.mark.parametrize("in_cell", [True, False], ids=["in-the-number-cell", "paragraph-under-the-table"])
@pytest.mark.parametrize("mark, urgency", MARKS, ids=MARK_IDS)
def test_docx_with_a_stamp_under_the_number(tmp_path, mark, urgency, in_cell):
    parsed = read_file(write(tmp_path, "thong-bao.docx", _docx_notice(mark, in_cell)))
    document, passages = build_document(parsed, "h")

    assert_read_as_the_notice(document, mark)
    assert read_header(formal_lines(parsed.blocks)).urgency == urgency
    assert not any(mark in passage.text for passage in passages)


def _notice_lines(between: list[str]) -> list:
    """tests/scans.py's header with `between` under the number line, then the type, subject, body and signature."""
    body = [
        "Thực hiện Kế hoạch số 45/KH-UBND ngày 02 tháng 3 năm 2026 của Ủy ban nhân dân",
        "tỉnh, Sở Công Thương yêu cầu các đơn vị sử dụng vật liệu nổ công nghiệp tự kiểm tra",
        "kho chứa, biển báo và hồ sơ quản lý trước ngày 30 tháng 6 năm 2026.",
        "Các đơn vị báo cáo kết quả bằng văn bản về Sở Công Thương để tổng hợp.",
    ]
    return [*HEADER[:3], *between, "THÔNG BÁO", SUBJECT, "", *body, *SIGNATURE]


SCAN_TITLE = TITLE.replace("12/TB-SCT", "25/TB-SCT")  # tests/scans.py's number


@pytest.mark.parametrize("mark, urgency", MARKS, ids=MARK_IDS)
def test_text_pdf_with_a_stamp_line_right_above_the_type_line(tmp_path, mark, urgency):
    parsed = read_file(write(tmp_path, "thong-bao.pdf", text_pdf([_notice_lines([mark])])))
    document, _ = build_document(parsed, "h")

    assert mark in [block.text for block in parsed.blocks]
    assert_read_as_the_notice(document, mark, SCAN_TITLE)
    assert read_header(formal_lines(parsed.blocks)).urgency == urgency


def _stamped_scan(mark: str, ink: tuple[int, int, int]) -> bytes:
    """The notice rasterised with the stamp framed (8 mm tall) under its number line, as the regulations place it."""
    return stamped_scan(_notice_lines(["", ""]), mark, 20 if len(mark) <= 5 else 38, ink, DPI)


@pytest.mark.parametrize("mark, urgency, ink", [
    ("KHẨN", "Khẩn", (215, 40, 45)),
    ("THƯỢNG KHẨN", "Thượng khẩn", (0, 0, 0)),
    ("HỎA TỐC", "Hỏa tốc", (0, 0, 0)),
], ids=["red-khan", "thuong-khan", "hoa-toc"])
def test_scan_with_a_framed_stamp_under_the_number_builds_after_ocr(tmp_path, mark, urgency, ink):
    parsed = read_file(write(tmp_path, "ban-quet.pdf", _stamped_scan(mark, ink)))
    document, passages = build_document(parsed, "h")

    assert_read_as_the_notice(document, mark, SCAN_TITLE)
    assert read_header(formal_lines(parsed.blocks)).urgency == urgency
    assert document.signer == "Nguyễn Văn Bình"
    assert any("báo cáo kết quả bằng văn bản" in passage.text for passage in passages)


# ------------------------------------------------------------------------------------ with a độ mật stamp
def test_a_security_stamp_printed_with_the_urgency_stamp_above_the_type_line_is_still_refused(tmp_path):
    """The stamp line kept apart, its độ mật stays visible to the classified-file check."""
    path = write(tmp_path, "thong-bao.pdf", text_pdf([_notice_lines(["TỐI MẬT - KHẨN"])]))

    with pytest.raises(ClassifiedDocument, match="«TỐI MẬT»"):
        read_file(path)
