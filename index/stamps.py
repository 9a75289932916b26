"""A stamp on a document's head as read text: framed, its frame's sides maybe read as letters, in capitals.

Shared by the urgency stamp (index/formal/urgency.py) and the security marking (index/security_markings.py).
"""

from __future__ import annotations

import re

# Stamp frames and what OCR makes of them: bars, brackets, rules, quotes; '*' under a Party issuer's name.
# Not '-', '.', ';', '(' or ')': "- Tối mật;", "c) Mật." are list items, not stamps.
STAMP_FRAME = "|¦│┃║[]{}<>_=~*#\"'“”‘’«»!■□▪"
_FRAME_BAR = re.compile(r"^(?:[Il|!]\s+)+|(?:\s+[Il|!])+$")  # a frame's side read as a letter: "I MẬT I"


def unframed(text: str, frame: str = STAMP_FRAME) -> str:
    """The text without a stamp frame around it or the bars OCR reads its sides as."""
    previous = None
    while previous != text:
        previous = text
        text = _FRAME_BAR.sub("", text.strip(frame + " \t"))
    return text


def in_capitals(text: str) -> bool:
    """Every letter upper case (and at least one letter)."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)
