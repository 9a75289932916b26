"""The vocabulary of the whole project: what a file becomes, and what a search returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """One paragraph-like piece of text as a reader found it, before cleaning."""

    text: str
    heading: bool = False  # the format itself marked it as a heading (<h2>, docx "Heading 1", markdown "#")


@dataclass(frozen=True)
class ParsedFile:
    """What a reader extracts from one file: ordered blocks plus the title the format declares."""

    source: str  # file name as the user knows it (no directories)
    blocks: tuple[Block, ...]
    title: str | None = None  # <title>/<h1>, docx core title, markdown "# ..."; None when the format has none


@dataclass(frozen=True)
class Document:
    """One indexed source document. `id` is None until the store assigns one."""

    title: str
    source: str
    content_hash: str
    date: str | None = None  # ISO "YYYY-MM-DD"
    issuer: str | None = None
    codes: tuple[str, ...] = ()  # canonical document codes found in the title, e.g. "371-QĐ/TU"
    byline: str | None = None
    id: int | None = None
    added_at: str | None = None  # ISO timestamp, set by the store
    passage_count: int = 0


@dataclass(frozen=True)
class Passage:
    """One retrievable paragraph (or a sentence-bounded piece of a long one)."""

    text: str
    paragraph: int  # 1-based position among the document's passages
    section: str | None = None  # "ĐỔI MỚI PHƯƠNG THỨC ...", "Chương I ...", "Điều 5. ..."
    id: int | None = None  # global id, also the FAISS id; None until stored
    doc_id: int | None = None


@dataclass(frozen=True)
class SearchHit:
    """One ranked passage with everything needed to cite it."""

    rank: int
    score: float
    passage: Passage
    document: Document
    highlight: tuple[int, int] | None  # character offsets of the best-answering sentence in passage.text
    matched_terms: tuple[tuple[int, int], ...] = ()  # character spans of query words found in passage.text


@dataclass(frozen=True)
class SearchResult:
    query: str
    answered: bool
    took_ms: float
    hits: tuple[SearchHit, ...] = field(default_factory=tuple)
