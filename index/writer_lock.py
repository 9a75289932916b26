"""One writer at a time over a data directory, across threads and processes.

The lock is an flock on `write.lock` in the data directory: the OS releases it when its holder dies, however
it dies (kill -9 included), so a crashed writer never blocks the next. A writer that finds it taken waits at
most `wait_seconds`, telling whoever set `writer_waiting` once it has waited a second, then gives up with
WriterBusy. Only the holder writes segments and generations, and only the holder collects garbage
(index/generation.py).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from index.errors import WriterBusy

LOCK_NAME = "write.lock"
DEFAULT_WAIT_SECONDS = 600.0
TELL_AFTER = 1.0  # seconds: shorter waits (another process tidying up after a refresh) go unmentioned
_POLL_SECONDS = 0.05

_waiting: ContextVar[Callable[[], None] | None] = ContextVar("vankien_writer_waiting", default=None)


@contextmanager
def writer_waiting(notify: Callable[[], None]) -> Iterator[None]:
    """`notify()` is called (in the writing thread) when a write in this block must wait for another writer.

    Set around a call instead of passed through it, as index/isolation.py's parse_options is (threads started
    with this context, e.g. by asyncio.to_thread, see it too)."""
    token = _waiting.set(notify)
    try:
        yield
    finally:
        _waiting.reset(token)


def tell_waiting() -> bool:
    """Tell whoever set `writer_waiting` that this write waits for another; returns True (now told)."""
    notify = _waiting.get()
    if notify is not None:
        notify()
    return True


class WriterLock:
    """`with lock:` holds the data directory for writing; the same object serialises its own threads first."""

    def __init__(self, data_dir: Path, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self.wait_seconds = wait_seconds
        self._thread_lock = threading.Lock()
        self._fd: int | None = None

    def __enter__(self) -> None:
        started = time.monotonic()
        deadline = started + self.wait_seconds
        told = False
        while not self._thread_lock.acquire(timeout=max(0.0, (deadline if told else min(deadline, started + TELL_AFTER))
                                                             - time.monotonic())):
            if time.monotonic() >= deadline:
                raise self._busy()
            told = tell_waiting()
        try:
            fd = self._open()
            while not _try_flock(fd):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise self._busy()
                if time.monotonic() >= started + TELL_AFTER:
                    told = told or tell_waiting()
                time.sleep(_POLL_SECONDS)
            self._fd = fd
        except BaseException:
            self._thread_lock.release()
            raise

    def __exit__(self, *exc_info: object) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # releases the flock
        self._thread_lock.release()

    @contextmanager
    def if_free(self, across_processes: bool = True) -> Iterator[bool]:
        """Hold the lock only if no one does, without waiting; yields whether it is held.

        `across_processes=False` takes only this object's own lock: enough to keep its own writers away."""
        if not self._thread_lock.acquire(blocking=False):
            yield False
            return
        try:
            if not across_processes:
                yield True
                return
            fd = self._open()
            try:
                yield _try_flock(fd)
            finally:
                os.close(fd)
        finally:
            self._thread_lock.release()

    def _open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def _busy(self) -> WriterBusy:
        return WriterBusy(
            f"Tiến trình khác vẫn đang ghi vào chỉ mục ở {self.path.parent} sau {self.wait_seconds:g} giây chờ; "
            "hãy thử lại khi nó ghi xong."
        )


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def is_held(data_dir: Path) -> bool:
    """Whether some writer holds the data directory now (for admins and tests; the answer may change at once)."""
    fd = os.open(Path(data_dir) / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        return not _try_flock(fd)
    finally:
        os.close(fd)
