"""Word .docx: paragraphs and table cells in reading order, headings from paragraph styles."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Iterator

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from index.documents import Block, ParsedFile
from index.errors import CorruptFile

logger = logging.getLogger(__name__)

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
_RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024  # tiny parts compress absurdly well and are harmless


def read_docx(data: bytes, source: str) -> ParsedFile:
    """Refuses zip bombs before python-docx inflates anything; python-docx's parser never resolves entities."""
    _check_zip(data, source)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = tuple(_blocks(document.iter_inner_content()))
        title = document.core_properties.title or None
    except Exception as error:  # python-docx/lxml raise many types on a malformed package
        logger.debug("python-docx failed on %s: %r", source, error)
        raise CorruptFile.unreadable(source) from error
    return ParsedFile(source=source, blocks=blocks, title=title.strip() if title and title.strip() else None)


def _check_zip(data: bytes, source: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise CorruptFile.unreadable(source) from error
    uncompressed = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members)
    too_big = uncompressed > MAX_UNCOMPRESSED_BYTES
    too_dense = uncompressed > _RATIO_CHECKED_ABOVE_BYTES and uncompressed > MAX_COMPRESSION_RATIO * max(compressed, 1)
    if too_big or too_dense:
        raise CorruptFile(f"Tệp {source} bị hỏng: nội dung nén bất thường (có thể là “bom zip”), không đọc được.")


def _blocks(content: Iterator[Paragraph | Table]) -> Iterator[Block]:
    for item in content:
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if text:
                yield Block(text, heading=_is_heading(item))
        else:
            yield from _table_blocks(item)


def _table_blocks(table: Table) -> Iterator[Block]:
    """One block per cell; merged cells appear once, nested tables follow their cell."""
    seen: set[object] = set()  # the cells' XML elements: a merged cell is the same element in every grid slot
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            text = "\n".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
            if text:
                yield Block(text)
            for nested in cell.tables:
                yield from _table_blocks(nested)


def _is_heading(paragraph: Paragraph) -> bool:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    return name.lower().startswith(("heading", "title"))
