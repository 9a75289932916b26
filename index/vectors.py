"""FAISS inner-product index keyed by passage id, saved atomically; exact below a size, approximate above.

Up to APPROXIMATE_ABOVE passages: IndexIDMap2 over IndexFlatIP (exact). Past it the index turns itself into
IndexIVFFlat (the centroids trained on a sample) with a hashtable direct map, which unlike HNSW can still
remove ids and reconstruct vectors; NPROBE lists are scanned per question (top-10 agreement with exact
search measured by bench/scale.py --ann-check).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import faiss
import numpy as np

from index.atomic import atomic_write_path

# One question at a time is a single-vector scan: OpenMP threads only add wake-up and spin cost, and on a
# busy 2-core host they made a 10k-passage search take ~56 ms instead of ~1 ms (bench/scale.py).
faiss.omp_set_num_threads(1)

APPROXIMATE_ABOVE = 200_000
TRAIN_PER_LIST = 64  # training sample = this many vectors per inverted list
NPROBE_SHARE = 1 / 16  # share of the inverted lists scanned per question


def _ivf_lists(count: int) -> int:
    return max(64, int(2 * math.sqrt(count)))


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

    @property
    def approximate(self) -> bool:
        return isinstance(faiss.downcast_index(self._index), faiss.IndexIVF)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
        if not self.approximate and len(self) > APPROXIMATE_ABOVE:
            self._index = _approximate(self._index)

    def remove(self, ids: np.ndarray) -> int:
        if not len(ids):
            return 0
        return int(self._index.remove_ids(np.asarray(ids, dtype=np.int64)))

    def ids(self) -> np.ndarray:
        if not self.approximate:
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)
        ivf = faiss.extract_index_ivf(self._index)
        lists = [faiss.rev_swig_ptr(ivf.invlists.get_ids(i), ivf.invlists.list_size(i)).copy()
                 for i in range(ivf.nlist) if ivf.invlists.list_size(i)]
        return np.sort(np.concatenate(lists)).astype(np.int64) if lists else np.zeros(0, dtype=np.int64)

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


def _approximate(flat_map: faiss.Index) -> faiss.Index:
    """The same vectors and ids in an IndexIVFFlat, its centroids trained on a seeded sample."""
    flat_map = faiss.downcast_index(flat_map)
    flat = faiss.downcast_index(flat_map.index)
    count, dim = int(flat.ntotal), int(flat.d)
    vectors = faiss.rev_swig_ptr(flat.get_xb(), count * dim).reshape(count, dim).copy()
    ids = faiss.vector_to_array(flat_map.id_map).astype(np.int64)
    lists = _ivf_lists(count)
    sample = np.random.default_rng(0).choice(count, size=min(count, lists * TRAIN_PER_LIST), replace=False)
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # training is batch work: use every core
    try:
        ivf.train(vectors[np.sort(sample)])
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
        ivf.add_with_ids(vectors, ids)
    finally:
        faiss.omp_set_num_threads(threads)
    ivf.nprobe = max(8, int(lists * NPROBE_SHARE))
    return ivf
