"""bot/state.py's BotState in PostgreSQL: the same methods and results, shared by every bot process on every host.

The tables live in the `vankien_bot` schema with migrations of their own (index/postgres/connection.py), so
a question asked through one process can be paged through another: a button carries the question id, and
whichever process gets the press reads the question back from here. Users are salted hashes, as in SQLite; the
salt is made by the first process that opens the database and read by all the others. Times are stored to the
second, as the SQLite file stores them, so both sort and group alike.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Sequence

from bot.state import Grant, Question, Vote
from index.postgres.connection import SchemaConnection, utc_iso

SCHEMA = "vankien_bot"
NOW = "date_trunc('second', now())"

MIGRATIONS: list[tuple[str, str]] = [
    ("questions, votes and citations", """
    CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE questions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_hash text NOT NULL,
        chat_type text NOT NULL,  -- private, group, supergroup (inline queries are not logged: one per keystroke)
        text text NOT NULL,
        answered boolean NOT NULL,
        created_at timestamptz NOT NULL
    );
    CREATE INDEX questions_created ON questions (created_at);
    CREATE TABLE feedback (
        question_id bigint NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        passage_id bigint NOT NULL,  -- first passage of the page voted on
        user_hash text NOT NULL,
        helpful boolean NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (question_id, passage_id, user_hash)  -- pressing again changes the vote
    );
    CREATE TABLE citations (
        question_id bigint NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        doc_id bigint NOT NULL,
        title text NOT NULL,  -- kept, so a removed document still has a name in the statistics
        PRIMARY KEY (question_id, doc_id)
    );
    CREATE INDEX citations_doc ON citations (doc_id);
    """),
    # Members by an admin's grant (bot/membership.py): raw ids, as admins grant and revoke them by id.
    ("access grants", """
    CREATE TABLE grants (
        user_id bigint PRIMARY KEY,
        name text NOT NULL,  -- what the admin called them, may be ''
        granted_by bigint NOT NULL,
        granted_at timestamptz NOT NULL
    );
    """),
    # bot/postgres_ratelimit.py: each user's recent allowed events (epoch seconds), at most `limit` of them.
    # Unlogged: no WAL for a write on every question; a server crash forgets them, which only lifts the limits.
    ("rate limits", """
    CREATE UNLOGGED TABLE rate_limits (
        scope text NOT NULL,  -- which limit: questions, inline
        user_hash text NOT NULL,
        events float8[] NOT NULL,
        allowed boolean NOT NULL,  -- whether the last event was let through
        PRIMARY KEY (scope, user_hash)
    );
    """),
]

_QUESTION_COLUMNS = "id, user_hash, chat_type, text, answered, created_at"


def connect_bot_schema(url: str) -> SchemaConnection:
    """A connection to the bot's tables, brought up to date."""
    return SchemaConnection(url, SCHEMA, MIGRATIONS)


def install_salt(connection: SchemaConnection) -> str:
    """The salt of this install's user hashes: made once, by whichever process comes first."""
    connection.execute(
        "INSERT INTO meta (key, value) VALUES ('user_salt', %s) ON CONFLICT (key) DO NOTHING", (secrets.token_hex(16),))
    return connection.query("SELECT value FROM meta WHERE key = 'user_salt'")[0][0]


def salted_hash(salt: str, user_id: object) -> str:
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()


def _question(row: tuple) -> Question:
    return Question(row[0], row[1], row[2], row[3], row[4], utc_iso(row[5]))


