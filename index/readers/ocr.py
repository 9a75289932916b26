"""Vietnamese OCR with the Tesseract command line: page images -> text that keeps the printed lines.

Pages are rendered at 300 dpi (diacritics need ~30 px letters), straightened (a small skew found from the
rows of ink; a page upside down or on its side found by Tesseract's orientation model when the first reading
fails), read with `tesseract -l vie` into word boxes (TSV), and rebuilt line by line: words on one printed line
join with a space, side-by-side columns (the header's issuing body | national motto, "Nơi nhận:" | signature)
with a run of three or more spaces, as `pdftotext -layout` writes them. Where a red seal is stamped (over the
signer's name, as a rule), the band of the page across it is read again with the coloured ink lifted
(index/readers/seals.py), and the words that reading finds there take the place of those the seal spoiled. Two
pages are read at a time, each Tesseract on one thread, which is what a two-core machine does fastest.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from index.errors import CorruptFile, FileTooLarge, MissingTool
from index.readers.legibility import is_syllable, legibility
from index.readers.seals import Box, lifted, seal_boxes

log = logging.getLogger(__name__)

__all__ = ["OcrSettings", "PageProgress", "ocr_pdf_pages", "ocr_images", "layout_text", "skew_angle", "require_ocr",
           "page_limit_error"]

PageProgress = Callable[[int, int], None]  # (pages done, pages to read)
_MAX_SKEW_DEGREES = 6.0
_MIN_SKEW_DEGREES = 1.0  # Tesseract reads a smaller skew as well unturned (turning blurs thin strokes), and rows stay apart
_COLUMN_GAP_SPACES = 3
MAX_PAGE_MEGAPIXELS = 40  # an A3 page at 300 dpi is 17.4; larger pages are rendered at a lower resolution


@dataclass(frozen=True)
class OcrSettings:
    page_limit: int = 200  # a file needing OCR on more pages is refused
    page_seconds: float = 30.0  # one page's rendering + recognition (2-5 s here); a page over it fails the file
    dpi: int = 300
    language: str = "vie"
    workers: int = 2

    def file_seconds(self, pages: int) -> float:
        """Wall-clock budget of a whole file when `pages` of it are OCR'd: what the parse timeout grows to."""
        return pages * self.page_seconds / max(1, self.workers) + self.page_seconds


def require_ocr(pdf: bool) -> None:
    """MissingTool, with what to install, unless tesseract (with Vietnamese) and, for PDFs, pdftoppm are there."""
    if shutil.which("tesseract") is None or "vie" not in _tesseract_languages():
        raise MissingTool("Cần cài tesseract-ocr và tesseract-ocr-vie để đọc bản quét "
                          "(apt-get install tesseract-ocr tesseract-ocr-vie).")
    if pdf and shutil.which("pdftoppm") is None:
        raise MissingTool("Cần cài poppler-utils (pdftoppm) để đọc bản quét PDF (apt-get install poppler-utils).")


@functools.cache
def _tesseract_languages() -> frozenset[str]:
    try:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in listed.splitlines()[1:])


def page_limit_error(source: str, pages: int, limit: int) -> FileTooLarge:
    return FileTooLarge(f"Tệp {source} có {pages} trang cần nhận dạng chữ (bản quét), vượt giới hạn {limit} trang; "
                        "hãy tách thành các tệp nhỏ hơn rồi gửi lại.")


def ocr_pdf_pages(
    data: bytes, page_numbers: Sequence[int], source: str, settings: OcrSettings, progress: PageProgress | None = None,
    page_sizes: Mapping[int, tuple[float, float]] | None = None,
) -> dict[int, str]:
    """Text of the given pages (0-based) of the PDF, each rendered with pdftoppm.

    `page_sizes` (points) lower the resolution of pages larger than A3, so a poster-sized page stays under
    MAX_PAGE_MEGAPIXELS instead of filling the memory limit."""
    require_ocr(pdf=True)
    with tempfile.TemporaryDirectory(prefix="vankien-pdf-") as folder:
        pdf = Path(folder) / "document.pdf"
        pdf.write_bytes(data)
        return _ocr_pdf_file(pdf, page_numbers, source, settings, progress, page_sizes or {})


def page_dpi(dpi: int, size_points: tuple[float, float] | None) -> int:
    """`dpi`, or less for a page so large that it would exceed MAX_PAGE_MEGAPIXELS."""
    if not size_points:
        return dpi
    square_inches = abs(size_points[0] * size_points[1]) / 72 / 72
    return max(72, min(dpi, int(math.sqrt(MAX_PAGE_MEGAPIXELS * 1e6 / max(square_inches, 1)))))


