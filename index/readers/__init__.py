"""One entry point for every format: the file's content, not its name, decides which reader runs."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

import puremagic

from index.documents import ParsedFile
from index.errors import CorruptFile, EmptyDocument, FileTooLarge, UnsupportedFile
from index.readers.docx import read_docx
from index.readers.html import read_html
from index.readers.pdf import read_pdf
from index.readers.text import decode_text, has_bom, read_markdown, read_text

__all__ = ["read_file", "display_name"]

MAX_BYTES = 50 * 1024 * 1024
_SUPPORTED = ".txt, .md, .html, .docx, .pdf"
_MARKDOWN_SUFFIXES = {".md", ".markdown"}
_HTML_MARKERS = ("<!doctype html", "<html", "<head", "<body")
_HTML_FRAGMENT_STARTS = ("<p>", "<p ", "<div", "<h1", "<h2", "<h3", "<article", "<table", "<ul", "<section")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_MAX_CONTROL_SHARE = 0.02


def read_file(path: Path, max_bytes: int = MAX_BYTES) -> ParsedFile:
    """Read a .txt, .md, .html, .docx or .pdf into blocks, whatever the file is called.

    Raises FileTooLarge (checked before reading), UnsupportedFile, CorruptFile or EmptyDocument,
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
    parsed = _read(data, name, path.suffix.lower())
    if not any(block.text.strip() for block in parsed.blocks):
        hint = " (có thể là bản quét chỉ có hình ảnh)" if _is_pdf(data) else ""
        raise EmptyDocument(f"Tệp {name} không có chữ để lưu{hint}.")
    return parsed


def display_name(raw: str) -> str:
    """The bare file name a user would recognise: no directories, no control characters, NFC."""
    name = re.split(r"[\\/]", raw)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = unicodedata.normalize("NFC", name).strip()
    return name if name.strip(".") else "(không tên)"


def _read(data: bytes, name: str, suffix: str) -> ParsedFile:
    if _is_pdf(data):
        return read_pdf(data, name)
    if data.startswith(_ZIP_MAGIC):
        if _is_docx(data, name):
            return read_docx(data, name)
        raise UnsupportedFile(f"Tệp {name} là tệp nén (zip) nhưng không phải .docx; chỉ đọc được {_SUPPORTED}.")
    if data.startswith(_OLE2_MAGIC):
        raise UnsupportedFile(f"Tệp {name} là định dạng Word/Excel cũ; hãy lưu lại thành .docx rồi gửi lại.")
    if _looks_binary(data):
        raise UnsupportedFile(f"Tệp {name} {_kind(data)}; chỉ đọc được {_SUPPORTED}.")
    if _looks_like_html(decode_text(data[:4096])):
        return read_html(data, name)
    if suffix in _MARKDOWN_SUFFIXES:
        return read_markdown(data, name)
    return read_text(data, name)


def _is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]  # the header may follow a little junk, as readers allow


def _is_docx(data: bytes, name: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise CorruptFile(f"Tệp {name} bị hỏng hoặc bị mã hoá, không đọc được.") from error


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
