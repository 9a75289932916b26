"""What a member's question points at: divisions ("khoản 2 Điều 5") and documents ("Quy định 294-QĐ/TW").

Everything is read on fold()ed text aligned character for character with the NFC question, so typing with or
without diacritics gives the same references; the original is consulted only to tell "mục" from "mực" and
"Kế hoạch" (a document) from "kế hoạch" (a plan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index.document_types import DOCUMENT_TYPES, NAMED_IN_QUESTIONS
from index.vietnamese import CodeRef, fold, normalize_text, query_code_refs


@dataclass(frozen=True)
class DivisionRef:
    kind: str  # "phan" | "chuong" | "muc" | "dieu" | "khoan" | "diem" | "phuluc": the word the member used
    number: str  # canonical like Division.number: "IV", "7", "7a", "4.1", "a"; "" if none


@dataclass(frozen=True)
class DocumentMention:
    doc_type: str | None  # "Quy định", "Luật", ...; None for a bare code ("294-QĐ/TW")
    codes: tuple[CodeRef, ...]  # query_code_refs of the type word and number as written
    issuer: str | None  # folded: "tinh uy lao cai", "chinh phu"
    name_words: str | None  # folded title words after the type word: "hon nhan va gia dinh"
    year: int | None
    code: str | None = None  # number as written, spaces removed: "42/2024/QH15", "294-QĐ/TW", "34"
    divisions: tuple[DivisionRef, ...] = ()  # the division refs written right before or after it


@dataclass(frozen=True)
class QuestionReferences:
    divisions: tuple[DivisionRef, ...]  # every division ref; outermost first within each written chain
    document: DocumentMention | None  # the main document: first mention with a number, else the first
    mentions: tuple[DocumentMention, ...]  # every document named, in order


_DIVISION_WORDS = {  # folded word -> (kind, accented spelling)
    "tieu muc": ("muc", "tiểu mục"), "phu luc": ("phuluc", "phụ lục"), "chuong": ("chuong", "chương"),
    "khoan": ("khoan", "khoản"), "dieu": ("dieu", "điều"), "diem": ("diem", "điểm"), "muc": ("muc", "mục"),
    "phan": ("phan", "phần"),
}
_RANK = {"phuluc": 0, "phan": 1, "chuong": 2, "muc": 3, "dieu": 4, "khoan": 5, "diem": 6}
_ROMAN_KINDS = {"phan", "chuong", "muc", "phuluc"}
_ROMAN_RE = re.compile(r"x{0,2}(?:ix|iv|v?i{0,3})")
_UNITS = r"%|phan tram|trieu|ty|nghin|ngan|dong|usd|nguoi|lan|ngay|thang|nam|tuoi"
_DIVISION_RE = re.compile(
    rf"(?<!\w)({'|'.join(_DIVISION_WORDS)})\s+(?:so\s+)?(\d+(?:\.\d+)*[a-z]?|[a-z]+)(?!\w|\.\d)(?!\s*(?:{_UNITS})(?!\w))"
)

# Also everyday words ("quy định gì", "hướng dẫn Điều 24"): a document only when numbered, capitalised,
# followed by "của <issuer>", or opening the question.
_AMBIGUOUS_TYPES = {"quy dinh", "quyet dinh", "huong dan", "thong bao", "bao cao", "ket luan", "ke hoach", "chuong trinh"}
_NOT_A_LAW = r"(?<!phap )(?<!ky )(?<!quy )(?<!dieu )"  # "pháp luật", "kỷ luật", "quy luật", "điều luật"
_TYPE_RE = re.compile(rf"(?<!\w){_NOT_A_LAW}({'|'.join(sorted(NAMED_IN_QUESTIONS, key=len, reverse=True))})(?!\w)(?!\s+(?:su|le|phap)(?!\w))")
_CODE_AT = re.compile(r"[ \t]*(?:so[ \t]*)?(?>(\d{1,5})((?:[ \t]*[-/][ \t]*[a-z0-9]+)*))(?![\w,.]\d)")
_PERIOD_AT = re.compile(r"[ \t]*(?:nam|thang|ngay)(?!\w)")  # "kế hoạch 5 năm" is a period, not a number
_BARE_CODE_RE = re.compile(
    r"(?<![\w/.])(?:\d{1,5}\s*[-/]\s*(?:\d{4}\s*[-/]\s*)?[a-z]{1,5}\d*(?:\s*[-/]\s*[a-z]{1,8}\d*)?"
    r"|(?:qd|nq|ct|kl|tb|hd|kh|nd|tt|cv)\s+(?:so\s+)?\d{1,5})(?![\w/])"
)
_LAW_CODE_RE = re.compile(r"\d{1,5}/\d{4}/qh\d{1,2}")
_YEAR_AT = re.compile(
    r"[ \t,]*(?:ban hanh\s+)?(?:(?:ngay\s+\d{1,2}\s*(?:/|thang)\s*\d{1,2}\s*(?:/|nam)|thang\s+\d{1,2}\s*(?:/|nam)|nam)\s*)?"
    r"((?:19|20)\d{2})(?!\w)"
)
_ISSUER_HEADS = (
    "tinh uy", "thanh uy", "huyen uy", "quan uy", "thi uy", "dang uy", "dang bo", "ban", "bo", "chinh phu",
    "thu tuong", "ubnd", "uy ban", "hdnd", "hoi dong", "quoc hoi", "cuc", "tong cuc", "so", "vu", "trung uong",
    "bch", "van phong", "ubkt", "mat tran", "toa an", "vien kiem sat", "kiem toan", "ngan hang",
)
_ISSUER_AT = re.compile(rf"[ \t,]*(?:(cua)\s+)?(?=(?:{'|'.join(_ISSUER_HEADS)})(?!\w))")
_STOP_WORDS = {  # folded -> accented: "có" ends a title, "Cơ yếu" does not
    "la": "là", "gi": "gì", "co": "có", "nhu": "như", "nao": "nào", "duoc": "được", "thi": "thì", "khi": "khi",
    "theo": "theo", "tai": "tại", "trong": "trong", "cho": "cho", "voi": "với", "nam": "năm", "thang": "tháng",
    "ngay": "ngày", "so": "số", "cua": "của", "ve": "về", "hay": "hay", "hoac": "hoặc", "nhung": "những",
    "moi": "mới", "nay": "này", "neu": "nếu", "de": "để", "thuoc": "thuộc", "tu": "từ", "den": "đến", "o": "ở",
    "phai": "phải", "can": "cần",
}
_STOP_PAIRS = {
    "quy dinh", "ban hanh", "sua doi", "bo sung", "huong dan", "ap dung", "the nao", "ra sao", "doi voi", "bao nhieu",
}
_SO_AT = re.compile(r"so(?!\w)")
_SUBJECT_AT = re.compile(r"[ \t,]*ve\s+")
_WORD_AT = re.compile(r"[ \t]*([a-z]+)(?!\w)")
_JOIN_GAP = re.compile(r"[\s,]*(?:(?:cua|thuoc|tai|trong|o)\s+)?[\s,]*")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    value: DivisionRef | DocumentMention
    head_end: int = 0  # a mention: end of its type word and number, the part remainder() removes


def _aligned_fold(text: str) -> str:
    """fold() one character at a time, so offsets in the folded text are offsets in text."""
    return "".join((fold(ch) or " ")[0] for ch in text)


def _typed_as(original: str, accented: str) -> bool:
    """ "Mục" or "muc" or "đieu", not "mực": right accents, or no tone marks at all."""
    lower = original.lower()
    return lower == accented or lower.replace("đ", "d") == fold(lower)


def _canonical(kind: str, token: str, original: str) -> str | None:
    if token[0].isdigit():
        digits, suffix = re.fullmatch(r"([\d.]+)([a-z]?)", token).groups()
        return ".".join(str(int(part)) for part in digits.split(".")) + suffix
    if original.lower() not in (token, "đ"):
        return None  # "mục vì", "điểm à": an accented word, not a numeral
    if kind in _ROMAN_KINDS and _ROMAN_RE.fullmatch(token):
        return token.upper()
    if kind == "diem" and re.fullmatch(r"[a-hik-nm-y]", token):  # điểm a–đ, e, g, h, i, k ... (Vietnamese letter order)
        return original.lower()
    return None


def _divisions(text: str, folded: str) -> list[_Found]:
    found = []
    for match in _DIVISION_RE.finditer(folded):
        kind, accented = _DIVISION_WORDS[match.group(1)]
        if not _typed_as(text[match.start(1) : match.end(1)], accented):
            continue
        number = _canonical(kind, match.group(2), text[match.start(2) : match.end(2)])
        if number is not None:
            found.append(_Found(match.start(), match.end(), DivisionRef(kind, number)))
    return found


def _words_at(text: str, folded: str, pos: int, stop_at: set[int]) -> tuple[str | None, int]:
    """Title-like words from pos up to a stop word, punctuation, a number, another reference or the end."""
    words: list[str] = []
    end = pos
    while (match := _WORD_AT.match(folded, end)) and len(words) < 12:
        word, following = match.group(1), _WORD_AT.match(folded, match.end())
        stop = word in _STOP_WORDS and _typed_as(text[match.start(1) : match.end(1)], _STOP_WORDS[word])
        if stop or match.start(1) in stop_at or (following and f"{word} {following.group(1)}" in _STOP_PAIRS):
            break
        words.append(word)
        end = match.end()
    return (" ".join(words) or None), end


def _mention_at(text: str, folded: str, start: int, type_end: int, stop_at: set[int]) -> _Found:
    """Read "<type> [số] <number> [của <issuer>] [<name words>] [năm <year>] [về <subject>]" from start."""
    words = folded[start:type_end]
    codes: tuple[CodeRef, ...] = ()
    code = issuer = name = year = None
    pos = type_end
    match = _CODE_AT.match(folded, pos)
    if match and (match.group(2) or not _PERIOD_AT.match(folded, match.end())):
        pos = match.end()
        code = re.sub(r"\s+", "", text[match.start(1) : pos])
        codes = tuple(query_code_refs(text[start:pos]))
    head_end = pos
    if code is None:
        name, pos = _words_at(text, folded, pos, stop_at)
    for _ in range(3):
        if issuer is None and (read := _issuer_at(text, folded, pos, name is None, stop_at)):
            issuer, pos = read
        elif year is None and (match := _YEAR_AT.match(folded, pos)):
            year, pos = int(match.group(1)), match.end()
        elif name is None and (match := _SUBJECT_AT.match(folded, pos)):
            name, pos = _words_at(text, folded, match.end(), stop_at)
        else:
            break
    year = year or next((c.year for c in codes if c.year), None) or _law_year(code)
    return _Found(start, pos, DocumentMention(DOCUMENT_TYPES[words], codes, issuer, name, year, code), head_end)


def _issuer_at(text: str, folded: str, pos: int, bare: bool, stop_at: set[int]) -> tuple[str, int] | None:
    """ "của Tỉnh ủy Lào Cai", or "UBND tỉnh ..." straight after the type word when bare (not "số", "Sở")."""
    match = _ISSUER_AT.match(folded, pos)
    if not match or not (match.group(1) or bare and not _SO_AT.match(folded, match.end())):
        return None
    words, end = _words_at(text, folded, match.end(), stop_at)
    return (words, end) if words else None


def _law_year(code: str | None) -> int | None:
    """The year of a law's number, "42/2024/QH15": query_code_refs reads no type letters in it."""
    if code and _LAW_CODE_RE.fullmatch(fold(code)):
        return int(code.split("/")[1])
    return None


