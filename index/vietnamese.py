"""Vietnamese text for matching: NFC, one tone-mark convention, diacritic folding, tokens, document codes.

Shown text is never changed by this module's matching forms: they only feed the indexes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from index.document_types import CODE_LETTERS

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = set("aăâeêioôơuưy")
_SHAPED_VOWELS = set("ăâêôơư")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def normalize_text(text: str) -> str:
    """NFC and collapsed spaces: the form passage text is stored and shown in."""
    text = unicodedata.normalize("NFC", text)
    return _SPACES_RE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower-case, strip every diacritic, đ→d: how people type without a Vietnamese keyboard."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d")


def is_all_caps(text: str) -> bool:
    """A line of capitals (a heading, a header name): two words or more, six letters or more, at least 80 % of
    them upper case (a stray lower-case OCR letter or "và" inside "BỘ CÔNG THƯƠNG VÀ ..." allowed)."""
    letters = [ch for ch in text if ch.isalpha()]
    upper = sum(1 for ch in letters if ch.isupper())
    return len(text.split()) >= 2 and len(letters) >= 6 and upper >= 0.8 * len(letters)


def has_diacritics(word: str) -> bool:
    return fold(word) != word.lower()


def _split_tone(syllable: str) -> tuple[str, str | None]:
    """Return the syllable without its tone mark (NFC, shapes kept) and the tone mark, if any."""
    tone = None
    kept = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONE_MARKS:
            tone = tone or ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(bare: str) -> int | None:
    """Index of the letter carrying the tone, by the traditional rule (hòa, thúy, quý, giá, người)."""
    start = 0
    if bare.startswith("qu"):
        start = 2
    elif bare.startswith("gi") and len(bare) > 2 and bare[2] in _VOWELS:
        start = 2
    vowel_positions = [i for i in range(start, len(bare)) if bare[i] in _VOWELS]
    if not vowel_positions:
        vowel_positions = [i for i, ch in enumerate(bare) if ch in _VOWELS]  # "gì", "qu" alone
        if not vowel_positions:
            return None
    first = vowel_positions[0]
    nucleus = []
    for i in range(first, len(bare)):
        if bare[i] not in _VOWELS:
            break
        nucleus.append(i)
    shaped = [i for i in nucleus if bare[i] in _SHAPED_VOWELS]
    if shaped:
        return shaped[-1]
    has_final = nucleus[-1] < len(bare) - 1
    if len(nucleus) == 1:
        return nucleus[0]
    if has_final or len(nucleus) == 3:
        return nucleus[1] if len(nucleus) == 3 and not has_final else nucleus[-1]
    return nucleus[0]


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """fold() for one syllable, cached: corpora repeat a few thousand syllables millions of times."""
    return fold(word)


@lru_cache(maxsize=200_000)
def normalize_tones(word: str) -> str:
    """Put the tone mark of one lower-case syllable where the traditional rule says ("hoà" → "hòa")."""
    bare, tone = _split_tone(word)
    if tone is None:
        return unicodedata.normalize("NFC", word)
    position = _tone_position(bare)
    if position is None:
        return unicodedata.normalize("NFC", word)
    marked = unicodedata.normalize("NFD", bare[position]) + tone
    return unicodedata.normalize("NFC", bare[:position] + marked + bare[position + 1 :])


def syllables(text: str) -> list[str]:
    """Lower-case syllables in one tone convention; one-letter syllables ("ở", "à") kept."""
    return [normalize_tones(w) for w in _WORD_RE.findall(unicodedata.normalize("NFC", text.lower()))]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) for every word of text, offsets into text as given."""
    return [(m.start(), m.end(), fold_word(m.group())) for m in _WORD_RE.finditer(text)]


# ---------------------------------------------------------------- document codes

_DOC_TYPE_CODES = sorted({*CODE_LETTERS.values(), "CTHD", "QDI"}, key=len, reverse=True)
_KNOWN_ISSUERS = (
    "UBKTTW|UBKT|UBND|HDND|BCHTW|BCH|BCT|BBT|BTV|BTC|BTG|BDV|BNC|VPTW|VPTU|DUK|DU|TW|TU|HU|TTG|CP|QH|UBTVQH"
)
_CODE_RE = re.compile(
    r"(?<![\w/.])(\d{1,5})\s?[-/]\s?(?:(\d{4})\s?/\s?)?([A-ZĐ][A-ZĐa-z]{0,5})\s?[-/]\s?([A-ZĐ][A-ZĐ]{0,9})(?![\w])"
)
_TYPES = "|".join(t.lower() for t in _DOC_TYPE_CODES)
_QUERY_CODE_RE = re.compile(
    rf"(?<![\w])(\d{{1,5}})\s*[-/ ]\s*(?:(\d{{4}})\s*[-/ ]\s*)?({_TYPES})(?:\s*[-/ ]\s*({_KNOWN_ISSUERS.lower()}|[a-z]{{2,8}}(?=\s*$)))?(?![\w])"
)
_QUERY_TYPE_FIRST_RE = re.compile(
    rf"(?<![\w])({_TYPES})\s*(?:so\s*)?(\d{{1,5}})(?:\s*[-/ ]\s*({_KNOWN_ISSUERS.lower()}))?(?![\w])"
)
_WORDS_THEN_NUMBER_RE = re.compile(
    r"(?<![\w])(" + "|".join(CODE_LETTERS) + r")\s+(?:so\s+)?(\d{1,5})(?![\d,.]\d)(?!\s*(?:nam|thang|ngay)\b)"
)


