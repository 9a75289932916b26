"""One writer at a time over a library in PostgreSQL, across the processes of every host.

index/writer_lock.py's WriterLock first (this host's processes, and the data directory its writer fills),
then a session advisory lock on a connection of its own, held for the whole write: the embedding and the
segments before the switching transaction included. The server releases it when the holder's connection
ends, so a writer killed on any host never blocks the next. The switching transaction also checks that the
stored generation is still the one the write built on (index/library.py), in case a dropped connection let
another writer in.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from index.errors import WriterBusy
from index.writer_lock import TELL_AFTER, WriterLock, tell_waiting

LIBRARY_WRITER_LOCK = 0x76616E6B69656E + 2  # beside index/postgres/database.py's transaction and migration locks
_POLL_SECONDS = 0.05


class DatabaseWriterLock:
    """`with lock:` holds the library for writing on every host; `if_free` concerns this host's data directory."""

    def __init__(self, url: str, data_dir: Path, wait_seconds: float) -> None:
        self._url = url
        self._local = WriterLock(data_dir, wait_seconds)
        self.wait_seconds = wait_seconds
        self._conn: psycopg.Connection | None = None

    def __enter__(self) -> None:
        started = time.monotonic()
        self._local.__enter__()
        try:
            self._take_database_lock(started)
        except BaseException:
            self._local.__exit__(None, None, None)
            raise

    def __exit__(self, *exc_info: object) -> None:
        conn, self._conn = self._conn, None
        try:
            if conn is not None:
                conn.close()  # ends the session, and with it the advisory lock
        finally:
            self._local.__exit__(*exc_info)

    @contextmanager
    def if_free(self, across_processes: bool = True) -> Iterator[bool]:
        """This host's lock only: what it guards without the database (garbage in the data directory)."""
        with self._local.if_free(across_processes) as free:
            yield free

    def _take_database_lock(self, started: float) -> None:
        deadline = started + self.wait_seconds
        conn = psycopg.connect(self._url, autocommit=True)
        told = False
        try:
            while not conn.execute("SELECT pg_try_advisory_lock(%s)", (LIBRARY_WRITER_LOCK,)).fetchone()[0]:
                if time.monotonic() >= deadline:
                    raise WriterBusy(
                        f"Tiến trình khác vẫn đang ghi vào thư viện trong cơ sở dữ liệu sau {self.wait_seconds:g} "
                        "giây chờ; hãy thử lại khi nó ghi xong."
                    )
                if not told and time.monotonic() >= started + TELL_AFTER:
                    told = tell_waiting()
                time.sleep(_POLL_SECONDS)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
