"""Độ khẩn: the urgency stamp ("KHẨN", "THƯỢNG KHẨN", "HỎA TỐC", "HỎA TỐC HẸN GIỜ") printed under a document's
number, in capitals and usually in a frame (Nghị định 30/2020/NĐ-CP, Phụ lục I; Hướng dẫn 36-HD/VPTW).

It is a line of its own: neither the document's type nor its title, however a reader joins it to the capitals
type line below it ("KHẨN THÔNG BÁO"). Matching is on folded text, so OCR's misread tone marks ("KHẢN",
"HOẢ TỐC") and the bars it reads a frame's sides as ("| KHẨN |", "I KHẨN l") still count.
"""

from __future__ import annotations

import re

from index.stamps import STAMP_FRAME, in_capitals, unframed
from index.vietnamese import fold

URGENCIES = {"khan": "Khẩn", "thuong khan": "Thượng khẩn", "hoa toc": "Hỏa tốc", "hoa toc hen gio": "Hỏa tốc hẹn giờ"}

_FRAME = STAMP_FRAME + "()"  # an urgency stamp is never a list item
_LABEL = re.compile(r"^(?:muc )?do khan\s*[:.\-–]?\s*")  # "Độ khẩn: Thượng khẩn", typed in any case
_LEVEL = re.compile(r"^(?:tuyet |toi )?mat\s*[-–,/]?\s*")  # the độ mật stamp printed beside it: "TỐI MẬT - KHẨN"
_MARK = "|".join(sorted(URGENCIES, key=len, reverse=True))
_WHOLE = re.compile(rf"^(?P<mark>{_MARK})$")


def urgency_of(line: str) -> str | None:
    """The urgency a stamp line gives, as the regulations name it ("Thượng khẩn"); None unless the whole line, bar
    its frame, is the stamp: in capitals, or typed after an "Độ khẩn:" label."""
    if len(line) > 60:
        return None
    bare = unframed(line, _FRAME)
    folded = " ".join(fold(bare).split())
    label = _LABEL.match(folded)
    if label is None and not in_capitals(bare):
        return None
    whole = _WHOLE.match(folded[label.end() :] if label else _LEVEL.sub("", folded, count=1))
    return URGENCIES[whole["mark"]] if whole else None


def leading_urgency(text: str) -> int | None:
    """Where a stamp in capitals opening `text` ends when more follows it ("KHẨN THÔNG BÁO"); whether the rest
    is a line the stamp was joined to (the type line below it) is for the caller to say."""
    words = list(re.finditer(r"\S+", text))
    for length in (4, 2, 1):  # "HỎA TỐC HẸN GIỜ", "THƯỢNG KHẨN" / "HỎA TỐC", "KHẨN"
        head = " ".join(word.group() for word in words[:length])
        if len(words) > length and fold(head) in URGENCIES and in_capitals(head):
            return words[length - 1].end()
    return None