def _mentions(text: str, folded: str, divisions: list[_Found]) -> list[_Found]:
    types = list(_TYPE_RE.finditer(folded))
    stop_at = {m.start() for m in types} | {d.start for d in divisions}
    found: list[_Found] = []
    for match in types:
        if found and match.start() < found[-1].end:
            continue
        words = match.group(1)
        mention = _mention_at(text, folded, match.start(), match.end(), stop_at)
        opens = not folded[: match.start()].strip()
        value = mention.value
        if words in _AMBIGUOUS_TYPES and not (value.code or value.issuer or text[match.start()].isupper() or opens):
            continue
        if words == "dieu le" and not _typed_as(text[match.start() : match.start() + 4], "điều"):
            continue
        found.append(mention)
    for match in _BARE_CODE_RE.finditer(folded):
        if any(f.start <= match.start() < f.end for f in found):
            continue
        written = re.sub(r"\s+", "", text[match.start() : match.end()])
        codes = tuple(query_code_refs(written))
        if codes or _law_year(written):
            doc_type, year = (None, codes[0].year) if codes else ("Luật", _law_year(written))
            code = re.sub(r"^\D+", "", written)  # "qd số 22" -> "22"
            found.append(_Found(match.start(), match.end(), DocumentMention(doc_type, codes, None, None, year, code), match.end()))
    return sorted(found, key=lambda f: f.start)


