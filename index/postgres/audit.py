"""index/audit.py's AuditTrail in PostgreSQL: who changed documents and access, and when, for a library that
lives in PostgreSQL; written by every bot process and `python -m index` on any host. Same methods and results.

The entries live in the `vankien_audit` schema with migrations of their own (index/postgres/connection.py).
"""

from __future__ import annotations

from index.audit import AuditEntry
from index.postgres.connection import SchemaConnection, utc_iso

SCHEMA = "vankien_audit"

MIGRATIONS: list[tuple[str, str]] = [
    ("entries", """
    CREATE TABLE entries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,    -- "7001 Nguyễn Văn A (@nva)" from the bot, "cli:<os user>" from the command line
        action text NOT NULL,
        subject text NOT NULL,  -- "[12] title" or "người dùng 12345"; never a document's text
        detail text NOT NULL DEFAULT ''
    );
    """),
]


class PostgresAuditTrail:
    """Thread-safe, like AuditTrail."""

    def __init__(self, url: str) -> None:
        self.connection = SchemaConnection(url, SCHEMA, MIGRATIONS)

    def close(self) -> None:
        self.connection.close()

    def record(self, actor: str, action: str, subject: str, detail: str = "") -> None:
        self.connection.execute(
            "INSERT INTO entries (at, actor, action, subject, detail) VALUES (now(), %s, %s, %s, %s)",
            (actor, action, subject, detail),
        )

    def entries(self, limit: int = 50, offset: int = 0) -> list[AuditEntry]:
        """Newest first."""
        rows = self.connection.query(
            "SELECT id, at, actor, action, subject, detail FROM entries ORDER BY id DESC LIMIT %s OFFSET %s",
            (limit, offset),
        )
        return [AuditEntry(id_, utc_iso(at), actor, action, subject, detail)
                for id_, at, actor, action, subject, detail in rows]

    def count(self) -> int:
        return int(self.connection.query("SELECT count(*) FROM entries")[0][0])
