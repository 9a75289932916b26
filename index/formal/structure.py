"""The body of a formal document as a tree of divisions, and passages that follow it.

Two numbering schemes (and their mixtures): the legal one, Phần / Chương / Mục / Điều / khoản "1." / điểm "a)",
and the one of resolutions, plans and instructions, "I." / "1." / "1.1." / "a)" / "(1)". Bullets ("-", "+")
are not divisions: they stay inside their division's passage. Text quoted inside “...” (an amending text
quoting the new wording, a công văn quoting a law's "Điều 56.") is content, never a division.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.splitting import split_paragraph as _split_sentences
from index.documents import Division
from index.formal.casing import sentence_case
from index.formal.header import is_attachment_note
from index.formal.lines import Line
from index.vietnamese import fold

_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("phan", re.compile(r"^(?:PHẦN|Phần)\s+(THỨ\s+\w+|thứ\s+\w+|[IVXLC]+|\d{1,2})\b[.:]?\s*")),
    ("chuong", re.compile(r"^(?:CHƯƠNG|Chương)\s+([IVXLC]+|\d{1,3})\b[.:]?\s*")),
    ("muc", re.compile(r"^(?:MỤC|Mục)\s+(\d{1,2}|[IVXLC]+)\b[.:]?\s*(?=[A-ZĐÀ-Ỹ]|$)")),
    ("dieu", re.compile(r"^(?:ĐIỀU|Điều)\s+(\d{1,3}[a-zđ]?)\s*[.:]\s*")),
    ("phuluc", re.compile(r"^(?:PHỤ LỤC|Phụ lục|PHỤ LỤC SỐ|Phụ lục số)\s*([IVXLC]+|\d{1,2})?\b[.:]?\s*(?=[A-ZĐÀ-Ỹ(]|$)")),
    ("mau", re.compile(r"^(?:Mẫu số|MẪU SỐ)\s*(\d{1,2}[a-zA-Z]?)\b[.:]?\s*")),
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
    level: float
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
        quoted = 0 if _closes_quotes(text) else quoted
        starts = line.first_in_block or (quoted <= 0 and _marker(text) is not None) or not units or (
            _BULLET_START.match(text) is not None or _ends_heading(units[-1].text) and text[:1].isupper()
        )
        if starts:
            units.append(Unit(text, line.block))
        else:
            previous = units[-1].text
            units[-1].text = previous[:-1] + text if previous.endswith("-") and text[:1].islower() else f"{previous} {text}"
        quoted = max(0, quoted + _quote_balance(text))
    return units


_BULLET_START = re.compile(r"^[-+•]\s+[A-ZĐÀ-Ỹ]")  # "- Nâng cao ...": a new line of the list, not a wrapped line


def _ends_heading(unit: str) -> bool:
    """'Điều 1. Phạm vi điều chỉnh' on a line of its own: the next line is the article's text, not its title."""
    found = _marker(unit)
    return found is not None and found[0] in ("dieu", "chuong", "phan", "muc", "roman", "phuluc") and bool(found[2]) and (
        len(unit) <= 200 and not _SENTENCE_END.search(unit)
    )


_AMENDING = re.compile(r"(?:như sau|sau đây)\s*:?\s*$|như\s*:\s*$")


def _closes_quotes(text: str) -> bool:
    """A quote left open by a typo ends at the amending text's own next instruction ("8. Bổ sung điểm e khoản 2
    Điều 18 như sau:") or its next chapter: the quoted wording never holds those."""
    found = _marker(text)
    return found is not None and (found[0] in ("chuong", "phan") or bool(_AMENDING.search(text)))


def _next_article(text: str, articles: list[str]) -> bool:
    """'Điều 29.' right after the document's own Điều 28 continues the document, whatever a stray quote says."""
    found = _marker(text)
    if found is None or found[0] != "dieu" or not articles or not found[1].isdigit() or not articles[-1].isdigit():
        return False
    return int(found[1]) == int(articles[-1]) + 1


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


# A model form ("Mẫu số 05") sits inside its Phụ lục and may hold a whole model decision (its own Điều 1-3).
_LEVELS = {"annex": -1, "phuluc": 0, "mau": 0.5, "phan": 0, "chuong": 1, "muc": 2, "dieu": 3, "roman": 1}


