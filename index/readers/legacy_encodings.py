"""Vietnamese typed in the 8-bit fonts of the 1990s, read back as Unicode.

Text typed with a TCVN3 (ABC, ".VnTime"), VNI ("VNI-Times") or VISCII font is stored as the font's byte codes;
Word, PDF text layers and editors then show those bytes as Windows-1252 characters: "Céng hoµ x· héi" (TCVN3),
"Coäng hoøa xaõ hoäi" (VNI). We turn the characters back into the bytes and the bytes into Unicode, word by
word, keeping a word only when the decoded one is a Vietnamese syllable and the original is not, so a page
mixing a Unicode header with a legacy-font body comes out whole.

Tables: TCVN 5712:1993 (VN1, whose A1–FF range is VN3 = TCVN3/ABC), VISCII (RFC 1456), and VNI for Windows
(a base letter followed by one mark byte, e.g. "a" + "ù" = á).
"""

from __future__ import annotations

import re
import unicodedata

from index.readers.legibility import Legibility, legibility

__all__ = ["ENCODINGS", "decode", "repair_text", "repair_bytes"]

ENCODINGS = ("tcvn3", "vni", "viscii")

# TCVN 5712:1993 VN1: 0x80–0xFF (0xA0 is no-break space), plus uppercase letters in seven C0 slots.
_TCVN_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịò"
    "ỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹýỵỐ"
)
_TCVN_LOW = {0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ", 0x12: "Ự",
             0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ"}
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲÕắằặấầẩậẽẹếềểễệốồổỗỠƠộờởịỰỨỪỬơớƯ"
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳĐứÒÓÔạỷừửÙÚỹỵÝỡưàáâãảăữẫèéêẻìíĩỉđựòóôõỏọụùúũủýợỮ"
)
_VISCII_LOW = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"}


def _table(high: str, low: dict[int, str]) -> str:
    assert len(high) == 128
    chars = [chr(code) for code in range(128)]
    for code, char in low.items():
        chars[code] = char
    return "".join(chars) + high


_TCVN3_TABLE = _table(_TCVN_HIGH, _TCVN_LOW)
_VISCII_TABLE = _table(_VISCII_HIGH, _VISCII_LOW)