def _chains(folded: str, divisions: list[_Found]) -> list[list[_Found]]:
    """Division refs written one after another ("điểm a khoản 1 Điều 3") form one chain."""
    chains: list[list[_Found]] = []
    for found in divisions:
        if chains and _JOIN_GAP.fullmatch(folded, chains[-1][-1].end, found.start):
            chains[-1].append(found)
        else:
            chains.append([found])
    return chains


def _parse(question: str) -> tuple[str, str, list[list[_Found]], list[_Found]]:
    text = normalize_text(question)
    folded = _aligned_fold(text)
    divisions = _divisions(text, folded)
    return text, folded, _chains(folded, divisions), _mentions(text, folded, divisions)


def question_references(question: str) -> QuestionReferences:
    """The divisions and documents a question names, however it is typed."""
    _, folded, chains, found = _parse(question)
    attached: dict[int, list[DivisionRef]] = {}
    ordered: list[DivisionRef] = []
    for chain in chains:
        refs = [f.value for f in sorted(chain, key=lambda f: _RANK[f.value.kind])]
        ordered += refs
        after = next((i for i, m in enumerate(found) if m.start >= chain[-1].end), None)
        before = next((i for i, m in reversed(list(enumerate(found))) if m.end <= chain[0].start), None)
        if after is not None and _JOIN_GAP.fullmatch(folded, chain[-1].end, found[after].start):
            attached.setdefault(after, []).extend(refs)
        elif before is not None and _JOIN_GAP.fullmatch(folded, found[before].end, chain[0].start):
            attached.setdefault(before, []).extend(refs)
    mentions = tuple(replace(f.value, divisions=tuple(attached.get(i, ()))) for i, f in enumerate(found))
    document = next((m for m in mentions if m.code), mentions[0] if mentions else None)
    return QuestionReferences(tuple(ordered), document, mentions)


def remainder(question: str) -> str:
    """The question without its division refs and document numbers: what is left for the lexical channel.

    Name words, issuers and subjects stay: they are the words a passage about that document shares.
    """
    text, _, chains, found = _parse(question)
    spans = sorted([(f.start, f.end) for chain in chains for f in chain] + [(f.start, f.head_end) for f in found])
    kept, pos = [], 0
    for start, end in spans:
        kept.append(text[pos:max(pos, start)])
        pos = max(pos, end)
    kept.append(text[pos:])
    return re.sub(r"\s+", " ", "".join(kept)).strip(" ,")
