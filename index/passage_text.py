"""What the indexes read of a document: the text both channels index for each passage, and the texts the
diacritic model counts. The write path (index/segment_writer.py) indexes them; the search reads them again."""

from __future__ import annotations

from index.documents import Document, Passage


def context_text(document: Document, passage: Passage) -> str:
    """What both channels index: title, then the passage's path with its headings (or its section), so an
    article is found by its regulation and a clause by its article."""
    parts = [document.title]
    if passage.path:
        parts.append(" › ".join(f"{d.label()} {d.heading}".strip() for d in passage.path))
    elif passage.section and passage.section != document.title:
        parts.append(passage.section)
    parts.append(passage.text)
    return "\n".join(parts)


def restorer_texts(document: Document, passages: list[Passage]) -> list[str]:
    """What the diacritic model learns from a document: its title and its passages."""
    return [document.title, *(p.text for p in passages)]