def _ocr_pdf_file(
    pdf: Path, page_numbers: Sequence[int], source: str, settings: OcrSettings, progress: PageProgress | None,
    page_sizes: Mapping[int, tuple[float, float]],
) -> dict[int, str]:
    def read(number: int, folder: Path) -> str:
        page_settings = replace(settings, dpi=page_dpi(settings.dpi, page_sizes.get(number)))
        stem = folder / f"page-{number}"
        _run(["pdftoppm", "-r", str(page_settings.dpi), "-f", str(number + 1), "-l", str(number + 1),
              "-singlefile", str(pdf), str(stem)], settings, source, number)  # in colour: the seals are told by it
        path = stem.with_suffix(".ppm")
        try:
            with Image.open(path) as image:
                return _read_page(image, page_settings, source, number, folder)
        finally:
            path.unlink(missing_ok=True)

    return dict(zip(page_numbers, _each_page(read, list(page_numbers), settings, progress)))


def ocr_images(
    images: Sequence[Callable[[], Image.Image]], source: str, settings: OcrSettings, progress: PageProgress | None = None
) -> list[str]:
    """Text of each page image; `images` are loaders, so only the pages being read are in memory."""
    require_ocr(pdf=False)

    def read(number: int, folder: Path) -> str:
        return _read_page(images[number](), settings, source, number, folder)

    return _each_page(read, list(range(len(images))), settings, progress)


def _each_page(
    read: Callable[[int, Path], str], numbers: list[int], settings: OcrSettings, progress: PageProgress | None
) -> list[str]:
    done = 0
    results: list[str] = []
    with tempfile.TemporaryDirectory(prefix="vankien-ocr-") as folder, ThreadPoolExecutor(settings.workers) as pool:
        if progress:
            progress(0, len(numbers))
        for text in pool.map(lambda number: read(number, Path(folder)), numbers):
            results.append(text)
            done += 1
            if progress:
                progress(done, len(numbers))
    return results


def _read_page(image: Image.Image, settings: OcrSettings, source: str, number: int, folder: Path) -> str:
    """Straighten, recognise; if that reads badly, ask Tesseract which way is up and read the turned page.

    A colour page is kept in colour beside the grey one, turned alike, so the seals found on it line up with the
    words read on the grey page."""
    colour = image.convert("RGB") if image.mode not in ("L", "1", "I;16", "I") else None
    if colour is not None and not seal_boxes(colour, settings.dpi):
        colour = None  # no seal: the colour page is not needed again
    gray = image.convert("L")
    angle = skew_angle(gray)
    if abs(angle) >= _MIN_SKEW_DEGREES:  # the corners the turn uncovers get the paper's colour: white ones would skew the threshold
        paper = int(np.median(np.asarray(gray.resize((200, 200)))))
        gray = gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=paper)
        if colour is not None:
            colour = colour.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(paper,) * 3)
    words = _recognise(gray, settings, source, number, folder)
    text = _layout(words)
    score = legibility(text)
    if score.words < 20 or score.share < 0.8:
        turn = _orientation(gray, settings, source, number, folder)
        if turn:
            turned = _recognise(gray.rotate(-turn, expand=True), settings, source, number, folder)
            if legibility(_layout(turned)).valid > score.valid:
                words, text = turned, _layout(turned)
                colour = colour.rotate(-turn, expand=True) if colour is not None else None
    if colour is None:
        return text
    return _layout(_reread_seals(colour, words, settings, source, number, folder))


def _recognise(gray: Image.Image, settings: OcrSettings, source: str, number: int, folder: Path) -> list[_Word]:
    path = folder / f"ocr-{number}.pgm"
    gray.save(path)
    tsv = _run(["tesseract", str(path), "stdout", "-l", settings.language, "--psm", "3", "--dpi", str(settings.dpi), "tsv"], settings, source, number)
    path.unlink(missing_ok=True)
    return _tsv_words(tsv)


