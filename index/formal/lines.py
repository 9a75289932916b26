"""A formal document as printed lines: column segments kept apart, page furniture dropped.

Readers give blocks (docx paragraphs and table cells, PDF/OCR/plain-text paragraphs with their printed
lines). The header, the closing and the numbering of a formal document are line-level facts, so the
formal reader works on lines; side-by-side columns (issuer | national motto, recipients | signature) are
the runs of three or more spaces pdftotext -layout, OCR and typed text leave between them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from index.documents import Block

_COLUMN_GAP = re.compile(r"\s{3,}|\t+")
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff\u00ad]")  # controls but \t \n
_PAGE_MARKER = re.compile(r"^(?:=+\s*Trang\s+\d+\s*=+|[-–—\s]*(?:(?:Trang|Page)\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?[-–—\s]*)$", re.IGNORECASE)
_EDITOR_NOTE = re.compile(r"^\s*\[[^\]]*\](?:\s*\[[^\]]*\])*\s*$")  # "[OCR] [Bản trích chữ tự động ...]"


@dataclass(frozen=True)
class Line:
    """One printed line: its column segments left to right, and the block it came from."""

    segments: tuple[str, ...]
    block: int  # index of the reader's block: a block boundary is a paragraph boundary
    first_in_block: bool

    @property
    def text(self) -> str:
        return " ".join(self.segments)


def formal_lines(blocks: tuple[Block, ...] | list[Block]) -> list[Line]:
    """Every non-empty line of every block, NFC, with column segments split and page markers dropped."""
    lines: list[Line] = []
    for index, block in enumerate(blocks):
        first = True
        for raw in block.text.split("\n"):
            raw = INVISIBLE.sub("", unicodedata.normalize("NFC", raw)).replace("\u00a0", " ")
            if not raw.strip() or _PAGE_MARKER.match(raw.strip()):
                continue
            if not lines and _EDITOR_NOTE.match(raw):
                continue
            segments = tuple(re.sub(r" {2,}", " ", part).strip() for part in _COLUMN_GAP.split(raw.strip()))
            segments = _rejoin_blanks(tuple(part for part in segments if part))
            if segments:
                lines.append(Line(segments, index, first))
                first = False
    return lines


_BLANK_BEFORE = re.compile(r"(?:\bngày|\btháng|\bSố\s*:?|\bsố\s*:?)$", re.IGNORECASE)
_BLANK_AFTER = re.compile(r"^(?:tháng|năm|[-/]\s*[A-ZĐ])", re.IGNORECASE)


def _rejoin_blanks(segments: tuple[str, ...]) -> tuple[str, ...]:
    """'Số' + '-HD/BTCTU', 'Hà Nội, ngày' + 'tháng 8 năm 2025': a blank left for the number or the day is
    a run of spaces too, not a column gap."""
    joined: list[str] = []
    for segment in segments:
        if joined and (_BLANK_BEFORE.search(joined[-1]) or _BLANK_AFTER.match(segment)) and not _starts_national(segment):
            joined[-1] = f"{joined[-1]}  {segment}"
        else:
            joined.append(segment)
    return tuple(joined)


def _starts_national(segment: str) -> bool:
    return segment.startswith(("ĐẢNG CỘNG", "CỘNG HÒA", "CỘNG HOÀ", "Độc lập"))
