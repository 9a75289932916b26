"""Generations: the one small value naming an index's live segments, written atomically (Lucene's SegmentInfos).

`gen-N/` lies beside `segments/` in the data directory and holds `manifest.json` (the live segments' names
in order, and the names of those that have removed passages), `deleted.npy` (the ids of removed passages a
live segment still holds, int64) and `removed/<segment>/` (those passages' syllable counts). SQLite's
`generation` metadata says which N is live: a write saves `gen-N+1/` beside it, then switches in one
transaction; then the writer deletes what neither the live generation nor one a reader still holds names.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from index.atomic import atomic_folder
from index.restoration import SyllableTable
from index.segments import SEGMENTS_DIR

FOLDER_PREFIX = "gen-"
MANIFEST = "manifest.json"
DELETED = "deleted.npy"
REMOVED_DIR = "removed"


def generation_folder(data_dir: Path, number: int) -> Path:
    return Path(data_dir) / f"{FOLDER_PREFIX}{number}"


@dataclass(frozen=True, eq=False)  # arrays inside: compare fields, not values
class Generation:
    """Everything gen-N holds; the segments themselves are opened from their own folders by name."""

    number: int
    segment_names: tuple[str, ...] = ()
    deleted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # sorted ids
    removed: dict[str, SyllableTable] = field(default_factory=dict)  # per segment: its removed passages' counts

    @classmethod
    def load(cls, data_dir: Path, number: int) -> "Generation":
        """Raises OSError, ValueError or KeyError when the folder is missing or damaged."""
        folder = generation_folder(data_dir, number)
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        names = tuple(manifest["segments"])
        deleted = np.load(folder / DELETED)
        removed = {name: SyllableTable.load(folder / REMOVED_DIR / name) for name in manifest["removed"]}
        return cls(number, names, deleted, removed)

    def write(self, data_dir: Path) -> None:
        """Save gen-N whole or not at all (index/atomic.py); a leftover gen-N from a crashed write is replaced."""
        with atomic_folder(generation_folder(data_dir, self.number)) as staging:
            manifest = {"segments": list(self.segment_names), "removed": sorted(self.removed)}
            (staging / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
            np.save(staging / DELETED, np.asarray(self.deleted, dtype=np.int64))
            for name, table in self.removed.items():
                table.save(staging / REMOVED_DIR / name)


def is_written(data_dir: Path, number: int) -> bool:
    return (generation_folder(data_dir, number) / MANIFEST).exists()


def predates_segments(data_dir: Path, number: int) -> bool:
    """A generation written before segments existed: one FAISS file and a bm25s folder, no manifest."""
    folder = generation_folder(data_dir, number)
    return number > 0 and (folder / "vectors.faiss").exists() and not (folder / MANIFEST).exists()


def segment_names_of(data_dir: Path, number: int) -> tuple[str, ...]:
    """The segments gen-N names, read from its manifest alone; raises OSError, ValueError or KeyError."""
    manifest = json.loads((generation_folder(data_dir, number) / MANIFEST).read_text(encoding="utf-8"))
    return tuple(manifest["segments"])


def collect_garbage(data_dir: Path, live: Generation, held: Iterable[int] = ()) -> None:
    """Delete the generations older than the live one, unfinished ones, and the segments it does not name
    (merged away, or left by an interrupted write). Kept besides: the older generations in `held` (other
    processes still read them, index/holds.py) with their segments, and newer generations (left by a write
    that died before its switch; the next write replaces them). Only the writer may call this
    (index/writer_lock.py): a writer's segments are unnamed until its switch."""
    kept = {number for number in held if number < live.number}
    for folder in Path(data_dir).glob(f"{FOLDER_PREFIX}*"):
        suffix = folder.name[len(FOLDER_PREFIX):]
        if suffix.endswith(".tmp") or (suffix.isdigit() and int(suffix) < live.number and int(suffix) not in kept):
            shutil.rmtree(folder, ignore_errors=True)
    segments_dir = Path(data_dir) / SEGMENTS_DIR
    if segments_dir.is_dir():
        named = set(live.segment_names)
        for number in kept:
            try:
                named.update(segment_names_of(data_dir, number))
            except (OSError, ValueError, KeyError):
                pass  # its folder is gone or damaged: it names nothing to keep
        for folder in segments_dir.iterdir():
            if folder.name not in named:
                shutil.rmtree(folder, ignore_errors=True)
