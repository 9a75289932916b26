"""Text that fits Telegram: lengths in UTF-16 units (what Telegram counts), cuts at word and grapheme boundaries."""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def advance(text: str, i: int, units: int) -> int:
    """Furthest j >= i with text[i:j] at most `units` UTF-16 units long."""
    while i < len(text) and units >= (cost := utf16_len(text[i])):
        units -= cost
        i += 1
    return i


def retreat(text: str, i: int, units: int) -> int:
    """Smallest j <= i with text[j:i] at most `units` UTF-16 units long."""
    while i > 0 and units >= (cost := utf16_len(text[i - 1])):
        units -= cost
        i -= 1
    return i


def word_start(text: str, i: int, limit: int) -> int:
    """Move i forward (not past limit) out of a cut word and over spaces."""
    if i > 0 and not text[i - 1].isspace():
        while i < limit and not text[i].isspace():
            i += 1
    while i < limit and text[i].isspace():
        i += 1
    return i


def word_end(text: str, i: int, limit: int) -> int:
    """Move i back (not before limit) out of a cut word and over spaces."""
    if i < len(text) and not text[i].isspace():
        while i > limit and not text[i - 1].isspace():
            i -= 1
    while i > limit and text[i - 1].isspace():
        i -= 1
    return i


def grapheme_end(text: str, i: int, limit: int) -> int:
    """A hard cut inside one huge word: at least do not separate a letter from its combining marks."""
    while i > limit and i < len(text) and unicodedata.combining(text[i]):
        i -= 1
    return i


def clip(text: str, limit: int) -> str:
    """Whitespace collapsed to single spaces; cut at a word boundary with "…" beyond `limit` UTF-16 units."""
    text = " ".join(text.split())
    if utf16_len(text) <= limit:
        return text
    end = advance(text, 0, limit - utf16_len(ELLIPSIS))
    cut = word_end(text, end, 0)
    return text[: cut if cut > 0 else grapheme_end(text, end, 0)] + ELLIPSIS
