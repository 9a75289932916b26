"""From a reader's blocks to one Document and its passages.

Web furniture and the page's metadata lines (save date, place, dateline, byline) are taken out,
repeated paragraphs dropped, headings turned into the section of the passages below them, and long
paragraphs cut at sentence boundaries. Passage text is the source text, only NFC-normalised with
runs of spaces collapsed: nothing is generated.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from index.document_types import HEADING_TYPES
from index.documents import Block, Document, ParsedFile, Passage
from index.errors import EmptyDocument
from index.formal import read_formal, structured_passages
from index.formal.header import NATIONAL_LINES
from index.formal.lines import INVISIBLE
from index.formal.urgency import urgency_of
from index.headings import ARTICLE_LINE, BARE_PART_LINE, PART_LINE, ROMAN_HEADING
from index.sentences import ends_sentence, sentence_cuts
from index.splitting import MAX_CHARS, split_paragraph
from index.vietnamese import find_codes, fold, is_all_caps, normalize_text

# ------------------------------------------------------------------------------------ vocabulary
_NAVIGATION = frozenset(
    {
        "phản hồi", "các tin khác", "tin khác", "thư viện ảnh", "thư viện video", "liên kết website",
        "liên kết", "mới nhất", "tin mới nhất", "tin mới", "đọc nhiều", "xem nhiều", "tin nổi bật",
        "chia sẻ", "chia sẻ bài viết", "in bài", "in trang", "bản in", "bình luận", "gửi bình luận",
        "ý kiến bạn đọc", "ý kiến", "tin liên quan", "bài viết liên quan", "tin cùng chuyên mục",
        "có thể bạn quan tâm", "xem thêm", "đọc thêm", "tin đã đưa", "trở lại", "trở về", "quay lại",
        "đầu trang", "về đầu trang", "lên đầu trang", "gửi", "gửi email", "email", "e-mail",
        "facebook", "twitter", "zalo", "trang chủ", "theo dõi", "lượt xem", "từ khóa", "từ khoá",
        "tags", "tag", "đăng nhập", "đăng ký", "tìm kiếm", "rss", "top", "print", "share",
    }
)
# After one of these (below the article body) come headlines of other articles, not article text.
_RELATED_LISTS = frozenset(
    {
        "các tin khác", "tin khác", "tin liên quan", "bài viết liên quan", "tin cùng chuyên mục",
        "có thể bạn quan tâm", "xem thêm", "đọc thêm", "tin đã đưa", "mới nhất", "tin mới nhất",
        "tin mới", "đọc nhiều", "xem nhiều", "tin nổi bật",
    }
)
_NAVIGATION_MAX_CHARS = 40
_ISSUER_PREFIXES = (
    "ban chap hanh", "bo chinh tri", "ban bi thu", "ban thuong vu", "tinh uy", "thanh uy", "huyen uy",
    "quan uy", "thi uy", "dang uy", "dang bo", "chi bo", "uy ban", "ubnd", "hoi dong nhan dan", "hdnd",
    "quoc hoi", "chinh phu", "thu tuong", "van phong", "mat tran", "bo ", "so ", "ban ", "cuc ",
    "tong cuc", "toa an", "vien kiem sat",
)
_JUNK_TITLES = frozenset({"untitled", "no title", "document", "title", "tài liệu", "văn bản", "slide 1"})

# ------------------------------------------------------------------------------------ patterns
_DATE_PHRASE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_DATE_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})(?![\d/.-]?\d)")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TIME = re.compile(r"(?<!\d)\d{1,2}\s*[:h]\s*\d{2}(?!\d)(?:\s*['’]|\s*(?:SA|CH|AM|PM)\b)?", re.IGNORECASE)
_DATE_LINE_NOISE = re.compile(
    r"\b(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|gmt\s*[+-]\s*\d+|cập\s+nhật|ngày\s+đăng|đăng\s+lúc|"
    r"thời\s+gian|ngày|lúc|đăng|giờ|sáng|chiều|tối|updated?|posted)\b",
    re.IGNORECASE,
)
_NUMBER_LINE = re.compile(r"^Số\s*[:.]?\s*\d", re.IGNORECASE)
_SEPARATOR = re.compile(r"^[\s.oO0]*[*\-–—_=~•][\s*\-–—_=~.•oO0]*$")  # the first star excludes the middle set: linear
_CREDIT = re.compile(
    r"^\(?\s*(?:Theo|Nguồn)\s+\S|^(?:Tác giả|Bài(?:\s*(?:,|và)\s*ảnh)?|Tin(?:\s*(?:,|và)\s*ảnh)?|Ảnh|Nguồn)\s*:",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"^[^\W\d_]+(?:\.[^\W\d_]+)*\.?$")  # letter runs joined by single dots; no nested repeats
_TITLE_ISSUER = re.compile(
    r"(?:^|:\s+|\bcủa\s+)("
    r"Ban Chấp hành Trung ương(?: Đảng)?|Ban Chấp hành Đảng bộ (?:tỉnh|thành phố|huyện)|Bộ Chính trị|Ban Bí thư|"
    r"Ban Thường vụ (?:Tỉnh|Thành|Huyện|Quận|Thị|Đảng) (?:ủy|uỷ)|(?:Tỉnh|Thành|Huyện|Quận|Thị|Đảng) (?:ủy|uỷ)|"
    r"(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|HĐND|Hội đồng nhân dân) (?:tỉnh|thành phố|huyện|quận|thị xã)|"
    r"Thủ tướng Chính phủ|Chính phủ|Quốc hội)",
    re.IGNORECASE,
)


# ------------------------------------------------------------------------------------ entry point
def build_document(parsed: ParsedFile, content_hash: str, max_chars: int = MAX_CHARS) -> tuple[Document, list[Passage]]:
    """The Document (title, date, issuer, codes, byline) and its numbered passages; EmptyDocument if none is left.

    A formal document (a header with number, date and type) is read by index/formal/ instead: its header,
    structure and closing; everything else (reports, news articles) as below."""
    formal = read_formal(parsed, content_hash, max_chars)
    if formal is not None:
        return formal
    blocks = _without_navigation(_normalised(parsed.blocks))
    head = _read_head(blocks, _usable_title(parsed.title))
    body = [block for index, block in enumerate(blocks) if index not in head.consumed]
    body, byline = _split_byline(body)
    title = head.title or PurePath(parsed.source).stem or parsed.source
    passages = structured_passages(body, max_chars) or _passages(body, title, max_chars)
    if not passages:
        raise EmptyDocument(f"Tệp {parsed.source} không có đoạn văn nào để lưu.")
    codes = list(dict.fromkeys([*find_codes(title), *head.codes]))
    document = Document(
        title=title,
        source=parsed.source,
        content_hash=content_hash,
        date=head.date,
        issuer=head.issuer or _issuer_in_title(title),
        codes=tuple(codes),
        byline=byline,
        passage_count=len(passages),
    )
    return document, passages


# ------------------------------------------------------------------------------------ normalising
def _normalise(text: str) -> str:
    """Each line in the shown form (NFC, runs of spaces collapsed); invisible and control characters and blank lines go."""
    text = INVISIBLE.sub("", text)
    lines = (normalize_text(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _normalised(blocks: Iterable[Block]) -> list[Block]:
    normalised = (Block(_normalise(block.text), heading=block.heading) for block in blocks)
    return [block for block in normalised if block.text]


def _usable_title(title: str | None) -> str | None:
    """The format's declared title, unless it is a placeholder ("Microsoft Word - x.doc", "Untitled")."""
    if title is None:
        return None
    title = _normalise(title).replace("\n", " ")
    if (
        not any(ch.isalpha() for ch in title)
        or title.casefold() in _JUNK_TITLES
        or fold(title).startswith("microsoft word")
        or re.search(r"\.(?:docx?|pdf|txt|html?|rtf|odt)$", title, re.IGNORECASE)
    ):
        return None
    return title


