"""OCR'd header words respelled by the document's own body: "CỤC HÓA CHÁT" -> "CỤC HÓA CHẤT".

Tesseract misreads the tone marks of capitals far more often than those of lower-case text, and the header
(issuer, subject) is often set in capitals. The body usually repeats the same words. A header pair of capitals
that the body spells otherwise (same letters once diacritics are folded) takes the body's spelling when that
spelling occurs there at least twice and makes up two thirds of the pair's occurrences (the header's own
spelling counted: OCR may repeat its slip once in the body). Words with no such evidence are left as read.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from index.vietnamese import fold_word

_WORD = re.compile(r"\w+", re.UNICODE)
MIN_EVIDENCE = 2  # occurrences of the body's spelling of a word pair
MIN_SHARE = 0.67  # the body's spelling must be this share of the pair's folded occurrences


class BodySpelling:
    """Word pairs of a body text, counted by their folded letters."""

    def __init__(self, body: str) -> None:
        words = [w.lower() for w in _WORD.findall(body)]
        self._by_fold: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
        for pair, count in Counter(zip(words, words[1:])).items():
            self._by_fold[(fold_word(pair[0]), fold_word(pair[1]))][pair] += count

    def respell(self, text: str) -> str:
        """`text` with each word that the body spells otherwise (in a pair with its neighbour) respelled."""
        matches = list(_WORD.finditer(text))
        replacements: dict[int, str] = {}
        for left, right in zip(matches, matches[1:]):
            if text[left.end() : right.start()].strip():
                continue  # "Hóa chất, Bộ": punctuation between, not a pair
            if not (left.group().isupper() and right.group().isupper()):
                continue  # lower-case header words are read as well as the body's: the body is no better evidence
            pair = (left.group().lower(), right.group().lower())
            variants = self._by_fold.get((fold_word(pair[0]), fold_word(pair[1])))
            if not variants:
                continue
            best, count = variants.most_common(1)[0]
            if best != pair and count >= MIN_EVIDENCE and count >= MIN_SHARE * sum(variants.values()):
                replacements[left.start()] = best[0]
                replacements[right.start()] = best[1]
        if not replacements:
            return text
        pieces: list[str] = []
        position = 0
        for match in matches:
            if match.start() in replacements:
                pieces += [text[position : match.start()], replacements[match.start()].upper()]  # only capitals are respelled
                position = match.end()
        return "".join(pieces) + text[position:]
