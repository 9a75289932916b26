"""Put the diacritics back on a question typed without them, from the corpus's own syllables.

A syllable bigram model with Viterbi decoding: "quy dinh ve cong tac kiem tra" → "quy định về công
tác kiểm tra". Dense retrieval collapses on unaccented text, so this runs before embedding.

The counts live with the passages they were learnt from: every index segment keeps a `SyllableTable`
(syllable counts, and syllable-pair counts under 64-bit keys in sorted arrays), and the model of a
generation is the sum of its segments' tables less the tables of removed passages. A write adds a table
for its own passages only; pair tables are memory-mapped arrays, not millions of Python strings.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import orjson

from index.hashing import term_key
from index.vietnamese import fold, has_diacritics, syllables

_WORD_RE = re.compile(r"\w+")
_INTERPOLATION = 0.7
_MIX = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=200_000)
def syllable_key(syllable: str) -> int:
    """term_key, cached: a corpus has a few thousand syllables, met millions of times."""
    return term_key(syllable)


def pair_keys(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One 64-bit key per (syllable, next syllable) pair of keys (wrapping arithmetic, order-sensitive)."""
    with np.errstate(over="ignore"):
        return (first.astype(np.uint64) * _MIX) ^ (second.astype(np.uint64) + (first.astype(np.uint64) >> np.uint64(29)))


def _keys_of(words: Sequence[str]) -> np.ndarray:
    return np.fromiter((syllable_key(w) for w in words), dtype=np.uint64, count=len(words))