class PostgresBotState:
    """Thread-safe, like BotState. `connection` is also the rate limits' (bot/postgres_ratelimit.py)."""

    def __init__(self, url: str) -> None:
        self.connection = connect_bot_schema(url)
        self._salt = install_salt(self.connection)

    def close(self) -> None:
        self.connection.close()

    def user_hash(self, user_id: int) -> str:
        return salted_hash(self._salt, user_id)

    # ---------------------------------------------------------------- questions
    def record_question(
        self, user_id: int, chat_type: str, text: str, answered: bool, cited: Sequence[tuple[int, str]] = ()
    ) -> int:
        """Log a question, and the documents (id, title) its answer cited, for the admins' statistics.

        One statement (so one round trip on every question), which commits both or neither.
        """
        cursor = self.connection.execute(
            "WITH asked AS ("
            f" INSERT INTO questions (user_hash, chat_type, text, answered, created_at) VALUES (%s, %s, %s, %s, {NOW})"
            " RETURNING id),"
            " cited AS (INSERT INTO citations (question_id, doc_id, title)"
            "  SELECT asked.id, c.doc_id, c.title FROM asked, unnest(%s::bigint[], %s::text[]) AS c (doc_id, title)"
            "  ON CONFLICT DO NOTHING)"
            " SELECT id FROM asked",
            (self.user_hash(user_id), chat_type, text, bool(answered),
             [int(doc_id) for doc_id, _ in cited], [title for _, title in cited]),
        )
        return int(cursor.fetchone()[0])

    def question(self, question_id: int) -> Question | None:
        rows = self.connection.query(f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE id = %s", (question_id,))
        return _question(rows[0]) if rows else None

    def question_for(self, question_id: int, user_id: int) -> Question | None:
        """The question if this user may see it again: they asked it, or it was asked openly in a group."""
        question = self.question(question_id)
        if question is None or (question.chat_type == "private" and question.user_hash != self.user_hash(user_id)):
            return None
        return question

    def questions(self, limit: int = 100) -> list[Question]:
        """Newest first."""
        rows = self.connection.query(f"SELECT {_QUESTION_COLUMNS} FROM questions ORDER BY id DESC LIMIT %s", (limit,))
        return [_question(row) for row in rows]

    # ---------------------------------------------------------------- feedback
    def record_vote(self, question_id: int, passage_id: int, user_id: int, helpful: bool) -> None:
        self.connection.execute(
            "INSERT INTO feedback (question_id, passage_id, user_hash, helpful, created_at)"
            f" VALUES (%s, %s, %s, %s, {NOW})"
            " ON CONFLICT (question_id, passage_id, user_hash)"
            " DO UPDATE SET helpful = EXCLUDED.helpful, created_at = EXCLUDED.created_at",
            (question_id, passage_id, self.user_hash(user_id), bool(helpful)),
        )

    def votes(self, question_id: int) -> list[Vote]:
        rows = self.connection.query(
            "SELECT question_id, passage_id, user_hash, helpful, created_at FROM feedback WHERE question_id = %s"
            " ORDER BY created_at, passage_id", (question_id,),
        )
        return [Vote(r[0], r[1], r[2], r[3], utc_iso(r[4])) for r in rows]

    # ---------------------------------------------------------------- access grants (/capquyen, /thuquyen)
    def grant(self, user_id: int, name: str, granted_by: int) -> bool:
        """True if the user had no grant yet (a second grant keeps the first)."""
        cursor = self.connection.execute(
            f"INSERT INTO grants (user_id, name, granted_by, granted_at) VALUES (%s, %s, %s, {NOW})"
            " ON CONFLICT (user_id) DO NOTHING", (user_id, name, granted_by),
        )
        return cursor.rowcount == 1

    def revoke(self, user_id: int) -> bool:
        """True if the user had a grant."""
        return self.connection.execute("DELETE FROM grants WHERE user_id = %s", (user_id,)).rowcount == 1

    def is_granted(self, user_id: int) -> bool:
        """Asked at each check by bot/membership.py, as another process may have granted or revoked since."""
        return bool(self.connection.query("SELECT 1 FROM grants WHERE user_id = %s", (user_id,)))

    def grants(self) -> list[Grant]:
        """Oldest first."""
        rows = self.connection.query(
            "SELECT user_id, name, granted_by, granted_at FROM grants ORDER BY granted_at, user_id")
        return [Grant(user_id, name, granted_by, utc_iso(at)) for user_id, name, granted_by, at in rows]

    # ---------------------------------------------------------------- statistics (/thongke, bot/stats.py)
    def questions_per_day(self, since: str) -> dict[str, tuple[int, int]]:
        """(questions, answered) for each UTC day (YYYY-MM-DD) from `since` on that had any."""
        rows = self.connection.query(
            "SELECT to_char(created_at, 'YYYY-MM-DD') AS day, count(*), count(*) FILTER (WHERE answered)"
            " FROM questions WHERE created_at >= %s::timestamptz GROUP BY day", (since,),
        )
        return {day: (asked, answered) for day, asked, answered in rows}

    def recent_questions(self, limit: int) -> list[tuple[str, bool]]:
        """(text, answered) of the latest questions, newest first."""
        rows = self.connection.query("SELECT text, answered FROM questions ORDER BY id DESC LIMIT %s", (limit,))
        return [(text, answered) for text, answered in rows]

    def vote_totals(self) -> tuple[int, int]:
        """(helpful, not helpful) over every vote."""
        counts = dict(self.connection.query("SELECT helpful, count(*) FROM feedback GROUP BY helpful"))
        return counts.get(True, 0), counts.get(False, 0)

    def most_cited(self, limit: int) -> list[tuple[str, int]]:
        """(title, answers citing it), most cited first; a removed document keeps the title it was cited under."""
        rows = self.connection.query(
            'SELECT max(title COLLATE "C"), count(*) AS n FROM citations'  # as SQLite compares text: byte by byte
            " GROUP BY doc_id ORDER BY n DESC, doc_id LIMIT %s", (limit,),
        )
        return [(title, n) for title, n in rows]
