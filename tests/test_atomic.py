"""index/atomic.py's folder replace: the target is the old folder or the complete new one, never a mix."""

import pytest

from index.atomic import atomic_folder, staging_folder


def test_a_folder_is_renamed_into_place_once_complete(tmp_path):
    target = tmp_path / "seg-1"
    with atomic_folder(target) as staging:
        assert staging == staging_folder(target) and staging.is_dir() and not target.exists()
        (staging / "lexical").mkdir()
        (staging / "lexical" / "rows.npy").write_bytes(b"rows")
        (staging / "ids.npy").write_bytes(b"ids")

    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == ["ids.npy", "lexical", "lexical/rows.npy"]
    assert not staging_folder(target).exists()


def test_a_failed_write_leaves_the_old_folder_and_no_staging(tmp_path):
    target = tmp_path / "gen-2"
    target.mkdir()
    (target / "manifest.json").write_text("old", encoding="utf-8")

    with pytest.raises(OSError):
        with atomic_folder(target) as staging:
            (staging / "manifest.json").write_text("new", encoding="utf-8")
            raise OSError("disk full")

    assert (target / "manifest.json").read_text(encoding="utf-8") == "old"
    assert not staging_folder(target).exists()


def test_an_existing_folder_is_replaced_whole_and_a_crashed_staging_is_discarded(tmp_path):
    target = tmp_path / "gen-3"
    target.mkdir()
    (target / "stale.npy").write_bytes(b"stale")
    staging_folder(target).mkdir()
    (staging_folder(target) / "half-written.npy").write_bytes(b"half")

    with atomic_folder(target) as staging:
        assert list(staging.iterdir()) == []
        (staging / "manifest.json").write_text("new", encoding="utf-8")

    assert [p.name for p in target.iterdir()] == ["manifest.json"]
