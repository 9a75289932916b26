"""The bot's own SQLite file: asked questions, feedback and access grants, kept apart from the index database.

`python -m index build` swaps the index file, so the bot's history lives in `<data_dir>/bot.sqlite3`.
Users are stored as salted hashes (the salt is made once per install and kept here), never raw ids.
Paging needs no state of its own: a button carries the question id, and the question is re-read here.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from index.sqlite import connect, now_iso, transaction

DB_NAME = "bot.sqlite3"

MIGRATIONS = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_hash TEXT NOT NULL,
        chat_type TEXT NOT NULL,  -- private, group, supergroup (inline queries are not logged: one per keystroke)
        text TEXT NOT NULL,
        answered INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX questions_created ON questions(created_at);
    CREATE TABLE feedback (
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        passage_id INTEGER NOT NULL,  -- first passage of the page voted on
        user_hash TEXT NOT NULL,
        helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        created_at TEXT NOT NULL,
        PRIMARY KEY (question_id, passage_id, user_hash)  -- pressing again changes the vote
    );
    """,
    """
    CREATE TABLE citations (
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        doc_id INTEGER NOT NULL,
        title TEXT NOT NULL,  -- kept, so a removed document still has a name in the statistics
        PRIMARY KEY (question_id, doc_id)
    );
    CREATE INDEX citations_doc ON citations(doc_id);
    """,
    # Members by an admin's grant (bot/membership.py): raw ids, as admins grant and revoke them by id.
    """
    CREATE TABLE grants (
        user_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,  -- what the admin called them, may be ''
        granted_by INTEGER NOT NULL,
        granted_at TEXT NOT NULL
    );
    """,
]


@dataclass(frozen=True)
class Question:
    id: int
    user_hash: str
    chat_type: str
    text: str
    answered: bool
    created_at: str


@dataclass(frozen=True)
class Grant:
    user_id: int
    name: str
    granted_by: int
    granted_at: str


@dataclass(frozen=True)
class Vote:
    question_id: int
    passage_id: int
    user_hash: str
    helpful: bool
    created_at: str


class BotState:
    """Thread-safe: handlers call it from worker threads next to the search."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = connect(self.path, MIGRATIONS, synchronous="NORMAL")
        self._lock = threading.Lock()
        self._salt = self._install_salt()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _install_salt(self) -> str:
        with self._lock:
            self._conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('user_salt', ?)", (secrets.token_hex(16),))
            return self._conn.execute("SELECT value FROM meta WHERE key = 'user_salt'").fetchone()[0]

    def user_hash(self, user_id: int) -> str:
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()

    # ---------------------------------------------------------------- questions
    def record_question(
        self, user_id: int, chat_type: str, text: str, answered: bool, cited: Sequence[tuple[int, str]] = ()
    ) -> int:
        """Log a question, and the documents (id, title) its answer cited, for the admins' statistics."""
        user_hash = self.user_hash(user_id)
        with self._lock, transaction(self._conn):
            cursor = self._conn.execute(
                "INSERT INTO questions(user_hash, chat_type, text, answered, created_at) VALUES (?, ?, ?, ?, ?)",
                (user_hash, chat_type, text, int(answered), now_iso()),
            )
            question_id = int(cursor.lastrowid)
            self._conn.executemany(
                "INSERT OR IGNORE INTO citations(question_id, doc_id, title) VALUES (?, ?, ?)",
                [(question_id, doc_id, title) for doc_id, title in cited],
            )
        return question_id

    def question(self, question_id: int) -> Question | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, user_hash, chat_type, text, answered, created_at FROM questions WHERE id = ?", (question_id,)
            ).fetchone()
        return Question(row[0], row[1], row[2], row[3], bool(row[4]), row[5]) if row else None

    def question_for(self, question_id: int, user_id: int) -> Question | None:
        """The question if this user may see it again: they asked it, or it was asked openly in a group."""
        question = self.question(question_id)
        if question is None or (question.chat_type == "private" and question.user_hash != self.user_hash(user_id)):
            return None
        return question

    def questions(self, limit: int = 100) -> list[Question]:
        """Newest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, user_hash, chat_type, text, answered, created_at FROM questions ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [Question(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]

    # ---------------------------------------------------------------- feedback
    def record_vote(self, question_id: int, passage_id: int, user_id: int, helpful: bool) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO feedback(question_id, passage_id, user_hash, helpful, created_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(question_id, passage_id, user_hash)"
                " DO UPDATE SET helpful = excluded.helpful, created_at = excluded.created_at",
                (question_id, passage_id, self.user_hash(user_id), int(helpful), now_iso()),
            )

    def votes(self, question_id: int) -> list[Vote]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT question_id, passage_id, user_hash, helpful, created_at FROM feedback WHERE question_id = ?"
                " ORDER BY created_at, passage_id",
                (question_id,),
            ).fetchall()
        return [Vote(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]

    # ---------------------------------------------------------------- access grants (/capquyen, /thuquyen)
    def grant(self, user_id: int, name: str, granted_by: int) -> bool:
        """True if the user had no grant yet (a second grant keeps the first)."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO grants(user_id, name, granted_by, granted_at) VALUES (?, ?, ?, ?)",
                (user_id, name, granted_by, now_iso()),
            )
        return cursor.rowcount == 1

    def revoke(self, user_id: int) -> bool:
        """True if the user had a grant."""
        with self._lock:
            return self._conn.execute("DELETE FROM grants WHERE user_id = ?", (user_id,)).rowcount == 1

    def is_granted(self, user_id: int) -> bool:
        with self._lock:
            return self._conn.execute("SELECT 1 FROM grants WHERE user_id = ?", (user_id,)).fetchone() is not None

    def grants(self) -> list[Grant]:
        """Oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT user_id, name, granted_by, granted_at FROM grants ORDER BY granted_at, user_id"
            ).fetchall()
        return [Grant(*row) for row in rows]

    # ---------------------------------------------------------------- statistics (/thongke, bot/stats.py)
    def questions_per_day(self, since: str) -> dict[str, tuple[int, int]]:
        """(questions, answered) for each UTC day (YYYY-MM-DD) from `since` on that had any."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT substr(created_at, 1, 10) AS day, COUNT(*), SUM(answered) FROM questions"
                " WHERE created_at >= ? GROUP BY day", (since,),
            ).fetchall()
        return {day: (asked, answered) for day, asked, answered in rows}

    def recent_questions(self, limit: int) -> list[tuple[str, bool]]:
        """(text, answered) of the latest questions, newest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT text, answered FROM questions ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [(text, bool(answered)) for text, answered in rows]

    def vote_totals(self) -> tuple[int, int]:
        """(helpful, not helpful) over every vote."""
        with self._lock:
            counts = dict(self._conn.execute("SELECT helpful, COUNT(*) FROM feedback GROUP BY helpful").fetchall())
        return counts.get(1, 0), counts.get(0, 0)

    def most_cited(self, limit: int) -> list[tuple[str, int]]:
        """(title, answers citing it), most cited first; a removed document keeps the title it was cited under."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT MAX(title), COUNT(*) AS n FROM citations GROUP BY doc_id ORDER BY n DESC, doc_id LIMIT ?",
                (limit,),
            ).fetchall()
        return [(title, n) for title, n in rows]
