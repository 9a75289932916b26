"""The data directory's write lock (index/writer_lock.py) and the readers' marks (index/holds.py), held by real
child processes that are then killed with SIGKILL: what the OS releases, and what garbage collection keeps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from index.errors import WriterBusy
from index.generation import Generation, collect_garbage
from index.holds import HOLDS_DIR, Holds, held_generations
from index.writer_lock import WriterLock, is_held, writer_waiting

PROJECT = Path(__file__).resolve().parent.parent


def child(code: str) -> subprocess.Popen:
    """A Python process that runs `code`, prints 'ready' and sleeps until killed."""
    process = subprocess.Popen(
        [sys.executable, "-c", f"{code}\nprint('ready', flush=True)\nimport time\ntime.sleep(600)"],
        cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)}, stdout=subprocess.PIPE, text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def kill_9(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_a_writer_killed_while_holding_the_lock_does_not_block_the_next(tmp_path):
    holder = child(f"from index.writer_lock import WriterLock\nlock = WriterLock({str(tmp_path)!r})\nlock.__enter__()")
    assert is_held(tmp_path)
    with pytest.raises(WriterBusy, match=r"sau 0\.2 giây chờ"):
        with WriterLock(tmp_path, wait_seconds=0.2):
            pass

    kill_9(holder)

    assert not is_held(tmp_path)
    with WriterLock(tmp_path, wait_seconds=0):
        assert is_held(tmp_path)
    assert not is_held(tmp_path)


def test_a_waiting_writer_is_told_once_and_proceeds_when_the_holder_lets_go(tmp_path):
    first = WriterLock(tmp_path)
    told: list[str] = []
    entered = threading.Event()

    def second_writer() -> None:
        with writer_waiting(lambda: told.append("waiting")), WriterLock(tmp_path, wait_seconds=120):
            entered.set()

    with first:
        thread = threading.Thread(target=second_writer)
        thread.start()
        deadline = time.monotonic() + 60
        while not told:  # the second writer waits for a second before it says so
            assert not entered.wait(0.05) and time.monotonic() < deadline
    thread.join(120)
    assert entered.is_set() and told == ["waiting"]


def test_two_threads_of_one_lock_take_turns(tmp_path):
    lock = WriterLock(tmp_path, wait_seconds=120)
    inside: list[int] = []
    overlaps: list[int] = []

    def write(number: int) -> None:
        for _ in range(20):
            with lock:
                inside.append(number)
                if len(inside) > 1:
                    overlaps.append(number)
                inside.remove(number)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert overlaps == [] and not is_held(tmp_path)


def test_a_free_lock_is_taken_without_waiting_and_a_held_one_is_not(tmp_path):
    lock = WriterLock(tmp_path)
    with lock.if_free() as free:
        assert free and is_held(tmp_path)
    with WriterLock(tmp_path):
        with lock.if_free() as free:
            assert not free
        with lock.if_free(across_processes=False) as free:
            assert free  # only this object's own writers are kept away


def test_the_generations_a_live_process_holds_are_reported_and_a_killed_ones_forgotten(tmp_path):
    reader = child(f"from index.holds import Holds\nholds = Holds({str(tmp_path)!r})\nholds.hold(3)\nholds.hold(4)")
    mine = Holds(tmp_path)
    mine.hold(5)

    assert held_generations(tmp_path) == {3, 4, 5}

    kill_9(reader)

    assert held_generations(tmp_path) == {5}
    assert sorted(p.name.split(".", 1)[1] for p in (tmp_path / HOLDS_DIR).iterdir()) == ["gen-5", "lock"]
    mine.release(5)
    assert held_generations(tmp_path) == set()
    mine.close()
    assert list((tmp_path / HOLDS_DIR).iterdir()) == []


def test_garbage_collection_keeps_a_generation_a_reader_holds_and_the_segments_it_names(tmp_path):
    for number, names in ((2, ("seg-2",)), (3, ("seg-3a", "seg-3b")), (4, ("seg-3b", "seg-4"))):
        Generation(number, names, np.zeros(0, dtype=np.int64)).write(tmp_path)
    for name in ("seg-2", "seg-3a", "seg-3b", "seg-4", "seg-new.tmp"):
        (tmp_path / "segments" / name).mkdir(parents=True)
    reader = child(f"from index.holds import Holds\nholds = Holds({str(tmp_path)!r})\nholds.hold(3)")

    collect_garbage(tmp_path, Generation.load(tmp_path, 4), held_generations(tmp_path))

    assert sorted(p.name for p in tmp_path.glob("gen-*")) == ["gen-3", "gen-4"]
    assert sorted(p.name for p in (tmp_path / "segments").iterdir()) == ["seg-3a", "seg-3b", "seg-4"]

    kill_9(reader)
    collect_garbage(tmp_path, Generation.load(tmp_path, 4), held_generations(tmp_path))

    assert sorted(p.name for p in tmp_path.glob("gen-*")) == ["gen-4"]
    assert sorted(p.name for p in (tmp_path / "segments").iterdir()) == ["seg-3b", "seg-4"]
