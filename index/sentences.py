"""Where a sentence ends: one set of rules for cutting passages, rebuilding paragraphs and showing sentences."""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset({"ThS", "Ths", "Tp", "Th"})  # "ThS. Nguyễn Văn A": a dot that ends no sentence
_LINE_END = re.compile(r"[.;:!?…][\"”’)\]]*$")  # ':' too: a lead-in line ("như sau:") ends its sentence
_GAP = re.compile(r"(?<=[.;!?…])\s+(?=\S)")  # the space after a sentence inside a text
_GAP_OR_LINE_BREAK = re.compile(r"(?<=[.;!?…])\s+|\n\s*")
_CUT = re.compile(r"[.;?!…][\"”’)\]]*\s+")
_WORD_BEFORE_DOT = re.compile(r"(\w+)\.[\"”’)\]]*\s+$")


def ends_sentence(line: str) -> bool:
    """The line's last character (before closing quotes or brackets) ends a sentence or a lead-in."""
    return bool(_LINE_END.search(line))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of text, the spaces between them left out."""
    spans, start = [], 0
    for match in _GAP.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def sentence_gaps(text: str, start: int, end: int) -> list[re.Match[str]]:
    """The spaces after a sentence, and the line breaks, within text[start:end]: where a shown excerpt may be cut."""
    return list(_GAP_OR_LINE_BREAK.finditer(text, start, end))


def sentence_cuts(text: str) -> list[int]:
    """Offsets just after each sentence that a capital, a digit or an opening quote follows; abbreviations
    ("TP. Hồ Chí Minh", "PGS. TS.") are no sentence end. For cutting long paragraphs into passages."""
    cuts = []
    for match in _CUT.finditer(text):
        following = text[match.end() : match.end() + 1]
        if not following or not (following.isupper() or following.isdigit() or following in "\"“‘(["):
            continue
        word = _WORD_BEFORE_DOT.search(text, max(0, match.start() - 64), match.end())  # a window: linear on long paragraphs
        if word and (word.group(1) in ABBREVIATIONS or (len(word.group(1)) <= 3 and word.group(1).isupper())):
            continue
        cuts.append(match.end())
    return [cut for cut in cuts if cut < len(text)]
