"""Opening an SQLite file the same way everywhere: WAL, foreign keys, schema by numbered migrations."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence


def connect(path: Path, migrations: Sequence[str], synchronous: str = "FULL") -> sqlite3.Connection:
    """A connection shareable across threads (callers lock), in autocommit mode, schema brought up to date.

    Migration N is `migrations[N-1]`, a script of `;`-separated statements; PRAGMA user_version records
    how many have run, and each runs in its own transaction.
    """
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(migrations[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version={number}")
        conn.execute("COMMIT")
    return conn


def now_iso() -> str:
    """The UTC timestamp every table stores (ISO 8601, seconds): sorts and groups by day as text."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
