"""Cutting a long paragraph into passages the embedder takes whole, at sentence boundaries where it can."""

from __future__ import annotations

import re
from collections.abc import Callable

from index.sentences import sentence_cuts

MAX_CHARS = 1000


def split_paragraph(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Pieces of at most `max_chars`, cut after sentences ('. ', '; ', '? ', '! ' before a capital or digit).

    A sentence that is itself too long is cut after '; ', then ', ', then any space. The pieces,
    joined with single spaces, give back the paragraph.
    """
    if len(text) <= max_chars:
        return [text]
    return _pieces(text, max_chars, (sentence_cuts, _semicolon_cuts, _comma_cuts, _space_cuts))


def _pieces(text: str, max_chars: int, levels: tuple[Callable[[str], list[int]], ...]) -> list[str]:
    """Cut at the first level of boundaries that exists, then greedily re-join neighbours that fit together.

    A unit still too long is cut at the next level on its own, so its fragments never mix with the
    units around it: a piece ends where a sentence ends whenever it can.
    """
    if len(text.strip()) <= max_chars:
        return [text.strip()]
    for depth, cuts_of in enumerate(levels):
        cuts = cuts_of(text)
        if not cuts:
            continue
        pieces: list[str] = []
        current = ""
        for unit in (text[start:end] for start, end in zip([0, *cuts], [*cuts, len(text)])):
            fits = len(unit.strip()) <= max_chars
            if current.strip() and (not fits or len((current + unit).strip()) > max_chars):
                pieces.append(current.strip())
                current = ""
            if fits:
                current += unit
            else:
                pieces.extend(_pieces(unit, max_chars, levels[depth + 1 :]))
        if current.strip():
            pieces.append(current.strip())
        return pieces
    return [text[start : start + max_chars].strip() for start in range(0, len(text), max_chars)]


def _semicolon_cuts(text: str) -> list[int]:
    return [match.end() for match in re.finditer(r";\s+", text) if match.end() < len(text)]


def _comma_cuts(text: str) -> list[int]:
    return [match.end() for match in re.finditer(r",\s+", text) if match.end() < len(text)]


def _space_cuts(text: str) -> list[int]:
    return [match.end() for match in re.finditer(r"\s+", text.rstrip()) if match.end() < len(text)]
