"""The connections to one PostgreSQL library, the schema brought up to date, and the one way to write.

Like index/store.py's SQLite Store: reads share one connection (to the read URL, a replica, when one is given);
a write transaction runs on its own connection to the primary, so a long write never blocks questions, which
keep reading the last commit; inside it, the writing thread reads its own writes. Writers on every host take
turns through an advisory lock taken at the start of each transaction, PostgreSQL's BEGIN IMMEDIATE.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import psycopg

from index.errors import WriterBusy
from index.postgres.migrations import MIGRATIONS
from index.writer_lock import DEFAULT_WAIT_SECONDS

log = logging.getLogger(__name__)

# Advisory lock keys (any two bigints nobody else uses in this database): one writer at a time, one migrator.
WRITER_LOCK = 0x76616E6B69656E  # "vankien"
MIGRATION_LOCK = WRITER_LOCK + 1
_POLL_SECONDS = 0.05


class Database:
    """One library's database: writes and migrations on `url`, reads on `read_url` (default: `url`).

    A replica may lag its primary: questions read from it, while everything inside `transaction()` (the
    writer's own reads included) goes to the primary.
    """

    def __init__(self, url: str, read_url: str | None = None, write_wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
        self._url = url
        self._read_url = read_url or url
        self.write_wait_seconds = write_wait_seconds
        self._writer = _connect(url, migrate=True)
        self._reader = _connect(self._read_url)
        self._primary = _connect(url) if read_url else None  # reads that must not lag: the stored generation
        self._read_lock = threading.RLock()  # guards self._reader and self._primary
        self._write_lock = threading.RLock()  # guards self._writer: one transaction at a time in this process
        self._writing_thread: int | None = None

    @property
    def url(self) -> str:
        """The primary's URL (it may carry a password: never log it)."""
        return self._url

    def close(self) -> None:
        with self._read_lock, self._write_lock:
            self._reader.close()
            if self._primary is not None:
                self._primary.close()
            self._writer.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all; begins once no other writer (any host) is inside one.

        Waits at most `write_wait_seconds` for the other writer, then raises WriterBusy.
        """
        with self._write_lock:
            if self._in_transaction():  # nested: a savepoint, rolled back alone if its block raises
                with self._writer.transaction():
                    yield
                return
            with ExitStack() as begun:
                begun.push(self._begin())
                self._take_writer_lock()
                self._writing_thread = threading.get_ident()
                try:
                    yield
                finally:
                    self._writing_thread = None

    @contextmanager
    def reading(self, primary: bool = False) -> Iterator[psycopg.Connection]:
        """The connection this thread reads on: its own transaction's inside one, else the shared reader (the
        primary's when `primary`, where a replica's lag matters)."""
        if self._in_transaction():
            yield self._writer
            return
        with self._read_lock:
            if primary and self._primary is not None:
                self._primary = _alive(self._primary, self._url)
                yield self._primary
                return
            self._reader = _alive(self._reader, self._read_url)
            yield self._reader

    @contextmanager
    def writing(self) -> Iterator[psycopg.Connection]:
        """The connection to write on: the open transaction's, or a transaction of its own around the block."""
        if self._in_transaction():
            yield self._writer
            return
        with self.transaction():
            yield self._writer

    def query(self, sql: str, params: Sequence[Any] = (), primary: bool = False) -> list[tuple]:
        """All rows of one read (from the primary when `primary`); outside a transaction, retried once on a new
        connection if the old one broke (a restarted server, a dropped network link, a replica that failed over)."""
        if self._in_transaction():
            return self._writer.execute(sql, params).fetchall()
        with self._read_lock:
            conn: psycopg.Connection | None = None
            try:
                with self.reading(primary) as conn:
                    return conn.execute(sql, params).fetchall()
            except psycopg.OperationalError:
                if conn is not None and not (conn.broken or conn.closed):
                    raise
                log.warning("The connection to the library's database broke; reconnecting.")
                with self.reading(primary) as conn:
                    return conn.execute(sql, params).fetchall()

    def _begin(self) -> psycopg.Transaction:
        """BEGIN on the primary; on a new connection if the old one turns out broken (nothing was sent yet)."""
        self._writer = _alive(self._writer, self._url)
        transaction = self._writer.transaction()
        try:
            transaction.__enter__()
        except psycopg.OperationalError:
            if not (self._writer.broken or self._writer.closed):
                raise
            log.warning("The connection to the library's database broke; reconnecting.")
            self._writer = _alive(self._writer, self._url)
            transaction = self._writer.transaction()
            transaction.__enter__()
        return transaction

    def _in_transaction(self) -> bool:
        return self._writing_thread is not None and self._writing_thread == threading.get_ident()

    def _take_writer_lock(self) -> None:
        deadline = time.monotonic() + self.write_wait_seconds
        while not self._writer.execute("SELECT pg_try_advisory_xact_lock(%s)", (WRITER_LOCK,)).fetchone()[0]:
            if time.monotonic() >= deadline:
                raise WriterBusy(
                    f"Tiến trình khác vẫn đang ghi vào cơ sở dữ liệu của thư viện sau {self.write_wait_seconds:g} "
                    "giây chờ; hãy thử lại khi nó ghi xong."
                )
            time.sleep(_POLL_SECONDS)


def _connect(url: str, migrate: bool = False) -> psycopg.Connection:
    """Autocommit: a transaction only where `transaction()` opens one."""
    conn = psycopg.connect(url, autocommit=True)
    try:
        if migrate:
            apply_migrations(conn, MIGRATIONS)
    except BaseException:
        conn.close()
        raise
    return conn


def _alive(conn: psycopg.Connection, url: str) -> psycopg.Connection:
    """`conn`, or a new connection in its place if it is closed or broken."""
    if not (conn.closed or conn.broken):
        return conn
    conn.close()
    return _connect(url)


def apply_migrations(conn: psycopg.Connection, migrations: Sequence[tuple[str, str]]) -> None:
    """Apply the migrations not yet recorded in schema_migrations, each in its own transaction, in order.

    Several processes may open a new database at once: each migration runs under an advisory lock and is
    skipped by whoever finds it recorded once the lock is theirs. A failing migration leaves no trace.
    """
    for number, (name, script) in enumerate(migrations, start=1):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " number integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            if conn.execute("SELECT 1 FROM schema_migrations WHERE number = %s", (number,)).fetchone():
                continue
            conn.execute(script)  # type: ignore[arg-type]  # a script of several statements: no parameters
            conn.execute("INSERT INTO schema_migrations (number, name) VALUES (%s, %s)", (number, name))
            log.info("applied migration %d (%s)", number, name)
