"""Is this text Vietnamese a person can read? The share of its words that are valid Vietnamese syllables.

A text layer built from a font without a Unicode map, or typed in a legacy 8-bit font (TCVN3, VNI, VISCII)
and read as Windows-1252, is mostly words no Vietnamese speaker would spell: "Së", "m«i", "7ӌ1+". A syllable is
an optional onset, a rhyme (medial, nucleus, coda) from the language's closed list, at most one tone mark, and
the spelling rules (k/gh/ngh before i, e, ê; c/g/ng elsewhere; only sắc or nặng on a rhyme ending in p, t, c, ch).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["is_syllable", "Legibility", "legibility", "MIN_WORDS", "LEGIBLE_SHARE"]

MIN_WORDS = 12  # below this many scored words a text is too short to judge
LEGIBLE_SHARE = 0.72  # good text layers score 0.9+, OCR 0.8+, legacy encodings read as cp1252 under 0.6

_TONE_MARKS = {"\u0300": "huyền", "\u0301": "sắc", "\u0303": "ngã", "\u0309": "hỏi", "\u0323": "nặng"}
_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu",
           "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_RHYMES = frozenset("""
a ai ao au ay am an ang anh ap at ac ach
ăm ăn ăng ăp ăt ăc
âu ây âm ân âng âp ât âc
e eo em en eng ep et ec
ê êu êm ên ênh êp êt êch
i ia iu im in inh ip it ich
iêu iêm iên iêng iêp iêt iêc
yêu yêm yên yêng yêt
o oi om on ong op ot oc oong ooc
ô ôi ôm ôn ông ôp ôt ôc
ơ ơi ơm ơn ơp ơt
u ua ui um un ung up ut uc
uôi uôm uôn uông uôt uôc
ư ưa ưi ưu ưm ưn ưng ưt ưc
ươi ươu ươm ươn ương ươp ươt ươc
y
oa oai oay oam oan oang oanh oap oat oac oach oăm oăn oăng oăt oăc oe oeo oen oet
uy uya uyu uych uynh uyt uyn uyên uyêt uân uâng uât uây uê uênh uêch uơ
""".split())
_FRONT = ("i", "e", "ê", "y")  # k, gh, ngh go before these; c, g, ng never do
_STOPS = ("p", "t", "c", "ch")
_VIETNAMESE_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzăâđêôơư")
_EDGE_PUNCTUATION = "\"'“”‘’«»()[]{}<>.,;:!?…*•·-–—_/\\|"
_DIGITS = "0123456789"
_SAMPLE_CHARS, _SAMPLES = 300_000, 6
_SPLIT = re.compile(r"[\s/\-–—]+")


def is_syllable(word: str) -> bool:
    """One Vietnamese syllable, any case, precomposed or not: "Nghiêng", "quyết", "gì", "ĐỒNG"."""
    letters = unicodedata.normalize("NFD", word.lower())
    tones = [mark for mark in letters if mark in _TONE_MARKS]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in letters if ch not in _TONE_MARKS))
    if not base or any(ch not in _VIETNAMESE_LETTERS for ch in base):
        return False
    tone = _TONE_MARKS[tones[0]] if tones else None
    return any(_valid(onset, base[len(onset):], tone) for onset in _ONSETS if base.startswith(onset))


def _valid(onset: str, rhyme: str, tone: str | None) -> bool:
    if onset == "gi":
        rhyme = rhyme if rhyme in _RHYMES else "i" + rhyme  # "giếng" is gi + (i)êng, "gì" is gi + (i)
    elif onset == "qu":
        if not rhyme or rhyme[0] in "uoư":
            return False
        rhyme = "u" + rhyme if "u" + rhyme in _RHYMES else rhyme  # "quyết": qu + yêt; "quốc": qu + ôc
    if rhyme not in _RHYMES:
        return False
    front = rhyme.startswith(_FRONT)
    if onset in ("k", "gh", "ngh") and not front:
        return False
    if onset in ("c", "g", "ng") and front:
        return False
    if rhyme.startswith("y") and rhyme != "y" and onset not in ("", "qu"):
        return False  # "yên" stands alone; after a consonant it is spelt iên
    if rhyme.endswith(_STOPS) and tone not in ("sắc", "nặng"):
        return False
    return True


@dataclass(frozen=True)
class Legibility:
    """Counts over words; the verdict weighs only words with a non-ASCII character, where Vietnamese and its
    misreadings differ: an English text (all ASCII) is not judged, TCVN3 read as cp1252 ("m«i", "c¸c") is."""

    words: int  # words scored (numbers, codes and acronyms are not)
    valid: int
    marked: int = 0  # scored words with a non-ASCII character
    marked_valid: int = 0

    @property
    def share(self) -> float:
        return self.marked_valid / self.marked if self.marked else 1.0

    @property
    def judged(self) -> bool:
        return self.marked >= MIN_WORDS

    @property
    def legible(self) -> bool:
        """Too short to judge counts as legible: a two-word page is not evidence of a broken font."""
        return not self.judged or self.share >= LEGIBLE_SHARE


def legibility(text: str) -> Legibility:
    """Score whitespace-separated words; a word with a letter outside Vietnamese or an inner symbol fails.

    A long text is judged on evenly spread samples, so a 50 MB file costs what a 300 kB one does."""
    words = valid = marked = marked_valid = 0
    for raw in _SPLIT.split(unicodedata.normalize("NFC", _sample(text))):
        word = raw.strip(_EDGE_PUNCTUATION)
        verdict = _word_verdict(word)
        if verdict is not None:
            words += 1
            valid += verdict
            if not word.isascii():
                marked += 1
                marked_valid += verdict
    return Legibility(words, valid, marked, marked_valid)


def _sample(text: str) -> str:
    if len(text) <= _SAMPLE_CHARS:
        return text
    size = _SAMPLE_CHARS // _SAMPLES
    step = (len(text) - size) // (_SAMPLES - 1)
    return "\n".join(text[start : start + size] for start in range(0, len(text) - size + 1, step)[:_SAMPLES])


def _word_verdict(token: str) -> bool | None:
    """True/False for a word, None for what is not scored: numbers, document codes, acronyms ("UBND", "294-QĐ")."""
    if not any(ch.isalpha() for ch in token):
        return None
    plain = unicodedata.normalize("NFD", token.lower())
    vietnamese_letters = all(ch in _VIETNAMESE_LETTERS or ch in _TONE_MARKS or ch in _DIGITS for ch in plain)
    if any(ch in _DIGITS for ch in token):
        return None if vietnamese_letters else False
    if is_syllable(token):
        return True
    if vietnamese_letters and token.isupper() and len(token) <= 8:
        return None  # an acronym: HĐND, VLNCN
    return False
