"""The admin side's own SQLite file, `<data_dir>/admin.sqlite3`: subscribed chats and broadcast deliveries.

Kept apart from bot.sqlite3 (bot/state.py owns that schema and its user_version). One row per
(broadcast, chat) with status pending/sent/failed is what lets a broadcast resume after a restart
without sending any chat a second copy.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Collection

from index.sqlite import connect, now_iso, transaction

DB_NAME = "admin.sqlite3"
PENDING, SENT, FAILED = "pending", "sent", "failed"

MIGRATIONS = [
    """
    CREATE TABLE subscriptions (
        chat_id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        subscribed_at TEXT NOT NULL
    );
    CREATE TABLE broadcasts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        text TEXT NOT NULL,  -- Telegram HTML, already escaped
        confirmed INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        error TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (broadcast_id, chat_id)
    );
    CREATE INDEX deliveries_pending ON deliveries(status, broadcast_id);
    """,
]


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    title: str
    subscribed_at: str


@dataclass(frozen=True)
class Delivery:
    broadcast_id: int
    chat_id: int
    text: str


class AdminStore:
    """Thread-safe, like BotState: called from handlers and from the broadcast task."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = connect(self.path, MIGRATIONS)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ---------------------------------------------------------------- subscriptions
    def subscribe(self, chat_id: int, title: str) -> bool:
        """True if the chat was not subscribed yet."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO subscriptions(chat_id, title, subscribed_at) VALUES (?, ?, ?)",
                (chat_id, title, now_iso()),
            )
            return cursor.rowcount == 1

    def unsubscribe(self, chat_id: int) -> bool:
        """True if the chat was subscribed. Its pending deliveries are dropped too (it blocked us or left)."""
        with self._lock, transaction(self._conn):
            cursor = self._conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            self._conn.execute(
                "UPDATE deliveries SET status = 'failed', error = 'unsubscribed', updated_at = ?"
                " WHERE chat_id = ? AND status = 'pending'", (now_iso(), chat_id),
            )
        return cursor.rowcount == 1

    def subscriptions(self) -> list[Subscription]:
        with self._lock:
            rows = self._conn.execute("SELECT chat_id, title, subscribed_at FROM subscriptions ORDER BY chat_id").fetchall()
        return [Subscription(*row) for row in rows]

    # ---------------------------------------------------------------- broadcasts
    def draft(self, text: str) -> int:
        """A broadcast waiting for the admin's confirm button; nothing is queued yet."""
        with self._lock:
            return self._insert_draft(text)

    def confirm(self, broadcast_id: int) -> int | None:
        """Queue the draft for every subscribed chat, once: a second press queues nothing.

        Returns the number of chats queued, or None when there is no such draft or it was already confirmed.
        A failure part-way queues nothing and leaves the draft unconfirmed, so the button can be pressed again.
        """
        with self._lock, transaction(self._conn):
            return self._queue(broadcast_id)

    def announce(self, text: str, only: Collection[int] | None = None) -> int:
        """Draft and confirm in one step (notices sent by the bot itself, e.g. a new document): both or neither.
        `only`: queue it for those of the subscribed chats (a members document's notice: the member chats)."""
        with self._lock, transaction(self._conn):
            broadcast_id = self._insert_draft(text)
            self._queue(broadcast_id, only)
        return broadcast_id

    def _insert_draft(self, text: str) -> int:
        cursor = self._conn.execute("INSERT INTO broadcasts(text, created_at) VALUES (?, ?)", (text, now_iso()))
        return int(cursor.lastrowid)

    def _queue(self, broadcast_id: int, only: Collection[int] | None = None) -> int | None:
        """confirm's two statements; the caller holds the lock and a transaction."""
        cursor = self._conn.execute(
            "UPDATE broadcasts SET confirmed = 1 WHERE id = ? AND confirmed = 0", (broadcast_id,)
        )
        if cursor.rowcount != 1:
            return None
        chats = sorted(only) if only is not None else None
        cursor = self._conn.execute(
            "INSERT INTO deliveries(broadcast_id, chat_id, status, updated_at)"
            " SELECT ?, chat_id, 'pending', ? FROM subscriptions"
            + ("" if chats is None else f" WHERE chat_id IN ({','.join('?' * len(chats))})"),
            (broadcast_id, now_iso(), *(chats or ())),
        )
        return cursor.rowcount

    def pending(self, limit: int = 100) -> list[Delivery]:
        """Oldest broadcast first, so announcements arrive in the order they were made."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT d.broadcast_id, d.chat_id, b.text FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
                " WHERE d.status = 'pending' ORDER BY d.broadcast_id, d.chat_id LIMIT ?", (limit,),
            ).fetchall()
        return [Delivery(*row) for row in rows]

    def mark(self, delivery: Delivery, status: str, error: str | None = None) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE deliveries SET status = ?, error = ?, updated_at = ? WHERE broadcast_id = ? AND chat_id = ?",
                (status, error, now_iso(), delivery.broadcast_id, delivery.chat_id),
            )

    def counts(self, broadcast_id: int) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT status, COUNT(*) FROM deliveries WHERE broadcast_id = ? GROUP BY status", (broadcast_id,)
            ).fetchall()
        return {PENDING: 0, SENT: 0, FAILED: 0} | dict(rows)
