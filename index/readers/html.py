"""HTML pages: visible article text as blocks, without scripts, menus and other page furniture."""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from index.documents import Block, ParsedFile
from index.readers.text import decode_text

_DROPPED = ("script", "style", "noscript", "template", "svg", "iframe", "object", "nav", "aside", "form")
_PAGE_FURNITURE = ("header", "footer")  # dropped unless inside an <article>/<main>, where they hold the article's title/date
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = _HEADINGS | {
    "p", "li", "blockquote", "td", "th", "div", "section", "article", "main", "ul", "ol", "dl", "dt", "dd",
    "table", "tr", "tbody", "thead", "tfoot", "figure", "figcaption", "pre", "address", "caption", "body",
}
_SPACES = re.compile(r"[^\S\n]+")
_WHITESPACE = re.compile(r"\s+")


def read_html(data: bytes, source: str) -> ParsedFile:
    """Title from <title> (or the first <h1>); h1–h6 are heading blocks; <br> stays a line break in its block."""
    tree = LexborHTMLParser(decode_text(data))
    title = _title(tree)
    for node in tree.css(", ".join(_DROPPED)):
        node.decompose()
    for node in tree.css(", ".join(_PAGE_FURNITURE)):
        if not _inside(node, ("article", "main")):
            node.decompose()
    blocks = tuple(_element_blocks(tree.body, heading=False)) if tree.body is not None else ()
    return ParsedFile(source=source, blocks=blocks, title=title)


def _title(tree: LexborHTMLParser) -> str | None:
    """The <title>, unless it is the <h1> plus a site name ("Tiêu đề - Báo X"): then the <h1>."""
    title_node = tree.css_first("title")
    h1_node = tree.css_first("h1")
    title = _clean(title_node.text()) if title_node is not None else ""
    h1 = _clean(h1_node.text()).replace("\n", " ") if h1_node is not None else ""
    if h1 and (not title or (title != h1 and title.startswith(h1))):
        return h1
    return title or None


def _element_blocks(root: LexborNode, heading: bool) -> Iterator[Block]:
    """Document order; inline text gathers in a buffer until a block element ends it (so a div's own text is a block).

    A block element starts a buffer of its own; an inline one shares its parent's. Iterative, so a page
    nested thousands of levels deep is read like any other.
    """
    stack = [(root.iter(include_text=True), [], heading, True)]  # (children, buffer, heading, owns the buffer)
    while stack:
        children, buffer, in_heading, owns_buffer = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if owns_buffer:
                yield from _flush(buffer, in_heading)
            continue
        tag = child.tag
        if tag == "-text":
            buffer.append(_WHITESPACE.sub(" ", child.text_content or ""))
        elif tag == "br":
            buffer.append("\n")
        elif tag in _BLOCKS:
            yield from _flush(buffer, in_heading)
            stack.append((child.iter(include_text=True), [], in_heading or tag in _HEADINGS, True))
        elif child.is_element_node:
            stack.append((child.iter(include_text=True), buffer, in_heading, False))


def _flush(buffer: list[str], heading: bool) -> Iterator[Block]:
    text = _clean("".join(buffer))
    buffer.clear()
    if text:
        yield Block(text.replace("\n", " ") if heading else text, heading=heading)


def _clean(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _inside(node: LexborNode, tags: tuple[str, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False
