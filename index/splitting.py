"""Cutting a long paragraph into passages the embedder takes whole, at sentence boundaries where it can."""

from __future__ import annotations

import re
from collections.abc import Callable

MAX_CHARS = 1000
ABBREVIATIONS = frozenset({"ThS", "Ths", "Tp", "Th"})
_WORD_BEFORE_DOT = re.compile(r"(\w+)\.[\"”’)\]]*\s+$")


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


def sentence_cuts(text: str) -> list[int]:
    cuts = []
    for match in re.finditer(r"[.;?!…][\"”’)\]]*\s+", text):
        following = text[match.end() : match.end() + 1]
        if not following or not (following.isupper() or following.isdigit() or following in "\"“‘(["):
            continue
        word = _WORD_BEFORE_DOT.search(text, max(0, match.start() - 64), match.end())  # a window: linear on long paragraphs
        if word and (word.group(1) in ABBREVIATIONS or (len(word.group(1)) <= 3 and word.group(1).isupper())):
            continue  # "TP. Hồ Chí Minh", "PGS. TS." are not sentence ends
        cuts.append(match.end())
    return [cut for cut in cuts if cut < len(text)]


def _semicolon_cuts(text: str) -> list[int]:
    return [match.end() for match in re.finditer(r";\s+", text) if match.end() < len(text)]


def _comma_cuts(text: str) -> list[int]:
    return [match.end() for match in re.finditer(r",\s+", text) if match.end() < len(text)]


def _space_cuts(text: str) -> list[int]:
    return [match.end() for match in re.finditer(r"\s+", text.rstrip()) if match.end() < len(text)]
