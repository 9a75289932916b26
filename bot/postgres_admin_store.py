"""bot/admin_store.py's AdminStore in PostgreSQL: subscribed chats and broadcast deliveries, shared by every bot
process on every host, with the same methods and results.

Several processes run a Broadcaster (bot/broadcast.py, unchanged) over the same deliveries, each store one
worker. `pending()`, the Broadcaster's read, here claims the next pending deliveries for this worker (FOR UPDATE
SKIP LOCKED: two workers claiming at once take different rows, neither waits), each with a lease. A claim held
by another worker is skipped; one whose lease ran out is taken over. A thread renews this worker's claims every
third of the lease for as long as the store is open, so a worker waiting out a long RetryAfter keeps them, and
its own claims come back to it until it marks them; closing the store hands back the ones it did not send. Only
a worker that dies (killed, its host gone) lets its lease run out, and then another worker sends the rest.

What is left: the one message in flight when a worker is killed (accepted by Telegram, not yet marked) is sent
again by the worker that takes over, as a restart does with the SQLite store.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from typing import Collection

import psycopg

from bot.admin_store import FAILED, PENDING, SENT, Delivery, Subscription
from index.postgres.connection import SchemaConnection, utc_iso

log = logging.getLogger(__name__)

SCHEMA = "vankien_admin"
LEASE_SECONDS = 30.0  # how long a dead worker's claims wait for another; a live one's are renewed every third

MIGRATIONS: list[tuple[str, str]] = [
    ("subscriptions and deliveries", """
    CREATE TABLE subscriptions (
        chat_id bigint PRIMARY KEY,
        title text NOT NULL,
        subscribed_at timestamptz NOT NULL
    );
    CREATE TABLE broadcasts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        text text NOT NULL,  -- Telegram HTML, already escaped
        confirmed boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL
    );
    CREATE TABLE deliveries (
        broadcast_id bigint NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
        chat_id bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        error text,
        updated_at timestamptz NOT NULL,
        claimed_by text,  -- the worker that took it last (kept once sent: who sent it)
        claimed_until timestamptz,  -- its lease: after this another worker may take it over
        PRIMARY KEY (broadcast_id, chat_id)
    );
    CREATE INDEX deliveries_pending ON deliveries (broadcast_id, chat_id) WHERE status = 'pending';
    """),
]

_LEASE = "now() + make_interval(secs => %(lease)s)"
_CLAIM = f"""
WITH next AS (
    SELECT broadcast_id, chat_id FROM deliveries
    WHERE status = 'pending' AND (claimed_by IS NULL OR claimed_by = %(worker)s OR claimed_until < now())
    ORDER BY broadcast_id, chat_id LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED)
