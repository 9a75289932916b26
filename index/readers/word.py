"""Word 97–2003 .doc (through antiword) and .rtf (through striprtf): paragraphs and table cells in reading order.

antiword's DocBook output (`-x db`) keeps what its text output flattens: one <para> per paragraph and one
<entry> per table cell, so a .doc gives the same blocks as the same document saved as .docx.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from lxml import etree
from striprtf.striprtf import rtf_to_text

from index.documents import Block, ParsedFile
from index.errors import CorruptFile, MissingTool, UnsupportedFile

log = logging.getLogger(__name__)

ANTIWORD_SECONDS = 60
_PICTURE = re.compile(r"^\s*\[pic\]\s*$", re.MULTILINE)
_CODE_PAGE = re.compile(rb"\\ansicpg(\d{3,5})")
_RTF_CELL_SEPARATOR = "   "


def read_doc(data: bytes, source: str) -> ParsedFile:
    if shutil.which("antiword") is None:
        raise MissingTool("Cần cài antiword để đọc tệp Word .doc cũ (apt-get install antiword).")
    with tempfile.TemporaryDirectory(prefix="vankien-doc-") as folder:
        path = Path(folder) / "document.doc"
        path.write_bytes(data)
        try:
            done = subprocess.run(["antiword", "-x", "db", "-m", "UTF-8.txt", str(path)], capture_output=True,
                                  timeout=ANTIWORD_SECONDS)
        except subprocess.TimeoutExpired as error:
            raise CorruptFile(f"Tệp {source} quá phức tạp, không đọc được.") from error
    if done.returncode != 0 or not done.stdout.strip():
        message = done.stderr.decode("utf-8", errors="replace")
        log.debug("antiword failed on %s: %s", source, message)
        if "not a Word Document" in message or "Rich Text Format" in message:
            raise UnsupportedFile(f"Tệp {source} là định dạng Word/Excel cũ nhưng không phải văn bản Word "
                                  "(có thể là Excel hoặc PowerPoint); hãy lưu thành .docx hoặc .pdf rồi gửi lại.")
        if "encrypted" in message.lower():
            raise CorruptFile.password_protected(source)
        raise CorruptFile.unreadable(source)
    return ParsedFile(source=source, blocks=tuple(docbook_blocks(done.stdout)))


def docbook_blocks(xml: bytes) -> Iterator[Block]:
    """Blocks from antiword's DocBook: a paragraph each <para>, a table cell each <entry>, a heading each <title>."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)
    root = etree.fromstring(xml, parser)
    if root is None:
        return
    for element in root.iter("para", "entry", "title"):
        if element.tag == "title" and element.getparent() is not None and element.getparent().tag in ("book", "bookinfo"):
            continue  # the file's metadata title (often mis-encoded), not the text
        if element.tag == "para" and _inside(element, "entry"):
            continue  # read with its cell
        if element.tag != "entry" and element.find(".//informaltable") is not None:
            continue  # a paragraph holding a table: its cells are the blocks
        text = _text(element)
        if text:
            yield Block(text, heading=element.tag == "title")


def _inside(element: etree._Element, tag: str) -> bool:
    return any(ancestor.tag == tag for ancestor in element.iterancestors())


def _text(element: etree._Element) -> str:
    text = _PICTURE.sub("", "".join(element.itertext()))
    lines = [" ".join(line.split()) for line in unicodedata.normalize("NFC", text).split("\n")]
    return "\n".join(line for line in lines if line)


def read_rtf(data: bytes, source: str) -> ParsedFile:
    """One block per paragraph; a table row is one line, its cells apart by a run of spaces."""
    match = _CODE_PAGE.search(data[:4096])
    encoding = f"cp{match.group(1).decode()}" if match else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    try:
        text = rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")
    except Exception as error:  # striprtf raises plain exceptions on broken groups
        log.debug("striprtf failed on %s: %r", source, error)
        raise CorruptFile(f"Tệp {source} bị hỏng, không đọc được.") from error
    blocks = []
    for line in unicodedata.normalize("NFC", text).replace("\r", "\n").split("\n"):
        if "|" in line:
            line = _RTF_CELL_SEPARATOR.join(cell.strip() for cell in line.split("|") if cell.strip())
        if line.strip():
            blocks.append(Block(line.strip()))
    return ParsedFile(source=source, blocks=tuple(blocks))
