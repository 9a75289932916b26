"""Passages in, finished segments out: tokens, vectors and diacritic counts, FLUSH_PASSAGES at a time.

Whatever the size of a write, at most one flush of passages is held in memory; each full flush becomes a
segment saved to disk (its folder renamed into place only once complete).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from index.atomic import atomic_folder
from index.documents import Document, Passage
from index.embedders import Embedder
from index.lexical import LexicalSegment, PostingsBuilder
from index.passage_text import context_text, restorer_texts
from index.restoration import SyllableTable
from index.segments import FLUSH_PASSAGES, Segment
from index.vietnamese import index_tokens

EMBED_BATCH = 32
Progress = Callable[[int, int], None]  # (done, total) passages embedded; total 0 when unknown


def save_segment(segment: Segment, segments_dir: Path) -> Segment:
    """Write a segment's folder under a temporary name, fsync it, then rename it into place (index/atomic.py).

    Returns the segment with its BM25 postings memory-mapped from the saved files, so the arrays built in
    memory are released: a long write holds one flush's worth of postings, not all of them."""
    final = segments_dir / segment.name
    with atomic_folder(final) as staging:
        segment.save(staging)
    return Segment(
        segment.name, segment.ids, segment.vectors, LexicalSegment.load(final / "lexical"), SyllableTable.load(final / "syllables")
    )


class SegmentWriter:
    def __init__(self, embedder: Embedder, segments_dir: Path, progress: Progress | None = None,
                 total: int = 0, flush_every: int | None = None) -> None:
        self._embedder = embedder
        self._segments_dir = segments_dir
        self._progress = progress
        self._total = total
        self._flush_every = flush_every or FLUSH_PASSAGES
        self._done = 0
        self._pending: list[tuple[Document, Passage]] = []
        self.segments: list[Segment] = []

    def add(self, document: Document, passages: list[Passage]) -> None:
        """Passages must carry ids above every id given before."""
        self._pending += [(document, p) for p in passages]
        if len(self._pending) >= self._flush_every:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        contexts = [context_text(d, p) for d, p in self._pending]
        ids = np.array([p.id for _, p in self._pending], dtype=np.int64)
        postings = PostingsBuilder()
        for context in contexts:
            postings.add(index_tokens(context))
        vectors = self._embed(contexts)
        by_document: dict[int | None, tuple[Document, list[Passage]]] = {}
        for document, passage in self._pending:  # documents are never split across flushes
            by_document.setdefault(document.id, (document, []))[1].append(passage)
        syllables = SyllableTable.count(t for d, ps in by_document.values() for t in restorer_texts(d, ps))
        self._pending = []
        segment = Segment.build(ids, vectors, postings.finish(), syllables)
        self._segments_dir.mkdir(parents=True, exist_ok=True)
        self.segments.append(save_segment(segment, self._segments_dir))

    def _embed(self, texts: list[str]) -> np.ndarray:
        chunks = []
        for start in range(0, len(texts), EMBED_BATCH):
            chunks.append(self._embedder.embed_passages(texts[start : start + EMBED_BATCH]))
            self._done += len(chunks[-1])
            if self._progress:
                self._progress(self._done, max(self._total, self._done))
        return np.vstack(chunks) if chunks else np.zeros((0, self._embedder.dim), dtype=np.float32)