# VNI: marks after a vowel, as Windows-1252 shows the mark bytes. Lowercase marks; uppercase is the same letter upper.
_VNI_TONES = {"ø": "\u0300", "ù": "\u0301", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_HAT = {"â": ("\u0302", None), "á": ("\u0302", "\u0301"), "à": ("\u0302", "\u0300"), "å": ("\u0302", "\u0309"),
            "ã": ("\u0302", "\u0303"), "ä": ("\u0302", "\u0323")}
_VNI_BREVE = {"ê": ("\u0306", None), "é": ("\u0306", "\u0301"), "è": ("\u0306", "\u0300"), "ú": ("\u0306", "\u0309"),
              "ü": ("\u0306", "\u0303"), "ë": ("\u0306", "\u0323")}
_VNI_LETTERS = {"ô": "ơ", "ö": "ư", "ñ": "đ", "ó": "ĩ", "ò": "ị", "æ": "ỉ", "î": "ỵ"}  # single bytes that are letters
_VNI_MARK = "".join(_VNI_TONES) + "".join(_VNI_HAT) + "".join(_VNI_BREVE)
_VNI_SEQUENCE = re.compile(
    rf"([aeiouyAEIOUYôöÔÖ])([{_VNI_MARK}{_VNI_MARK.upper()}])|([{''.join(_VNI_LETTERS)}{''.join(_VNI_LETTERS).upper()}])"
)


def _decode_vni(raw: bytes) -> str:
    return _VNI_SEQUENCE.sub(_vni_replacement, raw.decode("cp1252", errors="replace"))


def _vni_replacement(match: re.Match[str]) -> str:
    if match.group(3):
        letter = match.group(3)
        decoded = _VNI_LETTERS[letter.lower()]
        return decoded.upper() if letter.isupper() else decoded
    base, mark = match.group(1), match.group(2).lower()
    upper = base.isupper()
    base = {"ô": "ơ", "ö": "ư"}.get(base.lower(), base.lower())
    if mark in _VNI_TONES:
        marks = (_VNI_TONES[mark],)
    else:
        shape, tone = _VNI_HAT.get(mark) or _VNI_BREVE[mark]
        if (shape == "\u0302" and base not in "aeo") or (shape == "\u0306" and base != "a"):
            return match.group(0)
        marks = (shape, tone) if tone else (shape,)
    letter = unicodedata.normalize("NFC", base + "".join(marks))
    return letter.upper() if upper else letter


def decode(raw: bytes, encoding: str) -> str:
    """Bytes typed in a legacy font, as Unicode (NFC)."""
    if encoding == "tcvn3":
        return raw.decode("latin-1").translate(_TCVN3_TABLE_MAP)
    if encoding == "viscii":
        return raw.decode("latin-1").translate(_VISCII_TABLE_MAP)
    if encoding == "vni":
        return unicodedata.normalize("NFC", _decode_vni(raw))
    raise ValueError(encoding)


_TCVN3_TABLE_MAP = {code: char for code, char in enumerate(_TCVN3_TABLE) if chr(code) != char}
_VISCII_TABLE_MAP = {code: char for code, char in enumerate(_VISCII_TABLE) if chr(code) != char}


def _as_bytes(word: str) -> bytes | None:
    """The bytes a Windows-1252 (or Latin-1, for C1 controls) reading turned into these characters; None if none did."""
    out = bytearray()
    for char in word:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                return None
            out.append(ord(char))
    return bytes(out)


_WORDS = re.compile(r"\S+")


def _decode_words(line: str, encoding: str) -> str:
    """Every word that a Windows-1252 reading could have produced, decoded; the others (real Unicode) kept."""

    def replace(match: re.Match[str]) -> str:
        raw = _as_bytes(match.group(0))
        return match.group(0) if raw is None or raw.isascii() else decode(raw, encoding)

    return _WORDS.sub(replace, line)


def _repair_lines(text: str, encoding: str) -> str:
    """A line is decoded when that makes more of its words Vietnamese: a Unicode line stays as it is."""
    lines = []
    for line in text.split("\n"):
        decoded = _decode_words(line, encoding)
        if decoded != line and _balance(legibility(decoded)) > _balance(legibility(line)):
            line = decoded.upper() if _all_caps_ascii(line) else decoded  # TCVN3 capital fonts reuse lowercase codes
        lines.append(line)
    return "\n".join(lines)


def _balance(score: Legibility) -> int:
    return 2 * score.valid - score.words


def _all_caps_ascii(line: str) -> bool:
    letters = [ch for ch in line if "a" <= ch.lower() <= "z"]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def repair_text(text: str) -> tuple[str, str | None]:
    """(text, None) when it reads well or no legacy encoding helps; else (decoded text, encoding name)."""
    before = legibility(text)
    if before.legible:
        return text, None
    best: tuple[Legibility, str, str] | None = None
    for encoding in ENCODINGS:
        candidate = _repair_lines(text, encoding)
        score = legibility(candidate)
        if best is None or score.share > best[0].share:
            best = (score, candidate, encoding)
    if best is not None and best[0].legible and best[0].share > before.share:
        return best[1], best[2]
    return text, None


def repair_bytes(data: bytes, text: str) -> tuple[str, str | None]:
    """For a plain-text file whose `text` (as decoded) does not read well: its bytes read in a legacy encoding."""
    if legibility(text).legible:
        return text, None
    repaired, encoding = repair_text(data.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n"))
    if encoding is None or legibility(repaired).share <= legibility(text).share:
        return text, None
    return repaired, encoding
