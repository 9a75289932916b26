"""The lines that head a division of a text: "Chương II", "Mục 1", "Phần thứ nhất"-style part lines, "Điều 5.",
"II. ..." — one set of rules for the news-style cleaning (index/cleaning.py) and the PDF paragraph rebuild
(index/readers/pdf.py). Formal documents' full division tree is read by index/formal/structure.py."""

from __future__ import annotations

import re

PART_LINE = re.compile(r"^(?:Chương|Mục|Phần)\s+(?:\d+|[IVXLC]+)\b", re.IGNORECASE)  # "Chương II", "MỤC 3"
BARE_PART_LINE = re.compile(r"^(?:Chương|Mục|Phần)\s+(?:\d+|[IVXLC]+)\s*[.:]?$", re.IGNORECASE)  # its title below
ROMAN_HEADING = re.compile(r"^[IVXLC]+\s*[.\-–]\s+\S")  # "II. Nhiệm vụ", "III - Tổ chức"
ARTICLE_LINE = re.compile(r"^Điều\s+\d+[a-zđ]?(?:\s*[.:]\s*|\s*$|\s+[-–]\s+)", re.IGNORECASE)  # "Điều 5. ...", "Điều 5"


def part_title_start(line: str) -> int | None:
    """Where the title after a part line's number begins ("Chương II. QUY ĐỊNH CHUNG" -> at "QUY"), None if not one."""
    match = PART_LINE.match(line)
    if match is None:
        return None
    rest = len(line) - len(line[match.end() :].lstrip(" \t.:–-"))
    return rest
