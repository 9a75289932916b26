"""The body of a formal document as a tree of divisions, and passages that follow it.

Two numbering schemes (and their mixtures): the legal one, Phần / Chương / Mục / Điều / khoản "1." / điểm "a)",
and the one of resolutions, plans and instructions, "I." / "1." / "1.1." / "a)" / "(1)". Bullets ("-", "+")
are not divisions: they stay inside their division's passage. Text quoted inside “...” (an amending text
quoting the new wording, a công văn quoting a law's "Điều 56.") is content, never a division.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.splitting import split_paragraph
from index.documents import Division, Passage
from index.formal.casing import sentence_case
from index.formal.lines import Line
from index.vietnamese import fold

_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("phan", re.compile(r"^(?:PHẦN|Phần)\s+(THỨ\s+\w+|thứ\s+\w+|[IVXLC]+|\d{1,2})\b[.:]?\s*")),
    ("chuong", re.compile(r"^(?:CHƯƠNG|Chương)\s+([IVXLC]+|\d{1,3})\b[.:]?\s*")),
    ("muc", re.compile(r"^(?:MỤC|Mục)\s+(\d{1,2}|[IVXLC]+)\b[.:]?\s*(?=[A-ZĐÀ-Ỹ]|$)")),
    ("dieu", re.compile(r"^(?:ĐIỀU|Điều)\s+(\d{1,3}[a-zđ]?)\s*[.:]\s*")),
    ("phuluc", re.compile(r"^(?:PHỤ LỤC|Phụ lục|PHỤ LỤC SỐ|Phụ lục số)\s*([IVXLC]+|\d{1,2})?\b[.:]?\s*(?=[A-ZĐÀ-Ỹ(]|$)")),
    ("annex", re.compile(r"^(?:Mẫu số|MẪU SỐ)\s*(\d{1,2}[a-zA-Z]?)\b[.:]?\s*")),
    ("roman", re.compile(r"^([IVXLC]{1,5})\s*[.\-–]\s+(?=\S)")),
    ("number", re.compile(r"^(\d{1,3}(?:\.\d{1,3}){0,3})\.(?!\d)\s*(?=\S)")),
    ("letter", re.compile(r"^([a-zđ])\)\s*(?=\S)")),
    ("paren", re.compile(r"^\((\d{1,3})\)\s*(?=\S)")),
]
_PREAMBLE = ("can cu", "- can cu", "xet ", "- xet", "theo de nghi", "- theo de nghi", "thuc hien", "trien khai")
_ARTICLE_LIKE = {"phan", "chuong", "muc", "dieu", "roman", "phuluc", "annex"}
_SENTENCE_END = re.compile(r"[.;!?…][\"”’)\]]*$")
_PREAMBLE_SECTION = "Căn cứ ban hành"


@dataclass
class Node:
    division: Division | None
    level: int
    texts: list[str] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)

    def full_text(self) -> str:
        return "\n".join([*self.texts, *(c.full_text() for c in self.children)])


@dataclass
class Unit:
    text: str
    block: int


def units_of(lines: list[Line]) -> list[Unit]:
    """Paragraph-like units: a unit starts at a block boundary or at a line opening with a division marker;
    wrapped lines are joined (a word broken by a hyphen rejoined)."""
    units: list[Unit] = []
    quoted = 0
    for line in lines:
        text = line.text.strip()
        starts = line.first_in_block or (quoted <= 0 and _marker(text) is not None) or not units
        if starts:
            units.append(Unit(text, line.block))
        else:
            previous = units[-1].text
            units[-1].text = previous[:-1] + text if previous.endswith("-") and text[:1].islower() else f"{previous} {text}"
        quoted += _quote_balance(text)
    return units


def _quote_balance(text: str) -> int:
    return text.count("“") - text.count("”") + (1 if text.count('"') % 2 else 0) * (1 if text.lstrip().startswith('"') else -1)


def _marker(text: str) -> tuple[str, str, str] | None:
    """(kind, number, rest) when text opens with a division marker."""
    for kind, pattern in _MARKERS:
        match = pattern.match(text)
        if match:
            number = (match.group(1) or "").strip()
            if kind in ("roman", "chuong", "phan", "phuluc") and re.fullmatch(r"[IVXLC]+", number.upper() or "I") is None and not number.isdigit():
                if kind != "phan":
                    continue
            if kind == "letter" and len(text) < 4:
                continue
            return kind, number.upper() if kind in ("roman", "chuong", "phan", "phuluc") and not number.isdigit() else number.lower() if kind in ("letter", "dieu") else number, text[match.end() :].strip()
    return None


_LEVELS = {"annex": -1, "phuluc": 0, "phan": 0, "chuong": 1, "muc": 2, "dieu": 3, "roman": 1}


def build_tree(units: list[Unit], root_division: Division | None = None) -> Node:
    """Divisions nest by level; inside an article "1." is a khoản and "a)" a điểm."""
    root = Node(root_division, -2)
    stack = [root]
    quoted = 0
    waiting_heading: Node | None = None  # "Chương I" alone: its name is the next unit
    for unit in units:
        found = _marker(unit.text) if quoted <= 0 else None
        quoted += _quote_balance(unit.text)
        if found is None:
            if waiting_heading is not None and len(unit.text) <= 250 and not _SENTENCE_END.search(unit.text):
                division = waiting_heading.division
                waiting_heading.division = Division(division.kind, division.number, sentence_case(unit.text))
                waiting_heading.texts.append(unit.text)
                waiting_heading = None
                continue
            waiting_heading = None
            stack[-1].texts.append(unit.text)
            continue
        kind, number, rest = found
        in_article = any(n.division is not None and n.division.kind == "dieu" for n in stack)
        if kind == "muc" and not any(n.division is not None and n.division.kind in ("chuong", "phan") for n in stack):
            kind = "roman" if re.fullmatch(r"[IVXLC]+", number) else "number"  # "Mục 1" of a plan: a numbered section
        if kind == "number" and in_article and "." not in number:
            kind = "khoan"
        elif kind == "letter" and any(n.division is not None and n.division.kind == "khoan" for n in stack):
            kind = "diem"
        level = _level(kind, number)
        while len(stack) > 1 and stack[-1].level >= level:
            stack.pop()
        heading = rest if rest and len(rest) <= 200 and not _SENTENCE_END.search(rest) else ""
        node = Node(Division(kind, number, sentence_case(heading) if heading else ""), level, [unit.text])
        stack[-1].children.append(node)
        stack.append(node)
        waiting_heading = node if not rest and kind in ("phan", "chuong", "muc", "phuluc", "roman") else None
    return root


def _level(kind: str, number: str) -> int:
    if kind in _LEVELS:
        return _LEVELS[kind]
    if kind == "number":
        return 2 + number.count(".")
    if kind == "khoan":
        return 4
    return 6  # điểm, a), (1)


def tree_passages(root: Node, max_chars: int) -> list[tuple[tuple[Division, ...], str | None, str]]:
    """(path, section, text) for each passage: one per division when it fits, its parts when it does not."""
    out: list[tuple[tuple[Division, ...], str | None, str]] = []
    prefix = (root.division,) if root.division is not None else ()
    _preamble(root.texts, prefix, out, max_chars)
    for child in root.children:
        _emit(child, prefix, out, max_chars)
    return out


def _preamble(texts: list[str], prefix: tuple[Division, ...], out: list, max_chars: int) -> None:
    """Text before the first division: the 'Căn cứ ...' lines with the enacting formula as one passage,
    any other paragraph on its own."""
    grounds: list[str] = []
    for text in texts:
        if fold(text).startswith(_PREAMBLE) or (grounds and (text.isupper() or fold(text).startswith(_PREAMBLE))):
            grounds.append(text)
            continue
        if grounds:
            out.extend((prefix, _PREAMBLE_SECTION, piece) for piece in split_paragraph("\n".join(grounds), max_chars))
            grounds = []
        out.extend((prefix, None, piece) for piece in split_paragraph(text, max_chars))
    if grounds:
        out.extend((prefix, _PREAMBLE_SECTION, piece) for piece in split_paragraph("\n".join(grounds), max_chars))


def _section(path: tuple[Division, ...]) -> str | None:
    for division in reversed(path):
        if division.heading:
            label = division.label()
            return f"{label}. {division.heading}" if label else division.heading
    return path[-1].label() if path else None


def _emit(node: Node, prefix: tuple[Division, ...], out: list, max_chars: int) -> None:
    path = (*prefix, node.division) if node.division is not None else prefix
    full = node.full_text()
    if len(full) <= max_chars and not any(c.division is not None and c.division.kind in _ARTICLE_LIKE for c in node.children):
        if _has_content(node):
            out.append((path, _section(path), full))
        return
    own = "\n".join(node.texts)
    if own and _has_content_text(node, own):
        out.extend((path, _section(path), piece) for piece in split_paragraph(own, max_chars))
    group: list[Node] = []
    for child in node.children:
        if child.division is not None and child.division.kind in _ARTICLE_LIKE or len(child.full_text()) > max_chars:
            _flush(group, path, out)
            group = []
            _emit(child, path, out, max_chars)
        elif group and sum(len(g.full_text()) + 1 for g in group) + len(child.full_text()) > max_chars:
            _flush(group, path, out)
            group = [child]
        else:
            group.append(child)
    _flush(group, path, out)


def _flush(group: list[Node], path: tuple[Division, ...], out: list) -> None:
    if not group:
        return
    first, last = group[0].division, group[-1].division
    if first is None or last is None:
        return
    number = first.number if first is last else f"{first.number}–{last.number}"
    division = Division(first.kind, number, first.heading if first is last else "")
    out.append(((*path, division), _section((*path, division)), "\n".join(g.full_text() for g in group)))


def _has_content(node: Node) -> bool:
    """A division with text beyond its own heading line (a bare "Chương I / QUY ĐỊNH CHUNG" is not a passage)."""
    return any(_has_content_text(n, "\n".join(n.texts)) for n in _walk(node))


def _has_content_text(node: Node, own: str) -> bool:
    heading_only = node.division is not None and len(node.texts) <= (2 if node.division.kind in _ARTICLE_LIKE else 1) and bool(
        node.division.heading and all(not _SENTENCE_END.search(t) and len(t) <= 250 for t in node.texts)
    )
    return bool(own.strip()) and not heading_only


def _walk(node: Node):
    yield node
    for child in node.children:
        yield from _walk(child)
