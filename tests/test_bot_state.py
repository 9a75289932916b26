"""The bot's SQLite: questions and votes survive reopening; users are salted hashes, never raw ids."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from bot.answers import ask
from bot.state import MIGRATIONS, BotState
from bot.stats import collect_stats


def test_questions_are_logged_answered_or_not_and_survive_reopening(tmp_path):
    state = BotState(tmp_path / "bot.sqlite3")
    first = state.record_question(777001, "private", "Quy định 22-QĐ/TW là gì?", True)
    second = state.record_question(777002, "supergroup", "Cách nấu phở", False)
    state.close()
    state = BotState(tmp_path / "bot.sqlite3")
    assert [(q.id, q.text, q.answered, q.chat_type) for q in state.questions()] == [
        (second, "Cách nấu phở", False, "supergroup"),
        (first, "Quy định 22-QĐ/TW là gì?", True, "private"),
    ]
    assert state.question(first).created_at.endswith("+00:00")
    assert state.question(999) is None


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


def test_private_questions_are_only_for_their_asker_group_ones_for_anyone(tmp_path):
    state = BotState(tmp_path / "bot.sqlite3")
    private = state.record_question(1, "private", "riêng", True)
    group = state.record_question(1, "group", "chung", True)
    assert state.question_for(private, 1).text == "riêng" and state.question_for(private, 2) is None
    assert state.question_for(group, 2).text == "chung"
    assert state.question_for(12345, 1) is None


def test_pressing_again_changes_the_vote_per_user_and_page(tmp_path):
    state = BotState(tmp_path / "bot.sqlite3")
    question_id = state.record_question(1, "private", "câu hỏi", True)
    state.record_vote(question_id, 10, 1, True)
    state.record_vote(question_id, 10, 1, False)
    state.record_vote(question_id, 20, 1, True)  # the next page, voted on separately
    state.record_vote(question_id, 10, 2, True)
    votes = {(v.passage_id, v.user_hash): v.helpful for v in state.votes(question_id)}
    assert votes == {(10, state.user_hash(1)): False, (20, state.user_hash(1)): True, (10, state.user_hash(2)): True}


def test_schema_version_follows_the_migrations(tmp_path):
    BotState(tmp_path / "bot.sqlite3").close()
    connection = sqlite3.connect(tmp_path / "bot.sqlite3")
    assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"questions", "feedback", "meta"} <= tables
    connection.close()


def test_an_answer_logs_the_documents_it_cited_for_the_statistics(tmp_path, bot_library):
    state = BotState(tmp_path / "bot.sqlite3")
    ask(bot_library, state, 777001, "private", "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?")
    ask(bot_library, state, 777002, "private", "Cách nấu phở bò ngon")  # no answer: cites nothing
    cited = collect_stats(state).cited
    state.close()
    assert cited == [("Vĩnh Phúc: Những kết quả quan trọng về công tác xây dựng Đảng, xây dựng hệ thống chính trị", 1)]


def test_statistics_count_the_last_seven_days_and_the_votes_through_the_state(tmp_path):
    state = BotState(tmp_path / "bot.sqlite3")
    first = state.record_question(1, "private", "Đảng viên", True)
    state.record_question(2, "private", "ĐẢNG  VIÊN", False)
    state.record_vote(first, 10, 1, True)
    state.record_vote(first, 10, 2, False)
    state.record_vote(first, 20, 2, False)
    today = datetime.now(timezone.utc).date()
    now = collect_stats(state)
    later = collect_stats(state, today=today + timedelta(days=6))
    gone = collect_stats(state, today=today + timedelta(days=7))
    state.close()
    assert now.per_day[-1] == (today.isoformat(), 2, 1) and [n for _, n, _ in now.per_day[:-1]] == [0] * 6
    assert later.per_day[0] == (today.isoformat(), 2, 1) and all(day != today.isoformat() for day, _, _ in gone.per_day)
    assert now.top == [("ĐẢNG  VIÊN", 2)] and now.unanswered == [("ĐẢNG  VIÊN", 1)]  # as last asked
    assert (now.helpful, now.not_helpful) == (1, 2)
