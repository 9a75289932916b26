"""BM25 over the Vietnamese tokens of index.vietnamese, in immutable segments that are never rebuilt whole.

A `LexicalSegment` holds the postings of some passages: term (as a 64-bit hash) → rows and term counts.
Statistics that change as the library grows (passage count, average length, document frequency) are
combined across segments when a question is scored, so adding passages writes only a new segment and
the scores equal one BM25 index over everything (Lucene's formula, as bm25s computes it).
"""

from __future__ import annotations

import math
from array import array
import threading
from collections import Counter, OrderedDict
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from index.hashing import term_key

K1 = 1.2
B = 0.75
_FILES = ("hashes", "indptr", "rows", "counts", "lengths")
MERGE_CHUNK = 4_000_000  # postings handled at once by a merge
NEGLIGIBLE_IDF = 1e-4  # a term this common changes no score by more than this: skipped (only at ~10k+ passages)
DENSE_SHARE = 0.25  # a term in more than this share of a segment's rows is scored over the whole array
TOP_SAMPLE_STRIDE = 64
COMMON_TERM_CACHE_BYTES = 96 * 2**20  # ~24 common terms at 1M passages, every one below ~250k
PARALLEL_POSTINGS = 1_000_000  # a question touching more postings than this is scored on two threads (given a helper)


