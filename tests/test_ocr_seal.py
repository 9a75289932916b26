"""Print under a red seal is read: the seal's band is read again with its ink lifted, by real Tesseract.

Every input is drawn here: the notice of tests/scans.py rasterised in colour, a red seal (rings, a star, the
issuing body's name) stamped over the signer's name as a semi-transparent layer, and a red framed stamp ("KHẨN",
20 x 8 mm) under the number as the regulations place it, saved as an image-only PDF.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from index.cleaning import build_document
from index.readers import read_file
from index.readers.seals import seal_boxes
from tests.scans import NOTICE, page_images, text_pdf
from tests.test_ocr import fold, text_of

DPI = 200
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
NAME_AT_MM = (105.0, 25.0 + 13 * 0.6 * NOTICE.index(("", "Nguyễn Văn Bình")))  # where tests/scans.py prints it


def mm(value: float) -> int:
    return round(value / 25.4 * DPI)


def stamped(page: Image.Image, centre_mm: tuple[float, float], red: tuple[int, int, int] = (215, 40, 45)) -> Image.Image:
    """`page` in colour with a 36 mm seal stamped at `centre_mm`: its ink darkens the print as a real stamp does."""
    seal = Image.new("RGB", page.size, "white")
    draw = ImageDraw.Draw(seal)
    x, y = mm(centre_mm[0]), mm(centre_mm[1])
    for radius, width in ((mm(18), mm(1.0)), (mm(12.5), mm(0.5))):
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=red, width=width)
    ring_font = ImageFont.truetype(BOLD, mm(3.2))
    for index, letter in enumerate("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"):
        angle = math.radians(200 + index * 4.3)
        draw.text((x + mm(15.2) * math.cos(angle), y + mm(15.2) * math.sin(angle)), letter, font=ring_font, fill=red,
                  anchor="mm")
    middle = ImageFont.truetype(BOLD, mm(4.5))
    draw.text((x, y - mm(3)), "SỞ", font=middle, fill=red, anchor="mm")
    draw.text((x, y + mm(3.5)), "CÔNG THƯƠNG", font=ImageFont.truetype(BOLD, mm(3.4)), fill=red, anchor="mm")
    return ImageChops.multiply(page.convert("RGB"), seal)


def framed(page: Image.Image, word: str, corner_mm: tuple[float, float], degrees: float = 0.0) -> Image.Image:
    """`page` in colour with a red 20 x 8 mm stamp, `word` in its frame, its top left at `corner_mm`, turned
    `degrees` as a stamp pressed askew is."""
    red = (215, 40, 45)
    stamp = Image.new("RGB", (mm(20) + 1, mm(8) + 1), "white")
    draw = ImageDraw.Draw(stamp)
    draw.rectangle((0, 0, mm(20), mm(8)), outline=red, width=mm(0.5))
    draw.text((mm(10), mm(4)), word, font=ImageFont.truetype(BOLD, mm(4.2)), fill=red, anchor="mm")
    layer = Image.new("RGB", page.size, "white")
    layer.paste(stamp.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white"),
                (mm(corner_mm[0]), mm(corner_mm[1])))
    return ImageChops.multiply(page.convert("RGB"), layer)


def colour_pdf(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=DPI)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def notice_page() -> Image.Image:
    return page_images(text_pdf([NOTICE]), dpi=DPI)[0]


def test_signer_name_under_a_red_seal_is_read_and_found_by_the_formal_reader(tmp_path, notice_page):
    page = stamped(notice_page, (NAME_AT_MM[0] + 12, NAME_AT_MM[1] - 9))
    path = tmp_path / "thong-bao-dong-dau.pdf"
    path.write_bytes(colour_pdf(page))

    parsed = read_file(path)

    document, _ = build_document(parsed, "h")
    assert "nguyen van binh" in fold(text_of(parsed))
    assert document.signer == "Nguyễn Văn Bình"
    assert "kt. giam doc" in fold(text_of(parsed)) and "pho giam doc" in fold(text_of(parsed))


def test_a_photo_of_a_sealed_page_gives_the_signer_too(tmp_path, notice_page):
    path = tmp_path / "anh-chup.png"
    stamped(notice_page, (NAME_AT_MM[0] + 12, NAME_AT_MM[1] - 9)).save(path, dpi=(DPI, DPI))

    document, _ = build_document(read_file(path), "h")

    assert document.signer == "Nguyễn Văn Bình"


def test_the_same_page_in_grey_does_not_give_the_name_which_is_why_colour_is_kept(tmp_path, notice_page):
    """The premise of the seal pass: on the grey page Tesseract loses the name under the stamp."""
    page = stamped(notice_page, (NAME_AT_MM[0] + 12, NAME_AT_MM[1] - 9)).convert("L")
    path = tmp_path / "xam.pdf"
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=DPI)
    path.write_bytes(buffer.getvalue())

    assert "nguyen van binh" not in fold(text_of(read_file(path)))


def test_a_faded_pink_seal_is_found_and_a_red_printed_header_line_is_not_a_seal(notice_page):
    page = stamped(notice_page, (150, 200), red=(235, 190, 200))
    draw = ImageDraw.Draw(page)
    draw.text((mm(30), mm(265)), "ĐẢNG BỘ TỈNH LÀO CAI - BAN THƯỜNG VỤ", font=ImageFont.truetype(BOLD, mm(5)),
              fill=(200, 30, 30))

    boxes = seal_boxes(page, DPI)

    assert len(boxes) == 1
    (seal,) = boxes
    assert seal.holds(mm(150), mm(200)) and 30 <= (seal.right - seal.left) / DPI * 25.4 <= 40


def test_red_printed_text_away_from_seals_is_still_read(tmp_path, notice_page):
    page = notice_page.convert("RGB")
    draw = ImageDraw.Draw(page)
    draw.text((mm(18), mm(250)), "ĐẢNG BỘ TỈNH LÀO CAI", font=ImageFont.truetype(BOLD, mm(4.5)), fill=(210, 25, 30))
    path = tmp_path / "tieu-de-do.pdf"
    path.write_bytes(colour_pdf(page))

    assert "dang bo tinh lao cai" in fold(text_of(read_file(path)))


def test_a_red_framed_stamp_even_askew_is_no_seal_but_a_seal_cut_by_the_page_edge_is(notice_page):
    page = stamped(notice_page, (NAME_AT_MM[0] + 12, NAME_AT_MM[1] - 9))
    page = stamped(page, (207, 150))  # a seal across two sheets: half of it on this page
    page = framed(page, "KHẨN", (25, 43))
    page = framed(page, "MẬT", (150, 170), degrees=12)

    boxes = seal_boxes(page, DPI)

    assert len(boxes) == 2
    assert any(box.holds(mm(NAME_AT_MM[0] + 12), mm(NAME_AT_MM[1] - 9)) for box in boxes)
    assert any(box.holds(mm(205), mm(150)) for box in boxes)


def test_the_words_of_a_red_stamp_are_kept_while_the_print_under_the_seal_is_read_again(tmp_path, notice_page):
    """The stamp's word stays on the page as the first reading found it; the seal still gives way to the signer."""
    page = framed(stamped(notice_page, (NAME_AT_MM[0] + 12, NAME_AT_MM[1] - 9)), "KHẨN", (25, 43))
    path = tmp_path / "khan.pdf"
    path.write_bytes(colour_pdf(page))

    text = text_of(read_file(path))

    assert "KHẨN" in text.split()
    assert "nguyen van binh" in fold(text) and "pho giam doc" in fold(text)


def test_a_page_without_colour_finds_no_seal(notice_page):
    assert seal_boxes(notice_page, DPI) == [] and not np.asarray(notice_page.convert("RGB")).std(axis=2).any()
