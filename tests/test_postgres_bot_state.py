"""The bot's state, the admin store, the audit trail and the question limit behave the same in their SQLite files
(the limit: in memory) and in PostgreSQL (a real server: tests/postgres_server.py); then what only PostgreSQL
does: bot processes sharing one broadcast's deliveries and each sending every message once, a killed process's
claims taken over after its lease, one user's limit counted over every connection, a question paged by another
bot process, and the bot's tables kept apart from the library's."""

from __future__ import annotations

import queue
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from bot.admin_store import DB_NAME as ADMIN_DB_NAME
from bot.admin_store import SENT, AdminStore, Delivery
from bot.answers import ask
from bot.postgres_admin_store import PostgresAdminStore
from bot.postgres_ratelimit import PostgresLimiter
from bot.postgres_state import PostgresBotState
from bot.ratelimit import SlidingWindowLimiter
from bot.state import BotState
from bot.stats import collect_stats
from index.audit import ADDED, GRANTED, AuditTrail
from index.postgres.audit import PostgresAuditTrail
from index.postgres.database import Database
from index.postgres.migrations import MIGRATIONS as LIBRARY_MIGRATIONS
from index.postgres.store import PostgresStore
from tests.bot_harness import bot_config, buttons, run_bot
from tests.postgres_server import opened_at_once
from tests.test_bot_ratelimit import Clock

CHATS = [-1001, -1002, -1003]
REFUSING_CHAT = -1003


