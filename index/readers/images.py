"""Photos and scans sent as images (.jpg, .png, .tif, multi-page .tif): every page OCR'd.

The size is read from the header before any pixel is decoded, so a 100-megapixel image is refused without
costing its memory; a photo's camera orientation (EXIF) is applied, a large photo is scaled to about 300 dpi
for an A4 page and a small screenshot up to it, so Tesseract sees letters of a size it reads well.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable

from PIL import Image, ImageOps, UnidentifiedImageError

from index.documents import OCR, Block, ParsedFile
from index.errors import CorruptFile, EmptyDocument, FileTooLarge
from index.readers.legibility import legibility
from index.readers.ocr import OcrSettings, PageProgress, ocr_images
from index.readers.ocr import page_limit_error
from index.readers.pdf import paragraphs

log = logging.getLogger(__name__)

IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")
MAX_MEGAPIXELS = 60  # an A4 page at 600 dpi is 35 megapixels
_LONG_SIDE = (2400, 4200)  # pixels on the long side Tesseract is given: about 200-350 dpi for A4
_MIN_VALID_WORDS = 5


def is_image(data: bytes) -> bool:
    return data.startswith(IMAGE_MAGIC)


def read_image(data: bytes, source: str, settings: OcrSettings, progress: PageProgress | None = None) -> ParsedFile:
    """EmptyDocument when OCR finds no Vietnamese words (a picture, not a document)."""
    frames = _frames(data, source)
    if frames > settings.page_limit:
        raise page_limit_error(source, frames, settings.page_limit)
    pages = ocr_images([_loader(data, source, index) for index in range(frames)], source, settings, progress)
    score = legibility("\n".join(pages))
    if score.valid < _MIN_VALID_WORDS or (score.judged and not score.legible):
        raise EmptyDocument(f"Ảnh {source} không có chữ đọc được; hãy gửi ảnh chụp rõ nét của văn bản.")
    return ParsedFile(source=source, blocks=tuple(Block(text) for text in paragraphs(pages)), text_source=OCR,
                      pages=frames)


def _open(data: bytes, source: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise FileTooLarge(f"Ảnh {source} quá lớn; tối đa {MAX_MEGAPIXELS} megapixel.") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise CorruptFile(f"Ảnh {source} bị hỏng, không đọc được.") from error
    megapixels = image.width * image.height / 1e6
    if megapixels > MAX_MEGAPIXELS:
        raise FileTooLarge(f"Ảnh {source} quá lớn ({megapixels:.0f} megapixel); tối đa {MAX_MEGAPIXELS} megapixel.")
    return image


def _frames(data: bytes, source: str) -> int:
    image = _open(data, source)
    try:
        return getattr(image, "n_frames", 1)
    except (OSError, ValueError, SyntaxError) as error:  # a TIFF whose page chain is broken
        raise CorruptFile(f"Ảnh {source} bị hỏng, không đọc được.") from error


def _loader(data: bytes, source: str, index: int) -> Callable[[], Image.Image]:
    def load() -> Image.Image:
        image = _open(data, source)
        try:
            image.seek(index)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image.load()
            page = ImageOps.exif_transpose(image).convert("RGB")  # colour kept: OCR looks for red seals, then reads its own grey copy
        except (OSError, ValueError, SyntaxError, EOFError) as error:  # truncated or damaged pixel data
            raise CorruptFile(f"Ảnh {source} bị hỏng (trang {index + 1}), không đọc được.") from error
        return _scaled(page)

    return load


def _scaled(page: Image.Image) -> Image.Image:
    long_side = max(page.size)
    low, high = _LONG_SIDE
    if low <= long_side <= high:
        return page
    factor = (high if long_side > high else low) / long_side
    return page.resize((round(page.width * factor), round(page.height * factor)), Image.Resampling.LANCZOS)
