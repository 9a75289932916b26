"""The audit trail of a data directory, `<data_dir>/audit.sqlite3`: who added, replaced, removed or changed the
audience of a document, granted or revoked access, announced, and when.

Written by the bot and by `python -m index` alike (each process its own connection; SQLite serialises the
writes). It holds ids, titles and names, never a document's text.
"""

from __future__ import annotations

import getpass
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from index.audience import LABELS
from index.documents import Document
from index.sqlite import connect, now_iso

DB_NAME = "audit.sqlite3"
ADDED, REPLACED, REMOVED, AUDIENCE, GRANTED, REVOKED, ANNOUNCED = (
    "added", "replaced", "removed", "audience", "granted", "revoked", "announced",
)
ACTION_LABELS = {
    ADDED: "nạp", REPLACED: "nạp bản mới", REMOVED: "xoá", AUDIENCE: "đổi đối tượng", GRANTED: "cấp quyền",
    REVOKED: "thu quyền", ANNOUNCED: "thông báo",
}
TITLE_LIMIT = 120

MIGRATIONS = [
    """
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,    -- "7001 Nguyễn Văn A (@nva)" from the bot, "cli:<os user>" from the command line
        action TEXT NOT NULL,
        subject TEXT NOT NULL,  -- "[12] title" or "người dùng 12345"; never a document's text
        detail TEXT NOT NULL DEFAULT ''
    );
    """,
]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str  # UTC, ISO 8601
    actor: str
    action: str
    subject: str
    detail: str = ""


class AuditTrail:
    """Thread-safe, like the bot's stores: handlers call it from worker threads."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = connect(self.path, MIGRATIONS)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def record(self, actor: str, action: str, subject: str, detail: str = "") -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO entries(at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                (now_iso(), actor, action, subject, detail),
            )

    def entries(self, limit: int = 50, offset: int = 0) -> list[AuditEntry]:
        """Newest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, at, actor, action, subject, detail FROM entries ORDER BY id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0])


def cli_actor() -> str:
    """Who ran `python -m index`: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli:?"


def document_subject(document: Document) -> str:
    title = document.title if len(document.title) <= TITLE_LIMIT else document.title[: TITLE_LIMIT - 1] + "…"
    return f"[{document.id}] {title}"


def record_outcomes(trail: AuditTrail, actor: str, outcomes: Iterable) -> None:
    """One entry per document an add wrote (index.library.AddOutcome: added or replaced; unchanged ones wrote nothing)."""
    for outcome in outcomes:
        if outcome.status == "unchanged":
            continue
        detail = f"đối tượng: {LABELS.get(outcome.document.audience, outcome.document.audience)}"
        if outcome.replaced is not None:
            detail += f"; thay bản [{outcome.replaced.id}]"
        trail.record(actor, REPLACED if outcome.replaced is not None else ADDED, document_subject(outcome.document), detail)
