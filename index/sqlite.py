"""Opening an SQLite file the same way everywhere: WAL, foreign keys, schema by numbered migrations;
and the one way every store writes several statements at once, `transaction()`."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence


# How long a statement waits for another connection's lock before "database is locked". In WAL mode readers
# never wait for a writer (they read the last commit, in any process), so only a second writer or the recovery
# after a crash waits; the index's writers take turns before they begin (index/writer_lock.py).
BUSY_TIMEOUT_SECONDS = 5.0


def connect(path: Path, migrations: Sequence[str], synchronous: str = "FULL") -> sqlite3.Connection:
    """A connection shareable across threads (callers lock), in autocommit mode, schema brought up to date.

    Migration N is `migrations[N-1]`, a script of `;`-separated statements; PRAGMA user_version records
    how many have run, and each runs in its own transaction.
    """
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(migrations[version:], start=version + 1):
        with transaction(conn):
            for statement in split_statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={number}")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE, COMMIT when the block ends, ROLLBACK when it raises: all the statements inside or none.

    For connections in autocommit mode (`connect` makes them so); IMMEDIATE takes the write lock up front,
    so two writers wait for each other instead of failing half-way with "database is locked".
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back (e.g. on a full disk)
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def split_statements(script: str) -> list[str]:
    """The statements of a script, cut only at a `;` that ends one for SQLite itself.

    A `;` inside a string literal, a quoted name, a comment or a trigger's BEGIN ... END does not end a
    statement (`sqlite3.complete_statement` decides). The last statement may omit its `;`.
    """
    statements: list[str] = []
    pending = ""
    *terminated, tail = script.split(";")
    for piece in terminated:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                statements.append(pending.strip())
            pending = ""
    pending += tail
    if pending.strip():
        statements.append(pending.strip())
    return statements


def now_iso() -> str:
    """The UTC timestamp every table stores (ISO 8601, seconds): sorts and groups by day as text."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
