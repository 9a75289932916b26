"""Where and when a question is about, and whether a document is about the same place and time.

"Năm 2024, số đơn thư ở tỉnh Lào Cai biến động ra sao?" names a province and a year: the documents of
that province and year should come first, a 2025 report or another province's one below them. A document's
provinces are those its issuer and title name ("Sở Công Thương tỉnh Lào Cai", "Vĩnh Phúc: Những kết quả
..."); a central body's document names none and applies everywhere. Its years are those its title or
subject states ("năm 2024", "6 tháng đầu năm 2023", "nhiệm kỳ 2020-2025"), else, for a report or a plan,
the year it was signed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from index.documents import Document
from index.vietnamese import fold

# The 63 provinces and centrally-run cities (the 2025 merger kept 34 of these names), folded.
PROVINCES: dict[str, str] = {fold(name): name for name in (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
    "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
    "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu",
    "Lạng Sơn", "Lào Cai", "Lâm Đồng", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ",
    "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La",
    "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Huế", "Tiền Giang", "Hồ Chí Minh", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
)}
# Other ways of writing them, folded -> the folded name.
_ALIASES = {**{name: name for name in PROVINCES}, "ba ria vung tau": "ba ria - vung tau", "thua thien hue": "hue",
            "tp hcm": "ho chi minh", "tphcm": "ho chi minh", "sai gon": "ho chi minh", "dac lac": "dak lak"}
# Names that are also everyday words ("hòa bình": peace): a province only after "tỉnh" or written capitalised.
_AMBIGUOUS = {"hoa binh", "binh dinh", "thai binh", "hue", "long an", "nam dinh", "ha nam", "quang nam"}
# A city named after a person ("tư tưởng Hồ Chí Minh"): only after "thành phố", "TP" (or by its aliases).
_NEEDS_LEVEL = {"ho chi minh"}
_LEVEL_BEFORE = re.compile(r"(?:tinh|thanh pho|tp\.?)\s+$")

# A year, not the year inside a document's number ("42/2024/QH15", "16/2026/QĐ-UBND": a "/" follows it);
# a date's year ("28/7/2021") counts.
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?![\d/])")
_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})(?!\d)")
_RELATIVE = {"nam ngoai": -1, "nam truoc": -1, "nam roi": -1, "nam kia": -2, "nam nay": 0}


class ScopeFit(Enum):
    MATCH = "match"  # the document is about the place and time asked
    MISMATCH = "mismatch"  # another province, or a period that does not hold the year asked
    NEUTRAL = "neutral"  # nothing asked, or nothing known about the document


@dataclass(frozen=True)
class QuestionScope:
    provinces: frozenset[str] = frozenset()  # folded names
    years: frozenset[int] = frozenset()
    issuing_year: bool = False  # the year may be when a document was issued: a legal text's signing year counts

    @property
    def empty(self) -> bool:
        return not self.provinces and not self.years


def question_scope(question: str, today: date | None = None) -> QuestionScope:
    """The provinces and years a question names ("năm ngoái" counted from `today`)."""
    folded = fold(question)
    years = _years_in(folded)
    for words, offset in _RELATIVE.items():
        if re.search(rf"(?<!\w){words}(?!\w)", folded):
            years.add((today or date.today()).year + offset)
    return QuestionScope(frozenset(_provinces_in(question)), frozenset(years), bool(years) and bool(_ASKS_ISSUING.search(folded)))


def document_provinces(document: Document) -> frozenset[str]:
    """Provinces the document's issuer and title name; none for a central body's document."""
    text = " ".join(filter(None, [document.issuer, document.title]))
    return frozenset(_provinces_in(text))


# What years a document is about, when its title states none, from the year Y it was signed:
# - a legal text keeps applying after Y: no year of its own (unless the question asks when it was issued);
# - a resolution, plan, programme, directive or guide sets out what to do from Y on: Y to Y + 10;
# - a report, notice, letter or news article speaks of the time it was written: Y - 1 and Y (a year's
#   report is signed early the next year).
NORMATIVE_TYPES = frozenset({
    "Luật", "Bộ luật", "Pháp lệnh", "Nghị định", "Thông tư", "Thông tư liên tịch", "Quyết định", "Quy định",
    "Quy chế", "Điều lệ", "Lệnh",
})
FORWARD_TYPES = frozenset({"Nghị quyết", "Kế hoạch", "Chương trình", "Chương trình hành động", "Chỉ thị", "Đề án",
                           "Hướng dẫn", "Kết luận"})
FORWARD_YEARS = 10
# "năm 2015 ban hành nghị quyết gì", "Kế hoạch năm 2021 của UBND": the year is when a document was issued.
_ASKS_ISSUING = re.compile(r"(?<!\w)(?:ban hanh|(?:nghi quyet|quyet dinh|quy dinh|huong dan|ke hoach|chi thi|thong tu|"
                           r"nghi dinh|luat|cong van|thong bao|chuong trinh|de an)(?:\s+\w+){0,2}\s+nam\s+(?:19|20)\d{2})(?!\w)")


def document_years(document: Document, issuing: bool = False) -> frozenset[int]:
    """Years the title or subject states (a range counts every year in it); else the years its signing year
    stands for (see NORMATIVE_TYPES): with `issuing` (the question asks when a document was issued), that year."""
    years = _years_in(fold(" ".join(filter(None, [document.title, document.subject]))))
    if not years and document.date:
        signed = int(document.date[:4])
        if issuing:
            years = {signed}
        elif document.doc_type in FORWARD_TYPES:
            years = set(range(signed, signed + FORWARD_YEARS + 1))
        elif document.doc_type not in NORMATIVE_TYPES:
            years = {signed - 1, signed}
    return frozenset(years)


def scope_fit(scope: QuestionScope, provinces: frozenset[str], years: frozenset[int]) -> ScopeFit:
    """How a document (its provinces and years) fits the question's scope: a wrong province or a wrong
    period is a mismatch; a right one (and nothing wrong) a match."""
    if scope.empty:
        return ScopeFit.NEUTRAL
    fits: list[bool] = []
    if scope.provinces and provinces:
        fits.append(bool(scope.provinces & provinces))
    if scope.years and years:
        fits.append(bool(scope.years & years))
    if not fits:
        return ScopeFit.NEUTRAL
    return ScopeFit.MATCH if all(fits) else ScopeFit.MISMATCH


def _years_in(folded: str) -> set[int]:
    """Years written in a folded text; a range ("2020-2025", "nhiệm kỳ 2020 - 2025") counts every year in it."""
    years = {int(y) for y in _YEAR.findall(folded)}
    for start, end in _RANGE.findall(folded):
        if int(start) <= int(end) <= int(start) + 10:
            years.update(range(int(start), int(end) + 1))
    return years


def _provinces_in(text: str) -> set[str]:
    folded = fold(text)
    found: set[str] = set()
    for alias, name in _ALIASES.items():
        if alias not in folded:
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(alias)}(?!\w)", folded):
            level = bool(_LEVEL_BEFORE.search(folded[: match.start()]))
            if alias == name and name in _NEEDS_LEVEL and not level:
                continue
            if name in _AMBIGUOUS and not (level or _capitalised(text, match.start())):
                continue
            found.add(name)
    return found


def _capitalised(text: str, start: int) -> bool:
    """fold() keeps offsets for these names (one letter for one letter), so the original's case is at `start`."""
    return start < len(text) and text[start].isupper()
