"""index/sqlite.py: migrations cut where SQLite ends a statement; transaction() is all or nothing."""

from __future__ import annotations

import sqlite3

import pytest

from index.sqlite import connect, split_statements, transaction

MIGRATIONS = [
    """
    CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);  -- a comment; with a semicolon
    INSERT INTO notes(text) VALUES ('Điều 1; Điều 2');
    CREATE TABLE "odd;name" (value TEXT);
    CREATE TRIGGER notes_log AFTER INSERT ON notes BEGIN
        INSERT INTO "odd;name"(value) VALUES (NEW.text);
        INSERT INTO "odd;name"(value) VALUES ('logged; twice');
    END;
    """,
    "INSERT INTO notes(text) VALUES ('không có dấu chấm phẩy ở cuối')",
]


def test_a_semicolon_inside_a_string_a_name_a_comment_or_a_trigger_does_not_end_a_statement(tmp_path):
    conn = connect(tmp_path / "notes.sqlite3", MIGRATIONS)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert [row[0] for row in conn.execute("SELECT text FROM notes ORDER BY id")] == [
        "Điều 1; Điều 2", "không có dấu chấm phẩy ở cuối"]
    assert [row[0] for row in conn.execute('SELECT value FROM "odd;name"')] == [
        "không có dấu chấm phẩy ở cuối", "logged; twice"]
    conn.close()


def test_statements_are_cut_at_each_terminating_semicolon_only():
    assert split_statements("CREATE TABLE a(x);\n\nINSERT INTO a VALUES ('p; q');;") == [
        "CREATE TABLE a(x);", "INSERT INTO a VALUES ('p; q');"]
    assert split_statements("ALTER TABLE a ADD COLUMN y") == ["ALTER TABLE a ADD COLUMN y"]
    assert split_statements("  \n ") == []


def test_a_failing_migration_is_rolled_back_whole_and_not_recorded(tmp_path):
    path = tmp_path / "notes.sqlite3"
    connect(path, MIGRATIONS[:1]).close()
    broken = MIGRATIONS[:1] + ["CREATE TABLE second (x); INSERT INTO no_such_table VALUES (1)"]
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        connect(path, broken)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'second'").fetchone()[0] == 0
    conn.close()


def test_a_transaction_commits_every_statement_or_on_an_exception_none(tmp_path):
    conn = connect(tmp_path / "notes.sqlite3", MIGRATIONS[:1])
    with transaction(conn):
        conn.execute("INSERT INTO notes(text) VALUES ('một')")
        conn.execute("INSERT INTO notes(text) VALUES ('hai')")
    with pytest.raises(sqlite3.IntegrityError):
        with transaction(conn):
            conn.execute("INSERT INTO notes(text) VALUES ('ba')")
            conn.execute("INSERT INTO notes(text) VALUES (NULL)")
    with pytest.raises(KeyError):
        with transaction(conn):
            conn.execute("INSERT INTO notes(text) VALUES ('bốn')")
            raise KeyError("not ours: still rolled back")
    assert not conn.in_transaction
    reader = sqlite3.connect(tmp_path / "notes.sqlite3")
    assert [row[0] for row in reader.execute("SELECT text FROM notes ORDER BY id")] == ["Điều 1; Điều 2", "một", "hai"]
    reader.close()
    conn.close()
