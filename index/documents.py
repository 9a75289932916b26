"""The vocabulary of the whole project: what a file becomes, and what a search returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """One paragraph-like piece of text as a reader found it, before cleaning."""

    text: str
    heading: bool = False  # the format itself marked it as a heading (<h2>, docx "Heading 1", markdown "#")


TEXT_LAYER, DECODED, OCR = "text", "decoded", "ocr"  # where a file's text came from (ParsedFile.text_source)
# A number the scan shows but nobody can read (written by hand, "Số: 813/HC-CNHC" with "813" in ink): the
# document's code keeps what is legible, "…/HC-CNHC", so a question naming the number can still find it.
ILLEGIBLE_NUMBER = "…"


@dataclass(frozen=True)
class DigitalSignature:
    """An electronic signature a PDF carries (its signature dictionary): who signed, and when."""

    signer: str  # "Phạm Minh Hà", or the body for an organisation's stamp ("BỘ XÂY DỰNG")
    signed_on: str | None = None  # ISO date of the signing
    location: str | None = None
    visible: bool = False  # printed on the page ("Ký bởi: ... Thời gian ký: ..."), not only in the file's signature data


@dataclass(frozen=True)
class ParsedFile:
    """What a reader extracts from one file: ordered blocks plus the title the format declares.

    Block lines keep the file's own line breaks where they carry layout (PDF text layers, OCR, plain text):
    side-by-side columns on one printed line are separated by runs of three or more spaces.
    """

    source: str  # file name as the user knows it (no directories)
    blocks: tuple[Block, ...]
    title: str | None = None  # <title>/<h1>, docx core title, markdown "# ..."; None when the format has none
    text_source: str = TEXT_LAYER  # TEXT_LAYER, DECODED (legacy font encoding converted) or OCR (some pages read by OCR)
    pages: int = 0  # pages read, for formats that have pages
    signatures: tuple[DigitalSignature, ...] = ()  # e-signed PDFs: the signature dictionaries, in signing order


@dataclass(frozen=True)
class Division:
    """One level of a formal document's structure: "Chương II", "Điều 7", "khoản 2", "II.", "1.1.", "a)"."""

    kind: str  # one of DIVISION_KINDS
    number: str  # canonical: "II" (roman, upper), "7", "1.1", "a" (letters lower), "" when unnumbered
    heading: str = ""  # the division's own title as written ("Phạm vi điều chỉnh"), if any

    def label(self) -> str:
        """How a citation names it: "Chương II", "Điều 7", "khoản 2", "điểm a", "Mục I", "1.1", "Phụ lục 2"."""
        if self.kind == "annex":  # a model form ("Mẫu số 05"), or a text attached after the closing (its title)
            return f"Mẫu số {self.number}" if self.number else self.heading
        named = DIVISION_NAMES.get(self.kind)
        if named is not None:
            return f"{named} {self.number}".strip()
        if self.kind == "letter":
            return f"{self.number})"
        if self.kind == "paren":
            return f"({self.number})"
        return self.number


# Division kinds: the legal scheme (Phần / Chương / Mục / Điều / khoản / điểm), the numbered scheme of
# resolutions, plans and instructions (I. / 1. / 1.1. / a) / (1)), and attachments.
DIVISION_NAMES = {
    "phan": "Phần", "chuong": "Chương", "muc": "Mục", "dieu": "Điều", "khoan": "khoản", "diem": "điểm",
    "phuluc": "Phụ lục", "annex": "",
}
DIVISION_KINDS = (*DIVISION_NAMES, "roman", "number", "letter", "paren")
ATTACHMENT_KINDS = frozenset({"phuluc", "annex"})  # what is attached to a document: its own Điều are not the document's


@dataclass(frozen=True)
class Relation:
    """What a document says of another: it replaces, amends or implements it."""

    kind: str  # "replaces", "amends", "implements"
    code: str  # the other document's number as written, e.g. "87-QĐ/TU"
    text: str = ""  # the sentence that says so


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
    # Formal documents (index/formal/): read off the header and the closing; None for news-style reports.
    doc_type: str | None = None  # "Quy định", "Luật", "Công văn", ...
    code: str | None = None  # số hiệu as written: "294-QĐ/TW", "42/2024/QH15"; None when absent or blank
    unnumbered: bool = False  # the number line is there but blank (a draft or an unissued copy)
    place: str | None = None  # "Hà Nội"
    subject: str | None = None  # "Thi hành Điều lệ Đảng", "V/v cấp Giấy phép ...", a law's name
    signer: str | None = None  # "Tô Lâm"; several signers joined by "; "
    signer_title: str | None = None  # "T/M Ban Chấp hành Trung ương, Tổng Bí thư"
    effective: str | None = None  # "có hiệu lực thi hành từ ngày 01/7/2025", as written
    relations: tuple[Relation, ...] = ()
    text_source: str = TEXT_LAYER  # see ParsedFile.text_source: OCR'd documents say so in citations
    # Who may read it (index/audience.py): None until the library stores it (the audience chosen, else its
    # previous version's, else the library's default); always set on a stored document.
    audience: str | None = None


@dataclass(frozen=True)
class Passage:
    """One retrievable paragraph (or a sentence-bounded piece of a long one)."""

    text: str
    paragraph: int  # 1-based position among the document's passages
    section: str | None = None  # "ĐỔI MỚI PHƯƠNG THỨC ...", "Chương I ...", "Điều 5. ..."
    id: int | None = None  # global id, also the FAISS id; None until stored
    doc_id: int | None = None
    path: tuple[Division, ...] = ()  # where it sits in a formal document, outermost first; () otherwise

    def path_label(self) -> str:
        """ "Chương II › Điều 7 › khoản 2" ("" outside a formal structure)."""
        return " › ".join(d.label() for d in self.path if d.label())


@dataclass(frozen=True)
class SearchHit:
    """One ranked passage with everything needed to cite it."""

    rank: int
    score: float
    passage: Passage
    document: Document
    highlight: tuple[int, int] | None  # character offsets of the best-answering sentence in passage.text
    matched_terms: tuple[tuple[int, int], ...] = ()  # character spans of query words found in passage.text
    kind: str = "passage"  # "passage"; "division" (a whole article the question named); "document" (its card)
    status: str | None = None  # "đã bị thay thế bởi ..." when another library document replaces this one


@dataclass(frozen=True)
class SearchResult:
    query: str
    answered: bool
    took_ms: float
    hits: tuple[SearchHit, ...] = field(default_factory=tuple)
    missing: tuple[str, ...] = ()  # documents the question names that the library does not hold ("Quy định 371-QĐ/TU")
