"""Which generations live processes still read, so garbage collection keeps them.

Every open library owns `readers/<token>.lock` in the data directory, flocked for as long as it lives (the OS
drops the flock when the process dies), and one empty `readers/<token>.gen-N` per generation it reads. A
reader marks a generation before it opens it, then checks that it is still the stored one (index/library.py):
a writer that switched in between may not have seen the mark, but the reader then sees the switch.
Markers whose lock nobody holds belong to dead processes and are deleted by the next collection.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from pathlib import Path

HOLDS_DIR = "readers"
_LOCK_SUFFIX = ".lock"
_MARK = ".gen-"


class Holds:
    """This library's marks; `hold` and `release` are cheap (one empty file each) and idempotent."""

    def __init__(self, data_dir: Path) -> None:
        self._folder = Path(data_dir) / HOLDS_DIR
        self._folder.mkdir(parents=True, exist_ok=True)
        self._token, self._fd = self._lock_new_token()
        self._held: set[int] = set()

    def _lock_new_token(self) -> tuple[str, int]:
        """A fresh token whose lock file this object holds; retried if a collection took the file for a dead one's
        between its creation and the flock."""
        while True:
            token = f"{os.getpid()}-{secrets.token_hex(4)}"
            path = self._folder / f"{token}{_LOCK_SUFFIX}"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.stat(path).st_ino == os.fstat(fd).st_ino:
                    return token, fd
            except FileNotFoundError:
                pass
            os.close(fd)

    def hold(self, number: int) -> None:
        if number not in self._held:
            (self._folder / f"{self._token}{_MARK}{number}").touch()
            self._held.add(number)

    def release(self, number: int) -> None:
        if number in self._held:
            (self._folder / f"{self._token}{_MARK}{number}").unlink(missing_ok=True)
            self._held.discard(number)

    def close(self) -> None:
        """Marks first, then the lock file: a mark is never seen without its lock."""
        if self._fd is None:
            return
        for number in list(self._held):
            self.release(number)
        (self._folder / f"{self._token}{_LOCK_SUFFIX}").unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None


def held_generations(data_dir: Path) -> set[int]:
    """The generations some live library marks; the marks and locks of dead ones are deleted on the way."""
    folder = Path(data_dir) / HOLDS_DIR
    if not folder.is_dir():
        return set()
    marks: dict[str, set[int]] = {}
    locks: set[str] = set()
    for entry in os.listdir(folder):
        if entry.endswith(_LOCK_SUFFIX):
            locks.add(entry[: -len(_LOCK_SUFFIX)])
        elif _MARK in entry and (number := entry.rpartition(_MARK)[2]).isdigit():
            marks.setdefault(entry.rpartition(_MARK)[0], set()).add(int(number))
    held: set[int] = set()
    for token in locks | set(marks):
        if token in locks and _is_alive(folder / f"{token}{_LOCK_SUFFIX}", [folder / f"{token}{_MARK}{n}" for n in marks.get(token, ())]):
            held |= marks.get(token, set())
        elif token not in locks:  # left by a collection that died half-way through a dead library's files
            for number in marks[token]:
                (folder / f"{token}{_MARK}{number}").unlink(missing_ok=True)
    return held


def _is_alive(lock: Path, marks: list[Path]) -> bool:
    """True while the lock's owner holds it; otherwise its marks and the lock file are deleted."""
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False  # closed since the listing: it reads nothing any more
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        for mark in marks:
            mark.unlink(missing_ok=True)
        lock.unlink(missing_ok=True)
        return False
    finally:
        os.close(fd)
