"""One connection to a schema of its own, for the small writes of the bot's state, the admin store, the audit trail
and the rate limits.

database.py's Database is the library's: its writers take turns through an advisory lock that a library build
holds for minutes. These writes are a row or two each and must never wait for one. Each store keeps its tables
in a PostgreSQL schema of its own, as the SQLite side keeps them in files of their own, with its own numbered
migrations recorded in that schema's schema_migrations (so their numbers never meet the library's). The
session's time zone is UTC, so a day is a UTC day, as in the SQLite files.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from typing import Any

import psycopg
from psycopg import sql

from index.postgres.database import MIGRATION_LOCK, apply_migrations

log = logging.getLogger(__name__)


class SchemaConnection:
    """Thread-safe: one statement or transaction at a time, from any thread; reopened when the link broke."""

    def __init__(self, url: str, schema: str, migrations: Sequence[tuple[str, str]]) -> None:
        self.url = url
        self.schema = schema
        self._lock = threading.RLock()
        self._depth = 0  # transactions open on this thread's behalf (the lock is held throughout)
        self._conn = self._open(migrations)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def query(self, statement: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple]:
        """All rows of one read; outside a transaction, retried once on a new connection if the old one broke."""
        with self._lock:
            try:
                return self._alive().execute(statement, params).fetchall()
            except psycopg.OperationalError:
                if self._depth or not (self._conn.broken or self._conn.closed):
                    raise
                log.warning("The connection to %s broke; reconnecting.", self.schema)
                return self._alive().execute(statement, params).fetchall()

    def execute(self, statement: str, params: Sequence[Any] | dict[str, Any] = ()) -> psycopg.Cursor:
        """One statement, in the open transaction or in one of its own. Not retried: it may have committed
        before the link broke. Its rows stay readable from the returned cursor."""
        with self._lock:
            return self._alive().execute(statement, params)

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """The statements run on the yielded connection inside commit together or not at all (nested: a savepoint)."""
        with self._lock, ExitStack() as begun:
            conn = self._conn if self._depth else self._alive()
            try:
                begun.enter_context(conn.transaction())
            except psycopg.OperationalError:  # BEGIN on a link that broke since: nothing was sent yet, so retried
                if self._depth or not (conn.broken or conn.closed):
                    raise
                log.warning("The connection to %s broke; reconnecting.", self.schema)
                conn = self._alive()
                begun.enter_context(conn.transaction())
            self._depth += 1
            try:
                yield conn
            finally:
                self._depth -= 1

    def _alive(self) -> psycopg.Connection:
        if self._depth == 0 and (self._conn.closed or self._conn.broken):
            self._conn.close()
            self._conn = self._open()
        return self._conn

    def _open(self, migrations: Sequence[tuple[str, str]] | None = None) -> psycopg.Connection:
        """Autocommit, in our schema (created and brought up to date when `migrations` are given), UTC."""
        conn = psycopg.connect(self.url, autocommit=True)
        try:
            if migrations is not None:
                with conn.transaction():  # CREATE SCHEMA IF NOT EXISTS still races, and needs CREATE on the database
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                    if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)).fetchone():
                        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)))
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
            conn.execute("SET TIME ZONE 'UTC'")
            if migrations is not None:
                apply_migrations(conn, migrations)
        except BaseException:
            conn.close()
            raise
        return conn


def utc_iso(moment: datetime) -> str:
    """The text index/sqlite.py's now_iso() writes (UTC, seconds), whatever the session's time zone."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