UPDATE deliveries AS d SET claimed_by = %(worker)s, claimed_until = {_LEASE}
FROM next, broadcasts AS b
WHERE d.broadcast_id = next.broadcast_id AND d.chat_id = next.chat_id AND b.id = d.broadcast_id
RETURNING d.broadcast_id, d.chat_id, b.text
"""
_RENEW = (f"UPDATE deliveries SET claimed_until = {_LEASE}"
          " WHERE claimed_by = %(worker)s AND status = 'pending'")
_RELEASE = ("UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL"
            " WHERE claimed_by = %(worker)s AND status = 'pending'")


def default_worker() -> str:
    """Who claims, as it shows in the deliveries table: host, process, and a tag for this store."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class PostgresAdminStore:
    """Thread-safe, like AdminStore: called from handlers and from the broadcast task. One store, one worker."""

    def __init__(self, url: str, worker: str | None = None, lease_seconds: float = LEASE_SECONDS) -> None:
        self.connection = SchemaConnection(url, SCHEMA, MIGRATIONS)
        self.worker = worker or default_worker()
        self.lease_seconds = lease_seconds
        self._closing = threading.Event()
        self._renewer = threading.Thread(target=self._keep_claims, name="vankien-claims", daemon=True)
        self._renewer.start()

    def close(self) -> None:
        """Stop renewing, and hand back the claims not sent (Application.stop has let the last send finish)."""
        if not self._closing.is_set():
            self._closing.set()
            self._renewer.join()
            try:
                self.connection.execute(_RELEASE, {"worker": self.worker})
            except psycopg.Error as error:  # the database is gone: the lease runs out instead
                log.warning("Không trả lại được các thông báo đã nhận gửi: %s", error)
        self.connection.close()

    def _keep_claims(self) -> None:
        while not self._closing.wait(self.lease_seconds / 3):
            try:
                self.connection.execute(_RENEW, {"worker": self.worker, "lease": self.lease_seconds})
            except psycopg.Error as error:  # tried again at the next tick; the lease outlasts two of them
                log.warning("Không gia hạn được các thông báo đã nhận gửi: %s", error)

    # ---------------------------------------------------------------- subscriptions
    def subscribe(self, chat_id: int, title: str) -> bool:
        """True if the chat was not subscribed yet."""
        cursor = self.connection.execute(
            "INSERT INTO subscriptions (chat_id, title, subscribed_at) VALUES (%s, %s, date_trunc('second', now()))"
            " ON CONFLICT (chat_id) DO NOTHING", (chat_id, title),
        )
        return cursor.rowcount == 1

    def unsubscribe(self, chat_id: int) -> bool:
        """True if the chat was subscribed. Its pending deliveries are dropped too (it blocked us or left)."""
        with self.connection.transaction() as conn:
            cursor = conn.execute("DELETE FROM subscriptions WHERE chat_id = %s", (chat_id,))
            conn.execute(
                "UPDATE deliveries SET status = 'failed', error = 'unsubscribed', updated_at = now()"
                " WHERE chat_id = %s AND status = 'pending'", (chat_id,),
            )
        return cursor.rowcount == 1

    def subscriptions(self) -> list[Subscription]:
        rows = self.connection.query("SELECT chat_id, title, subscribed_at FROM subscriptions ORDER BY chat_id")
        return [Subscription(chat_id, title, utc_iso(at)) for chat_id, title, at in rows]

    # ---------------------------------------------------------------- broadcasts
    def draft(self, text: str) -> int:
        """A broadcast waiting for the admin's confirm button; nothing is queued yet."""
        return self._insert_draft(self.connection, text)

    def confirm(self, broadcast_id: int) -> int | None:
        """Queue the draft for every subscribed chat, once: a second press (on any host) queues nothing.

        Returns the number of chats queued, or None when there is no such draft or it was already confirmed.
        A failure part-way queues nothing and leaves the draft unconfirmed, so the button can be pressed again.
        """
        with self.connection.transaction() as conn:
            return self._queue(conn, broadcast_id)

    def announce(self, text: str, only: Collection[int] | None = None) -> int:
        """Draft and confirm in one step (notices sent by the bot itself, e.g. a new document): both or neither.
        `only`: queue it for those of the subscribed chats (a members document's notice: the member chats).

        A failed announcement leaves no row, but its id is spent (a PostgreSQL sequence does not roll back)."""
        with self.connection.transaction() as conn:
            broadcast_id = self._insert_draft(conn, text)
            self._queue(conn, broadcast_id, only)
        return broadcast_id

    @staticmethod
    def _insert_draft(conn, text: str) -> int:
        return int(conn.execute("INSERT INTO broadcasts (text, created_at) VALUES (%s, now()) RETURNING id",
                                (text,)).fetchone()[0])

    @staticmethod
    def _queue(conn, broadcast_id: int, only: Collection[int] | None = None) -> int | None:
        """confirm's two statements, inside the caller's transaction."""
        cursor = conn.execute("UPDATE broadcasts SET confirmed = true WHERE id = %s AND NOT confirmed", (broadcast_id,))
        if cursor.rowcount != 1:
            return None
        chats = None if only is None else [int(chat) for chat in only]
        cursor = conn.execute(
            "INSERT INTO deliveries (broadcast_id, chat_id, status, updated_at)"
            " SELECT %s, chat_id, 'pending', now() FROM subscriptions"
            + ("" if chats is None else " WHERE chat_id = ANY(%s)"),
            (broadcast_id,) if chats is None else (broadcast_id, chats),
        )
        return cursor.rowcount

    # ---------------------------------------------------------------- deliveries
    def claim(self, limit: int = 100) -> list[Delivery]:
        """The next pending deliveries for this worker to send, now claimed by it: unclaimed ones, ones whose lease
        ran out, and its own not yet marked. Oldest broadcast first, as `pending` in SQLite. One statement; rows
        another worker is claiming at the same moment are skipped, not waited for."""
        rows = self.connection.execute(
            _CLAIM, {"worker": self.worker, "lease": self.lease_seconds, "limit": limit}).fetchall()
        return [Delivery(*row) for row in sorted(rows)]

    def pending(self, limit: int = 100) -> list[Delivery]:
        """What the Broadcaster asks for: here, `claim()`, so that two processes never take the same delivery."""
        return self.claim(limit)

    def mark(self, delivery: Delivery, status: str, error: str | None = None) -> None:
        self.connection.execute(
            "UPDATE deliveries SET status = %s, error = %s, updated_at = now() WHERE broadcast_id = %s AND chat_id = %s",
            (status, error, delivery.broadcast_id, delivery.chat_id),
        )

    def counts(self, broadcast_id: int) -> dict[str, int]:
        rows = self.connection.query(
            "SELECT status, count(*) FROM deliveries WHERE broadcast_id = %s GROUP BY status", (broadcast_id,))
        return {PENDING: 0, SENT: 0, FAILED: 0} | dict(rows)
