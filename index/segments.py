"""Segments: immutable slices of the index (passage ids, their vectors, their BM25 postings and the syllable
counts of the diacritic model) in one folder each.

A write adds new segments and a list of deleted ids instead of rewriting the index, so its cost follows the
size of the change, not of the library. Small segments are merged into larger ones in tiers (each passage
is rewritten a few times in its life, never on every write), and a merge drops deleted passages.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from index.lexical import LexicalSegment
from index.restoration import SyllableTable
from index.vectors import VectorSegment

SEGMENTS_DIR = "segments"
IDS_FILE = "ids.npy"
VECTORS_FILE = "vectors.faiss"
FLUSH_PASSAGES = 20_000  # a long write is cut into segments of this size: its memory stays flat
MERGE_FACTOR = 6  # this many segments of one size tier are merged into one
SMALLEST_TIER = 1_000  # passages: every segment below this is in tier 0
MAX_MERGED_PASSAGES = 250_000  # merges stop growing a segment past this (bounds the memory a merge needs)
PURGE_DELETED_SHARE = 0.3  # a segment with more deleted passages than this is rewritten without them


@dataclass(frozen=True)
class Segment:
    name: str
    ids: np.ndarray  # int64, sorted: row r holds passage ids[r]
    vectors: VectorSegment
    lexical: LexicalSegment
    syllables: SyllableTable  # of its documents' titles and passages, removed ones included until a merge

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, lexical: LexicalSegment, syllables: SyllableTable) -> "Segment":
        """Rows must come in increasing id order (the library assigns ids that way)."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])):
            raise ValueError("segment ids must be strictly increasing")
        if len(lexical) != len(ids):
            raise ValueError("one row of postings per passage id")
        return cls(new_segment_name(), ids, VectorSegment.build(ids, vectors), lexical, syllables)

    @classmethod
    def merge(cls, parts: Sequence["Segment"], deleted: np.ndarray,
              removed: Mapping[str, SyllableTable] | None = None) -> "Segment":
        """One segment holding the parts' passages that are not deleted; `removed` holds, per part, the
        syllable counts of its deleted passages, which the merged counts leave out."""
        removed = removed or {}
        parts = sorted(parts, key=lambda s: int(s.ids[0]) if len(s.ids) else 0)
        kept_rows = [np.flatnonzero(~np.isin(part.ids, deleted)) for part in parts]
        ids = np.concatenate([part.ids[rows] for part, rows in zip(parts, kept_rows)])
        vectors = np.vstack([part.vectors.vectors_of(part.ids[rows]) for part, rows in zip(parts, kept_rows)])
        lexical = LexicalSegment.merge([(part.lexical, rows) for part, rows in zip(parts, kept_rows)])
        syllables = SyllableTable.summed([p.syllables for p in parts], [removed[p.name] for p in parts if p.name in removed])
        return cls.build(ids, vectors, lexical, syllables)  # which refuses parts whose id ranges overlap

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / IDS_FILE, self.ids)
        self.vectors.save(folder / VECTORS_FILE)
        self.lexical.save(folder / "lexical")
        self.syllables.save(folder / "syllables")

    @classmethod
    def load(cls, folder: Path) -> "Segment":
        return cls(folder.name, np.load(folder / IDS_FILE), VectorSegment.load(folder / VECTORS_FILE),
                   LexicalSegment.load(folder / "lexical"), SyllableTable.load(folder / "syllables"))

    def holds(self, passage_id: int) -> bool:
        row = int(np.searchsorted(self.ids, passage_id))
        return row < len(self.ids) and int(self.ids[row]) == passage_id

    def __len__(self) -> int:
        return len(self.ids)

    def live_mask(self, deleted: np.ndarray) -> np.ndarray:
        return ~np.isin(self.ids, deleted)


def new_segment_name() -> str:
    """Unique without coordination, so a staging build and the live library never pick the same folder."""
    return f"seg-{secrets.token_hex(6)}"


def _tier(size: int) -> int:
    tier, bound = 0, SMALLEST_TIER
    while size >= bound:
        tier, bound = tier + 1, bound * MERGE_FACTOR
    return tier


def next_merge(segments: Sequence[Segment], deleted: np.ndarray) -> list[Segment] | None:
    """The segments to merge next, or None when the layout is settled.

    First any segment that is mostly deleted passages (rewritten alone); then the smallest tier holding
    MERGE_FACTOR segments, as many of them as fit under MAX_MERGED_PASSAGES. Segments are ordered by id,
    and only neighbours in that order are merged, so every segment keeps a contiguous id range.
    """
    ordered = sorted(segments, key=lambda s: int(s.ids[0]) if len(s.ids) else 0)
    live = [int(s.live_mask(deleted).sum()) for s in ordered]
    for segment, count in zip(ordered, live):
        if len(segment) and (len(segment) - count) / len(segment) > PURGE_DELETED_SHARE:
            return [segment]
    runs: dict[int, list[list[int]]] = defaultdict(list)  # tier → runs of neighbouring positions
    for position, count in enumerate(live):
        tier = _tier(count)
        if count >= MAX_MERGED_PASSAGES // 2:
            continue
        if runs[tier] and runs[tier][-1][-1] == position - 1:
            runs[tier][-1].append(position)
        else:
            runs[tier].append([position])
    for tier in sorted(runs):
        for run in runs[tier]:
            if len(run) < MERGE_FACTOR:
                continue
            chosen, total = [], 0
            for position in run:
                if total + live[position] > MAX_MERGED_PASSAGES and len(chosen) >= 2:
                    break
                chosen.append(position)
                total += live[position]
            return [ordered[p] for p in chosen]
    return None
