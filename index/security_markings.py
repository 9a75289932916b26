"""Security markings (độ mật) and the Party ownership banner: a file that carries one never enters the system.

State secrets may not be kept on a machine connected to the Internet (Luật Bảo vệ bí mật nhà nước 2018,
Điều 5), and a document whose banner forbids spreading it may not be handed out by a bot. So a file is
refused when, before anything of it is kept:

- its head (the first lines before the first article or chapter, as the first page prints them) has a
  stamp line: "MẬT", "TỐI MẬT" or "TUYỆT MẬT" alone on its line or column, framed or not, maybe with
  "Độ mật:", a copy number ("Bản số: 03") or an urgency stamp ("KHẨN") beside it; or such a stamp in
  capitals that the PDF paragraph rebuild joined to the number line above or the type line below it;
- or any of its sentences is the ownership banner ("Tài liệu này thuộc sở hữu của các cơ quan Đảng. Việc
  phát tán ... bị nghiêm cấm") or forbids copying or spreading "tài liệu này".

The words inside prose ("bí mật nhà nước", "mật độ", "tài liệu độ Tối mật phải được bảo quản", a title
"BẢO VỆ BÍ MẬT NHÀ NƯỚC", an article listing the levels) are no marking, and neither is "Lưu hành nội bộ".
Matching is on folded text (no diacritics), so OCR's misread tone marks ("MẶT", "TÔI MẬT") still count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from index.document_types import DOCUMENT_TYPES
from index.documents import Block, ParsedFile
from index.errors import ClassifiedDocument
from index.formal.header import NATIONAL_LINES
from index.formal.lines import INVISIBLE
from index.headings import ARTICLE_LINE, PART_LINE, ROMAN_HEADING
from index.stamps import in_capitals, unframed
from index.vietnamese import fold

STAMP, BANNER = "stamp", "banner"
LEVELS = {"tuyet mat": "TUYỆT MẬT", "toi mat": "TỐI MẬT", "mat": "MẬT"}  # folded -> as the law names them
HEAD_BLOCKS = 15  # a first page's header, title and stamps; an upload's body starts well before this
HEAD_LINES = 40

_COLUMNS = re.compile(r"\s{3,}|\t+")  # side-by-side columns on one printed line
_STAMP_LINE = re.compile(
    r"^(?:(?:muc )?do mat\s*[:.\-–]?\s*)?"  # "Độ mật: Tối mật", "ĐỘ MẬT - MẬT"
    r"(?:(?:ban so|so)\s*[:.]?\s*\d{1,4}\s*[-–,]?\s*)?"  # a copy number before ("Bản số: 03 MẬT") ...
    r"(?P<level>tuyet mat|toi mat|mat)"
    r"(?:\s*[-–,/]?\s*(?:(?:ban so|so)\s*[:.]?\s*)?\d{1,4})?"  # ... or after ("MẬT - Bản số 03", "TỐI MẬT 05")
    r"(?:\s*[-–,/]?\s*(?:thuong khan|khan|hoa toc(?: hen gio)?))?$"  # an urgency stamp beside it
)
_CODE_TOKEN = re.compile(r"[-/][A-ZĐ]")  # "25/TB-SCT", "-HD/BTCTU", "42/2024/QH15": a number line's code
# What may follow a stamp joined to the line below it: the document's type, or an urgency stamp.
_BELOW_STAMP = sorted((*DOCUMENT_TYPES, "thuong khan", "khan", "hoa toc"), key=len, reverse=True)

_THIS_DOCUMENT = r"(?:tai lieu|van ban|an pham)"
_OWNED = re.compile(  # at a sentence's start: "ghi dòng chữ: Tài liệu này ..." describes a banner
    rf"(?:^|(?<=[.!?\n(*]))\s*{_THIS_DOCUMENT} nay (?:la tai san|thuoc (?:quyen )?so huu) cua\b"
    r"(?P<owner>[^.;!?\n]{1,120})"
)
_ACTS = r"(?:phat tan|sao chup|sao chep|sao in|in sao|photocopy|photo|chup anh|dang tai)"
_PROHIBITED = re.compile(
    rf"\b(?:nghiem cam|cam|khong duoc(?: phep)?)\b[^.;!?\n]{{0,80}}?\b{_ACTS}\b"
    rf"|\b{_ACTS}\b[^.;!?\n]{{0,120}}?\b(?:nghiem cam|bi cam|vi pham)\b"
)
_THIS_DOCUMENT_NAMED = re.compile(rf"\b{_THIS_DOCUMENT} nay\b")
_CLAUSE = re.compile(r"[^.;:!?\n]+")
_QUOTED = re.compile(r"“[^“”]*”|\"[^\"\n]*\"|«[^«»]*»")  # a banner quoted by a text about banners is no banner
_BANNER_SHOWN = 90


@dataclass(frozen=True)
class SecurityMarking:
    """What made a file classified: a stamp ("TỐI MẬT") or the ownership banner, and the line it is on."""

    kind: str  # STAMP or BANNER
    label: str  # the level as the law names it ("TỐI MẬT"), or the banner's sentence
    line: str  # the line of the file it was found on, as read

    def refusal(self, name: str) -> ClassifiedDocument:
        """The error that refuses file `name`, its sentence naming this marking."""
        if self.kind == STAMP:
            return ClassifiedDocument.stamped(name, self.label)
        return ClassifiedDocument.banner(name, self.label)


def refuse_classified(parsed: ParsedFile) -> None:
    """Raise ClassifiedDocument, naming the marking, when the file carries one: checked before anything is kept."""
    marking = find_marking(parsed.blocks)
    if marking is not None:
        raise marking.refusal(parsed.source)


def find_marking(blocks: Sequence[Block]) -> SecurityMarking | None:
    """The stamp on the document's head, else the ownership banner anywhere in it; None for a document anyone may read."""
    return find_stamp(blocks) or find_banner(blocks)


