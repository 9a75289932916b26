"""One entry point for every format: the file's content, not its name, decides which reader runs."""

from __future__ import annotations

import io
import re
from dataclasses import replace
import unicodedata
import zipfile
from pathlib import Path

import puremagic

from index.documents import DECODED, OCR, Block, ParsedFile
from index.errors import CorruptFile, EmptyDocument, FileTooLarge, UnsupportedFile
from index.readers.docx import read_docx
from index.readers.html import read_html
from index.readers.images import is_image, read_image
from index.readers.legacy_encodings import repair_bytes, repair_text
from index.readers.legibility import legibility
from index.readers.ocr import OcrSettings, PageProgress
from index.readers.pdf import read_pdf
from index.readers.text import decode_text, has_bom, read_markdown, read_text
from index.readers.word import read_doc, read_rtf
from index.security_markings import refuse_classified

__all__ = ["read_file", "display_name", "OcrSettings", "PageProgress"]

MAX_BYTES = 50 * 1024 * 1024
_SUPPORTED = ".txt, .md, .html, .docx, .doc, .rtf, .pdf, .jpg, .png, .tif"
_RTF_MAGIC = b"{\\rtf"
_BLOCK_BREAK = "\n\x1e\n"  # joins blocks for the legacy-font repair, which works line by line
_MARKDOWN_SUFFIXES = {".md", ".markdown"}
_HTML_MARKERS = ("<!doctype html", "<html", "<head", "<body")
_HTML_FRAGMENT_STARTS = ("<p>", "<p ", "<div", "<h1", "<h2", "<h3", "<article", "<table", "<ul", "<section")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_MAX_CONTROL_SHARE = 0.02


def read_file(
    path: Path, max_bytes: int = MAX_BYTES, ocr: OcrSettings = OcrSettings(), progress: PageProgress | None = None
) -> ParsedFile:
    """Read a .txt, .md, .html, .docx, .doc, .rtf, .pdf or image into blocks, whatever the file is called.

    Scans and photos are OCR'd (`progress` hears of each page); text typed in a legacy Vietnamese font is
    decoded; text that reads as no Vietnamese is refused, never indexed, and so is a classified file (a độ mật
    stamp or the Party ownership banner). Raises FileTooLarge (checked before reading), UnsupportedFile
    (MissingTool when a needed program is not installed), CorruptFile, EmptyDocument or ClassifiedDocument,
    each with a short Vietnamese message naming the file.
    """
    path = Path(path)
    name = display_name(path.name)
    size = path.stat().st_size
    if size > max_bytes:
        raise FileTooLarge(f"Tệp {name} quá lớn ({_megabytes(size)}); giới hạn là {_megabytes(max_bytes)}.")
    with path.open("rb") as file:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(f"Tệp {name} quá lớn; giới hạn là {_megabytes(max_bytes)}.")
    if not data.strip():
        raise EmptyDocument(f"Tệp {name} trống, không có nội dung để lưu.")
    parsed = _read(data, name, path.suffix.lower(), ocr, progress)
    if not any(block.text.strip() for block in parsed.blocks):
        if parsed.text_source == OCR:
            raise EmptyDocument(f"Tệp {name} không có chữ nhận dạng được (bản quét quá mờ hoặc không phải văn bản).")
        hint = " (có thể là bản quét chỉ có hình ảnh)" if _is_pdf(data) else ""
        raise EmptyDocument(f"Tệp {name} không có chữ để lưu{hint}.")
    refuse_classified(parsed)
    return parsed


def display_name(raw: str) -> str:
    """The bare file name a user would recognise: no directories, no control characters, NFC."""
    name = re.split(r"[\\/]", raw)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = unicodedata.normalize("NFC", name).strip()
    return name if name.strip(".") else "(không tên)"


def _read(data: bytes, name: str, suffix: str, ocr: OcrSettings, progress: PageProgress | None) -> ParsedFile:
    if _is_pdf(data):
        return read_pdf(data, name, ocr=ocr, progress=progress)
    if is_image(data):
        return read_image(data, name, ocr, progress)
    if data.startswith(_ZIP_MAGIC):
        if _is_docx(data, name):
            return _legible(read_docx(data, name))
        raise UnsupportedFile(f"Tệp {name} là tệp nén (zip) nhưng không phải .docx; chỉ đọc được {_SUPPORTED}.")
    if data.startswith(_OLE2_MAGIC):
        return _legible(read_doc(data, name))
    if data.lstrip()[:5] == _RTF_MAGIC:
        return _legible(read_rtf(data, name))
    if _looks_binary(data):
        raise UnsupportedFile(f"Tệp {name} {_kind(data)}; chỉ đọc được {_SUPPORTED}.")
    if _looks_like_html(decode_text(data[:4096])):
        return read_html(data, name)
    text, encoding = repair_bytes(data, decode_text(data))
    if encoding is not None:
        data = text.encode("utf-8")
    elif not legibility(text).legible:
        raise _illegible(name)
    parsed = read_markdown(data, name) if suffix in _MARKDOWN_SUFFIXES else read_text(data, name)
    return replace(parsed, text_source=DECODED) if encoding else parsed


def _legible(parsed: ParsedFile) -> ParsedFile:
    """The file as read, decoded from a legacy font if it was typed in one; refused if it reads as no Vietnamese."""
    joined = _BLOCK_BREAK.join(block.text for block in parsed.blocks)
    if legibility(joined).legible:
        return parsed
    text, encoding = repair_text(joined)
    if encoding is None:
        raise _illegible(parsed.source)
    blocks = tuple(Block(t, b.heading) for t, b in zip(text.split(_BLOCK_BREAK), parsed.blocks, strict=True))
    return replace(parsed, blocks=blocks, text_source=DECODED)


def _illegible(name: str) -> UnsupportedFile:
    return UnsupportedFile(f"Tệp {name} có chữ không đọc được (phông chữ cũ hoặc lỗi mã hoá không chuyển được); "
                           "hãy lưu lại bằng phông Unicode rồi gửi lại.")


def _is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]  # the header may follow a little junk, as readers allow


def _is_docx(data: bytes, name: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise CorruptFile.unreadable(name) from error


def _looks_binary(data: bytes) -> bool:
    """NUL bytes (outside UTF-16/32 text) or many control characters: an image, an archive, an executable."""
    sample = data[:65536]
    if b"\x00" in sample and not has_bom(sample):
        return True
    text = decode_text(sample)  # a character cut at the end of the sample is one broken byte among many good ones
    suspicious = sum(1 for ch in text if (ch < " " and ch not in "\n\r\t\f\v") or ch in "\x7f\ufffd")
    return suspicious > _MAX_CONTROL_SHARE * max(len(text), 1)


def _looks_like_html(head: str) -> bool:
    lowered = head[:1024].lower()
    return any(marker in lowered for marker in _HTML_MARKERS) or lowered.lstrip().startswith(_HTML_FRAGMENT_STARTS)


def _kind(data: bytes) -> str:
    """What the file seems to be, for the message: 'là tệp .png' or 'không phải văn bản'."""
    try:
        guesses = puremagic.magic_string(data[:8192])
    except (puremagic.PureError, ValueError):
        guesses = []
    extension = next((g.extension for g in guesses if g.extension and g.confidence >= 0.3), None)
    return f"là tệp {extension}, không phải văn bản" if extension else "không phải văn bản"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",").replace(",0 MB", " MB")
