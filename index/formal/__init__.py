"""Formal documents (quy định, nghị quyết, luật, nghị định, công văn, ...): header, structure, closing.

    lines.py      blocks -> printed lines with their column segments
    header.py     issuing body, number, place and date, type, subject
    structure.py  Phần / Chương / Mục / Điều / khoản / điểm and I. / 1. / 1.1. / a) -> a tree -> passages
    closing.py    signature block and recipients (not passages)
    relations.py  replaces / repeals / amends / implements, effective date
    naming.py     the issuer's name and the title a citation uses
    urgency.py    the độ khẩn stamp (KHẨN, HỎA TỐC) under the number: a line of its own, no type, no title
"""

from __future__ import annotations

from pathlib import PurePath

from index.documents import OCR, Block, DigitalSignature, Division, Document, ParsedFile, Passage
from index.errors import EmptyDocument
from index.formal.closing import Closing, find_closing
from index.formal.header import read_header
from index.formal.lines import Line, formal_lines
from index.formal.names import looks_like_person
from index.formal.naming import citation_title, issuer_name
from index.formal.relations import effective_clause, find_relations
from index.formal.respelling import BodySpelling
from index.formal.structure import build_tree, tree_passages, units_of
from index.vietnamese import find_codes

__all__ = ["read_formal", "structured_passages"]

_LEGAL_DIVISIONS = {"dieu", "chuong", "phan"}


def read_formal(parsed: ParsedFile, content_hash: str, max_chars: int) -> tuple[Document, list[Passage]] | None:
    """The Document and its structured passages, or None when the file does not have a formal header."""
    lines = formal_lines(parsed.blocks)
    header = read_header(lines)
    if not header.is_formal:
        return None
    if header.body_remainder is not None:
        run_on = lines[header.body_start]
        lines[header.body_start] = Line((header.body_remainder,), run_on.block, True)
    if parsed.text_source == OCR:  # capitals lose their tone marks to OCR more often than the body's words do
        spelling = BodySpelling(" ".join(line.text for line in lines[header.body_start :]))
        header.issuer_lines = [spelling.respell(text) for text in header.issuer_lines]
        header.subject_lines = [spelling.respell(text) for text in header.subject_lines]
    parts = _parts(lines, header.body_start)
    signers: list[str] = []
    titles: list[str] = []
    pieces: list[tuple[tuple[Division, ...], str | None, str]] = []
    for number, (start, end, closing) in enumerate(parts):
        if closing is not None and number == 0:
            signers, titles = closing.signers, closing.signer_titles
        body_end = closing.start if closing is not None else end
        root_division, start = _annex(lines, start, body_end) if number > 0 else (None, start)
        tree = build_tree(units_of(lines[start:body_end]), root_division)
        pieces += tree_passages(tree, max_chars)
    if not pieces:
        raise EmptyDocument(f"Tệp {parsed.source} không có đoạn văn nào để lưu.")
    if not signers and (person := _signing_person(parsed.signatures)) is not None:
        signers = [person]  # an e-signed copy: the closing shows no name, the signature dictionary does
    date = _stamped_date(header.date, parsed.signatures, header.date_unreadable)
    issuer = issuer_name(header.issuer_lines, header.issuer_clarification)
    subject = header.subject
    title = citation_title(header.doc_type, header.code, issuer, subject, header.session) or subject or PurePath(parsed.source).stem
    texts = [text for _, _, text in pieces]
    passages = [Passage(text=text, paragraph=i, section=section, path=path) for i, (path, section, text) in enumerate(pieces, start=1)]
    codes = list(dict.fromkeys([*( [header.code] if header.code else []), *find_codes(title)]))
    document = Document(
        title=title, source=parsed.source, content_hash=content_hash, date=date, issuer=issuer,
        codes=tuple(codes), passage_count=len(passages), doc_type=header.doc_type, code=header.code,
        unnumbered=header.has_number_line and header.code is None, place=header.place, subject=subject,
        signer="; ".join(signers) or None, signer_title="; ".join(titles) or None,
        effective=effective_clause(texts), relations=find_relations(texts, subject), text_source=parsed.text_source,
    )
    return document, passages


def _signing_person(signatures: tuple[DigitalSignature, ...]) -> str | None:
    """The last person to sign electronically (the issuing body's own stamp, in capitals, comes after them)."""
    people = [s.signer for s in signatures if looks_like_person(s.signer)]
    return people[-1] if people else None


def _stamped_date(date: str | None, signatures: tuple[DigitalSignature, ...], unreadable: bool) -> str | None:
    """A date left blank in the header ("ngày   tháng 6 năm 2026") is the day of the issuing body's e-signature
    stamp printed on the page ("Ký bởi: Bộ Công Thương / Thời gian ký: 02.04.2026"), when that day agrees with
    what the header does say. The signature data alone (not shown on the page) only replaces a day or month
    that is written but unreadable ("ngày15 tháng 54": the e-office system printed over the blanks)."""
    if date is not None and len(date) == 10:
        return date
    stamps = [s.signed_on for s in signatures if (s.visible or unreadable) and s.signed_on and not looks_like_person(s.signer)]
    stamped = stamps[-1] if stamps else None
    if stamped and (date is None or stamped.startswith(date)):
        return stamped
    return date


def structured_passages(blocks: list[Block], max_chars: int) -> list[Passage] | None:
    """Passages that follow the Chương / Điều structure of a text without a formal header (a regulation
    pasted without its header, a web page of a law); None when it has fewer than two articles or chapters,
    so reports and news keep their paragraph passages."""
    tree = build_tree(units_of(formal_lines(blocks)))
    divisions = [n for n in _walk_divisions(tree) if n.division is not None and n.division.kind in _LEGAL_DIVISIONS]
    if len(divisions) < 2:
        return None
    pieces = tree_passages(tree, max_chars)
    return [Passage(text=text, paragraph=i, section=section, path=path) for i, (path, section, text) in enumerate(pieces, start=1)]


def _walk_divisions(node):
    for child in node.children:
        yield child
        yield from _walk_divisions(child)


def _parts(lines: list[Line], start: int) -> list[tuple[int, int, Closing | None]]:
    """The document and what is attached after its closing (a Quy chế, a Phụ lục), each with its own closing."""
    parts: list[tuple[int, int, Closing | None]] = []
    position = start
    while position < len(lines):
        closing = find_closing(lines, position, len(lines))
        if closing is None:
            parts.append((position, len(lines), None))
            break
        parts.append((position, closing.end, closing))
        position = closing.end
    return parts


def _annex(lines: list[Line], start: int, end: int) -> tuple[Division | None, int]:
    """An attached text after the closing: with its own header ('QUY CHẾ / Quản lý ...') it is one division."""
    header = read_header(lines[start:end])
    if header.doc_type is not None and header.subject:
        heading = f"{header.doc_type} {header.subject[:1].lower()}{header.subject[1:]}"
        return Division("annex", "", heading), start + header.body_start
    return None, start