def refuse_deliveries_to(path, chat_id: int) -> None:
    """A trigger in the SQLite admin store that makes queueing for one chat fail mid-statement."""
    connection = sqlite3.connect(path)
    connection.execute(
        f"CREATE TRIGGER refuse BEFORE INSERT ON deliveries WHEN NEW.chat_id = {chat_id}"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    connection.commit()
    connection.close()


def allow_deliveries(path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("DROP TRIGGER refuse")
    connection.commit()
    connection.close()


PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(request, backend) -> str | None:
    return request.getfixturevalue("postgres_url") if backend == "postgres" else None


@pytest.fixture
def opened():
    """Whatever a test opens, closed after it."""
    stores = []
    yield stores
    for store in stores:
        store.close()


@pytest.fixture
def open_state(database_url, tmp_path, opened):
    """Opens the same bot state again each call (another process, another host)."""

    def opener(name: str = "bot.sqlite3"):
        state = PostgresBotState(database_url) if database_url else BotState(tmp_path / name)
        opened.append(state)
        return state

    return opener


@pytest.fixture
def open_admin_store(database_url, tmp_path, opened):
    def opener():
        store = PostgresAdminStore(database_url) if database_url else AdminStore(tmp_path / ADMIN_DB_NAME)
        opened.append(store)
        return store

    return opener


@pytest.fixture
def open_audit(database_url, tmp_path, opened):
    def opener():
        trail = PostgresAuditTrail(database_url) if database_url else AuditTrail(tmp_path)
        opened.append(trail)
        return trail

    return opener


@pytest.fixture
def make_limiter(database_url, opened):
    """A question limit over a fake clock: in memory, or in PostgreSQL on a connection of its own."""

    def maker(limit: int, window: float, clock: Clock, scope: str = "questions"):
        if not database_url:
            return SlidingWindowLimiter(limit, window, clock)
        state = PostgresBotState(database_url)
        opened.append(state)
        return PostgresLimiter(state.connection, scope, limit, window, clock)

    return maker


# ------------------------------------------------------------------------------------------- the bot's state
def test_questions_are_logged_answered_or_not_and_survive_reopening(open_state):
    state = open_state()
    first = state.record_question(777001, "private", "Quy định 22-QĐ/TW là gì?", True)
    second = state.record_question(777002, "supergroup", "Cách nấu phở", False)
    state.close()
    state = open_state()
    assert [(q.id, q.text, q.answered, q.chat_type) for q in state.questions()] == [
        (second, "Cách nấu phở", False, "supergroup"),
        (first, "Quy định 22-QĐ/TW là gì?", True, "private"),
    ]
    assert state.question(first).created_at.endswith("+00:00")
    assert state.question(999) is None
    assert [q.id for q in state.questions(limit=1)] == [second]


def test_a_user_has_one_hash_in_every_process_of_an_install(open_state):
    state, elsewhere = open_state(), open_state()
    question_id = state.record_question(777001, "private", "câu hỏi", True)
    state.record_vote(question_id, 5, 777001, True)
    assert elsewhere.user_hash(777001) == state.user_hash(777001) == elsewhere.question(question_id).user_hash
    assert elsewhere.user_hash(777002) != state.user_hash(777001)
    assert len(state.user_hash(777001)) == 64


def test_private_questions_are_only_for_their_asker_group_ones_for_anyone(open_state):
    state, other_process = open_state(), open_state()
    private = state.record_question(1, "private", "riêng", True)
    group = state.record_question(1, "group", "chung", True)
    for reader in (state, other_process):  # a paging button pressed on whichever process
        assert reader.question_for(private, 1).text == "riêng" and reader.question_for(private, 2) is None
        assert reader.question_for(group, 2).text == "chung"
        assert reader.question_for(12345, 1) is None


def test_pressing_again_changes_the_vote_per_user_and_page(open_state):
    state = open_state()
    question_id = state.record_question(1, "private", "câu hỏi", True)
    state.record_vote(question_id, 10, 1, True)
    state.record_vote(question_id, 10, 1, False)
    state.record_vote(question_id, 20, 1, True)  # the next page, voted on separately
    state.record_vote(question_id, 10, 2, True)
    votes = {(v.passage_id, v.user_hash): v.helpful for v in state.votes(question_id)}
    assert votes == {(10, state.user_hash(1)): False, (20, state.user_hash(1)): True, (10, state.user_hash(2)): True}
    assert all(v.created_at.endswith("+00:00") and v.question_id == question_id for v in state.votes(question_id))
    assert state.votes(question_id + 1) == []


def test_citations_are_kept_once_per_document_with_the_title_they_were_cited_under(open_state):
    state = open_state()
    state.record_question(1, "private", "một", True, [(7, "Quy định 22"), (8, "Hướng dẫn 05"), (7, "Quy định 22")])
    state.record_question(2, "private", "hai", True, [(7, "Quy định 22 (bản cũ)")])
    state.record_question(3, "private", "ba", False)
    assert state.most_cited(10) == [("Quy định 22 (bản cũ)", 2), ("Hướng dẫn 05", 1)]
    assert state.most_cited(1) == [("Quy định 22 (bản cũ)", 2)]


def test_grants_are_kept_once_listed_oldest_first_and_revoked(open_state):
    state = open_state()
    assert state.grant(5002, "Trần Thị B", 7001) and state.grant(5001, "", 7001)
    assert not state.grant(5002, "tên khác", 7002)  # a second grant keeps the first
    grants = open_state().grants()
    assert [(g.user_id, g.name, g.granted_by) for g in grants] == [(5001, "", 7001), (5002, "Trần Thị B", 7001)]
    assert all(g.granted_at.endswith("+00:00") for g in grants)
    assert state.revoke(5001) and not state.revoke(5001)
    assert [g.user_id for g in state.grants()] == [5002]


def test_an_answer_logs_the_documents_it_cited_for_the_statistics(open_state, bot_library):
    state = open_state()
    ask(bot_library, state, 777001, "private", "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?")
    ask(bot_library, state, 777002, "private", "Cách nấu phở bò ngon")  # no answer: cites nothing
    cited = collect_stats(state).cited
    assert cited == [("Vĩnh Phúc: Những kết quả quan trọng về công tác xây dựng Đảng, xây dựng hệ thống chính trị", 1)]


def test_statistics_count_the_last_seven_days_and_the_votes_through_the_state(open_state):
    state = open_state()
    first = state.record_question(1, "private", "Đảng viên", True)
    state.record_question(2, "private", "ĐẢNG  VIÊN", False)
    state.record_vote(first, 10, 1, True)
    state.record_vote(first, 10, 2, False)
    state.record_vote(first, 20, 2, False)
    today = datetime.now(timezone.utc).date()
    now = collect_stats(state)
    later = collect_stats(state, today=today + timedelta(days=6))
    gone = collect_stats(state, today=today + timedelta(days=7))
    assert now.per_day[-1] == (today.isoformat(), 2, 1) and [n for _, n, _ in now.per_day[:-1]] == [0] * 6
    assert later.per_day[0] == (today.isoformat(), 2, 1) and all(day != today.isoformat() for day, _, _ in gone.per_day)
    assert now.top == [("ĐẢNG  VIÊN", 2)] and now.unanswered == [("ĐẢNG  VIÊN", 1)]  # as last asked
    assert (now.helpful, now.not_helpful) == (1, 2)
    assert state.recent_questions(1) == [("ĐẢNG  VIÊN", False)]


# ------------------------------------------------------------------------------------------- the admin store
@pytest.fixture
def admin_store(open_admin_store):
    store = open_admin_store()
    for chat in CHATS:
        store.subscribe(chat, f"Nhóm {chat}")
    return store


def refuse_deliveries(store) -> None:
    """Queueing for REFUSING_CHAT fails mid-statement (a trigger), as a full disk or a constraint would."""
    if isinstance(store, AdminStore):
        return refuse_deliveries_to(store.path, REFUSING_CHAT)
    _postgres_trigger(store, f"BEFORE INSERT ON vankien_admin.deliveries FOR EACH ROW"
                             f" WHEN (NEW.chat_id = {REFUSING_CHAT})")


def refuse_failing_deliveries(store) -> None:
    """Marking a delivery failed fails."""
    if isinstance(store, AdminStore):
        connection = sqlite3.connect(store.path)
        connection.execute("CREATE TRIGGER refuse BEFORE UPDATE ON deliveries WHEN NEW.status = 'failed'"
                           " BEGIN SELECT RAISE(ABORT, 'refused'); END")
        connection.commit()
        connection.close()
        return
    _postgres_trigger(store, "BEFORE UPDATE ON vankien_admin.deliveries FOR EACH ROW WHEN (NEW.status = 'failed')")


def _postgres_trigger(store: PostgresAdminStore, when: str) -> None:
    with psycopg.connect(store.connection.url, autocommit=True) as conn:
        conn.execute("CREATE OR REPLACE FUNCTION vankien_admin.refuse() RETURNS trigger LANGUAGE plpgsql"
                     " AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$")
        conn.execute(f"CREATE TRIGGER refuse {when} EXECUTE FUNCTION vankien_admin.refuse()")


def allow(store) -> None:
    if isinstance(store, AdminStore):
        return allow_deliveries(store.path)
    with psycopg.connect(store.connection.url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER refuse ON vankien_admin.deliveries")


REFUSED = (sqlite3.IntegrityError, psycopg.errors.RaiseException)


def test_chats_subscribe_once_and_unsubscribing_drops_their_pending_deliveries(open_admin_store):
    store = open_admin_store()
    assert store.subscribe(-1002, "Chi bộ 2") and store.subscribe(-1001, "Chi bộ 1")
    assert not store.subscribe(-1001, "tên khác")
    assert [(s.chat_id, s.title) for s in open_admin_store().subscriptions()] == [
        (-1002, "Chi bộ 2"), (-1001, "Chi bộ 1")]
    assert all(s.subscribed_at.endswith("+00:00") for s in store.subscriptions())
    broadcast_id = store.announce("Họp chi bộ")
    assert store.unsubscribe(-1001) and not store.unsubscribe(-1001)
    assert [s.chat_id for s in store.subscriptions()] == [-1002]
    assert store.counts(broadcast_id) == {"pending": 1, "sent": 0, "failed": 1}
    assert [d.chat_id for d in store.pending()] == [-1002]


def test_a_draft_is_queued_for_every_subscribed_chat_once(admin_store, open_admin_store):
    broadcast_id = admin_store.draft("Họp <b>chi bộ</b>")
    assert admin_store.pending() == [] and admin_store.counts(broadcast_id) == {"pending": 0, "sent": 0, "failed": 0}
    assert admin_store.confirm(broadcast_id) == len(CHATS)
    assert open_admin_store().confirm(broadcast_id) is None  # a second press, on any process
    assert admin_store.confirm(broadcast_id + 100) is None
    assert admin_store.pending() == [Delivery(broadcast_id, chat, "Họp <b>chi bộ</b>") for chat in sorted(CHATS)]


def test_announcements_go_out_oldest_first_and_only_to_the_chats_asked_for(admin_store):
    first = admin_store.announce("Tài liệu mới", only=[CHATS[1], -9999])  # -9999 is not subscribed
    second = admin_store.announce("Thông báo chung")
    assert second > first
    assert [(d.broadcast_id, d.chat_id) for d in admin_store.pending()] == [
        (first, CHATS[1]), *((second, chat) for chat in sorted(CHATS))]
    assert [(d.broadcast_id, d.chat_id) for d in admin_store.pending(limit=2)] == [
        (first, CHATS[1]), (second, min(CHATS))]


def test_marked_deliveries_are_counted_and_not_pending_any_more(admin_store, open_admin_store):
    broadcast_id = admin_store.announce("Họp chi bộ")
    first, second, third = admin_store.pending()
    admin_store.mark(first, SENT)
    admin_store.mark(second, "failed", "Forbidden: bot was blocked by the user")
    assert admin_store.counts(broadcast_id) == {"pending": 1, "sent": 1, "failed": 1}
    assert admin_store.pending() == [third]
    admin_store.mark(third, SENT)
    assert admin_store.pending() == [] and open_admin_store().counts(broadcast_id)["sent"] == 2


def test_a_confirm_that_fails_half_way_queues_nothing_and_can_be_pressed_again(admin_store):
    broadcast_id = admin_store.draft("Họp chi bộ")
    refuse_deliveries(admin_store)
    with pytest.raises(REFUSED):
        admin_store.confirm(broadcast_id)
    assert admin_store.pending() == [] and admin_store.counts(broadcast_id) == {"pending": 0, "sent": 0, "failed": 0}
    allow(admin_store)
    assert admin_store.confirm(broadcast_id) == len(CHATS)  # still a draft: the failed press marked nothing confirmed
    assert admin_store.confirm(broadcast_id) is None


def test_an_announcement_that_fails_leaves_no_draft_behind(admin_store):
    refuse_deliveries(admin_store)
    with pytest.raises(REFUSED):
        admin_store.announce("Tài liệu mới")
    allow(admin_store)
    assert admin_store.confirm(1) is None and admin_store.pending() == []
    broadcast_id = admin_store.announce("Tài liệu mới")  # 1 in SQLite; in PostgreSQL the failed one spent 1
    assert [d.broadcast_id for d in admin_store.pending()] == [broadcast_id] * len(CHATS)


def test_an_unsubscribe_that_fails_keeps_the_subscription_and_its_pending_deliveries(admin_store):
    broadcast_id = admin_store.announce("Họp chi bộ")
    refuse_failing_deliveries(admin_store)
    with pytest.raises(REFUSED):
        admin_store.unsubscribe(CHATS[0])
    assert [s.chat_id for s in admin_store.subscriptions()] == sorted(CHATS)
    assert admin_store.counts(broadcast_id)["pending"] == len(CHATS)


# ------------------------------------------------------------------------------------------- the audit trail
def test_audit_entries_are_listed_newest_first_paged_and_kept(open_audit):
    trail = open_audit()
    trail.record("cli:root", ADDED, "[1] Quy định 22", "đối tượng: công khai")
    trail.record("7001 Nguyễn Văn A (@nva)", GRANTED, "người dùng 5001")
    trail.record("7001 Nguyễn Văn A (@nva)", ADDED, "[2] Hướng dẫn 05")
    again = open_audit()
    entries = again.entries()
    assert [(e.actor, e.action, e.subject, e.detail) for e in entries] == [
        ("7001 Nguyễn Văn A (@nva)", ADDED, "[2] Hướng dẫn 05", ""),
        ("7001 Nguyễn Văn A (@nva)", GRANTED, "người dùng 5001", ""),
        ("cli:root", ADDED, "[1] Quy định 22", "đối tượng: công khai"),
    ]
    assert entries[0].id > entries[1].id > entries[2].id and all(e.at.endswith("+00:00") for e in entries)
    assert [e.subject for e in again.entries(limit=1, offset=1)] == ["người dùng 5001"]
    assert again.count() == 3 and again.entries(offset=3) == []


# ------------------------------------------------------------------------------------------- the question limit
def test_a_burst_over_the_limit_is_refused_until_the_window_slides(make_limiter):
    clock = Clock()
    limiter = make_limiter(3, 10.0, clock)
    assert [limiter.allow("an") for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("an") == pytest.approx(10.0)
    clock.now += 9.5
    assert not limiter.allow("an") and limiter.retry_after("an") == pytest.approx(0.5)
    clock.now += 0.5
    assert [limiter.allow("an") for _ in range(4)] == [True, True, True, False]


def test_refused_attempts_do_not_extend_the_wait(make_limiter):
    clock = Clock()
    limiter = make_limiter(1, 10.0, clock)
    assert limiter.allow("an")
    for _ in range(5):
        clock.now += 1
        assert not limiter.allow("an")
    clock.now += 5
    assert limiter.allow("an")


def test_users_have_separate_allowances(make_limiter):
    limiter = make_limiter(1, 10.0, Clock())
    assert limiter.allow(1) and not limiter.allow(1)
    assert limiter.allow(2) and limiter.retry_after(3) == 0.0


def test_the_window_slides_event_by_event(make_limiter):
    clock = Clock()
    limiter = make_limiter(2, 10.0, clock)
    limiter.allow("an")
    clock.now += 6
    limiter.allow("an")
    clock.now += 4  # the first event leaves the window, the second stays
    assert limiter.allow("an") and not limiter.allow("an")
    assert limiter.retry_after("an") == pytest.approx(6.0)


@pytest.mark.parametrize("limit, window", [(0, 10.0), (1, 0.0)])
def test_nonsense_limits_are_refused(make_limiter, limit, window):
    with pytest.raises(ValueError):
        make_limiter(limit, window, Clock())


# ------------------------------------------------------------------------------------------- PostgreSQL only
def bot_rows(url: str) -> list[str]:
    """Every row of every table of the bot's schemas, as text."""
    with psycopg.connect(url) as conn:
        tables = conn.execute("SELECT table_schema, table_name FROM information_schema.tables"
                              " WHERE table_schema IN ('vankien_bot', 'vankien_admin', 'vankien_audit')").fetchall()
        return [row for schema, table in tables
                for (row,) in conn.execute(f'SELECT to_jsonb(t)::text FROM "{schema}"."{table}" AS t').fetchall()]


@pytest.fixture
def other_postgres_url(postgres_server):
    """A second new database on the same server: another install."""
    name = f"vankien_other_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_server.template}"')
    yield postgres_server.database_url(name)
    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_user_ids_are_stored_only_as_salted_hashes(postgres_url, other_postgres_url, opened):
    state = PostgresBotState(postgres_url)
    opened.append(state)
    question_id = state.record_question(777001, "private", "câu hỏi", True)
    state.record_vote(question_id, 5, 777001, True)
    PostgresLimiter(state.connection, "questions", 3, 60.0).allow(777001)
    other_install = PostgresBotState(other_postgres_url)
    opened.append(other_install)
    assert other_install.user_hash(777001) != state.user_hash(777001)  # a per-install salt
    rows = bot_rows(postgres_url)
    assert len(rows) >= 4 and not any("777001" in row for row in rows)


def test_the_bot_tables_live_apart_from_the_librarys_each_with_its_own_migrations(postgres_url, opened):
    library = PostgresStore(Database(postgres_url))
    state, admin_store = PostgresBotState(postgres_url), PostgresAdminStore(postgres_url)
    trail = PostgresAuditTrail(postgres_url)
    opened.extend([library, state, admin_store, trail])
    library.set_meta("generation", "3")  # the library's meta table; the bot's salt is in a meta table of its own
    opened.append(elsewhere := PostgresBotState(postgres_url))
    assert state.user_hash(1) == elsewhere.user_hash(1)
    with psycopg.connect(postgres_url) as conn:
        def migrations(schema: str) -> list[str]:
            return [name for (name,) in conn.execute(f"SELECT name FROM {schema}.schema_migrations ORDER BY number")]
        assert migrations("public") == [name for name, _ in LIBRARY_MIGRATIONS]
        assert migrations("vankien_bot") == ["questions, votes and citations", "access grants", "rate limits"]
        assert migrations("vankien_admin") == ["subscriptions and deliveries"]
        assert migrations("vankien_audit") == ["entries"]
        assert conn.execute("SELECT key FROM public.meta").fetchall() == [("generation",)]
        assert conn.execute("SELECT key FROM vankien_bot.meta").fetchall() == [("user_salt",)]


def test_processes_opening_a_new_database_at_once_share_one_salt(postgres_url, opened):
    states, errors = opened_at_once(lambda: PostgresBotState(postgres_url))
    opened.extend(states)
    assert errors == [] and len(states) == 4
    assert len({state.user_hash(777001) for state in states}) == 1


def test_the_state_reconnects_after_its_connection_is_dropped(postgres_url, opened):
    state = PostgresBotState(postgres_url)
    opened.append(state)
    question_id = state.record_question(1, "private", "trước", True)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    assert state.question(question_id).text == "trước"  # a read is retried once on a new connection
    assert state.question(state.record_question(1, "private", "sau", True)).text == "sau"


def test_a_question_asked_through_one_bot_process_is_paged_through_another(fake, bot_library, postgres_url, opened):
    first, second = PostgresBotState(postgres_url), PostgresBotState(postgres_url)
    opened.extend([first, second])
    async def asking(bot):
        fake.queue_message(6001, "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?")
        return (await bot.next()).result

    answer, errors = run_bot(fake, bot_config(fake, bot_library.data_dir), bot_library, first, asking)
    assert errors == [] and "Kết quả 1–3 / " in answer["text"]

    async def paging(bot):
        fake.queue_callback(6001, buttons(answer)["Xem thêm ▶"], message_id=answer["message_id"])
        return await bot.next_calls(1, "answerCallbackQuery")

    _, errors = run_bot(fake, bot_config(fake, bot_library.data_dir), bot_library, second, paging)
    assert errors == []
    [edit] = fake.calls("editMessageText")
    assert edit.ok and "Kết quả 4–6 / " in edit.result["text"]


# --- deliveries claimed by several workers
class Worker:
    """`python -m tests.delivery_worker ...` as a child process; `lines` gets what it prints."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.delivery_worker", *args], cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())

    def said(self, expected: str, timeout: float = 30.0) -> None:
        assert self.lines.get(timeout=timeout) == expected

    def go(self) -> None:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def finish(self, timeout: float = 60.0) -> int:
        return self.process.wait(timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


@pytest.fixture
def workers():
    started: list[Worker] = []

    def start(*args: str) -> Worker:
        worker = Worker(*args)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def queued(url: str, chats: list[int], text: str = "Họp chi bộ định kỳ") -> tuple[PostgresAdminStore, int]:
    store = PostgresAdminStore(url, worker="test")
    for chat in chats:
        store.subscribe(chat, f"Nhóm {chat}")
    return store, store.announce(text)


def sent_lines(*logs: Path) -> list[tuple[int, int]]:
    return [tuple(map(int, line.split())) for log in logs if log.exists() for line in log.read_text().splitlines()]


def test_two_processes_claiming_one_broadcast_send_each_delivery_once(postgres_url, workers, tmp_path, opened):
    chats = [-1000 - n for n in range(300)]
    store, broadcast_id = queued(postgres_url, chats)
    opened.append(store)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    pair = [workers("claim", postgres_url, name, "60", "5", str(log)) for name, log in zip("ab", logs)]
    for worker in pair:
        worker.said("ready")
    for worker in pair:
        worker.go()
    assert [worker.finish() for worker in pair] == [0, 0]
    sent = sent_lines(*logs)
    assert sorted(sent) == sorted((broadcast_id, chat) for chat in chats)  # each once, none missing
    assert all(sent_lines(log) for log in logs)  # both took part
    assert store.counts(broadcast_id) == {"pending": 0, "sent": len(chats), "failed": 0}


def test_two_broadcasters_in_two_processes_send_each_chat_one_copy(postgres_url, workers, fake, opened):
    chats = [-1000 - n for n in range(150)]
    store, broadcast_id = queued(postgres_url, chats, "Họp chi bộ <b>định kỳ</b> &amp; tổng kết")
    opened.append(store)
    pair = [workers("broadcast", postgres_url, name, fake.base_url) for name in ("a", "b")]
    for worker in pair:
        worker.said("ready")
    for worker in pair:
        worker.go()
    assert [worker.finish() for worker in pair] == [0, 0]
    sends = [call for call in fake.calls("sendMessage") if call.ok]
    assert sorted(call.params["chat_id"] for call in sends) == sorted(chats)
    assert {call.params["text"] for call in sends} == {"Họp chi bộ <b>định kỳ</b> &amp; tổng kết"}
    assert store.counts(broadcast_id) == {"pending": 0, "sent": len(chats), "failed": 0}
    senders = dict(store.connection.query("SELECT claimed_by, count(*) FROM deliveries GROUP BY claimed_by"))
    assert set(senders) == {"a", "b"} and sum(senders.values()) == len(chats)  # BATCH 100: both had a share


def test_a_worker_killed_mid_batch_has_its_claims_taken_over_after_the_lease(postgres_url, workers, tmp_path, opened):
    chats = [-1000 - n for n in range(30)]
    store, broadcast_id = queued(postgres_url, chats)
    opened.append(store)
    lease = 2.0
    killed = workers("claim", postgres_url, "killed", str(lease), "10", str(tmp_path / "killed.log"), "4")
    killed.said("ready")
    killed.go()
    killed.said("stalled")  # it holds 10 claims and has sent 4
    first_sent = set(sent_lines(tmp_path / "killed.log"))
    assert len(first_sent) == 4
    unclaimed = store.claim(100)
    assert len(unclaimed) == 20  # what nobody held; the stalled worker's claims are skipped
    for delivery in unclaimed:
        store.mark(delivery, SENT)
    killed.kill()  # SIGKILL: no cleanup of any kind
    killed_at = time.monotonic()
    assert store.claim(100) == []  # its lease still runs
    deadline = killed_at + lease + 10
    while not (taken := store.claim(100)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert time.monotonic() - killed_at < lease + 1  # taken over once the lease ran out, not later
    left = {(broadcast_id, chat) for chat in chats} - first_sent - {(d.broadcast_id, d.chat_id) for d in unclaimed}
    assert len(left) == 6 and {(d.broadcast_id, d.chat_id) for d in taken} == left
    for delivery in taken:
        store.mark(delivery, SENT)
    assert store.counts(broadcast_id) == {"pending": 0, "sent": 30, "failed": 0} and store.claim(100) == []


def test_a_live_worker_keeps_its_claims_past_the_lease_and_hands_them_back_when_it_closes(postgres_url, opened):
    lease = 1.0
    working = PostgresAdminStore(postgres_url, worker="working", lease_seconds=lease)
    other = PostgresAdminStore(postgres_url, worker="other")
    opened.extend([working, other])
    for chat in (-1001, -1002, -1003):
        working.subscribe(chat, "Nhóm")
    working.announce("Họp chi bộ")
    claimed = working.claim(100)
    assert len(claimed) == 3 and other.claim(100) == []
    assert working.claim(100) == claimed  # a delivery left pending (a RetryAfter) comes back to its worker
    working.mark(claimed[0], SENT)
    time.sleep(lease * 1.5)  # sending nothing, e.g. waiting out a long RetryAfter: its claims are renewed
    assert other.claim(100) == []
    working.close()  # a graceful stop: what it did not send is handed back at once
    assert other.claim(100) == claimed[1:]


# --- one limit over every connection
def test_the_rate_limit_is_shared_by_two_connections(postgres_url, opened):
    first, second = PostgresBotState(postgres_url), PostgresBotState(postgres_url)  # two processes, say
    opened.extend([first, second])
    here = PostgresLimiter(first.connection, "questions", 3, 60.0)  # the server's clock
    there = PostgresLimiter(second.connection, "questions", 3, 60.0)
    assert [here.allow(42), there.allow(42), here.allow(42), there.allow(42), here.allow(42)] == [
        True, True, True, False, False]
    assert 58.0 < here.retry_after(42) <= 60.0 and there.retry_after(42) == pytest.approx(here.retry_after(42), abs=1)
    assert there.allow(43) and there.retry_after(43) == 0.0  # another user
    assert PostgresLimiter(second.connection, "inline", 3, 60.0).allow(42)  # another limit over the same users


def test_connections_checking_one_user_at_the_same_moment_let_exactly_the_limit_through(postgres_url, opened):
    states = [PostgresBotState(postgres_url) for _ in range(4)]
    opened.extend(states)
    limiters = [PostgresLimiter(state.connection, "questions", 10, 60.0) for state in states]
    start = threading.Barrier(len(limiters))
    results: list[bool] = []

    def hammer(limiter: PostgresLimiter) -> None:
        start.wait()
        results.extend([limiter.allow(42) for _ in range(20)])

    threads = [threading.Thread(target=hammer, args=(limiter,)) for limiter in limiters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 80 and results.count(True) == 10
