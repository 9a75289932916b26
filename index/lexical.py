"""BM25 (bm25s) over the Vietnamese tokens of index.vietnamese, keyed by passage id."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import bm25s
import numpy as np

logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    """A BM25 index whose rows are passages; ids are kept sorted so a row is found by bisection."""

    def __init__(self, bm25: bm25s.BM25 | None, passage_ids: np.ndarray) -> None:
        self._bm25 = bm25
        self._ids = passage_ids

    @classmethod
    def build(cls, passage_ids: Sequence[int], token_lists: Sequence[list[str]]) -> "LexicalIndex":
        """Index passages given their token lists (pre-tokenised: bm25s's own splitter drops "ở")."""
        order = np.argsort(np.asarray(passage_ids, dtype=np.int64), kind="stable")
        ids = np.asarray(passage_ids, dtype=np.int64)[order]
        if len(ids) == 0:
            return cls(None, ids)
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index([token_lists[i] for i in order], show_progress=False)
        return cls(bm25, ids)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "passage_ids.npy", self._ids)
        if self._bm25 is not None:
            self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        ids = np.load(folder / "passage_ids.npy")
        if len(ids) == 0:
            return cls(None, ids)
        # Memory-mapped: a question reads only its tokens' columns, so most of the matrix stays on disk.
        return cls(bm25s.BM25.load(str(folder), show_progress=False, mmap=True), ids)

    def __len__(self) -> int:
        return len(self._ids)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage (row order = sorted passage ids)."""
        if self._bm25 is None or not tokens:
            return np.zeros(len(self._ids), dtype=np.float32)
        return self._bm25.get_scores(tokens)

    def top(self, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k best (passage id, score) with a positive score."""
        if len(scores) == 0 or k <= 0:
            return []
        k = min(k, len(scores))
        rows = np.argpartition(-scores, k - 1)[:k]
        rows = rows[np.argsort(-scores[rows])]
        return [(int(self._ids[r]), float(scores[r])) for r in rows if scores[r] > 0]

    def document_frequency(self, token: str) -> int:
        """How many passages hold the token (read from the BM25 matrix: one column per token)."""
        if self._bm25 is None:
            return 0
        column = self._bm25.vocab_dict.get(token)
        indptr = self._bm25.scores["indptr"]
        if column is None or column + 1 >= len(indptr):
            return 0
        return int(indptr[column + 1] - indptr[column])

    def passages_with(self, token: str) -> np.ndarray:
        """Ids of the passages holding the token (its column of the BM25 matrix), unsorted."""
        if self._bm25 is None:
            return np.zeros(0, dtype=np.int64)
        column = self._bm25.vocab_dict.get(token)
        indptr = self._bm25.scores["indptr"]
        if column is None or column + 1 >= len(indptr):
            return np.zeros(0, dtype=np.int64)
        return self._ids[self._bm25.scores["indices"][indptr[column] : indptr[column + 1]]]

    def score_of(self, scores: np.ndarray, passage_id: int) -> float:
        row = int(np.searchsorted(self._ids, passage_id))
        if row < len(self._ids) and self._ids[row] == passage_id:
            return float(scores[row])
        return 0.0