def build_tree(units: list[Unit], root_division: Division | None = None) -> Node:
    """Divisions nest by level; inside an article "1." is a khoản and "a)" a điểm."""
    root = Node(root_division, -2)
    stack = [root]
    quoted = 0
    waiting_heading: Node | None = None  # "Chương I" alone: its name is the next unit
    articles: list[str] = []  # numbers of the document's own articles so far
    for unit in units:
        quoted = 0 if _closes_quotes(unit.text) or _next_article(unit.text, articles) else quoted
        found = _marker(unit.text) if quoted <= 0 else None
        if found is not None and found[0] == "dieu":
            articles.append(found[1])
        quoted = max(0, quoted + _quote_balance(unit.text))
        if found is None:
            if waiting_heading is not None and _took_heading(waiting_heading, unit.text):
                waiting_heading = waiting_heading if is_attachment_note(unit.text) else None
                continue
            waiting_heading = None
            stack[-1].texts.append(unit.text)
            continue
        kind, number, rest = found
        kind = _division_kind(kind, number, stack)
        level = _level(kind, number)
        while len(stack) > 1 and stack[-1].level >= level:
            stack.pop()
        if is_attachment_note(rest):  # "PHỤ LỤC (Kèm theo Nghị định số ...) DANH MỤC ...": the name follows the note
            rest = rest.partition(")")[2].strip()
        heading = rest if rest and len(rest) <= 200 and not _SENTENCE_END.search(rest) else ""
        kind = "annex" if kind == "mau" else kind
        listed = "" if heading else _listed_heading(stack[-1], kind, number)
        node = Node(Division(kind, number, sentence_case(heading) if heading else listed), level, [unit.text])
        stack[-1].children.append(node)
        stack.append(node)
        named = bool(rest or listed)
        waiting_heading = node if not named and kind in ("phan", "chuong", "muc", "phuluc", "roman", "annex") else None
    _name_parents(root)
    return root


def _division_kind(kind: str, number: str, stack: list[Node]) -> str:
    """What a marker means where it stands: "1." inside an Điều is a khoản, "a)" inside a khoản a điểm,
    "Mục 1" outside any Chương a numbered section of a plan."""
    kinds = {n.division.kind for n in stack if n.division is not None}
    if kind == "muc" and not kinds & {"chuong", "phan"}:
        return "roman" if re.fullmatch(r"[IVXLC]+", number) else "number"
    if kind == "number" and "dieu" in kinds and "." not in number:
        return "khoan"
    if kind == "letter" and "khoan" in kinds:
        return "diem"
    return kind


def _took_heading(node: Node, text: str) -> bool:
    """The unit after a bare "Chương I" / "PHỤ LỤC" / "Mẫu số 01" names it, when it reads as a name:
    short, no sentence end, mostly letters (not a form's "……(1)…… -------"). A "(Kèm theo ...)" note
    under it is kept too, and the name may still follow."""
    if is_attachment_note(text):
        node.texts.append(text)
        return True
    letters = sum(ch.isalpha() for ch in text)
    if len(text) > 250 or _SENTENCE_END.search(text) or letters < 0.6 * len(text.replace(" ", "")):
        return False
    division = node.division
    node.division = Division(division.kind, division.number, sentence_case(text))
    node.texts.append(text)
    return True


def _listed_heading(parent: Node, kind: str, number: str) -> str:
    """A Phụ lục that lists its forms ("Mẫu số 01 / Mẫu giấy đề nghị ...") before giving them: the form
    takes the name from the list."""
    for sibling in parent.children:
        division = sibling.division
        if division is not None and division.kind == kind and division.number == number and division.heading:
            return division.heading
    return ""


def _level(kind: str, number: str) -> float:
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
    """Text outside any division: the authority ('BỘ TRƯỞNG BỘ XÂY DỰNG'), the 'Căn cứ ...' lines and the
    enacting formula ('Quốc hội ban hành Luật ...', 'QUYẾT ĐỊNH:') as one passage, any other paragraph on its
    own; a lone capitals line left over is a heading with nothing under it, not a passage."""
    grounds: list[str] = []
    for position, text in enumerate(texts):
        following = texts[position + 1] if position + 1 < len(texts) else ""
        if _is_ground(text) or (grounds and (_is_caps_line(text) or _is_enacting(text))) or (
            _is_caps_line(text) and _is_ground(following)
        ):
            grounds.append(text)
            continue
        if grounds:
            out.extend((prefix, _PREAMBLE_SECTION, piece) for piece in split_paragraph("\n".join(grounds), max_chars))
            grounds = []
        if not _is_caps_line(text):
            out.extend((prefix, None, piece) for piece in split_paragraph(text, max_chars))
    if grounds:
        out.extend((prefix, _PREAMBLE_SECTION, piece) for piece in split_paragraph("\n".join(grounds), max_chars))


def _is_ground(text: str) -> bool:
    return fold(text).startswith(_PREAMBLE)


def _is_enacting(text: str) -> bool:
    """'Quốc hội ban hành Luật ...', 'Chính phủ ban hành Nghị định ...', 'Bộ trưởng ... ban hành Thông tư ...'."""
    return len(text) <= 400 and " ban hanh " in fold(text)


