"""A generation opened for reading: its segments' vectors, BM25 postings and syllable counts, each read as one index.

Searches read one Snapshot while a writer builds the next; nothing in it changes once made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from index.generation import Generation
from index.lexical import LexicalIndex
from index.restoration import DiacriticRestorer
from index.segments import Segment
from index.vectors import VectorIndex


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One consistent generation of the indexes."""

    generation: Generation  # what gen-N names: segments, deleted ids, removed passages' syllable counts
    segments: tuple[Segment, ...]  # the ones the generation names, in its order
    vectors: VectorIndex  # the segments' vectors, read as one index
    lexical: LexicalIndex  # the segments' BM25 postings, read as one index
    restorer: DiacriticRestorer  # the segments' syllable counts less the removed ones


def snapshot_of(generation: Generation, segments: Sequence[Segment], dim: int) -> Snapshot:
    """The generation's segments (already opened, or just written) read as one index, deleted passages masked."""
    if tuple(s.name for s in segments) != generation.segment_names:
        raise ValueError(f"gen-{generation.number} names other segments than the ones given")
    live = [segment.live_mask(generation.deleted) for segment in segments]
    ids = [segment.ids for segment in segments]
    return Snapshot(
        generation, tuple(segments),
        VectorIndex([s.vectors for s in segments], ids, live, dim),
        LexicalIndex([s.lexical for s in segments], ids, live),
        DiacriticRestorer([s.syllables for s in segments], list(generation.removed.values())),
    )