def _summed(keys: list[np.ndarray], counts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys with their summed counts; keys whose sum is not positive are dropped."""
    if not keys:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    summed = np.bincount(inverse, weights=np.concatenate(counts).astype(np.float64), minlength=len(unique))
    kept = summed > 0
    return unique[kept].astype(np.uint64), np.rint(summed[kept]).astype(np.int64)


@dataclass(frozen=True)
class SyllableTable:
    unigrams: dict[str, int]
    pair_keys: np.ndarray  # uint64, sorted
    pair_counts: np.ndarray  # int64

    @classmethod
    def empty(cls) -> "SyllableTable":
        return cls({}, np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64))

    @classmethod
    def count(cls, texts: Iterable[str]) -> "SyllableTable":
        unigrams: Counter[str] = Counter()
        keys: list[np.ndarray] = []
        for text in texts:
            words = [w for w in syllables(text) if w.isalpha()]
            unigrams.update(words)
            if len(words) > 1:
                row = _keys_of(words)
                keys.append(pair_keys(row[:-1], row[1:]))
        pairs = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
        unique, counts = np.unique(pairs, return_counts=True)
        return cls(dict(unigrams), unique.astype(np.uint64), counts.astype(np.int64))

    @classmethod
    def summed(cls, added: Sequence["SyllableTable"], removed: Sequence["SyllableTable"] = ()) -> "SyllableTable":
        """The counts of `added` less those of `removed`, in one pass; counts that reach zero are dropped."""
        unigrams: Counter[str] = Counter()
        for table in added:
            unigrams.update(table.unigrams)
        for table in removed:
            unigrams.subtract(table.unigrams)
        signed = [(t, 1) for t in added] + [(t, -1) for t in removed]
        keys, counts = _summed([np.asarray(t.pair_keys) for t, _ in signed],
                               [sign * np.asarray(t.pair_counts) for t, sign in signed])
        return cls({w: c for w, c in unigrams.items() if c > 0}, keys, counts)

    def pair_count(self, keys: np.ndarray) -> np.ndarray:
        if len(self.pair_keys) == 0:
            return np.zeros(len(keys), dtype=np.int64)
        rows = np.minimum(np.searchsorted(self.pair_keys, keys), len(self.pair_keys) - 1)
        return np.where(self.pair_keys[rows] == keys, self.pair_counts[rows], 0)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "unigrams.json").write_bytes(orjson.dumps(self.unigrams))
        np.save(folder / "pair_keys.npy", np.asarray(self.pair_keys, dtype=np.uint64))
        np.save(folder / "pair_counts.npy", np.asarray(self.pair_counts, dtype=np.int64))

    @classmethod
    def load(cls, folder: Path) -> "SyllableTable":
        return cls(orjson.loads((folder / "unigrams.json").read_bytes()),
                   np.load(folder / "pair_keys.npy", mmap_mode="r"), np.load(folder / "pair_counts.npy", mmap_mode="r"))


class DiacriticRestorer:
    """The bigram model over some tables, less the tables of removed passages; summed on first use."""

    def __init__(self, tables: Sequence[SyllableTable], removed: Sequence[SyllableTable] = ()) -> None:
        self._tables = list(tables)
        self._removed = list(removed)
        self._unigrams: dict[str, int] | None = None
        self._candidates: dict[str, list[str]] = {}
        self._total = 1
        self._lock = threading.Lock()

    @classmethod
    def train(cls, texts: Iterable[str]) -> "DiacriticRestorer":
        return cls([SyllableTable.count(texts)])

    def _ready(self) -> dict[str, int]:
        with self._lock:
            if self._unigrams is None:
                counts: Counter[str] = Counter()
                for table in self._tables:
                    counts.update(table.unigrams)
                for table in self._removed:
                    counts.subtract(table.unigrams)
                unigrams = {w: c for w, c in counts.items() if c > 0}
                for word in unigrams:
                    self._candidates.setdefault(fold(word), []).append(word)
                self._total = max(1, sum(unigrams.values()))
                self._unigrams = unigrams
            return self._unigrams

    def unigram_counts(self) -> dict[str, int]:
        return dict(self._ready())

    def _pair_counts(self, keys: np.ndarray) -> np.ndarray:
        total = np.zeros(len(keys), dtype=np.int64)
        for table in self._tables:
            total += table.pair_count(keys)
        for table in self._removed:
            total -= table.pair_count(keys)
        return np.maximum(total, 0)

    def _options(self, word: str) -> list[str]:
        lowered = syllables(word)[0] if word.isalpha() else word.lower()
        if not word.isalpha() or has_diacritics(lowered):
            return [lowered]
        return self._candidates.get(lowered, [lowered])

    def _unigram_log_probs(self, options: list[str], unigrams: dict[str, int]) -> np.ndarray:
        return np.log(np.array([(unigrams.get(o, 0) + 0.1) / self._total for o in options]))

    def restore(self, text: str) -> str:
        """The text with each unaccented syllable replaced by its likeliest accented form (lower-case)."""
        matches = list(_WORD_RE.finditer(text))
        if not matches:
            return text
        unigrams = self._ready()
        lattice = [self._options(m.group()) for m in matches]
        # Viterbi over the syllables, one column of option pairs at a time; numbers and unknown words pass through
        scores = self._unigram_log_probs(lattice[0], unigrams)
        back: list[np.ndarray] = []
        for previous, options in zip(lattice, lattice[1:]):
            keys = pair_keys(np.repeat(_keys_of(previous), len(options)), np.tile(_keys_of(options), len(previous)))
            pair = self._pair_counts(keys).reshape(len(previous), len(options)).astype(np.float64)
            previous_counts = np.array([unigrams.get(p, 0) for p in previous], dtype=np.float64)
            bigram = np.divide(pair, previous_counts[:, None], out=np.zeros_like(pair), where=previous_counts[:, None] > 0)
            unigram = np.exp(self._unigram_log_probs(options, unigrams))
            step = scores[:, None] + np.log(_INTERPOLATION * bigram + (1 - _INTERPOLATION) * unigram[None, :])
            best = np.argmax(step, axis=0)
            back.append(best)
            scores = step[best, np.arange(len(options))]
        position = int(np.argmax(scores))
        chosen = [lattice[-1][position]]
        for column in range(len(back) - 1, -1, -1):
            position = int(back[column][position])
            chosen.append(lattice[column][position])
        chosen.reverse()
        pieces, last = [], 0
        for match, replacement in zip(matches, chosen):
            pieces.append(text[last : match.start()])
            pieces.append(replacement)
            last = match.end()
        pieces.append(text[last:])
        return "".join(pieces)