@dataclass(frozen=True)
class CodeRef:
    """A reference to a document by number and type, with issuer and year when written."""

    number: int
    kind: str  # folded upper-case type: "QD", "NQ", ...
    issuer: str | None = None
    year: int | None = None

    def keys(self) -> list[str]:
        """Match keys from most to least specific; "22-QD-TW" then "22-QD"."""
        keys = []
        if self.issuer and self.year:
            keys.append(f"{self.number}-{self.year}-{self.kind}-{self.issuer}")
        if self.issuer:
            keys.append(f"{self.number}-{self.kind}-{self.issuer}")
        keys.append(f"{self.number}-{self.kind}")
        return keys


def find_codes(text: str) -> list[str]:
    """Document codes as written, spaces removed, in order of appearance, e.g. ["371-QĐ/TU"]."""
    seen: dict[str, None] = {}
    for match in _CODE_RE.finditer(unicodedata.normalize("NFC", text)):
        seen.setdefault(re.sub(r"\s+", "", match.group(0)), None)
    return list(seen)


def _fold_upper(part: str) -> str:
    return fold(part).upper()


def text_code_refs(text: str) -> list[CodeRef]:
    """Every code reference in document text: written codes ("22-QĐ/TW") and worded ones ("Kết luận 42")."""
    refs: list[CodeRef] = []
    for match in _CODE_RE.finditer(unicodedata.normalize("NFC", text)):
        number, year, kind, issuer = match.groups()
        refs.append(CodeRef(int(number), _fold_upper(kind), _fold_upper(issuer), int(year) if year else None))
    folded = fold(text)
    for match in _WORDS_THEN_NUMBER_RE.finditer(folded):
        refs.append(CodeRef(int(match.group(2)), CODE_LETTERS[match.group(1)]))
    return refs


def query_code_refs(query: str) -> list[CodeRef]:
    """Code references in a question, however typed: "22-QD/TW", "22 qđ tw", "qd 22", "quy dinh so 22"."""
    folded = fold(query)
    refs: list[CodeRef] = []
    for match in _QUERY_CODE_RE.finditer(folded):
        number, year, kind, issuer = match.groups()
        refs.append(CodeRef(int(number), kind.upper(), issuer.upper() if issuer else None, int(year) if year else None))
    for match in _QUERY_TYPE_FIRST_RE.finditer(folded):
        kind, number, issuer = match.groups()
        refs.append(CodeRef(int(number), kind.upper(), issuer.upper() if issuer else None))
    for match in _WORDS_THEN_NUMBER_RE.finditer(folded):
        refs.append(CodeRef(int(match.group(2)), CODE_LETTERS[match.group(1)]))
    return _most_specific(refs)


def _most_specific(refs: list[CodeRef]) -> list[CodeRef]:
    """Drop a reference when a more specific one for the same number and type is present."""
    best: dict[tuple[int, str], CodeRef] = {}
    for ref in refs:
        current = best.get((ref.number, ref.kind))
        if current is None or len(ref.keys()) > len(current.keys()):
            best[(ref.number, ref.kind)] = ref
    return list(best.values())


# ---------------------------------------------------------------- index tokens

CODE_TOKEN_PREFIX = "§"
FOLDED_PREFIX = "~"


def index_tokens(text: str) -> list[str]:
    """Lexical tokens for one text: accented syllables, folded syllables and folded bigrams, code keys.

    Accented tokens reward a question typed with the same accents; folded ones make a question typed
    without diacritics match; bigrams approximate Vietnamese multi-syllable words ("xây dựng").
    """
    accented = syllables(text)
    folded = [fold_word(s) for s in accented]
    tokens = list(accented)
    tokens += [FOLDED_PREFIX + f for f in folded]
    tokens += [f"{FOLDED_PREFIX}{a}_{b}" for a, b in zip(folded, folded[1:])]
    for ref in text_code_refs(text):
        tokens += [CODE_TOKEN_PREFIX + key for key in ref.keys()]
    return tokens


def query_tokens(query: str) -> list[str]:
    """Lexical tokens for a question; like index_tokens, but codes read leniently and accents only if typed."""
    accented = syllables(query)
    folded = [fold_word(s) for s in accented]
    tokens = [s for s in accented if has_diacritics(s)]
    tokens += [FOLDED_PREFIX + f for f in folded]
    tokens += [f"{FOLDED_PREFIX}{a}_{b}" for a, b in zip(folded, folded[1:])]
    for ref in query_code_refs(query):
        tokens += [CODE_TOKEN_PREFIX + key for key in ref.keys()]
    return tokens


def diacritic_share(text: str) -> float:
    """Share of alphabetic syllables that carry a Vietnamese diacritic (0.0 for "quy dinh so 22")."""
    words = [w for w in syllables(text) if w.isalpha()]
    if not words:
        return 0.0
    return sum(has_diacritics(w) for w in words) / len(words)
