"""The header of a Vietnamese formal document (Hướng dẫn 36-HD/VPTW, Nghị định 30/2020/NĐ-CP).

Left column: the issuing body (one or two levels), a star or rule under it, the number "Số 294-QĐ/TW".
Right column: the national lines ("ĐẢNG CỘNG SẢN VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập -
Tự do - Hạnh phúc"), then place and date. Centred below: the type ("QUY ĐỊNH") and the subject; a công văn
has "V/v ..." under its number instead; an urgency stamp ("KHẨN", "HỎA TỐC") may stand under the number. The
columns may come as table cells, as space-separated segments of one printed line, or interleaved line by line:
every line is classified on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.document_types import DOCUMENT_TYPES, TYPE_BY_CODE_LETTERS
from index.documents import ILLEGIBLE_NUMBER
from index.formal.casing import sentence_case
from index.formal.lines import Line
from index.formal.urgency import leading_urgency, urgency_of
from index.vietnamese import fold

HEADER_MAX_LINES = 60

NATIONAL_LINES = ("conghoaxahoichunghiavietnam", "doclaptudohanhphuc", "dangcongsanvietnam")  # letters only, folded
_NATIONAL_INSIDE = re.compile(r"(?:Đ|Ð|D)[ÁẢAÀ]NG\s+C[ỘÔO]NG\s+S[ẢA]N\s+VI[ỆE]T\s+NAM|C[ỘÔO]NG\s+H(?:[ÒOÓ]A|OÀ|OÁ)\s+X[ÃA]\s+H[ỘÔO]I")
_SEPARATOR = re.compile(r"^[\s*\-–—_=~.·•oO0]+$")
_NUMBER = re.compile(r"^(?:[\wÀ-ỹ]+\s+)?(?:Số|SỐ|Sô|số|So)\s*[:.]?\s*(?P<rest>.*)$")
_CODE = re.compile(
    r"^(?P<code>\d[\d.]*\s*(?:/\s*\d{4}\s*)?[-/]\s*[A-ZĐ][\wĐđ]*(?:\s*[-/]\s*[A-ZĐ][\wĐđ&]*)*)"
)
_BLANK_CODE = re.compile(r"^[-/]\s*[A-ZĐ]")
# "Số: Êđỗ /HC-CNHC": OCR of a handwritten number, then the printed rest of the code.
_ILLEGIBLE_CODE = re.compile(r"^(?P<scrawl>[^\s/]{1,6})\s*/\s*(?P<suffix>[A-ZĐ][A-ZĐa-z]*(?:\s*-\s*[A-ZĐ][A-ZĐa-z&]*)+)\s*$")
_DATE = re.compile(
    r"^(?P<place>[^,]{2,40}?)\s*,?\s*ngay\s*(?:(?P<day>\d{1,2})|[^\s\d]{1,4})?\s*(?:thang|/)\s*(?P<month>\d{1,2})?\s*(?:nam|/)\s*(?P<year>(?:19|20)\d{2})"
)
_DATE_START = re.compile(r"(?:^|\s)((?:[A-ZĐ][\wÀ-ỹ.]*\s){0,3}[A-ZĐ][\wÀ-ỹ.]*,\s*ngày\b)")
_SUBJECT_LINE = re.compile(r"^(?:V/v|V/V|v/v|Về việc|VỀ VIỆC)\s*[:.]?\s*", re.UNICODE)
_BODY_OPENERS = (
    "can cu", "- can cu", "thuc hien", "trong ", "kinh gui", "xet ", "theo de nghi", "de ", "qua ", "tren co so",
    "nham ", "sau khi", "ngay ", "thuc hien", "chinh phu ban hanh", "quoc hoi ban hanh",
)
_DIVISION_START = re.compile(r"^(?:Điều\s+\d|Chương\s+[IVXLC\d]|Phần\s+|[IVXLC]+\.\s|\d+\.\s|[a-zđ]\)\s)", re.IGNORECASE)


@dataclass
class Header:
    issuer_lines: list[str] = field(default_factory=list)  # left column, top down, as written
    code: str | None = None
    has_number_line: bool = False
    place: str | None = None
    date: str | None = None  # "2025-05-26", "2025-08" (blank day), "2026" (blank day and month)
    date_unreadable: bool = False  # a day or month is written but is no date ("tháng 54": a stamp printed over it)
    doc_type: str | None = None
    subject_lines: list[str] = field(default_factory=list)
    issuer_clarification: str | None = None  # "CỦA BAN THƯỜNG VỤ TỈNH ỦY" under the type
    session: str | None = None  # "HỘI NGHỊ LẦN THỨ NĂM BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG KHOÁ XIII" under the type
    national: bool = False
    urgency: str | None = None  # độ khẩn stamped under the number: "Khẩn", "Thượng khẩn", "Hỏa tốc", "Hỏa tốc hẹn giờ"
    body_start: int = 0  # index of the first line after the header
    body_remainder: str | None = None  # the body's start, when OCR ran it on into the subject line

    @property
    def is_formal(self) -> bool:
        signs = [self.national, self.has_number_line, self.date is not None and self.place is not None, self.doc_type is not None]
        return sum(signs) >= 2 and (self.has_number_line or self.doc_type is not None)

    @property
    def subject(self) -> str | None:
        text = " ".join(self.subject_lines).strip(" -–—.")
        text = re.sub(r"\s*\([^()]*\)$", "", text) if not text.startswith("(") else text  # "(Cấp lần đầu: ...)": a note
        text = _SUBJECT_LINE.sub("", text) if self.doc_type == "Công văn" and not text.startswith(("V/v", "V/V")) else text
        text = sentence_case(text)
        return text[:1].upper() + text[1:] if text else None


def read_header(lines: list[Line]) -> Header:
    header = Header()
    zone = lines[:HEADER_MAX_LINES]
    position = 0
    subject_block: int | None = None
    while (position := _past_stamps(header, zone, position)) < len(zone):
        line = zone[position]
        if subject_block is not None and header.doc_type is None:
            if _continues_subject(header, line, subject_block):
                header.subject_lines.append(line.text)
                position += 1
                continue
            subject_block = -1  # the V/v line is over; the rest of the header may follow (the date cell)
        elif header.doc_type is not None and header.subject_lines:
            if is_attachment_note(line.text):
                position = _past_note(zone, position)
                break
            if not _continues_subject(header, line, subject_block):
                break
            header.subject_lines.append(line.text)
            position += 1
            continue
        consumed = False
        pieces = _pieces(line, past_number=(header.has_number_line or header.national) and header.doc_type is None
                         and bool(header.issuer_lines))
        for column, segment in enumerate(pieces):
            kind = _classify(header, segment, column, position)
            consumed = consumed or kind is not None
            if kind == "subject":
                subject_block = line.block
            elif kind == "type" and column + 1 < len(pieces):  # "QUYẾT ĐỊNH Ban hành ..." on one line
                header.subject_lines.append(" ".join(pieces[column + 1 :]))
                break
        if not consumed:
            if header.doc_type is None and header.issuer_lines and not header.has_number_line and position > 12:
                break
            if header.doc_type is not None or (header.subject_lines and subject_block != -1):
                break
            if header.has_number_line and header.date and _is_body(line.text):
                break
        position += 1
        if subject_block == -1 and header.date is not None and _is_body(zone[min(position, len(zone) - 1)].text):
            break
        if header.doc_type is not None and not header.subject_lines:
            position = _past_stamps(header, zone, position)
        if header.doc_type is not None and not header.subject_lines and position < len(zone):
            following = zone[position]
            clarification = following.text
            if fold(clarification).startswith(("cua ", "hoi nghi ")) and clarification.isupper():
                if fold(clarification).startswith("cua "):
                    header.issuer_clarification = clarification
                else:
                    header.session = sentence_case(clarification)
                position += 1
                following = zone[position] if position < len(zone) else following
            if position < len(zone) and _names_the_subject(following.text):
                header.subject_lines.append(following.text)
                position += 1
            else:
                break
    header.body_start = position
    _cut_run_on_subject(header, zone)
    if header.doc_type is None and header.subject_lines and header.subject_lines[0].startswith(("V/v", "V/V", "v/v")):
        header.doc_type = "Công văn"
    if header.doc_type is None and header.code:
        header.doc_type = _type_from_code(header.code)
    return header


def _past_stamps(header: Header, zone: list[Line], position: int) -> int:
    """The first line from `position` on that is no urgency stamp; the stamp is recorded, never type or subject."""
    while position < len(zone) and (urgency := urgency_of(zone[position].text)) is not None:
        header.urgency = header.urgency or urgency
        position += 1
    return position


_BODY_INSIDE = re.compile(r"\s(?=(?:Kính gửi|Thực hiện|Căn cứ|Triển khai|Trên cơ sở|Nhằm|Để|Qua)\b)")


def _cut_run_on_subject(header: Header, zone: list[Line]) -> None:
    """'Kết quả kiểm tra ... vật liệu nổ công nghiệp Thực hiện Quyết định số ...': OCR joined the centred subject
    and the first paragraph; the subject ends where a capitalised body opener starts."""
    if not header.subject_lines:
        return
    last = header.subject_lines[-1]
    holder = next((i for i in range(header.body_start - 1, -1, -1) if last in (zone[i].text, *zone[i].segments)), None)
    cut = _run_on_cut(last) if holder is not None else None
    if cut is not None:
        header.subject_lines[-1] = last[:cut].strip()
        header.body_remainder = last[cut:].strip()
        header.body_start = holder  # lines read after it, if any, follow the body's start


def _names_the_subject(text: str) -> bool:
    """The line right under the type: its subject, even when it opens like a body sentence ('HƯỚNG DẪN /
    thực hiện quy trình ...'), unless it reads as one (long, ending in '.' or ':', 'Căn cứ ...')."""
    if _DIVISION_START.match(text):
        return False
    if _run_on_cut(text) is not None:
        return True
    folded = fold(text)
    if folded.startswith(("thuc hien", "trien khai")) and len(text) <= 220 and not text.rstrip().endswith((".", ":", ";")):
        return True
    return not _is_body(text)


def _run_on_cut(text: str) -> int | None:
    if fold(text).startswith(_BODY_OPENERS):
        return None
    return next((m.start() for m in _BODY_INSIDE.finditer(text) if 15 <= m.start() <= 300 and len(text) - m.start() >= 60), None)


def is_attachment_note(text: str) -> bool:
    """'(Ban hành kèm theo Quyết định số 16/2026/QĐ-UBND ...)', '(Kèm theo Nghị định số ...)': under the title
    of an attached text, it says what the text is attached to; neither subject nor body."""
    folded = fold(text).strip()
    return folded.startswith("(") and folded.lstrip("( ").startswith(("ban hanh kem theo", "kem theo", "dinh kem"))


def _past_note(lines: list[Line], position: int) -> int:
    """The line after a parenthesised note, which may wrap over a few lines."""
    for offset in range(position, min(position + 4, len(lines))):
        if ")" in lines[offset].text:
            return offset + 1
    return position + 1


def _continues_subject(header: Header, line: Line, subject_block: int | None) -> bool:
    """A subject runs over a few lines until the body, a rule, the authority line or a division starts."""
    text = line.text
    if subject_block is not None and header.doc_type is None:
        return line.block == subject_block and not line.first_in_block and not _classifies(text)
    if len(header.subject_lines) >= 6 or _SEPARATOR.match(text) or _is_body(text) or _DIVISION_START.match(text):
        return False
    if _SEPARATOR.match(text.split()[-1]) and len(text.split()) > 1:  # "... Huy hiệu Đảng -----"
        return True
    if text.startswith("(") or (text.isupper() and _names_issuer(header, text)):
        return False  # "(Cấp lần đầu: ...)", "UỶ BAN NHÂN DÂN TỈNH LÀO CAI" (the enacting authority)
    subject_caps = all(s.isupper() for s in header.subject_lines)
    if text.isupper() != subject_caps:
        return False  # "BỘ TRƯỞNG BỘ XÂY DỰNG" under a mixed-case subject: the authority, not the subject
    return len(text) <= 200 and not text.rstrip().endswith((".", ";", ":"))


def _names_issuer(header: Header, text: str) -> bool:
    letters = re.sub(r"[^a-z]", "", fold(text))
    issuer = re.sub(r"[^a-z]", "", fold("".join(header.issuer_lines)))
    return bool(issuer) and (letters == issuer or letters.endswith(issuer) or issuer.endswith(letters))


def _classifies(text: str) -> bool:
    return bool(_NUMBER.match(text) and _number_rest(text) is not None) or bool(_DATE.match(fold(text)))


def _is_body(text: str) -> bool:
    folded = fold(text)
    return folded.startswith(_BODY_OPENERS) or len(text) > 220


def _pieces(line: Line, past_number: bool = False) -> list[str]:
    """The line's segments, further cut where a national line or a dateline starts inside one
    (OCR and plain text often keep both columns on one line with single spaces); below the number line, a
    capitals line opening with a type is cut after it ("QUYẾT ĐỊNH CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ")."""
    pieces: list[str] = []
    for segment in _unstamped(line.segments):
        cuts = sorted({0, *(m.start() for m in _NATIONAL_INSIDE.finditer(segment)), *(m.start(1) for m in _DATE_START.finditer(segment))})
        number = _NUMBER.match(segment)
        if number and (code := _CODE.match(number.group("rest"))):
            end = number.start("rest") + code.end()
            cuts = sorted({*cuts, end} - {len(segment)})
        type_end = _type_word_end(segment) or (_caps_type_end(segment) if past_number else None)
        if type_end:
            cuts = sorted({*cuts, type_end})
        bounds = [*cuts, len(segment)]
        pieces += [segment[a:b].strip() for a, b in zip(bounds, bounds[1:]) if segment[a:b].strip()]
    return pieces


def _unstamped(segments: tuple[str, ...]) -> list[str]:
    """The segments, an urgency stamp a reader joined to the type line below it ("KHẨN THÔNG BÁO") cut off it."""
    cut: list[str] = []
    for segment in segments:
        end = leading_urgency(segment)
        if end is not None and _opens_with_type(segment[end:]):
            cut += [segment[:end], segment[end:].strip()]
        else:
            cut.append(segment)
    return cut


def _opens_with_type(text: str) -> bool:
    words = text.split()
    return any(
        len(words) >= length and all(word.isupper() for word in words[:length])
        and fold(" ".join(words[:length])).strip(" .:*") in DOCUMENT_TYPES
        for length in (4, 3, 2, 1)
    )


def _type_word_end(segment: str) -> int | None:
    """Where an upper-case type word ends when a mixed-case subject follows on the same line
    ("QUYẾT ĐỊNH Ban hành ...", "HƯỚNG DẪN Thực hiện ...")."""
    words = segment.split()
    caps = 0
    while caps < len(words) and words[caps].isupper():
        caps += 1
    if 0 < caps < len(words) and fold(" ".join(words[:caps])) in DOCUMENT_TYPES:
        return len(" ".join(words[:caps]))
    return None


def _caps_type_end(segment: str) -> int | None:
    """The longest type word opening a capitals line that goes on with at least two more words."""
    words = segment.split()
    caps = 0
    while caps < len(words) and words[caps].isupper():
        caps += 1
    for length in (3, 2, 1):
        if caps - length >= 2 and fold(" ".join(words[:length])) in DOCUMENT_TYPES:
            return len(" ".join(words[:length]))
    return None


def _number_rest(segment: str) -> str | None:
    """The number after "Số", "" when blank, None when the segment is not a number line."""
    match = _NUMBER.match(segment)
    if not match:
        return None
    rest = match.group("rest").strip()
    if not rest or _BLANK_CODE.match(rest) or _SEPARATOR.match(rest):
        return ""
    code = _CODE.match(rest)
    if code:
        return re.sub(r"\s+", "", code.group("code"))
    illegible = _ILLEGIBLE_CODE.match(rest)
    if illegible and not illegible.group("scrawl").isdigit():
        return ILLEGIBLE_NUMBER + "/" + re.sub(r"\s+", "", illegible.group("suffix"))
    return None


def _classify(header: Header, segment: str, column: int, position: int) -> str | None:
    letters = re.sub(r"[^a-z]", "", fold(segment))
    if letters.startswith(NATIONAL_LINES) or (letters and any(letters.startswith(n[: len(letters)]) for n in NATIONAL_LINES) and len(letters) >= 12):
        header.national = True
        return "national"
    if _SEPARATOR.match(segment):
        return "separator"
    if (urgency := urgency_of(segment)) is not None:
        header.urgency = header.urgency or urgency
        return "urgency"
    rest = _number_rest(segment) if not header.has_number_line else None
    if rest is not None:
        header.has_number_line = True
        header.code = rest or None
        return "number"
    date = _DATE.match(fold(segment))
    if date and header.date is None:
        header.place = _place(segment)
        header.date = _iso(date.group("year"), date.group("month"), date.group("day"))
        header.date_unreadable = (date.group("month") is not None and not 1 <= int(date.group("month")) <= 12) or (
            date.group("day") is not None and not 1 <= int(date.group("day")) <= 31
        )
        return "date"
    if _SUBJECT_LINE.match(segment) and header.doc_type is None:
        header.subject_lines.append(segment)
        return "subject"
    type_word = fold(segment).strip(" .:*")
    if type_word in DOCUMENT_TYPES and header.doc_type is None and (segment.isupper() or position > 0):
        header.doc_type = DOCUMENT_TYPES[type_word]
        return "type"
    if (
        segment.isupper() and len(segment) <= 80 and header.doc_type is None and not header.has_number_line
        and sum(ch.isalpha() for ch in segment) >= 3
    ):
        header.issuer_lines.append(segment)
        return "issuer"
    return None


def _place(segment: str) -> str:
    place = re.split(r",|\s+ngày\b", segment, maxsplit=1)[0].strip(" *-")
    return sentence_case(place)


def _iso(year: str, month: str | None, day: str | None) -> str:
    if month and 1 <= int(month) <= 12:
        if day and 1 <= int(day) <= 31:
            return f"{year}-{int(month):02d}-{int(day):02d}"
        return f"{year}-{int(month):02d}"
    return year


def _type_from_code(code: str) -> str | None:
    parts = re.split(r"[-/]", code)
    for part in parts[1:]:
        if part in TYPE_BY_CODE_LETTERS:
            return TYPE_BY_CODE_LETTERS[part]
        if part.startswith("QĐ"):
            return "Quyết định"
    return None
