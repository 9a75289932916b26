"""Lookups by number: the document a question names, and the division of it the question asks for.

"Điều 7 Quy định 112-QĐ/TU", "khoản 2 Điều 5", "Mục 3 phần IV", "Điểm 4.1 Quy định 294" are positions in a
document, not words to match: the named document is found by its number (or type, issuer and title words)
and the division by its path, whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.documents import ATTACHMENT_KINDS, ILLEGIBLE_NUMBER, Division, Document, Passage
from index.formal.structure import Node, Unit, build_tree
from index.references import DivisionRef, DocumentMention
from index.vietnamese import CodeRef, fold, text_code_refs

# The division kinds a member's word may mean ("mục 8" of a Party regulation is its point 8.).
_KINDS = {
    "phan": {"phan", "roman"}, "chuong": {"chuong"}, "muc": {"muc", "roman", "number"}, "dieu": {"dieu"},
    "khoan": {"khoan", "number", "paren"}, "diem": {"diem", "letter", "number", "paren"}, "phuluc": {"phuluc", "annex"},
}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


@dataclass(frozen=True)
class DocumentStatus:
    """Whether a document is still in force as far as the library knows: what replaces or repeals it."""

    replaced_by: tuple[Document, ...] = ()
    amended_by: tuple[Document, ...] = ()

    def label(self) -> str:
        if self.replaced_by:
            return "đã bị thay thế bởi " + "; ".join(d.title for d in self.replaced_by)
        if self.amended_by:
            return "còn hiệu lực, đã được sửa đổi bởi " + "; ".join(d.title for d in self.amended_by)
        return "còn hiệu lực"


def code_keys(code: str | None) -> set[str]:
    """Match keys of a number as written ("294-QĐ/TW" -> {"294-QD-TW", "294-QD"}), and the number itself
    folded ("42/2024/qh15": a law's number has no type letters to key on)."""
    keys = {key for ref in text_code_refs(code or "") for key in ref.keys()}
    if code:
        keys.add(raw_code(code))
    return keys


def _illegible_number_fits(mention: DocumentMention, document: Document) -> bool:
    """"813/HC-CNHC" asked, "…/HC-CNHC" on a scan whose number is handwritten: the legible part agrees."""
    if not (mention.code and document.code and document.code.startswith(ILLEGIBLE_NUMBER + "/")):
        return False
    return raw_code(mention.code).endswith(raw_code(document.code[len(ILLEGIBLE_NUMBER):]))


def raw_code(code: str) -> str:
    return re.sub(r"\s+", "", fold(code)).replace("–", "-")


@dataclass(frozen=True)
class Naming:
    """What a question may name a document by, folded once per catalogue: folding every title and number for
    every question cost ~190 ms at 5,000 documents."""

    document: Document
    keys: frozenset[str]  # code_keys of its number and of every number it carries
    title: str  # title, subject and type, folded
    doc_type: str  # folded
    issuer: str  # folded


def namings(documents: Sequence[Document]) -> list[Naming]:
    return [
        Naming(document,
               frozenset(code_keys(document.code) | {key for code in document.codes for key in code_keys(code)}),
               fold(" ".join(filter(None, [document.title, document.subject, document.doc_type]))),
               fold(document.doc_type or ""), fold(document.issuer or ""))
        for document in documents
    ]


@dataclass(frozen=True)
class _Asked:
    """What the mention asks for, worked out once rather than for every document of the catalogue."""

    mention: DocumentMention
    refs: tuple[CodeRef, ...]
    full_keys: frozenset[str]  # each number's most specific key ("294-QD-TW")
    partial_keys: frozenset[str]  # and its least ("294-QD")
    number_patterns: tuple[tuple[CodeRef, re.Pattern[str]], ...]  # "294" at the start of a document's number
    as_written: str | None  # a number with "/" as typed, folded ("42/2024/qh15")
    doc_type: str | None  # folded
    name_patterns: tuple[re.Pattern[str], ...]  # the title words, whole

    @classmethod
    def of(cls, mention: DocumentMention) -> "_Asked":
        refs = (*mention.codes, *text_code_refs(mention.code or ""))
        return cls(
            mention, refs, frozenset(ref.keys()[0] for ref in refs), frozenset(ref.keys()[-1] for ref in refs),
            tuple((ref, re.compile(rf"^0*{ref.number}\D")) for ref in refs),
            raw_code(mention.code) if mention.code and "/" in mention.code else None,
            fold(mention.doc_type) if mention.doc_type else None,
            tuple(re.compile(rf"\b{re.escape(w)}\b") for w in (mention.name_words or "").split()),
        )


def named_documents(mention: DocumentMention, names: Sequence[Naming]) -> list[Document]:
    """The library's documents the mention names, best first; [] when none (the document is missing)."""
    asked = _Asked.of(mention)
    scored = [(score, naming.document) for naming in names if (score := _mention_score(asked, naming)) > 0]
    if not scored:
        return []
    best = max(score for score, _ in scored)
    return [document for score, document in sorted(scored, key=lambda s: -s[0]) if score >= best]


def related_to(mention: DocumentMention, document: Document) -> bool:
    """The document states a relation to the one named (a plan implementing "Chỉ thị 11-CT/TU"), or cites it in its title."""
    wanted = {ref.keys()[-1] for ref in [*mention.codes, *text_code_refs(mention.code or "")]}
    cited = {key for relation in document.relations for key in code_keys(relation.code)}
    cited |= {key for ref in text_code_refs(document.title) for key in ref.keys()}
    return bool(wanted & cited)


def _mention_score(asked: _Asked, naming: Naming) -> float:
    mention, document, keys = asked.mention, naming.document, naming.keys
    as_written = asked.as_written is not None and asked.as_written in keys  # "42/2024/QH15"
    illegible = not as_written and _illegible_number_fits(mention, document)  # a partial match, by the legible rest
    numbered = bool(asked.refs) or as_written
    score = 0.0
    if as_written:
        score += 3.0
    elif illegible:
        score += 2.0
    elif asked.refs:
        full = not asked.full_keys.isdisjoint(keys)
        partial = (not asked.partial_keys.isdisjoint(keys)
                   or any(_number_only(ref, pattern, naming) for ref, pattern in asked.number_patterns))
        if not (full or partial):
            return 0.0
        score += 3.0 if full else 2.0
    if asked.doc_type and naming.doc_type and asked.doc_type == naming.doc_type:
        score += 0.5
    if mention.issuer and naming.issuer and mention.issuer in naming.issuer:
        score += 1.0
    if mention.name_words:
        if asked.name_patterns and all(pattern.search(naming.title) for pattern in asked.name_patterns):
            score += 1.5
        elif not numbered:
            return 0.0
    if mention.year and document.date and document.date.startswith(str(mention.year)):
        score += 0.5
    if not numbered and not mention.name_words and not mention.issuer:
        return 0.0  # a bare type word ("quy định") names nothing
    return score


def _number_only(ref: CodeRef, number: re.Pattern[str], naming: Naming) -> bool:
    """'quy dinh 294' names '294-QĐ/TW': same number, and the type's initials agree with the document's type."""
    code = naming.document.code
    if code is None or not number.match(code):
        return False
    initials = "".join(word[0] for word in naming.doc_type.split()).upper()
    return bool(initials) and ref.kind == initials


def division_passages(refs: tuple[DivisionRef, ...], passages: list[Passage], prefer_attached: bool = False) -> list[Passage]:
    """The passages of the division the refs name, in document order; [] when the document has none.

    The refs match the path as a subsequence ("khoản 2 Điều 5" = Điều 5 then its khoản 2). A document's own
    articles win over those of what is attached to it (a Phụ lục's model decision) unless asked for. A clause
    kept inside its article's passage is cut out of it: the article's lines are read again as a tree.
    """
    if not refs:
        return []
    counted = [(p, count, end) for p in passages for count, end in [_matched(refs, p.path)] if count]
    if not counted:
        matches = [(p, end) for p in passages if (end := _heading_match(refs, p.path)) is not None]
        if not matches:
            return _section_match(refs, passages)
        counted = [(p, 1, end) for p, end in matches]
    best = max(count for _, count, _ in counted)
    matches = [(p, end) for p, count, end in counted if count == best]
    own = [(p, e) for p, e in matches if _attached(p.path) == prefer_attached]
    matches = own or matches
    first, end = matches[0]
    prefix = first.path[: end + 1]
    chosen = [p for p in passages if p.path[: len(prefix)] == prefix or _same_division(p.path, prefix)]
    if best < len(refs):
        narrowed = _narrowed(refs[best:], chosen)
        return [narrowed] if narrowed is not None else []
    if "–" in prefix[-1].number:  # asked for điểm e of a passage holding "điểm d–e": that point alone
        narrowed = _narrowed(refs[-1:], chosen)
        if narrowed is not None:
            return [narrowed]
    return chosen


def _matched(refs: tuple[DivisionRef, ...], path: tuple[Division, ...]) -> tuple[int, int]:
    """How many of the refs, outermost first, the path holds in order; and where the last one sits."""
    position, count, end = 0, 0, -1
    for ref in refs:
        while position < len(path) and not _is(ref, path[position]):
            position += 1
        if position == len(path):
            break
        count, end = count + 1, position
        position += 1
    return count, end


def _is(ref: DivisionRef, division: Division) -> bool:
    return division.kind in _KINDS.get(ref.kind, {ref.kind}) and _number_matches(ref.number, division.number)


def _narrowed(refs: tuple[DivisionRef, ...], passages: list[Passage]) -> Passage | None:
    """The clause or point the refs name, read out of the passages that hold it whole."""
    for passage in passages:
        lines = passage.text.split("\n")
        tree = build_tree([Unit(line, 0) for line in lines if line.strip()])
        node = _descend(tree, refs)
        if node is not None:
            trail = node[1]
            base = passage.path
            if base and "–" in base[-1].number and trail:  # "khoản 8–9" read again: it is khoản 8 of that article
                group = base[-1]
                base, trail = base[:-1], (Division(group.kind, trail[0].number, trail[0].heading), *trail[1:])
            return Passage(node[0].full_text(), passage.paragraph, passage.section, passage.id, passage.doc_id, (*base, *trail))
    return None


def _descend(root: Node, refs: tuple[DivisionRef, ...]):
    """Depth-first: the node matching refs[0] (at any depth), then refs[1] below it, and so on."""
    def walk(node: Node, trail: tuple[Division, ...]):
        for child in node.children:
            here = (*trail, child.division) if child.division is not None else trail
            yield child, here
            yield from walk(child, here)

    node, trail = root, ()
    for ref in refs:
        found = next(((n, t) for n, t in walk(node, trail) if n.division is not None and _is(ref, n.division)), None)
        if found is None:
            return None
        node, trail = found
    return node, trail


def _section_match(refs: tuple[DivisionRef, ...], passages: list[Passage]) -> list[Passage]:
    """Documents read without a formal header keep "Điều 5. ..." as the passages' section."""
    articles = [r for r in refs if r.kind == "dieu"]
    if not articles:
        return []
    pattern = re.compile(rf"^dieu {re.escape(articles[-1].number.lower())}\b")
    return [p for p in passages if not p.path and p.section and pattern.match(fold(p.section))]


def _same_division(path: tuple[Division, ...], prefix: tuple[Division, ...]) -> bool:
    """A grouped passage ("khoản 1–3") belongs to the division of its first member as well."""
    return len(path) >= len(prefix) and path[: len(prefix) - 1] == prefix[:-1] and _number_matches(prefix[-1].number, path[len(prefix) - 1].number) and path[len(prefix) - 1].kind == prefix[-1].kind


def _attached(path: tuple[Division, ...]) -> bool:
    return any(d.kind in ATTACHMENT_KINDS for d in path)


def _heading_match(refs: tuple[DivisionRef, ...], path: tuple[Division, ...]) -> int | None:
    """'Điều 24' of a regulation without articles of its own: the point whose heading cites Điều 24."""
    wanted = [f"dieu {r.number}" for r in refs if r.kind == "dieu"]
    if not wanted:
        return None
    for index, division in enumerate(path):
        heading = fold(division.heading)
        if any(re.search(rf"\b{re.escape(w)}\b", heading) for w in wanted):
            return index
    return None


def _number_matches(asked: str, number: str) -> bool:
    """'3' matches '3', 'III' and a group '2–4'; '4.1' matches '4.1'; letters as written."""
    if asked == number or asked.lower() == number.lower():
        return True
    if "–" in number:
        low, _, high = number.partition("–")
        a, lo, hi = _as_int(asked), _as_int(low), _as_int(high)
        if a is not None and lo is not None and hi is not None:
            return lo <= a <= hi
        if len(asked) == 1 and len(low) == 1 and len(high) == 1:
            return low <= asked.lower() <= high
        return False
    a, n = _as_int(asked), _as_int(number)
    return a is not None and a == n


def _as_int(number: str) -> int | None:
    if number.isdigit():
        return int(number)
    roman = number.upper()
    if roman and all(ch in _ROMAN for ch in roman):
        total = 0
        for ch, following in zip(roman, [*roman[1:], ""]):
            value = _ROMAN[ch]
            total += -value if following and _ROMAN[following] > value else value
        return total
    return None


def statuses(documents: list[Document]) -> dict[int, DocumentStatus]:
    """For each document another library document replaces, repeals or amends: by whom."""
    by_key: dict[str, list[Document]] = {}
    for document in documents:
        for key in code_keys(document.code):
            by_key.setdefault(key, []).append(document)
    replaced: dict[int, list[Document]] = {}
    amended: dict[int, list[Document]] = {}
    for document in documents:
        for relation in document.relations:
            refs = text_code_refs(relation.code)
            targets = {t.id: t for ref in refs for t in by_key.get(ref.keys()[0], []) if t.id != document.id}
            bucket = replaced if relation.kind in ("replaces", "repeals") else amended if relation.kind == "amends" else None
            if bucket is not None:
                for target_id in targets:
                    bucket.setdefault(target_id, []).append(document)
    ids = set(replaced) | set(amended)
    return {i: DocumentStatus(tuple(replaced.get(i, ())), tuple(amended.get(i, ()))) for i in ids}


def top_divisions(passages: list[Passage]) -> list[Division]:
    """The document's outermost divisions (chapters, parts, numbered sections, an attached text), in order."""
    return list(dict.fromkeys(p.path[0] for p in passages if p.path))


@dataclass(frozen=True)
class Article:
    """One entry of a document's outline: an article (Điều) or, where there are none, a top numbered section."""

    path: tuple[Division, ...]
    passages: tuple[Passage, ...]

    @property
    def label(self) -> str:
        return " › ".join(d.label() for d in self.path if d.label() and d.kind not in ("chuong", "phan", "muc"))

    @property
    def heading(self) -> str:
        return self.path[-1].heading if self.path else ""

    @property
    def first_id(self) -> int:
        return self.passages[0].id  # type: ignore[return-value]


def articles(passages: list[Passage]) -> list[Article]:
    """The document's passages grouped by article, in order: the Điều when it has them, else the divisions
    one level below its chapters or its first numbered level. Passages before the first division are left out."""
    has_articles = any(d.kind == "dieu" for p in passages for d in p.path)
    groups: list[tuple[tuple[Division, ...], list[Passage]]] = []
    for passage in passages:
        key = _article_key(passage.path, has_articles)
        if key is None or passage.id is None:
            continue
        if groups and groups[-1][0] == key:
            groups[-1][1].append(passage)
        else:
            groups.append((key, [passage]))
    return [Article(key, tuple(group)) for key, group in groups]


def _article_key(path: tuple[Division, ...], has_articles: bool) -> tuple[Division, ...] | None:
    for depth, division in enumerate(path):
        if has_articles and division.kind == "dieu":
            return path[: depth + 1]
        if not has_articles and division.kind not in ("annex", "phuluc", "chuong", "phan"):
            return path[: depth + 1]
    return path[:1] if path and not has_articles else None