# ------------------------------------------------------------------------------------ boilerplate
def _navigation_key(text: str) -> str | None:
    """'Bình luận (0)' -> 'bình luận'; None for anything too long or multi-line to be a menu item."""
    if len(text) > _NAVIGATION_MAX_CHARS or "\n" in text:
        return None
    key = re.sub(r"^[\s|»›>«‹<*•·\-–]+|[\s\d():.|»›>«‹<*•·\-–]+$", "", text.casefold())
    return key


def _without_navigation(blocks: list[Block]) -> list[Block]:
    """Drop menu words, and the headline lists that follow 'Tin liên quan' & co. below the article."""
    kept: list[Block] = []
    in_related_list = False
    seen_body = False
    for block in blocks:
        key = _navigation_key(block.text)
        if key in _RELATED_LISTS:
            in_related_list = seen_body
            continue
        if key in _NAVIGATION:
            continue
        if in_related_list and _looks_like_headline(block.text):
            continue
        in_related_list = False
        kept.append(block)
        seen_body = seen_body or _is_body_paragraph(block.text)
    return kept


def _looks_like_headline(text: str) -> bool:
    return len(text) <= 200 and "\n" not in text and not text.endswith((".", ";", ":"))


def _is_body_paragraph(text: str) -> bool:
    words = len(text.split())
    return words >= 40 or (words >= 8 and text.endswith((".", ";", ":", ".)", '."', ".”")))


