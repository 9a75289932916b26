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
_NON_ASCII_BYTES = bytes(range(128, 256))
_MAX_BROKEN_SHARE = 10  # UTF-8 text may have one broken sequence per ten well-formed non-ASCII characters
_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*)$")  # closing #s are cut by _heading_text: no backtracking
_MD_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_MD_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_MD_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MD_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_MD_QUOTE = re.compile(r"^\s*>\s?")
# Inline spans never hold their own delimiter, so a failed match stops at the next one: linear on long lines.
_MD_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
_MD_LINK = re.compile(r"\[([^\[\]]+)\]\([^()]*\)")
_MD_EMPHASIS = re.compile(
    r"\*\*(?=[^\s()])([^*]+?)(?<=[^\s()])\*\*|\*(?=[^\s()])([^*]+?)(?<=[^\s()])\*"
    r"|~~(?=[^\s()])([^~]+?)(?<=[^\s()])~~|`(?=[^\s()])([^`]+?)(?<=[^\s()])`"
)
_MD_UNDERSCORE_EMPHASIS = re.compile(r"(?<!\w)__(?=\S)([^_]+?)(?<=\S)__(?!\w)|(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)")


def has_bom(data: bytes) -> bool:
    return any(data.startswith(bom) for bom, _ in _BOMS)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM, even with a few broken bytes), UTF-16/32 with BOM, else Windows-1258; always NFC.

    Windows-1258 writes tone marks as separate combining characters, hence the NFC.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            break
    else:
        text = _decode_without_bom(data)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    return unicodedata.normalize("NFC", text)


def _decode_without_bom(data: bytes) -> str:
    """UTF-8 unless it breaks on a good share of the non-ASCII bytes, as Windows-1258 text does (its accented
    letters are single bytes that UTF-8 rejects); a few broken bytes in UTF-8 text become U+FFFD."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    ascii_bytes = len(data.translate(None, _NON_ASCII_BYTES))
    well_formed = len(text) - ascii_bytes - broken  # non-ASCII characters UTF-8 decoded cleanly
    if broken * _MAX_BROKEN_SHARE <= well_formed:
        return text
    return data.decode("cp1258", errors="replace")


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
            text = _strip_inline(_heading_text(heading.group(2)))
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


def _heading_text(text: str) -> str:
    """'Tiêu đề ##' -> 'Tiêu đề': closing hashes count only after a space ('C#' stays)."""
    text = text.strip()
    without_hashes = text.rstrip("#")
    if without_hashes != text and without_hashes and without_hashes[-1].isspace():
        return without_hashes.rstrip()
    return text


def _span_text(match: re.Match[str]) -> str:
    return match.group(match.lastindex or 0)


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
        previous, text = text, _MD_UNDERSCORE_EMPHASIS.sub(_span_text, _MD_EMPHASIS.sub(_span_text, text))
    return text.strip()
