"""Test helper: text in the legacy Vietnamese code page, as old Windows tools wrote it."""

import unicodedata


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