# ------------------------------------------------------------------------------------ head of the document
@dataclass
class _Head:
    title: str | None = None
    date: str | None = None
    issuer: str | None = None
    codes: list[str] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)


_HEAD_MAX_BLOCKS = 15


def _read_head(blocks: list[Block], declared_title: str | None) -> _Head:
    """Metadata lines above the first real paragraph: dates, place, issuer, number, document type, title.

    The blocks that only hold such lines are `consumed`: they are not passages.
    """
    head = _Head(title=declared_title)
    end = next((i for i, block in enumerate(blocks) if _is_body_paragraph(block.text)), len(blocks))
    zone = range(min(end, _HEAD_MAX_BLOCKS))
    lines = [(index, line) for index in zone for line in blocks[index].text.split("\n")]
    kinds = _line_kinds([line for _, line in lines])
    dates = [found for (_, line), kind in zip(lines, kinds) if kind == "date" and (found := _date_in(line))]
    if dates:
        _, head.date = max(dates, key=lambda found: found[0])  # max() keeps the first of equals
    head.issuer = _first_run(lines, kinds, "issuer")
    head.codes = [code for (_, line), kind in zip(lines, kinds) if kind == "number" for code in find_codes(line)]
    head.consumed = {index for index in zone if all(kind for (i, _), kind in zip(lines, kinds) if i == index)}
    rest = [index for index in zone if index not in head.consumed]
    if declared_title is None:
        _find_title(blocks, rest, head)
    else:
        _consume_declared_title(blocks, rest, head)
    return head


def _line_kinds(lines: list[str]) -> list[str | None]:
    kinds = [_line_kind(line) for line in lines]
    for position, kind in enumerate(kinds):  # a place name only counts next to a date ("Vĩnh Phúc")
        if kind == "place" and "date" not in kinds[max(0, position - 1) : position + 2]:
            kinds[position] = None
    return kinds


def _first_run(lines: list[tuple[int, str]], kinds: list[str | None], wanted: str) -> str | None:
    """The first consecutive lines of one kind, joined: 'UBND TỈNH VĨNH PHÚC – SỞ TƯ PHÁP'."""
    run: list[str] = []
    for (_, line), kind in zip(lines, kinds):
        if kind == wanted:
            run.append(line)
        elif run:
            break
    return " – ".join(run) or None


def _line_kind(line: str) -> str | None:
    if _is_date_line(line):
        return "date"
    if _SEPARATOR.match(line) or _letters(line).startswith(NATIONAL_LINES):
        return "furniture"
    if urgency_of(line) is not None:  # "HỎA TỐC HẸN GIỜ": a stamp, no title
        return "urgency"
    if _NUMBER_LINE.match(line) and len(line) <= 60:
        return "number"
    if _is_issuer_line(line):
        return "issuer"
    if _is_place_line(line):
        return "place"
    return None


def _find_title(blocks: list[Block], candidates: list[int], head: _Head) -> None:
    """The first title-like block, with a document type above it ('NGHỊ QUYẾT') and a 'về ...' line below it."""
    doc_type: int | None = None
    for position, index in enumerate(candidates):
        text = blocks[index].text.replace("\n", " ")
        if fold(text).rstrip(" .:") in HEADING_TYPES:
            doc_type = index
            continue
        if not _is_title_like(text):
            if _is_rubric(text):
                continue
            return
        parts = [text]
        if doc_type is not None and doc_type == index - 1:
            parts.insert(0, blocks[doc_type].text)
        following = candidates[position + 1] if position + 1 < len(candidates) else None
        if following == index + 1 and fold(blocks[following].text).startswith("ve "):
            parts.append(blocks[following].text.replace("\n", " "))
            head.consumed.add(following)
        head.title = " ".join(parts)
        head.consumed.update(c for c in candidates[: position + 1] if c == doc_type or c == index or _is_rubric(blocks[c].text))
        return


