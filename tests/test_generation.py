"""gen-N/ on disk (index/generation.py): read back as written, in the layout existing data directories have,
and the garbage collection that keeps exactly what the live generation names."""

import json
from pathlib import Path

import numpy as np

from index.generation import Generation, collect_garbage, generation_folder, is_written, predates_segments
from index.restoration import SyllableTable


def removed_counts() -> dict[str, SyllableTable]:
    return {"seg-bbbb": SyllableTable.count(["Quy định về công tác kiểm tra"]),
            "seg-aaaa": SyllableTable.count(["Kế hoạch chuyển đổi số"])}


def assert_same_tables(found: SyllableTable, expected: SyllableTable) -> None:
    assert found.unigrams == expected.unigrams
    np.testing.assert_array_equal(found.pair_keys, expected.pair_keys)
    np.testing.assert_array_equal(found.pair_counts, expected.pair_counts)


def write_as_before_generation_py(data_dir: Path, number: int, names: list[str], deleted: np.ndarray,
                                  removed: dict[str, SyllableTable]) -> Path:
    """gen-N exactly as index/library.py wrote it before index/generation.py existed."""
    folder = data_dir / f"gen-{number}"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"segments": names, "removed": sorted(removed)}), encoding="utf-8")
    np.save(folder / "deleted.npy", np.asarray(deleted, dtype=np.int64))
    for name, table in removed.items():
        table.save(folder / "removed" / name)
    return folder


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_generation_reads_back_as_written(tmp_path):
    removed = removed_counts()
    Generation(4, ("seg-aaaa", "seg-bbbb", "seg-cccc"), np.array([3, 8, 21], dtype=np.int64), removed).write(tmp_path)

    loaded = Generation.load(tmp_path, 4)

    assert loaded.number == 4
    assert loaded.segment_names == ("seg-aaaa", "seg-bbbb", "seg-cccc")
    assert loaded.deleted.dtype == np.int64 and loaded.deleted.tolist() == [3, 8, 21]
    assert sorted(loaded.removed) == ["seg-aaaa", "seg-bbbb"]
    for name, table in removed.items():
        assert_same_tables(loaded.removed[name], table)
    assert is_written(tmp_path, 4) and not is_written(tmp_path, 5)


def test_a_generation_written_before_this_module_opens_and_is_written_back_byte_for_byte(tmp_path):
    removed = removed_counts()
    old = write_as_before_generation_py(tmp_path / "old", 7, ["seg-cccc", "seg-aaaa"], np.array([5, 9]), removed)

    loaded = Generation.load(tmp_path / "old", 7)
    loaded.write(tmp_path / "new")

    assert loaded.segment_names == ("seg-cccc", "seg-aaaa")  # the manifest's order, not sorted
    assert loaded.deleted.tolist() == [5, 9]
    assert files_of(generation_folder(tmp_path / "new", 7)) == files_of(old)


def test_an_empty_generation_names_nothing(tmp_path):
    Generation(1).write(tmp_path)

    loaded = Generation.load(tmp_path, 1)

    assert loaded.segment_names == () and len(loaded.deleted) == 0 and loaded.removed == {}
    assert json.loads((tmp_path / "gen-1" / "manifest.json").read_text(encoding="utf-8")) == {"segments": [], "removed": []}


def test_a_leftover_folder_of_the_same_generation_is_replaced_whole(tmp_path):
    """A crash after writing gen-N but before the SQLite switch leaves gen-N behind: the next write redoes it."""
    Generation(3, ("seg-aaaa",), np.array([1]), removed_counts()).write(tmp_path)
    (tmp_path / "gen-3.tmp").mkdir()  # and a half-written one

    Generation(3, ("seg-dddd",)).write(tmp_path)

    assert Generation.load(tmp_path, 3).segment_names == ("seg-dddd",)
    assert not (tmp_path / "gen-3" / "removed").exists()
    assert not (tmp_path / "gen-3.tmp").exists()


def test_garbage_collection_keeps_the_live_generation_newer_ones_and_the_segments_it_names(tmp_path):
    for number, names in ((2, ("seg-2",)), (3, ("seg-3",)), (4, ("seg-3",))):
        Generation(number, names).write(tmp_path)
    (tmp_path / "gen-5.tmp").mkdir()
    for name in ("seg-2", "seg-3", "seg-3.tmp", "seg-merged"):
        (tmp_path / "segments" / name).mkdir(parents=True)

    collect_garbage(tmp_path, Generation.load(tmp_path, 3))

    assert sorted(p.name for p in tmp_path.glob("gen-*")) == ["gen-3", "gen-4"]
    assert sorted(p.name for p in (tmp_path / "segments").iterdir()) == ["seg-3"]


def test_a_generation_from_before_segments_is_recognised(tmp_path):
    old = tmp_path / "gen-2"
    old.mkdir()
    (old / "vectors.faiss").write_bytes(b"")
    Generation(3).write(tmp_path)

    assert predates_segments(tmp_path, 2)
    assert not predates_segments(tmp_path, 3)
    assert not predates_segments(tmp_path, 0)