def _is_caps_line(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return "\n" not in text and len(text) <= 100 and len(letters) >= 3 and all(ch.isupper() for ch in letters)


def split_paragraph(text: str, max_chars: int) -> list[str]:
    """Sentence-bounded pieces, where a division's number ("2.", "1.1.", "a)") never stands alone: the
    sentence splitter sees "2. " as a sentence end when the next sentence is too long to join it."""
    pieces: list[str] = []
    for piece in _split_sentences(text, max_chars):
        if pieces and _marker(pieces[-1] + " x") is not None and len(pieces[-1]) <= 12:
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return pieces


def _section(path: tuple[Division, ...]) -> str | None:
    for division in reversed(path):
        if division.heading:
            label = division.label()
            return f"{label}. {division.heading}" if label else division.heading
    return path[-1].label() if path else None


def _emit(node: Node, prefix: tuple[Division, ...], out: list, max_chars: int) -> None:
    path = (*prefix, node.division) if node.division is not None else prefix
    full = node.full_text()
    if len(full) <= max_chars and not any(_own_passage(c) for c in node.children):
        if _has_content(node):
            out.append((path, _section(path), full))
        return
    own = "\n".join(node.texts)
    if own and _has_content_text(node, own):
        out.extend((path, _section(path), piece) for piece in split_paragraph(own, max_chars))
    group: list[Node] = []
    for child in node.children:
        if _own_passage(child) or len(child.full_text()) > max_chars:
            _flush(group, path, out)
            group = []
            _emit(child, path, out, max_chars)
        elif group and sum(len(g.full_text()) + 1 for g in group) + len(child.full_text()) > max_chars:
            _flush(group, path, out)
            group = [child]
        else:
            group.append(child)
    _flush(group, path, out)


def _own_passage(node: Node) -> bool:
    """Articles and numbered sections ("I.", "1.", "1.1.") are passages of their own, never merged with
    their siblings, so a lookup finds each by its path; clauses and points below them may be grouped."""
    division = node.division
    if division is None:
        return False
    return division.kind in _ARTICLE_LIKE or (division.kind == "number" and division.number.count(".") <= 1)


def _flush(group: list[Node], path: tuple[Division, ...], out: list) -> None:
    if not group:
        return
    first, last = group[0].division, group[-1].division
    if first is None or last is None:
        return
    same = first.number == last.number
    division = Division(first.kind, first.number if same else f"{first.number}–{last.number}", first.heading if same else "")
    out.append(((*path, division), _section((*path, division)), "\n".join(g.full_text() for g in group)))


def _has_content(node: Node) -> bool:
    """A division with text beyond its own heading line (a bare "Chương I / QUY ĐỊNH CHUNG" is not a passage)."""
    return any(_has_content_text(n, "\n".join(n.texts)) for n in _walk(node))


def _has_content_text(node: Node, own: str) -> bool:
    """Text beyond headings: a division's marker line with its name ("Điều 5. Phạm vi điều chỉnh", "PHỤ LỤC /
    (Kèm theo ...)") says where, not what. A short leaf khoản or điểm ("a) Thông tư số 12/2020/TT-BCT") is content."""
    if not own.strip():
        return False
    if node.division is None:
        return True
    texts = [t for t in node.texts if not is_attachment_note(t)]
    if node.division.kind not in _ARTICLE_LIKE and not node.children:
        return bool(texts)
    return bool(_below_heading(texts, node.division.heading))


def _below_heading(texts: list[str], heading: str) -> list[str]:
    """The texts of a division without its marker line and its name line."""
    rest = list(texts)
    if rest and _marker(rest[0]) is not None and _same_name(_marker_name(rest[0]), heading):
        rest = rest[1:]
        if rest and heading and _same_name(rest[0], heading):
            rest = rest[1:]
    return rest


def _marker_name(text: str) -> str:
    """What follows a division's number on its line, without a '(Kèm theo ...)' note."""
    found = _marker(text)
    name = found[2] if found is not None else ""
    return name.partition(")")[2].strip() if is_attachment_note(name) else name


def _same_name(text: str, heading: str) -> bool:
    return not text or fold(text).rstrip(" .:") == fold(heading).rstrip(" .:")


def _name_parents(node: Node) -> None:
    """A division whose own text is its marker line alone, with divisions under it, is named by that line even
    when it ends with a period (Party texts: "3.5. Về kết nạp lại người vào Đảng." then "a) ...")."""
    for child in node.children:
        _name_parents(child)
    division = node.division
    if division is None or division.heading or not node.children or len(node.texts) != 1 or len(node.texts[0]) > 200:
        return
    name = _marker_name(node.texts[0])
    if name:
        node.division = Division(division.kind, division.number, name.rstrip(" .:"))


def _walk(node: Node):
    yield node
    for child in node.children:
        yield from _walk(child)