def _consume_declared_title(blocks: list[Block], candidates: list[int], head: _Head) -> None:
    """The format declared the title; the body lines repeating it, and rubrics above it, are not passages."""
    title = (head.title or "").casefold()
    for position, index in enumerate(candidates):
        text = blocks[index].text.replace("\n", " ").casefold()
        if text == title or (len(text.split()) >= 2 and text in title and _is_title_like(text)):
            head.consumed.add(index)
            head.consumed.update(c for c in candidates[:position] if _is_rubric(blocks[c].text))


def _is_rubric(text: str) -> bool:
    """A site section name above a headline ('Xây dựng Đảng'): a few words, no sentence."""
    return len(text.split()) <= 3 and "\n" not in text and not ends_sentence(text)


def _is_title_like(text: str) -> bool:
    return len(text.split()) >= 3 and len(text) <= 250 and not text.endswith(".")


def _is_place_line(line: str) -> bool:
    words = line.split()
    return (
        1 <= len(words) <= 4
        and len(line) <= 40
        and all(_is_proper_word(word) for word in words)
    )


def _is_proper_word(word: str) -> bool:
    """'Vĩnh', 'Phúc', 'TP.': capitalised, or a short abbreviation; not an ALL-CAPS heading word."""
    letters = word.rstrip(".-")
    return (
        letters.isalpha()
        and letters[0].isupper()
        and (letters[1:].islower() or not letters[1:] or len(letters) <= 2)
    )


