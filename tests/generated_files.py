"""Builders of test input files: legacy Vietnamese code page text, raw PDFs, .docx."""

import io
import unicodedata
from typing import Callable

import docx


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 writes Vietnamese: base letter with its hat/horn, the tone as a combining mark."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in tones))
            out.append((base + "".join(p for p in parts if p in tones)).encode("cp1258"))
    return b"".join(out)


def pdf_bytes(objects: list[str], root: int = 1, extra_trailer: str = "") -> bytes:
    """A PDF from object bodies (numbered from 1) with a correct xref table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R{extra_trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def docx_bytes(build: Callable[[docx.document.Document], object]) -> bytes:
    """A real .docx written by python-docx after `build` fills the document."""
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
