"""The closing of a formal document: signature block (role lines, name) and recipients, which are not passages.

    Nơi nhận:                          T/M BAN CHẤP HÀNH TRUNG ƯƠNG
    - Các tỉnh ủy, ...                          TỔNG BÍ THƯ
    - Lưu Văn phòng Trung ương Đảng.              (Đã ký)
                                                   Tô Lâm
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from index.formal.casing import sentence_case
from index.formal.lines import Line
from index.formal.names import NAME_WORD, looks_like_person
from index.vietnamese import fold

_RECIPIENTS = re.compile(r"^N[ơo]i\s+nh[ậâaạ]n\s*:?", re.IGNORECASE)
_ROLE_PREFIX = re.compile(r"^(?:T/M|TM\s*\.|KT\s*\.|K/T|TL\s*\.|TUQ\s*\.|Q\s*\.|T\.M\.?)\s*[A-ZĐÀ-Ỹ]")
_ROLE_INSIDE = re.compile(r"\s((?:T/M|TM\.|KT\.|K/T|TL\.|TUQ\.)\s*[A-ZĐ].*)$")
_ROLE_WORDS = (
    "chu tich", "thu tuong", "bo truong", "thu truong", "bi thu", "giam doc", "cuc truong", "truong ban", "chanh van phong",
    "vu truong", "tong cuc truong", "chanh an", "vien truong", "tong bi thu", "truong phong", "chu nhiem", "thu truong",
)
_SIGNED = re.compile(r"^\(?\s*(?:đã\s+ký|da\s+ky|ký\s+tên|đã\s+ký\s+và\s+đóng\s+dấu)[^)]*\)?\.?$", re.IGNORECASE)
_RANKS = (
    "dai tuong", "thuong tuong", "trung tuong", "thieu tuong", "dai ta", "thuong ta", "trung ta", "thieu ta",
    "pgs.ts.", "pgs. ts.", "gs.ts.", "ts.", "ths.",
)


@dataclass
class Closing:
    start: int  # first line of the closing (recipients or signature), an index into the document's lines
    end: int  # one past its last line
    signers: list[str] = field(default_factory=list)
    signer_titles: list[str] = field(default_factory=list)


def find_closing(lines: list[Line], start: int, end: int) -> Closing | None:
    """The closing inside lines[start:end] (one part of the document), searched from the end of the part."""
    for position in range(start, end):
        segments = lines[position].segments
        if any(_is_recipients(s) for s in segments) or (
            _is_role(segments[-1]) and _name_follows(lines, position, end) and position > start
        ):
            closing = Closing(position, end)
            _read_signature(lines[position:end], closing)
            if closing.signers or any(_is_recipients(s) for s in segments):
                closing.end = _closing_end(lines, position, end)
                if not closing.signers:
                    closing.signer_titles = []
                    _read_signature(lines[position : closing.end], closing)
                return closing
    return None


def _is_recipients(segment: str) -> bool:
    """'Nơi nhận:' alone, or followed by the list, by (OCR, one space) the signature's first line, or by a few
    letters of OCR noise ('Nơi nhận: Giao th')."""
    match = _RECIPIENTS.match(segment)
    if not match:
        return False
    rest = segment[match.end() :].strip()
    return not rest or rest.startswith(("-", "+", "•")) or bool(_ROLE_PREFIX.match(rest)) or len(rest) <= 12


def _closing_end(lines: list[Line], start: int, end: int) -> int:
    """Up to the signer's name (and a '(Đã ký)' after it), then over the rest of a recipients list that runs
    on below the name in its own column; what follows (an annex) is not the closing."""
    last_name = None
    for position in range(start, min(end, start + 40)):
        if any(_is_name(s) for s in lines[position].segments):
            last_name = position
            following = position + 1
            if following < end and any(_SIGNED.match(s) for s in lines[following].segments):
                last_name = following
    if last_name is None:
        return min(end, start + 40)
    position = last_name + 1
    while position < end and _is_recipient_item(lines[position].segments[0]):
        position += 1
    return position


def _is_recipient_item(segment: str) -> bool:
    """'- Công báo, Cổng TTĐT của Chính phủ;', '- Lưu: VT, Vụ KHCNMT.': a line of the Nơi nhận list."""
    return len(segment) <= 200 and (segment.startswith(("-", "+", "•")) or fold(segment).startswith("luu"))


def _read_signature(lines: list[Line], closing: Closing) -> None:
    """Offices and names, column by column: two signers side by side (a joint circular) each keep their own
    office lines; a line with one signature part belongs to the first."""
    columns: list[list[str]] = [[]]
    for line in lines:
        segments = [s for s in _signature_segments(line) if not _SIGNED.match(s)]
        several = len(segments) > 1
        for index, segment in enumerate(segments):
            column = index if several else 0
            while len(columns) <= column:
                columns.append([])
            _read_part(segment, columns[column], closing)
    left = [", ".join(roles) for roles in columns if roles]
    if left and not closing.signers:  # the name is under a seal or handwritten: the office is still known
        closing.signer_titles.extend(left[:1])


def _read_part(segment: str, roles: list[str], closing: Closing) -> None:
    if _is_role(segment):
        roles.append(sentence_case(segment))
    elif roles and (title := _misread_title(segment)):
        roles.append(title)
    elif _is_name(segment) and roles and (not closing.signers or looks_like_person(_without_rank(segment))):
        closing.signers.append(_without_rank(segment))  # a second "name" must be a person's: not "An Giang"
        closing.signer_titles.append(", ".join(roles))
        roles.clear()


def _signature_segments(line: Line) -> list[str]:
    """The right-hand part of each closing line; 'Nơi nhận: T/M BAN THƯỜNG VỤ' (one space, OCR) split too, and
    a capitals tail after a recipient item ('- Các đ/c Ủy viên BTV, PHÓ BÍ THƯ THƯỜNG TRỰC')."""
    segments: list[str] = []
    for segment in line.segments:
        inside = _ROLE_INSIDE.search(segment)
        if inside and not _ROLE_PREFIX.match(segment):
            segments.append(inside.group(1).strip())
        elif segment.startswith(("-", "+", "•")):
            tail = re.split(r"[,;]", segment)[-1].strip()
            if tail != segment and _mostly_capitals(tail):
                segments.append(tail)
        elif not _RECIPIENTS.match(segment):
            segments.append(segment.strip())
    return segments


# Offices that sign, as written: an OCR-damaged capitals line ('S Í THƯ THƯỜNG TRưÊ') is read as the closest.
_TITLES = (
    "Tổng Bí thư", "Bí thư", "Phó Bí thư", "Phó Bí thư Thường trực", "Chủ tịch", "Phó Chủ tịch", "Thủ tướng",
    "Phó Thủ tướng", "Bộ trưởng", "Thứ trưởng", "Giám đốc", "Phó Giám đốc", "Cục trưởng", "Phó Cục trưởng",
    "Trưởng ban", "Phó Trưởng ban", "Chánh Văn phòng", "Phó Chánh Văn phòng", "Vụ trưởng", "Phó Vụ trưởng",
    "Tổng Cục trưởng", "Phó Tổng Cục trưởng", "Chủ nhiệm", "Phó Chủ nhiệm", "Chủ tịch Quốc hội", "Chánh án", "Viện trưởng",
)
_TITLE_LETTERS = {re.sub(r"[^a-z]", "", fold(title)): title for title in _TITLES}


def _misread_title(segment: str) -> str | None:
    """The office a damaged capitals line most resembles, when it resembles one closely (difflib ratio >= 0.75)."""
    if not _mostly_capitals(segment) or len(segment) > 60:
        return None
    letters = re.sub(r"[^a-z]", "", fold(segment))
    scored = [(difflib.SequenceMatcher(None, letters, key).ratio(), title) for key, title in _TITLE_LETTERS.items()]
    ratio, title = max(scored)
    return title if ratio >= 0.75 else None


def _mostly_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 6 and sum(ch.isupper() for ch in letters) >= 0.7 * len(letters)


def _is_role(segment: str) -> bool:
    letters = [ch for ch in segment if ch.isalpha()]
    if not letters or sum(ch.isupper() for ch in letters) < 0.8 * len(letters) or len(segment) > 70:
        return False
    return bool(_ROLE_PREFIX.match(segment)) or any(role in fold(segment) for role in _ROLE_WORDS)


def _is_name(segment: str) -> bool:
    words = _without_rank(segment).split()
    return 2 <= len(words) <= 5 and all(NAME_WORD.match(w) for w in words) and not any(r in fold(segment) for r in _ROLE_WORDS)


def _without_rank(segment: str) -> str:
    text = segment.strip()
    for rank in _RANKS:
        if fold(text).startswith(rank):
            text = text[len(rank) :].strip()
            break
    return text


def _name_follows(lines: list[Line], position: int, end: int) -> bool:
    return any(_is_name(s) for line in lines[position + 1 : min(end, position + 8)] for s in line.segments)