def _is_issuer_line(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    folded = fold(line)
    return (
        len(line) <= 80
        and len(letters) >= 4
        and all(ch.isupper() for ch in letters)
        and folded.startswith(_ISSUER_PREFIXES)
        and not _letters(line).startswith(NATIONAL_LINES)
    )


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", fold(text))


# ------------------------------------------------------------------------------------ dates
def _date_in(text: str) -> tuple[int, str] | None:
    """(strength, ISO date): a dateline with a time or a 'ngày ... tháng ... năm' phrase beats a bare date."""
    phrase = _DATE_PHRASE.search(text)
    if phrase:
        iso = _iso(phrase.group(3), phrase.group(2), phrase.group(1))
        if iso:
            return 2, iso
    numeric = _DATE_NUMERIC.search(text)
    if numeric:
        iso = _iso(numeric.group(4), numeric.group(3), numeric.group(1))
        after_ngay = re.search(r"ngày\s*$", text[: numeric.start()], re.IGNORECASE)
        if iso:
            return (2 if _TIME.search(text) or after_ngay else 1), iso
    iso_match = _DATE_ISO.search(text)
    if iso_match:
        iso = _iso(*iso_match.groups())
        if iso:
            return (2 if _TIME.search(text[iso_match.end() :]) else 1), iso
    return None


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        date = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return date.isoformat() if 1945 <= date.year <= 2100 else None


def _is_date_line(line: str) -> bool:
    """A line that is a date and little else: 'Thứ Năm, 2/12/2021 10:24'(GMT+7)', 'Hà Nội, ngày 5 tháng 3 năm 2023'."""
    if len(line) > 100 or not any(p.search(line) for p in (_DATE_PHRASE, _DATE_NUMERIC, _DATE_ISO)):
        return False  # the shape counts, so a dateline with an impossible date is still metadata
    rest = line
    for pattern in (_DATE_PHRASE, _DATE_NUMERIC, _DATE_ISO, _TIME, _DATE_LINE_NOISE):
        rest = pattern.sub(" ", rest)
    words = [word for word in rest.split() if any(ch.isalpha() for ch in word)]
    return len(words) <= 4 and all(word.lstrip("(\"“")[0].isupper() for word in words)  # only a place may remain


# ------------------------------------------------------------------------------------ byline and issuer
def _split_byline(blocks: list[Block]) -> tuple[list[Block], str | None]:
    """A short last line naming the author ('Tuấn Anh', 'Theo TTXVN', 'Tác giả: ...') is the byline."""
    if len(blocks) < 2 or blocks[-1].heading:
        return blocks, None
    text = blocks[-1].text.replace("\n", " ")
    if len(text) <= 80 and (_CREDIT.match(text) or _is_name(text)):
        return blocks[:-1], text
    return blocks, None


def _is_name(text: str) -> bool:
    """'Tuấn Anh', 'Thu Hà (TTXVN)', 'Minh Hà - Thu Trang', 'PV'."""
    text = re.sub(r"\s*\([^)]*\)$", "", text)
    words = [word for word in re.split(r"\s+|\s*[-–,]\s*", text) if word and word != "và"]
    if not words or len(words) > 6 or len(text) > 50:
        return False
    if not all(_NAME_WORD.match(word) and word[0].isupper() for word in words):
        return False
    return len(words) >= 2 or (words[0].isupper() and len(words[0]) <= 6)


def _issuer_in_title(title: str) -> str | None:
    """'Ban Thường vụ Tỉnh ủy Vĩnh Phúc ban hành ...' -> 'Ban Thường vụ Tỉnh ủy Vĩnh Phúc'."""
    match = _TITLE_ISSUER.search(title)
    if not match:
        return None
    words = [match.group(1)]
    for word in title[match.end(1) :].split():
        name = word.rstrip(",:;.")
        if not name or not name[0].isupper() or not name.isalpha():
            break
        words.append(name)
        if name != word:
            break
    return " ".join(words)


# ------------------------------------------------------------------------------------ sections and passages
def _passages(blocks: list[Block], title: str, max_chars: int) -> list[Passage]:
    pieces: list[tuple[str, str | None, int]] = []
    number = 0  # paragraphs of the source seen so far
    section: str | None = None
    bare_part: str | None = None  # "Chương I" on its own, waiting for its name on the next block
    seen: set[object] = set()
    for block in blocks:
        text = block.text
        if text.replace("\n", " ").casefold() == title.casefold():
            continue
        article = _article(text)
        if article is not None:
            section, is_passage = article
            bare_part = None
            if not is_passage:
                continue
        else:
            heading = _heading(block)
            if heading is not None:
                if bare_part is not None and not PART_LINE.match(heading):
                    section = f"{bare_part.rstrip('.:')}. {heading}"
                    bare_part = None
                else:
                    section = heading
                    bare_part = heading if BARE_PART_LINE.match(heading) else None
                continue
        bare_part = None
        key: object = text if len(text) >= 60 else (section, text)  # short lines recur legitimately ("Bãi bỏ.")
        if key in seen:
            continue
        seen.add(key)
        number += 1
        pieces.extend((piece, section, number) for piece in split_paragraph(text, max_chars))
    # The pieces of a long paragraph keep its number: a citation's "đoạn N" is the source's Nth paragraph.
    return [Passage(text=text, paragraph=number, section=sec) for text, sec, number in pieces]


def _heading(block: Block) -> str | None:
    """The section name when the block is a heading: marked by the format, 'Chương/Mục/Phần N', 'II. ...', or ALL CAPS."""
    lines = block.text.split("\n")
    one_line = " ".join(lines)
    if block.heading and len(one_line) <= 300:
        return _heading_text(lines)
    if len(one_line) > 200 or one_line.endswith((".", ";")):
        return None
    if PART_LINE.match(one_line) or ROMAN_HEADING.match(one_line) or is_all_caps(one_line):
        return _heading_text(lines)
    return None


def _heading_text(lines: list[str]) -> str:
    if len(lines) > 1 and BARE_PART_LINE.match(lines[0]):
        return f"{lines[0].rstrip('.:')}. {' '.join(lines[1:])}"
    return " ".join(lines)


def _article(text: str) -> tuple[str, bool] | None:
    """('Điều 5. Title', is_passage) for an article line; it is a passage too when text follows its title."""
    match = ARTICLE_LINE.match(text)
    if not match:
        return None
    first, _, rest = text.partition("\n")
    label = first[: match.end()].strip().rstrip(".:-– ")
    if rest:
        return (first if len(first) <= 200 else label), True
    if len(first) <= 200 and not ends_sentence(first):
        return first, False
    cut = next((c for c in sentence_cuts(first) if match.end() < c <= 200), None)
    return (first[:cut].strip().rstrip(".") if cut else label), True