def find_stamp(blocks: Sequence[Block]) -> SecurityMarking | None:
    """A security stamp among the head's lines; None when there is none, or when the head lists several levels
    as lines of their own (a text about classification, not a classified text)."""
    found = [marking for segment in head_segments(blocks) if (marking := _stamp_in(segment)) is not None]
    if len({marking.label for marking in found}) != 1:
        return None
    return found[0]


def head_segments(blocks: Sequence[Block]) -> Iterator[str]:
    """The printed pieces (lines, and columns within a line) of the document's head, in order: up to its first
    article, chapter or Roman-numbered part, within its first HEAD_BLOCKS blocks and HEAD_LINES lines."""
    lines = 0
    for block in blocks[:HEAD_BLOCKS]:
        for raw in block.text.split("\n"):
            line = _clean(raw)
            if not line:
                continue
            if ARTICLE_LINE.match(line) or PART_LINE.match(line) or ROMAN_HEADING.match(line):
                return
            lines += 1
            if lines > HEAD_LINES:
                return
            yield from (segment for segment in _COLUMNS.split(line) if segment.strip())


def find_banner(blocks: Sequence[Block]) -> SecurityMarking | None:
    """The ownership banner, or a sentence forbidding to copy or spread this very document, anywhere in it."""
    for block in blocks:
        text = _QUOTED.sub(" ", _clean(block.text, keep_lines=True))
        folded = _aligned_fold(text)
        for owned in _OWNED.finditer(folded):
            owner = text[owned.start("owner") : owned.end("owner")]
            if _names_the_party(owner) or _PROHIBITED.search(folded, owned.end(), owned.end() + 250):
                return _banner(text, owned.start(), owned.end())
        for clause in _CLAUSE.finditer(folded):
            if _PROHIBITED.search(clause.group()) and _THIS_DOCUMENT_NAMED.search(clause.group()):
                return _banner(text, clause.start(), clause.end())
    return None


# ------------------------------------------------------------------------------------ stamps
def _stamp_in(segment: str) -> SecurityMarking | None:
    """The stamp this head segment is, or holds between a number line and a type line the PDF rebuild joined it to."""
    bare = unframed(segment)
    whole = _STAMP_LINE.match(fold(bare))
    if whole:
        return SecurityMarking(STAMP, LEVELS[whole.group("level")], segment)
    words = bare.split()
    for start in range(len(words)):
        for length in (2, 1):
            phrase = words[start : start + length]
            if len(phrase) < length or not all(in_capitals(word) for word in phrase):
                continue
            level = LEVELS.get(fold(" ".join(phrase)))
            if level is None:
                continue
            before, after = words[:start], words[start + length :]
            if (before or after) and _header_before(before) and _header_after(after):
                return SecurityMarking(STAMP, level, segment)
    return None


def _header_before(words: list[str]) -> bool:
    """Nothing, a rule or asterisk, a number line ending in its code ("Số: 25/TB-SCT"), or a national line
    ("Độc lập - Tự do - Hạnh phúc")."""
    if not any(ch.isalnum() for word in words for ch in word):
        return True
    letters = "".join(ch for ch in fold(" ".join(words)) if ch.isalpha())
    return bool(_CODE_TOKEN.search(words[-1])) or letters.endswith(NATIONAL_LINES)


def _header_after(words: list[str]) -> bool:
    """Nothing, an urgency stamp, or the document's type in capitals ("THÔNG BÁO Về việc ...", "NGHỊ QUYẾT")."""
    if not words:
        return True
    for kind in _BELOW_STAMP:
        length = len(kind.split())
        if fold(" ".join(words[:length])) == kind and all(in_capitals(word) for word in words[:length]):
            return True
    return False


def _names_the_party(owner: str) -> bool:
    """Whether the owner is the Party: «Đảng» is capitalised inside a sentence, «đang» (now) is not; OCR may
    lose the bar of the Đ."""
    return any(word[0].isupper() and fold(word) == "dang" for word in re.findall(r"\w+", owner))


# ------------------------------------------------------------------------------------ banner
def _banner(text: str, start: int, end: int) -> SecurityMarking:
    sentence = " ".join(text[start:end].split()).strip(" .;:")
    shown = sentence if len(sentence) <= _BANNER_SHOWN else sentence[: _BANNER_SHOWN].rsplit(" ", 1)[0] + "…"
    line = next((line for line in text.split("\n") if sentence[:20] in " ".join(line.split())), sentence)
    return SecurityMarking(BANNER, shown, line.strip())


# ------------------------------------------------------------------------------------ text
def _clean(text: str, keep_lines: bool = False) -> str:
    """NFC, no invisible characters, no-break spaces as spaces; one line unless `keep_lines`."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFC", text)).replace("\u00a0", " ")
    text = text.replace("Ð", "Đ").replace("ð", "đ")  # the Icelandic eth, as OCR and old fonts give Đ
    return text if keep_lines else text.replace("\n", " ").strip()


def _aligned_fold(text: str) -> str:
    """fold() character by character, so a match in the folded text has the same offsets in the original."""
    return "".join((fold(ch) or " ")[0] for ch in text)