@dataclass(frozen=True)
class LexicalSegment:
    """Postings of some passages; row r is the r-th of the segment's (sorted) passage ids."""

    hashes: np.ndarray  # uint64, sorted: one per term
    indptr: np.ndarray  # int64: the postings of term t are rows[indptr[t]:indptr[t+1]]
    rows: np.ndarray  # int32
    counts: np.ndarray  # uint16: how often the term occurs in that row
    lengths: np.ndarray  # int32: tokens per row

    @classmethod
    def build(cls, token_lists: Iterable[list[str]]) -> "LexicalSegment":
        builder = PostingsBuilder()
        for tokens in token_lists:
            builder.add(tokens)
        return builder.finish()

    @classmethod
    def _from_postings(cls, posting_hashes: np.ndarray, rows: np.ndarray, counts: np.ndarray,
                       lengths: np.ndarray) -> "LexicalSegment":
        """Postings in any order → sorted by (term, row)."""
        order = np.lexsort((rows, posting_hashes))
        posting_hashes = posting_hashes[order]
        hashes, starts = np.unique(posting_hashes, return_index=True)
        indptr = np.append(starts, len(posting_hashes)).astype(np.int64)
        return cls(hashes.astype(np.uint64), indptr, rows[order].astype(np.int32), counts[order], lengths)

    @classmethod
    def merge(cls, parts: Sequence[tuple["LexicalSegment", np.ndarray]]) -> "LexicalSegment":
        """One segment from (segment, rows to keep) pairs, rows renumbered in order: no re-tokenising.

        Two passes over the parts' postings, MERGE_CHUNK at a time: count the kept postings per term, then
        place each one. Memory is the merged arrays plus one chunk, not every posting's term key at once.
        """
        hashes = np.unique(np.concatenate([np.asarray(s.hashes) for s, _ in parts])) if parts else np.zeros(0, np.uint64)
        renumbered: list[np.ndarray] = []
        offset = 0
        for segment, keep in parts:
            new_row = np.full(len(segment), -1, dtype=np.int64)
            new_row[keep] = np.arange(offset, offset + len(keep))
            renumbered.append(new_row)
            offset += len(keep)

        def chunks():
            """(positions in the merged vocabulary, new rows, counts) of the kept postings, a chunk at a time."""
            for (segment, _), new_row in zip(parts, renumbered):
                where = np.searchsorted(hashes, np.asarray(segment.hashes))
                for start in range(0, len(segment.rows), MERGE_CHUNK):
                    end = min(start + MERGE_CHUNK, len(segment.rows))
                    terms = np.searchsorted(segment.indptr, np.arange(start, end), side="right") - 1
                    rows = new_row[segment.rows[start:end]]
                    kept = rows >= 0
                    yield where[terms[kept]], rows[kept], np.asarray(segment.counts[start:end])[kept]

        sizes = np.zeros(len(hashes), dtype=np.int64)
        for terms, _, _ in chunks():
            found, counted = np.unique(terms, return_counts=True)
            sizes[found] += counted
        indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        rows_out = np.empty(int(indptr[-1]), dtype=np.int32)
        counts_out = np.empty(int(indptr[-1]), dtype=np.uint16)
        cursor = indptr[:-1].copy()
        for terms, rows, counts in chunks():  # terms ascend within a chunk: a term's postings are one run
            run_start = np.searchsorted(terms, terms, side="left")
            destination = cursor[terms] + (np.arange(len(terms)) - run_start)
            rows_out[destination] = rows
            counts_out[destination] = counts
            found, counted = np.unique(terms, return_counts=True)
            cursor[found] += counted
        present = sizes > 0  # terms only deleted passages held are dropped
        lengths = [np.asarray(segment.lengths)[keep] for segment, keep in parts]
        return cls(
            hashes[present].astype(np.uint64),
            np.concatenate([[0], np.cumsum(sizes[present])]).astype(np.int64),
            rows_out,
            counts_out,
            np.concatenate(lengths).astype(np.int32) if lengths else np.zeros(0, dtype=np.int32),
        )

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in _FILES:
            np.save(folder / f"{name}.npy", getattr(self, name))

    @classmethod
    def load(cls, folder: Path) -> "LexicalSegment":
        """Memory-mapped: a question reads only its terms' postings, so most of a segment stays on disk."""
        return cls(**{name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _FILES})

    def __len__(self) -> int:
        return len(self.lengths)

    def postings(self, key: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, counts) of the term with this hash; empty when the segment lacks it."""
        position = int(np.searchsorted(self.hashes, np.uint64(key)))
        if position >= len(self.hashes) or int(self.hashes[position]) != key:
            return _NO_ROWS, _NO_COUNTS
        start, end = int(self.indptr[position]), int(self.indptr[position + 1])
        return self.rows[start:end], self.counts[start:end]


_NO_ROWS = np.zeros(0, dtype=np.int32)
_NO_COUNTS = np.zeros(0, dtype=np.uint16)


class PostingsBuilder:
    """Passages' tokens in, one at a time → a LexicalSegment. Only term counts are kept, in compact arrays, so
    the token lists (most of a write's memory) can go as soon as each passage is counted."""

    def __init__(self) -> None:
        self._vocabulary: dict[str, int] = {}
        self._columns = array("q")
        self._counts = array("q")
        self._row_sizes = array("q")
        self._lengths = array("q")

    def add(self, tokens: list[str]) -> None:
        counted = Counter(tokens)
        vocabulary = self._vocabulary
        self._columns.extend([vocabulary.setdefault(term, len(vocabulary)) for term in counted])
        self._counts.extend(counted.values())
        self._row_sizes.append(len(counted))
        self._lengths.append(len(tokens))

    def finish(self) -> LexicalSegment:
        hashes = np.fromiter((term_key(t) for t in self._vocabulary), dtype=np.uint64, count=len(self._vocabulary))
        rows = np.repeat(np.arange(len(self._row_sizes), dtype=np.int32), np.frombuffer(self._row_sizes, dtype=np.int64))
        columns = np.frombuffer(self._columns, dtype=np.int64)
        counts = np.minimum(np.frombuffer(self._counts, dtype=np.int64), 65535).astype(np.uint16)
        lengths = np.frombuffer(self._lengths, dtype=np.int64).astype(np.int32)
        return LexicalSegment._from_postings(hashes[columns], rows, counts, lengths)


def _top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k highest scores (any order). Exact: the k-th best of every 64th row is a floor that at
    least k rows reach, so only the rows at or above it need sorting (a few thousand instead of 200k)."""
    sample = scores[::TOP_SAMPLE_STRIDE]
    if len(sample) > k:
        floor = np.partition(sample, len(sample) - k)[len(sample) - k]
        candidates = np.flatnonzero(scores >= floor)
    else:
        candidates = np.arange(len(scores))
    take = min(k, len(candidates))
    return candidates[np.argpartition(-scores[candidates], take - 1)[:take]]


class LexicalScores:
    """BM25 scores of one question, one array per segment (deleted rows scored 0)."""

    def __init__(self, index: "LexicalIndex", per_segment: list[np.ndarray]) -> None:
        self._index = index
        self._per_segment = per_segment

    def top(self, k: int) -> list[tuple[int, float]]:
        """The k best (passage id, score) with a positive score."""
        best: list[tuple[int, float]] = []
        for ids, scores in zip(self._index.segment_ids, self._per_segment):
            if k <= 0 or len(scores) == 0:
                continue
            rows = _top_rows(scores, k)
            best += [(int(ids[r]), float(scores[r])) for r in rows if scores[r] > 0]
        best.sort(key=lambda pair: (-pair[1], pair[0]))
        return best[:k]

    def of_many(self, passage_ids: Sequence[int]) -> dict[int, float]:
        """The score of each passage id (0 for ids no live row holds)."""
        wanted = np.asarray(passage_ids, dtype=np.int64)
        found = np.zeros(len(wanted), dtype=np.float32)
        for ids, scores in zip(self._index.segment_ids, self._per_segment):
            if len(ids) == 0 or len(wanted) == 0:
                continue
            rows = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
            held = ids[rows] == wanted
            found[held] = scores[rows[held]]
        return dict(zip(wanted.tolist(), found.tolist()))


class LexicalIndex:
    """The segments of one generation read as one BM25 index; `live` masks out deleted passages."""

    def __init__(self, segments: Sequence[LexicalSegment], segment_ids: Sequence[np.ndarray],
                 live: Sequence[np.ndarray]) -> None:
        self._segments = list(segments)
        self.segment_ids = list(segment_ids)
        self._live = list(live)
        self._deleted_rows = [np.flatnonzero(~mask) for mask in self._live]
        rows = sum(len(s) for s in self._segments)
        total_length = sum(int(np.asarray(s.lengths, dtype=np.int64).sum()) for s in self._segments)
        # Statistics over every row still in a segment, deleted or not (as Lucene does until a merge drops them).
        self._rows = rows
        average = total_length / rows if rows else 1.0
        self._norms = [K1 * (1 - B + B * np.asarray(s.lengths, dtype=np.float32) / average) for s in self._segments]
        self._live_count = int(sum(int(mask.sum()) for mask in self._live))
        self._common_terms: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self._cached_bytes = 0
        self._cache_lock = threading.Lock()

    def __len__(self) -> int:
        return self._live_count

    def scores(self, tokens: list[str], helper: Executor | None = None) -> LexicalScores:
        """BM25 of every live passage for these tokens. `helper`, when given, scores half the segments of a
        question touching many postings on its thread (the owner keeps it: index/search.py's Searcher)."""
        keys: dict[str, int] = {}
        terms: list[tuple[int, float, list[tuple[np.ndarray, np.ndarray]]]] = []  # (key, idf, postings per segment)
        for token in tokens:
            key = keys.setdefault(token, term_key(token))
            found = [segment.postings(key) for segment in self._segments]
            frequency = sum(len(rows) for rows, _ in found)
            if frequency == 0:
                continue
            idf = math.log(1 + (self._rows - frequency + 0.5) / (frequency + 0.5))
            if idf >= NEGLIGIBLE_IDF:  # else in (nearly) every passage, e.g. a word of every title: adds < 1e-4
                terms.append((key, idf, found))
        numbers = range(len(self._segments))
        many = sum(len(rows) for _, _, found in terms for rows, _ in found) > PARALLEL_POSTINGS
        if helper is not None and many and len(self._segments) > 1:
            # numpy releases the GIL in these loops: half the segments on the helper, half here
            other = helper.submit(lambda: [self._segment_scores(n, terms) for n in numbers[1::2]])
            here = [self._segment_scores(n, terms) for n in numbers[::2]]
            there = other.result()
            per_segment = [here[n // 2] if n % 2 == 0 else there[n // 2] for n in numbers]
        else:
            per_segment = [self._segment_scores(n, terms) for n in numbers]
        return LexicalScores(self, per_segment)

    def _segment_scores(self, number: int, terms: list[tuple[int, float, list[tuple[np.ndarray, np.ndarray]]]]) -> np.ndarray:
        norms = self._norms[number]
        scores = np.zeros(len(norms), dtype=np.float32)
        for key, idf, found in terms:
            rows, counts = found[number]
            if len(rows) > len(scores) * DENSE_SHARE:  # a common term: whole-array arithmetic is faster
                scores += idf * self._common_term(key, number, rows, counts)
            elif len(rows):
                counts = counts.astype(np.float32)
                scores[rows] += idf * counts / (counts + norms[rows])
        scores[self._deleted_rows[number]] = 0.0
        return scores

    def _common_term(self, key: int, number: int, rows: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """tf / (tf + norm) over every row of a segment for a term most rows hold ("của", "công tác").

        Such terms recur in nearly every question, so the array is kept (least recently used first out,
        within COMMON_TERM_CACHE_BYTES) for the life of this generation: then a question adds it in one pass
        instead of six. It depends only on the segment and this generation's average length, never on a question."""
        with self._cache_lock:
            cached = self._common_terms.get((key, number))
            if cached is not None:
                self._common_terms.move_to_end((key, number))
                return cached
        frequencies = np.zeros(len(self._norms[number]), dtype=np.float32)
        frequencies[rows] = counts
        frequencies /= frequencies + self._norms[number]
        with self._cache_lock:
            self._common_terms[(key, number)] = frequencies
            self._cached_bytes += frequencies.nbytes
            while self._cached_bytes > COMMON_TERM_CACHE_BYTES and self._common_terms:
                self._cached_bytes -= self._common_terms.popitem(last=False)[1].nbytes
        return frequencies

    def document_frequency(self, token: str) -> int:
        """How many passages hold the token (deleted ones included until their segment is merged)."""
        key = term_key(token)
        return sum(len(segment.postings(key)[0]) for segment in self._segments)

    def passages_with(self, token: str) -> np.ndarray:
        """Ids of the live passages holding the token, unsorted."""
        key = term_key(token)
        found = []
        for segment, ids, live in zip(self._segments, self.segment_ids, self._live):
            rows = segment.postings(key)[0]
            if len(rows):
                rows = rows[live[rows]]
                found.append(ids[rows])
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