def _reread_seals(colour: Image.Image, words: list[_Word], settings: OcrSettings, source: str, number: int,
                  folder: Path) -> list[_Word]:
    """`words` with those under each seal replaced by a reading of the band across it with the seal's ink lifted.

    The band spans the page's width (no printed line is cut) and half a seal above and below. Words of the first
    reading centred on a seal are dropped: its ink spoiled them. A word of the second reading is taken where no
    word of the first remains, and its line joins the first reading's line it continues, so the columns stay as
    printed."""
    letter_height = statistics.median([w.bottom - w.top for w in words if len(w.text) >= 3] or [40])
    for index, seal in enumerate(seal_boxes(colour, settings.dpi)):
        margin = (seal.bottom - seal.top) // 2
        band = Box(0, max(0, seal.top - margin), colour.width, min(colour.height, seal.bottom + margin))
        found = []
        for word in _recognise(lifted(colour.crop((band.left, band.top, band.right, band.bottom))), settings, source,
                               number, folder):
            word = replace(word, key=("seal", str(index), *word.key), top=word.top + band.top,
                           bottom=word.bottom + band.top, text=word.text.lstrip(_STROKES) or word.text)
            cut = (word.top <= band.top + 2 and band.top > 0) or (word.bottom >= band.bottom - 2 and band.bottom < colour.height)
            if not cut and _plausible(word, letter_height):
                found.append(word)
        spoiled = seal.grown(0.05, colour.width, colour.height)
        words = [word for word in words if not spoiled.holds(*word.centre)]
        words += _joined([word for word in found if not any(_overlap(word, other) for other in words)], words)
    return words


_STROKES = "_—–~`¬^-"  # a seal's ring or a signature's stroke read before a word: "_—-PHÓ"


def _plausible(word: _Word, letter_height: float) -> bool:
    """A word printed in the page's type, not a piece of ring or stroke: letter-sized, and read with confidence or
    a Vietnamese syllable (Tesseract gives a name half under a seal, "Phạm", confidence 0)."""
    height = word.bottom - word.top
    if not 0.6 * letter_height <= height <= 2 * letter_height or not any(ch.isalnum() for ch in word.text):
        return False
    letters = word.text.strip(_EDGE_MARKS)
    return word.confidence >= 50 or (len(letters) >= 2 and is_syllable(letters))


_EDGE_MARKS = "\"'“”‘’()[]{}<>.,;:!?…*•·-–—_/\\|~`¬^"


def _overlap(a: _Word, b: _Word) -> bool:
    width = min(a.right, b.right) - max(a.left, b.left)
    height = min(a.bottom, b.bottom) - max(a.top, b.top)
    smaller = min((a.right - a.left) * (a.bottom - a.top), (b.right - b.left) * (b.bottom - b.top))
    return width > 0 and height > 0 and width * height > 0.3 * max(smaller, 1)


def _joined(fresh: list[_Word], words: list[_Word]) -> list[_Word]:
    """`fresh` words, each line of them moved into the first reading's line it continues (level with it, less than
    a letter-height and a half away); the others keep lines of their own."""
    lines: dict[tuple[str, ...], list[_Word]] = {}
    for word in fresh:
        lines.setdefault(word.key, []).append(word)
    joined = []
    for line in lines.values():
        key = next((other.key for word in line for other in words if _continues(word, other)), line[0].key)
        joined += [replace(word, key=key) for word in line]
    return joined


def _continues(word: _Word, other: _Word) -> bool:
    height = max(word.bottom - word.top, other.bottom - other.top)
    level = min(word.bottom, other.bottom) - max(word.top, other.top) >= 0.5 * min(word.bottom - word.top,
                                                                                   other.bottom - other.top)
    return level and max(other.left - word.right, word.left - other.right) < 1.5 * height


def _orientation(gray: Image.Image, settings: OcrSettings, source: str, number: int, folder: Path) -> int:
    """Degrees clockwise the page is turned (0, 90, 180, 270), by Tesseract's orientation model; 0 if unsure."""
    if "osd" not in _tesseract_languages():
        return 0
    path = folder / f"osd-{number}.pgm"
    gray.save(path)
    try:
        report = _run(["tesseract", str(path), "stdout", "--psm", "0", "-l", "osd"], settings, source, number, check=False)
    finally:
        path.unlink(missing_ok=True)
    fields = dict(line.split(":", 1) for line in report.splitlines() if ":" in line)
    try:
        rotate, confidence = int(fields["Rotate"].strip()), float(fields["Orientation confidence"].strip())
    except (KeyError, ValueError):
        return 0
    return rotate if rotate and confidence >= 2.0 else 0


