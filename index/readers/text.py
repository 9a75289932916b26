"""Plain text and Markdown: decode whatever encoding Vietnamese files come in, split into blocks."""

from __future__ import annotations

import codecs
import re
import unicodedata

from index.documents import Block, ParsedFile

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_MD_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_MD_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MD_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_MD_QUOTE = re.compile(r"^\s*>\s?")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|\*|~~|`)(?=[^\s()])(.+?)(?<=[^\s()])\1")
_MD_UNDERSCORE_EMPHASIS = re.compile(r"(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\1(?!\w)")


def has_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _ in _BOMS)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 with BOM, else Windows-1258; always NFC.

    Windows-1258 writes tone marks as separate combining characters, hence the NFC.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1258", errors="replace")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    return unicodedata.normalize("NFC", text)


def read_text(data: bytes, source: str) -> ParsedFile:
    """Blocks are separated by blank lines; a file without any blank line has one block per line."""
    return ParsedFile(source=source, blocks=tuple(Block(text) for text in _paragraphs(decode_text(data).split("\n"))))


def read_markdown(data: bytes, source: str) -> ParsedFile:
    """Like text, plus '#' headings (the first '# ' one is the title) and without emphasis markers."""
    lines = decode_text(data).split("\n")
    blocks: list[Block] = []
    title: str | None = None
    paragraph: list[str] = []
    in_fence = False
    one_line_paragraphs = not _has_blank_line(lines)

    def flush() -> None:
        text = "\n".join(_strip_inline(line) for line in paragraph).strip()
        if text:
            blocks.append(Block(text))
        paragraph.clear()

    for raw in lines:
        line = raw.rstrip()
        if _MD_FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            paragraph.append(line)
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            text = _strip_inline(heading.group(2))
            if text:
                blocks.append(Block(text, heading=True))
                if title is None and len(heading.group(1)) == 1:
                    title = text
            continue
        if paragraph and len(paragraph) == 1 and _MD_SETEXT.match(line) and not _MD_LIST_ITEM.match(paragraph[0]):
            text = _strip_inline(paragraph.pop())
            blocks.append(Block(text, heading=True))
            if title is None and line.lstrip().startswith("="):
                title = text
            continue
        if _MD_RULE.match(line) or not line.strip():
            flush()
            continue
        line = _MD_QUOTE.sub("", line)
        if one_line_paragraphs or _MD_LIST_ITEM.match(line):
            flush()
        paragraph.append(_MD_LIST_ITEM.sub(_list_marker, line))
    flush()
    return ParsedFile(source=source, blocks=tuple(blocks), title=title)


def _list_marker(match: re.Match[str]) -> str:
    """'* item' and '+ item' read as '- item' (a star is not emphasis here); numbers stay."""
    marker = match.group(0).strip()
    return "- " if marker in "*+-" else marker + " "


def _has_blank_line(lines: list[str]) -> bool:
    """A blank line between two non-blank ones: the writer separates paragraphs with blank lines."""
    seen_text = False
    pending_blank = False
    for line in lines:
        if line.strip():
            if pending_blank and seen_text:
                return True
            seen_text = True
            pending_blank = False
        else:
            pending_blank = True
    return False


def _paragraphs(lines: list[str]) -> list[str]:
    if not _has_blank_line(lines):
        return [line.strip() for line in lines if line.strip()]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return paragraphs


def _strip_inline(text: str) -> str:
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    previous = None
    while previous != text:
        previous, text = text, _MD_UNDERSCORE_EMPHASIS.sub(r"\2", _MD_EMPHASIS.sub(r"\2", text))
    return text.strip()
