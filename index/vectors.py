"""FAISS inner-product index keyed by passage id (IndexIDMap2), saved atomically."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from index.atomic import atomic_write_path


class VectorIndex:
    """Normalised passage vectors under their passage ids; inner product = cosine."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def empty(cls, dim: int) -> "VectorIndex":
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        with atomic_write_path(path) as tmp:
            faiss.write_index(self._index, str(tmp))

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def copy(self) -> "VectorIndex":
        return VectorIndex(faiss.clone_index(self._index))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> int:
        if not len(ids):
            return 0
        return int(self._index.remove_ids(np.asarray(ids, dtype=np.int64)))

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top-k (passage id, cosine) for one normalised query vector."""
        if len(self) == 0 or k <= 0:
            return []
        scores, ids = self._index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), min(k, len(self)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def scores_for(self, query: np.ndarray, ids: list[int]) -> dict[int, float]:
        """Exact cosine between the query and the given passages (to score the other channel's candidates)."""
        if not ids:
            return {}
        vectors = np.vstack([self._index.reconstruct(int(i)) for i in ids])
        return dict(zip(ids, (vectors @ query.reshape(-1)).tolist()))
