"""What only the bot's SQLite file does: its salt and schema version. The behaviour both backends share is in
tests/test_postgres_bot_state.py, run on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3

from bot.state import MIGRATIONS, BotState


def test_user_ids_are_stored_only_as_salted_hashes(tmp_path):
    state = BotState(tmp_path / "bot.sqlite3")
    question_id = state.record_question(777001, "private", "câu hỏi", True)
    state.record_vote(question_id, 5, 777001, True)
    user_hash = state.user_hash(777001)
    state.close()
    other_install = BotState(tmp_path / "other.sqlite3")
    assert other_install.user_hash(777001) != user_hash  # a per-install salt
    other_install.close()
    reopened = BotState(tmp_path / "bot.sqlite3")
    assert reopened.user_hash(777001) == user_hash == reopened.question(question_id).user_hash
    reopened.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3*"))
    assert b"777001" not in raw


def test_schema_version_follows_the_migrations(tmp_path):
    BotState(tmp_path / "bot.sqlite3").close()
    connection = sqlite3.connect(tmp_path / "bot.sqlite3")
    assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"questions", "feedback", "meta"} <= tables
    connection.close()
