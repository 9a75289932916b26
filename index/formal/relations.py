"""What a formal document says of other documents: replaces, repeals, amends, implements; when it takes effect."""

from __future__ import annotations

import re

from index.documents import Relation

_TYPES = (
    r"(?:Quy định|Quyết định|Nghị quyết|Chỉ thị|Kết luận|Hướng dẫn|Thông báo|Kế hoạch|Công văn|Luật|Nghị định|"
    r"Thông tư|Quy chế|Chương trình|Đề án|Thông tư liên tịch)"
)
_CODE = r"(\d[\d.]*\s*(?:/\s*\d{4}\s*)?[-–/]\s*[A-ZĐ][\wĐđ]*(?:\s*[-–/]\s*[A-ZĐ][\wĐđ]*)*)"
_PATTERNS = [
    ("replaces", re.compile(rf"\bthay\s+thế(?:\s+cho)?\s+(?:các\s+)?{_TYPES}\s+(?:số\s+)?{_CODE}", re.IGNORECASE)),
    ("repeals", re.compile(rf"\bbãi\s+bỏ(?:\s+toàn\s+bộ)?(?:\s+các\s+\w+\s+sau\s*:)?\s*(?:[a-zđ]\)\s*)?{_TYPES}\s+(?:số\s+)?{_CODE}", re.IGNORECASE)),
    ("amends", re.compile(rf"\bsửa\s+đổi,?\s*(?:bổ\s+sung\s+)?(?:một\s+số\s+điều\s+(?:của\s+)?)?(?:tại\s+)?{_TYPES}\s+(?:số\s+)?{_CODE}", re.IGNORECASE)),
    ("implements", re.compile(rf"^(?:-\s*)?(?:Thực\s+hiện|Triển\s+khai(?:\s+thực\s+hiện)?|Để\s+triển\s+khai(?:\s+thực\s+hiện)?)\s+{_TYPES}\s+(?:số\s+)?{_CODE}", re.IGNORECASE)),
]
_EFFECTIVE = re.compile(r"[^.;]*\bcó\s+hiệu\s+lực(?:\s+thi\s+hành)?\s+(?:kể\s+)?từ\s+(?:ngày\s+)?[^.;]*?(?:\d{4}|ký(?:\s+ban\s+hành)?)", re.IGNORECASE)


def find_relations(texts: list[str], subject: str | None = None) -> tuple[Relation, ...]:
    """Every relation stated in the body (and in the subject: 'Triển khai thực hiện Chỉ thị số 11-CT/TU ...')."""
    found: dict[tuple[str, str], Relation] = {}
    for text in ([subject] if subject else []) + texts:
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(text):
                if _PASSIVE.search(text, max(0, match.start() - 12), match.start()) or _quoted(text, match.start()):
                    continue  # "được sửa đổi, bổ sung tại Luật số ...": said of the document cited, not of this one
                code = re.sub(r"\s+", "", match.group(1)).replace("–", "-")
                found.setdefault((kind, code), Relation(kind, code, _sentence_around(text, match.start())))
    return tuple(found.values())


_PASSIVE = re.compile(r"\b(?:được|đã\s+được|bị)\s+$", re.IGNORECASE)


def _quoted(text: str, position: int) -> bool:
    """Inside “...”: the wording an amending text quotes, whose relations are those of the text it amends."""
    before = text[:position]
    return before.count("“") > before.count("”")


def effective_clause(texts: list[str]) -> str | None:
    """'có hiệu lực thi hành từ ngày 01/7/2025', as written."""
    for text in texts:
        match = _EFFECTIVE.search(text)
        if match:
            clause = match.group(0).strip()
            start = clause.lower().find("có hiệu lực")
            return clause[start:] if start >= 0 else clause
    return None


_CLAUSE_END = re.compile(r"(?<=[.;!?])\s+|\n")


def _sentence_around(text: str, position: int) -> str:
    """The sentence (or ';'-clause, or line) holding `position`: what the citation quotes for the relation."""
    start = 0
    for boundary in _CLAUSE_END.finditer(text):
        if boundary.start() >= position:
            return text[start : boundary.start()].strip()[:400]
        start = boundary.end()
    return text[start:].strip()[:400]
