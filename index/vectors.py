"""FAISS inner-product search over passage vectors, one immutable index per segment; exhaustive or IVF by size.

Vectors are stored as float16 (FAISS scalar quantizer QT_fp16): half the memory and bandwidth of float32,
so a question scans 100k passages in ~4 ms instead of ~9 ms on one core, while a cosine moves by about 1e-4.
A segment of up to APPROXIMATE_ABOVE passages is searched exhaustively (IndexIDMap2 over
IndexScalarQuantizer). A larger one (made only by merging segments, so only in libraries of a few hundred
thousand passages) is an IndexIVFScalarQuantizer, its centroids trained on a seeded sample, with a
hashtable direct map so vectors can be read back by id; NPROBE_SHARE of its lists are scanned per question
(top-10 agreement with exact float32 search measured by bench/scale.py --ann-check). HNSW was not chosen:
it cannot give vectors back by id for merges and exact rescoring.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Sequence

import faiss
import numpy as np

from index.atomic import atomic_write_path

# One question at a time is a single-vector scan: OpenMP threads only add wake-up and spin cost, and on a
# busy 2-core host they made a 10k-passage search take ~56 ms instead of ~1 ms (bench/scale.py).
faiss.omp_set_num_threads(1)

APPROXIMATE_ABOVE = 100_000  # passages in one segment (merges make segments of up to 250k)
TRAIN_PER_LIST = 64  # training sample = this many vectors per inverted list
NPROBE_SHARE = 1 / 16  # share of the inverted lists scanned per question


def _ivf_lists(count: int) -> int:
    return max(64, int(2 * math.sqrt(count)))


class VectorSegment:
    """Normalised vectors of some passages under their passage ids; inner product = cosine."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray) -> "VectorSegment":
        """Exact up to APPROXIMATE_ABOVE vectors, IVF above: the choice is made here, by size."""
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(ids) > APPROXIMATE_ABOVE:
            return cls(_ivf(ids, vectors))
        index = faiss.IndexIDMap2(faiss.IndexScalarQuantizer(vectors.shape[1], faiss.ScalarQuantizer.QT_fp16,
                                                             faiss.METRIC_INNER_PRODUCT))
        if len(ids):
            index.add_with_ids(vectors, ids)
        return cls(index)

    @classmethod
    def load(cls, path: Path) -> "VectorSegment":
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        with atomic_write_path(path) as tmp:
            faiss.write_index(self._index, str(tmp))

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def approximate(self) -> bool:
        return isinstance(faiss.downcast_index(self._index), faiss.IndexIVF)

    def ids(self) -> np.ndarray:
        """Every id the FAISS index holds, sorted."""
        if not self.approximate:
            return np.sort(faiss.vector_to_array(self._index.id_map).astype(np.int64))
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

    def vectors_of(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of these passage ids (which the segment must hold)."""
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(ids) > 64 and not self.approximate:  # many at once (a merge): decode the whole storage once
            stored = self._index.index.reconstruct_n(0, len(self))
            id_map = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            order = np.argsort(id_map, kind="stable")
            rows = order[np.searchsorted(id_map[order], np.asarray(ids, dtype=np.int64))]
            return stored[rows].copy()
        return np.vstack([self._index.reconstruct(int(i)) for i in ids])


class VectorIndex:
    """The vector segments of one generation searched as one index; deleted passages never come back."""

    def __init__(self, segments: Sequence[VectorSegment], segment_ids: Sequence[np.ndarray],
                 live: Sequence[np.ndarray], dim: int) -> None:
        self._segments = list(segments)
        self._segment_ids = list(segment_ids)
        self._live = list(live)
        self._deleted = [set(ids[~mask].tolist()) for ids, mask in zip(self._segment_ids, self._live)]
        self.dim = dim
        self._live_count = int(sum(int(mask.sum()) for mask in self._live))

    def __len__(self) -> int:
        return self._live_count

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        found: list[tuple[int, float]] = []
        for segment, deleted in zip(self._segments, self._deleted):
            hits = segment.search(query, k + len(deleted))  # over-fetch by the deleted count, then drop them
            found += [(i, s) for i, s in hits if i not in deleted][:k]
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found[:k]

    def scores_for(self, query: np.ndarray, ids: list[int]) -> dict[int, float]:
        """Exact cosine between the query and the given live passages (to score the other channel's candidates)."""
        wanted = np.asarray(ids, dtype=np.int64)
        scores: dict[int, float] = {}
        for segment, segment_ids, live in zip(self._segments, self._segment_ids, self._live):
            rows = np.searchsorted(segment_ids, wanted)
            inside = rows < len(segment_ids)
            inside[inside] = segment_ids[rows[inside]] == wanted[inside]
            inside[inside] = live[rows[inside]]
            held = wanted[inside].tolist()
            if held:
                scores.update(zip(held, (segment.vectors_of(held) @ query.reshape(-1)).tolist()))
        return scores


def _ivf(ids: np.ndarray, vectors: np.ndarray) -> faiss.Index:
    """An IVF index of float16 vectors, its centroids trained on a seeded sample."""
    count, dim = vectors.shape
    lists = _ivf_lists(count)
    sample = np.random.default_rng(0).choice(count, size=min(count, lists * TRAIN_PER_LIST), replace=False)
    ivf = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, lists, faiss.ScalarQuantizer.QT_fp16,
                                        faiss.METRIC_INNER_PRODUCT, False)  # vectors themselves, not residuals
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
