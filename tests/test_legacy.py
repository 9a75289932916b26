"""Text typed in the legacy Vietnamese fonts is decoded; text that reads as no Vietnamese is never indexed.

The inputs are the strings these encodings are known for when Windows-1252 shows them ("Céng hoµ x· héi"
is TCVN3, "Coäng hoøa xaõ hoäi" is VNI), written here by hand, not produced by the code under test.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from index.documents import DECODED, TEXT_LAYER
from index.errors import UnsupportedFile
from index.readers import read_file
from index.readers.legacy_encodings import decode, repair_text
from index.readers.legibility import is_syllable, legibility
from tests.generated_files import pdf_bytes

ROOT = Path(__file__).resolve().parent.parent
UNICODE = ("Sở Tài nguyên và Môi trường\nĐộc lập - Tự do - Hạnh phúc\n"
           "Quyết định về việc ban hành quy chế quản lý các công trình xây dựng trên địa bàn tỉnh")
TCVN3 = ("Së Tµi nguyªn vµ M«i tr­êng\n§éc lËp - Tù do - H¹nh phóc\n"
         "QuyÕt ®Þnh vÒ viÖc ban hµnh quy chÕ qu¶n lý c¸c c«ng tr×nh x©y dùng trªn ®Þa bµn tØnh")
VNI = ("Sôû Taøi nguyeân vaø Moâi tröôøng\nÑoäc laäp - Töï do - Haïnh phuùc\n"
       "Quyeát ñònh veà vieäc ban haønh quy cheá quaûn lyù caùc coâng trình xaây döïng treân ñòa baøn tænh")
GLYPH_GARBAGE = "7ӌ1+ LÀO CAI &Ӝ1* HÕA Xˆ +Ӝ, &+Ӫ 1*+Ƭ$ 9,ӊ7 NAM 6Ӣ CÔNG THѬѪNG ĈӝF OұS 7ӵ do +ҥQK phœc QăP ÿӏQK FӫD "


@pytest.mark.parametrize("word", ["nghiêng", "Quyết", "gì", "giếng", "ĐỒNG", "khuya", "thuở", "xã", "oẳn", "yêu"])
def test_vietnamese_syllables_are_valid(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["Së", "m«i", "tr­êng", "ghá", "kà", "ngé", "qa", "bát̀", "tryên", "7ӌ1+", "shop"])
def test_misreadings_and_misspellings_are_not_syllables(word):
    assert not is_syllable(word)


def test_unicode_reads_well_and_the_legacy_readings_do_not():
    assert legibility(UNICODE * 2).legible
    assert not legibility(TCVN3 * 2).legible and not legibility(VNI * 2).legible
    assert not legibility(GLYPH_GARBAGE * 2).legible


def test_english_is_not_judged_as_broken_vietnamese():
    english = "Rangers planted twelve thousand pine trees along the river valley this year. " * 5
    assert legibility(english).legible


@pytest.mark.parametrize("legacy, encoding", [(TCVN3, "tcvn3"), (VNI, "vni")])
def test_legacy_text_is_decoded_to_unicode(legacy, encoding):
    assert repair_text(legacy * 2) == (UNICODE * 2, encoding)


def test_tcvn3_capitals_font_line_comes_out_in_capitals():
    """.VnTimeH (TCVN3's capitals font) reuses the lowercase codes: a line typed in it is upper case."""
    text = "CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM\n" + TCVN3 * 2
    assert repair_text(text)[0].startswith("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n")


def test_a_unicode_line_in_a_legacy_text_is_kept_as_it_is():
    text = "Hà Nội, ngày 5 tháng 3 năm 2024, các bà mẹ\n" + TCVN3 * 2
    assert repair_text(text)[0] == "Hà Nội, ngày 5 tháng 3 năm 2024, các bà mẹ\n" + UNICODE * 2


def test_viscii_bytes_are_decoded_by_rfc_1456():
    raw = subprocess.run(["iconv", "-f", "UTF-8", "-t", "VISCII"], input=UNICODE.encode(), capture_output=True,
                         check=True).stdout
    assert decode(raw, "viscii") == UNICODE


# ------------------------------------------------------------------------------------ through the readers
def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("legacy", [TCVN3, VNI], ids=["tcvn3", "vni"])
def test_legacy_encoded_txt_is_decoded(tmp_path, legacy):
    parsed = read_file(write(tmp_path, "quyet-dinh.txt", (legacy + "\n\n" + legacy).encode("cp1252")))

    assert parsed.text_source == DECODED
    assert "Quyết định về việc ban hành quy chế quản lý" in "\n".join(b.text for b in parsed.blocks)


def test_tcvn3_docx_is_decoded(tmp_path):
    document = docx.Document()
    for line in (TCVN3 + "\n" + TCVN3).split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)

    parsed = read_file(write(tmp_path, "quyet-dinh.docx", buffer.getvalue()))

    assert parsed.text_source == DECODED
    assert [b.text for b in parsed.blocks[:3]] == UNICODE.split("\n")


def tcvn3_text_pdf(lines: list[str]) -> bytes:
    """A PDF whose font is a standard one with WinAnsi encoding, its strings TCVN3 bytes: an old .VnTime print."""
    def literal(line: str) -> str:
        raw = line.encode("cp1252")
        return "(" + "".join(f"\\{b:03o}" if b > 126 or chr(b) in "()\\" else chr(b) for b in raw) + ")"

    stream = "BT /F1 12 Tf 50 780 Td 14 TL " + " ".join(f"{literal(line)} '" for line in lines) + " ET"
    return pdf_bytes([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ])


def test_tcvn3_pdf_text_layer_is_decoded_not_ocr_read(tmp_path):
    parsed = read_file(write(tmp_path, "cu.pdf", tcvn3_text_pdf((TCVN3 + "\n" + TCVN3).split("\n"))))

    assert parsed.text_source == DECODED and parsed.pages == 1
    assert "Quyết định về việc ban hành quy chế quản lý" in "\n".join(b.text for b in parsed.blocks)


def test_unicode_pdf_text_layer_stays_the_text_layer(tmp_path):
    from tests.scans import text_pdf

    parsed = read_file(write(tmp_path, "moi.pdf", text_pdf([UNICODE.split("\n") * 2])))
    assert parsed.text_source == TEXT_LAYER


@pytest.mark.parametrize("name, make", [
    ("rac.txt", lambda: (GLYPH_GARBAGE * 20).encode("utf-8")),
    ("rac.docx", lambda: _docx(GLYPH_GARBAGE * 20)),
])
def test_garbage_that_no_encoding_reads_is_refused_not_indexed(tmp_path, name, make):
    with pytest.raises(UnsupportedFile, match="chữ không đọc được"):
        read_file(write(tmp_path, name, make()))


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_cli_indexes_a_tcvn3_file_and_finds_it_in_unicode(tmp_path):
    source = write(tmp_path, "quy-che.txt", (TCVN3 + "\n\n" + TCVN3.replace("tØnh", "thµnh phè")).encode("cp1252"))
    data = tmp_path / "index"

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "index", *args, "--data-dir", str(data)], cwd=ROOT,
                              capture_output=True, text=True)

    assert cli("add", str(source)).returncode == 0
    assert "quản lý các công trình xây dựng" in cli("search", "quy chế quản lý công trình xây dựng").stdout
