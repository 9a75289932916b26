"""Put the diacritics back on a question typed without them, from the corpus's own syllables.

A syllable bigram model with Viterbi decoding: "quy dinh ve cong tac kiem tra" → "quy định về công
tác kiểm tra". Dense retrieval collapses on unaccented text, so this runs before embedding.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from pathlib import Path
from typing import Iterable

import orjson

from index.vietnamese import fold, has_diacritics, syllables

_WORD_RE = re.compile(r"\w+")
_INTERPOLATION = 0.7
PRUNE_SINGLETON_BIGRAMS_ABOVE = 200_000


class SyllableCounts:
    """Syllable and syllable-pair counts gathered a few texts at a time (a long write), a model at the end."""

    def __init__(self) -> None:
        self.unigrams: Counter[str] = Counter()
        self.bigrams: Counter[str] = Counter()

    def learn(self, texts: Iterable[str]) -> None:
        for text in texts:
            words = [w for w in syllables(text) if w.isalpha()]
            self.unigrams.update(words)
            self.bigrams.update(f"{a} {b}" for a, b in zip(words, words[1:]))

    def model(self) -> "DiacriticRestorer":
        return DiacriticRestorer(self.unigrams, self.bigrams)


class DiacriticRestorer:
    def __init__(self, unigrams: Counter[str], bigrams: Counter[str]) -> None:
        self._unigrams = unigrams
        self._bigrams = bigrams
        self._total = max(1, sum(unigrams.values()))
        self._candidates: dict[str, list[str]] = {}
        for word in unigrams:
            self._candidates.setdefault(fold(word), []).append(word)

    @classmethod
    def train(cls, texts: Iterable[str]) -> "DiacriticRestorer":
        counts = SyllableCounts()
        counts.learn(texts)
        return counts.model()

    def merged(self, other: "DiacriticRestorer") -> "DiacriticRestorer":
        return DiacriticRestorer(self._unigrams + other._unigrams, self._bigrams + other._bigrams)

    def without(self, other: "DiacriticRestorer") -> "DiacriticRestorer":
        """These counts less another's: the model after the documents it was trained on are removed."""
        return DiacriticRestorer(self._unigrams - other._unigrams, self._bigrams - other._bigrams)

    def save(self, path: Path) -> None:
        """Bigrams seen once are left out of large models: they rarely decide a restoration, and they are most
        of the file (3.2M of them at 100k synthetic passages made start-up take 4 s). Counts in memory stay
        exact, so removing documents later still subtracts correctly from what is kept."""
        bigrams = self._bigrams
        if len(bigrams) > PRUNE_SINGLETON_BIGRAMS_ABOVE:
            bigrams = Counter({pair: count for pair, count in bigrams.items() if count > 1})
        path.write_bytes(orjson.dumps({"unigrams": self._unigrams, "bigrams": bigrams}))

    @classmethod
    def load(cls, path: Path) -> "DiacriticRestorer":
        data = orjson.loads(path.read_bytes())
        return cls(Counter(data["unigrams"]), Counter(data["bigrams"]))

    def _log_prob(self, previous: str | None, word: str) -> float:
        unigram = (self._unigrams.get(word, 0) + 0.1) / self._total
        if previous is None:
            return math.log(unigram)
        previous_count = self._unigrams.get(previous, 0)
        bigram = self._bigrams.get(f"{previous} {word}", 0) / previous_count if previous_count else 0.0
        return math.log(_INTERPOLATION * bigram + (1 - _INTERPOLATION) * unigram)

    def _options(self, word: str) -> list[str]:
        lowered = syllables(word)[0] if word.isalpha() else word.lower()
        if not word.isalpha() or has_diacritics(lowered):
            return [lowered]
        return self._candidates.get(lowered, [lowered])

    def restore(self, text: str) -> str:
        """The text with each unaccented syllable replaced by its likeliest accented form (lower-case)."""
        matches = list(_WORD_RE.finditer(text))
        if not matches:
            return text
        lattice = [self._options(m.group()) for m in matches]
        # Viterbi over the syllables; numbers and unknown words pass through unchanged
        best: list[dict[str, tuple[float, str | None]]] = []
        for i, options in enumerate(lattice):
            column: dict[str, tuple[float, str | None]] = {}
            for option in options:
                if i == 0:
                    column[option] = (self._log_prob(None, option), None)
                else:
                    column[option] = max(
                        (score + self._log_prob(prev, option), prev) for prev, (score, _) in best[-1].items()
                    )
            best.append(column)
        word = max(best[-1], key=lambda w: best[-1][w][0])
        chosen = [word]
        for i in range(len(best) - 1, 0, -1):
            word = best[i][word][1]  # type: ignore[assignment]
            chosen.append(word)
        chosen.reverse()
        pieces, last = [], 0
        for match, replacement in zip(matches, chosen):
            pieces.append(text[last : match.start()])
            pieces.append(replacement)
            last = match.end()
        pieces.append(text[last:])
        return "".join(pieces)


class LazyRestorer:
    """A saved model read on first use. Questions typed with diacritics never need it, so the first answer
    after start-up does not wait for it (0.8 s at 100k passages)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._model: DiacriticRestorer | None = None
        self._lock = threading.Lock()

    def model(self) -> DiacriticRestorer:
        with self._lock:
            if self._model is None:
                self._model = DiacriticRestorer.load(self._path)
            return self._model

    def restore(self, text: str) -> str:
        return self.model().restore(text)

    def merged(self, other: DiacriticRestorer) -> DiacriticRestorer:
        return self.model().merged(other)

    def without(self, other: DiacriticRestorer) -> DiacriticRestorer:
        return self.model().without(other)

    def save(self, path: Path) -> None:
        self.model().save(path)