def _run(command: list[str], settings: OcrSettings, source: str, number: int, check: bool = True) -> str:
    try:
        done = subprocess.run(command, capture_output=True, timeout=settings.page_seconds,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    except subprocess.TimeoutExpired as error:
        raise CorruptFile(f"Trang {number + 1} của tệp {source} cần quá {settings.page_seconds:.0f} giây để nhận dạng; "
                          "không đọc được.") from error
    if check and done.returncode != 0:
        log.warning("%s failed on page %d of %s: %s", command[0], number + 1, source, done.stderr[-500:])
        raise CorruptFile(f"Không nhận dạng được trang {number + 1} của tệp {source} (ảnh trang bị hỏng).")
    return done.stdout.decode("utf-8", errors="replace")


# ------------------------------------------------------------------------------------ page geometry
def skew_angle(gray: Image.Image) -> float:
    """Degrees to rotate (counter-clockwise) so text rows are level: the angle whose row profile of ink is sharpest."""
    small = gray.copy()
    small.thumbnail((1000, 1000))
    pixels = np.asarray(small.filter(ImageFilter.MedianFilter(3)), dtype=np.uint8)  # speckle is not ink
    dark = pixels < 0.6 * float(np.median(pixels))  # ink against the paper, however grey the paper is
    if dark.mean() < 0.0005:
        return 0.0  # a blank page
    ink = Image.fromarray((dark * 255).astype(np.uint8))

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.float64).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = max(np.arange(-_MAX_SKEW_DEGREES, _MAX_SKEW_DEGREES + 0.01, 0.5), key=sharpness)
    fine = max(np.arange(coarse - 0.5, coarse + 0.51, 0.1), key=sharpness)
    return round(float(fine), 1)


@dataclass
class _Line:
    left: int
    top: int
    right: int
    bottom: int
    words: list[tuple[int, int, str]]  # left, right, text

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class _Word:
    key: tuple[str, ...]  # Tesseract's page, block, paragraph, line: the printed line the word is on
    left: int
    top: int
    right: int
    bottom: int
    text: str
    confidence: float = 100.0

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2


def _tsv_words(tsv: str) -> list[_Word]:
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(cells[i]) for i in (6, 7, 8, 9))
        words.append(_Word(tuple(cells[1:5]), left, top, left + width, top + height, cells[11].strip(), float(cells[10])))
    return words


def layout_text(tsv: str) -> str:
    """Tesseract TSV -> one text line per printed line; columns and wide gaps become runs of 3+ spaces."""
    return _layout(_tsv_words(tsv))


def _layout(words: list[_Word]) -> str:
    lines: dict[tuple[str, ...], _Line] = {}
    for word in words:
        line = lines.get(word.key)
        if line is None:
            line = lines[word.key] = _Line(word.left, word.top, word.right, word.bottom, [])
        line.left, line.top = min(line.left, word.left), min(line.top, word.top)
        line.right, line.bottom = max(line.right, word.right), max(line.bottom, word.bottom)
        line.words.append((word.left, word.right, word.text))
    if not lines:
        return ""
    widths = [(right - left) / len(text) for line in lines.values() for left, right, text in line.words if len(text) >= 3]
    char_width = statistics.median(widths) if widths else 20.0
    margin = min(line.left for line in lines.values())
    return "\n".join(_row_text(row, char_width, margin) for row in _rows(list(lines.values())))


def _rows(lines: list[_Line]) -> list[list[_Line]]:
    """Lines side by side (overlapping vertically by half the smaller height, apart horizontally) share a row."""
    rows: list[list[_Line]] = []
    for line in sorted(lines, key=lambda item: (item.top + item.bottom) / 2):
        for row in reversed(rows[-3:]):
            if all(_side_by_side(line, other) for other in row):
                row.append(line)
                break
        else:
            rows.append([line])
    for row in rows:
        row.sort(key=lambda item: item.left)
    rows.sort(key=lambda row: min(line.top for line in row))
    return rows


def _side_by_side(a: _Line, b: _Line) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    apart = a.right <= b.left or b.right <= a.left
    return apart and overlap >= 0.5 * min(a.height, b.height)


def _row_text(row: list[_Line], char_width: float, margin: int) -> str:
    pieces = [" " * round((row[0].left - margin) / char_width)]
    previous_right: int | None = None
    for index, line in enumerate(row):
        gap_limit = 1.5 * max(line.height, 1)  # wider than one and a half letters' height: another column
        for position, (left, right, word) in enumerate(sorted(line.words)):
            if previous_right is not None:
                new_column = (index > 0 and position == 0) or left - previous_right > gap_limit
                spaces = max(_COLUMN_GAP_SPACES, round((left - previous_right) / char_width)) if new_column else 1
                pieces.append(" " * spaces)
            pieces.append(word)
            previous_right = right
    return "".join(pieces).rstrip()
