"""Generations: the one small value naming an index's live segments, written atomically (Lucene's SegmentInfos).

`gen-N/` lies beside `segments/` in the data directory and holds `manifest.json` (the live segments' names
in order, and the names of those that have removed passages), `deleted.npy` (the ids of removed passages a
live segment still holds, int64) and `removed/<segment>/` (those passages' syllable counts). SQLite's
`generation` metadata says which N is live: a write saves `gen-N+1/` beside it, then switches in one
transaction, so what no live generation names can be deleted at any time.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

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


def collect_garbage(data_dir: Path, live: Generation) -> None:
    """Delete the generations older than the live one, unfinished ones, and the segments it does not name
    (merged away, or left by an interrupted write). Newer generations stay: a staging build numbers its own
    above the live one (index/library.py's build_library)."""
    for folder in Path(data_dir).glob(f"{FOLDER_PREFIX}*"):
        suffix = folder.name[len(FOLDER_PREFIX):]
        if suffix.endswith(".tmp") or (suffix.isdigit() and int(suffix) < live.number):
            shutil.rmtree(folder, ignore_errors=True)
    segments_dir = Path(data_dir) / SEGMENTS_DIR
    if segments_dir.is_dir():
        named = set(live.segment_names)
        for folder in segments_dir.iterdir():
            if folder.name not in named:
                shutil.rmtree(folder, ignore_errors=True)
