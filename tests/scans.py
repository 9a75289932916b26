"""Builders of scanned and legacy-font inputs: Vietnamese pages drawn with a real font, then rasterised.

A page is a list of lines; a line is a string, or a (left, right) pair printed in two columns, as the
header of a Vietnamese administrative document is. Needs fonts-dejavu-core and poppler-utils (install.sh).
"""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
BOLD_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")

HEADER = [
    ("UBND TỈNH LÀO CAI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("SỞ CÔNG THƯƠNG", "Độc lập - Tự do - Hạnh phúc"),
    ("Số: 25/TB-SCT", "Lào Cai, ngày 10 tháng 4 năm 2026"),
    "",
    "THÔNG BÁO",
    "Về việc kiểm tra kho vật liệu nổ công nghiệp",
    "",
]
BODY = [
    "Sở Công Thương yêu cầu các đơn vị sử dụng vật liệu nổ công nghiệp tự kiểm tra",
    "kho chứa, biển báo và hồ sơ quản lý trước ngày 30 tháng 6 năm 2026.",
    "Các đơn vị báo cáo kết quả bằng văn bản về Sở Công Thương để tổng hợp.",
    "Đơn vị không thực hiện sẽ bị đình chỉ sử dụng vật liệu nổ công nghiệp.",
]
SIGNATURE = [
    "",
    ("Nơi nhận:", "KT. GIÁM ĐỐC"),
    ("- Như trên;", "PHÓ GIÁM ĐỐC"),
    ("- Lưu: VT.", ""),
    ("", "Nguyễn Văn Bình"),
]
NOTICE = HEADER + BODY + SIGNATURE


def text_pdf(pages: list[list[str | tuple[str, str]]], size: int = 13) -> bytes:
    """A PDF with a real text layer (DejaVu Serif, embedded with its Unicode map)."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=size)
    for lines in pages:
        pdf.add_page()
        y = 25.0
        for line in lines:
            if isinstance(line, tuple):
                left, right = line
                pdf.text(18, y, left)
                pdf.text(105, y, right)
            elif line:
                pdf.text(18, y, line)
            y += size * 0.6
    return bytes(pdf.output())


def page_images(pdf: bytes, dpi: int = 200) -> list[Image.Image]:
    """Each page rendered (grayscale) by pdftoppm."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), f"{folder}/page"], check=True)
        return [Image.open(path).copy() for path in sorted(Path(folder).glob("page*.png"))]


def image_pdf(images: list[Image.Image], dpi: int = 200) -> bytes:
    """An image-only PDF (what a scanner produces): no text layer at all."""
    buffer = io.BytesIO()
    first, *rest = [image.convert("L") for image in images]
    first.save(buffer, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return buffer.getvalue()


def scan_of(pdf: bytes, dpi: int = 200) -> bytes:
    return image_pdf(page_images(pdf, dpi), dpi)


def photo_of(image: Image.Image, degrees: float = 3.0, seed: int = 7) -> Image.Image:
    """A phone photo of a page: turned a little, uneven grey paper, speckle noise, slightly soft."""
    rng = random.Random(seed)
    turned = image.convert("L").rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=235)
    shade = Image.linear_gradient("L").resize(turned.size).point(lambda v: 200 + v // 8)
    photo = Image.composite(turned, shade, turned.point(lambda v: 255 if v < 128 else 0))
    draw = ImageDraw.Draw(photo)
    for _ in range(photo.width * photo.height // 400):
        x, y = rng.randrange(photo.width), rng.randrange(photo.height)
        draw.point((x, y), fill=rng.choice((40, 120, 255)))
    return photo.filter(ImageFilter.GaussianBlur(0.6)).convert("RGB")


def encoded(image: Image.Image, kind: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def stamped_scan(lines: list[str | tuple[str, str]], word: str, width_mm: float, ink: tuple[int, int, int],
                 dpi: int = 200) -> bytes:
    """`lines` rasterised with a framed stamp 8 mm tall printed under the number line, as the regulations
    place the độ mật and độ khẩn stamps; grey ink gives a grey scan, coloured ink a colour PDF."""
    page = page_images(text_pdf([lines]), dpi=dpi)[0].convert("RGB")
    stamp = Image.new("RGB", page.size, "white")
    draw = ImageDraw.Draw(stamp)

    def mm(value: float) -> int:
        return round(value / 25.4 * dpi)

    left, top = mm(25), mm(25 + 13 * 0.6 * 3 - 1)
    draw.rectangle((left, top, left + mm(width_mm), top + mm(8)), outline=ink, width=mm(0.5))
    draw.text((left + mm(width_mm / 2), top + mm(4)), word, font=ImageFont.truetype(str(BOLD_FONT), mm(4.2)),
              fill=ink, anchor="mm")
    scanned = ImageChops.multiply(page, stamp)
    if ink[0] == ink[1] == ink[2]:
        return image_pdf([scanned], dpi)
    buffer = io.BytesIO()
    scanned.save(buffer, "PDF", resolution=dpi)  # in colour: a red stamp keeps its word through the seal pass
    return buffer.getvalue()
