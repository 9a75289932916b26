"""The bot on PostgreSQL (VANKIEN_DATABASE_URL): its state, admin store, question limits and audit trail are
shared by every bot process on the database, so one process continues what another began.

Two real Applications in this test process, on one database and one fake Bot API, each fed updates the way
a load balancer in front of two webhooks would (Application.process_update); the library is the session's
file-backed one. Two `python -m bot` processes are in tests/test_bot_processes_postgres.py.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import AsyncIterator

import pytest
from telegram import Update
from telegram.ext import Application

from bot.admin_store import AdminStore
from bot.context import Services
from bot.permissions import MEMBERS_ONLY
from bot.postgres_admin_store import PostgresAdminStore
from bot.postgres_ratelimit import PostgresLimiter
from bot.postgres_state import PostgresBotState
from bot.ratelimit import SlidingWindowLimiter
from bot.state import BotState
from bot.storage import open_state
from bot.app import build_application
from index.audit import AuditTrail
from index.library import Library
from index.postgres.audit import PostgresAuditTrail
from tests.bot_harness import bot_config, buttons
from tests.fake_bot_api import FakeBotApi

PROJECT = Path(__file__).resolve().parent.parent
ADMIN, USER = 7101, 7102  # a private chat's id is its user's id
QUESTION = "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?"


class Worker:
    """One bot process's Application, entered and started, that the test hands updates to."""

    def __init__(self, app: Application, fake: FakeBotApi) -> None:
        self.app, self.fake = app, fake
        self.errors: list[BaseException] = []

    async def handle(self, update: dict) -> None:
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def ask(self, chat: int, text: str, **kwargs) -> dict:
        """The message the bot sent in reply to `text` (the handler is done when this returns)."""
        await self.handle(self.fake.queue_message(chat, text, **kwargs))
        return self.fake.calls("sendMessage")[-1].result

    async def _collect(self, update: object, context) -> None:
        self.errors.append(context.error)


@asynccontextmanager
async def worker(fake: FakeBotApi, config, library: Library) -> AsyncIterator[Worker]:
    """build_application with the state `python -m bot` opens for `config`; closed as run_polling closes them."""
    state = open_state(config)
    app = build_application(config, library, state)
    running = Worker(app, fake)
    app.add_error_handler(running._collect)
    await app.initialize()
    await app.start()
    try:
        yield running
    finally:
        await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)
        state.close()
    assert running.errors == []


def postgres_config(fake: FakeBotApi, tmp_path: Path, postgres_url: str, **changes):
    config = bot_config(fake, tmp_path / "data", admin_ids=frozenset({ADMIN}), **changes)
    return replace(config, index=replace(config.index, database_url=postgres_url))


@pytest.fixture
def second_library(bot_library) -> Library:
    """The other process's own Library object over the same files."""
    library = Library(bot_library.data_dir, bot_library.embedder)
    yield library
    library.close()


# ---------------------------------------------------------------- which stores


def test_with_a_database_url_every_store_of_the_bot_is_in_postgresql(fake, bot_library, postgres_url, tmp_path):
    config = postgres_config(fake, tmp_path, postgres_url)
    state = open_state(config)
    app = build_application(config, bot_library, state)
    services = Services.of(app)
    try:
        assert isinstance(state, PostgresBotState)
        assert isinstance(services.admin_store, PostgresAdminStore)
        assert isinstance(services.questions, PostgresLimiter) and isinstance(services.inline, PostgresLimiter)
        assert (services.questions.scope, services.inline.scope) == ("questions", "inline")
        assert services.inline.limit == 4 * services.questions.limit
        assert isinstance(services.audit, PostgresAuditTrail)
        assert services.admin_store.lease_seconds == config.delivery_lease_seconds
    finally:
        services.admin_store.close()
        services.audit.close()
        state.close()
    assert not (tmp_path / "data").exists() or list((tmp_path / "data").iterdir()) == []  # no file of the bot's


def test_without_a_database_url_the_bot_keeps_its_files_in_the_data_dir(fake, bot_library, tmp_path):
    config = bot_config(fake, tmp_path / "data")
    state = open_state(config)
    app = build_application(config, bot_library, state)
    services = Services.of(app)
    try:
        assert isinstance(state, BotState) and isinstance(services.admin_store, AdminStore)
        assert isinstance(services.questions, SlidingWindowLimiter) and isinstance(services.audit, AuditTrail)
    finally:
        services.admin_store.close()
        services.audit.close()
        state.close()
    assert sorted(p.name for p in (tmp_path / "data").glob("*.sqlite3")) == ["admin.sqlite3", "audit.sqlite3", "bot.sqlite3"]


def test_a_database_url_without_psycopg_is_one_sentence_on_what_to_install(tmp_path):
    """psycopg hidden from a fresh interpreter (as when the postgres extra is not installed)."""
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from bot.config import BotConfig\n"
        "from bot.storage import open_admin_store, open_state\n"
        "from index.audit_trails import open_audit_trail\n"
        "from index.errors import VankienError\n"
        f"config = BotConfig.from_env({{'VANKIEN_DATABASE_URL': 'postgresql://nobody@/none', 'VANKIEN_DATA_DIR': {str(tmp_path)!r}}})\n"
        "for opening in (lambda: open_state(config), lambda: open_admin_store(config), lambda: open_audit_trail(config.index)):\n"
        "    try:\n"
        "        opening()\n"
        "    except VankienError as error:\n"
        "        print(type(error).__name__, error)\n"
        "from index.__main__ import main\n"
        "sys.exit(main(['audit']))\n"
    )
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT), "VANKIEN_DATABASE_URL": "postgresql://nobody@/none"}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120)
    lines = done.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("DatabaseUnavailable ") and "pip install 'vankien-bot[postgres]'" in line
                                   and "psycopg" in line for line in lines), done.stdout + done.stderr
    assert done.returncode == 2 and done.stderr.startswith("lỗi: VANKIEN_DATABASE_URL cần gói psycopg") and "Traceback" not in done.stderr


# ---------------------------------------------------------------- two processes, one database


def test_a_question_answered_by_one_process_is_paged_by_another(fake, bot_library, second_library, postgres_url, tmp_path):
    async def scenario() -> None:
        config = postgres_config(fake, tmp_path, postgres_url)
        async with worker(fake, config, bot_library) as first, worker(fake, config, second_library) as second:
            answer = await first.ask(USER, QUESTION)
            assert "Kết quả 1–3 / " in answer["text"]
            await second.handle(fake.queue_callback(USER, buttons(answer)["Xem thêm ▶"], message_id=answer["message_id"]))
        [edit] = fake.calls("editMessageText")
        assert edit.ok and edit.params["message_id"] == answer["message_id"]
        assert "Kết quả 4–6 / " in edit.result["text"] and f"Câu hỏi: {QUESTION}" in edit.result["text"]

    asyncio.run(scenario())


def test_a_file_state_is_not_shared_so_the_other_process_cannot_page(fake, bot_library, second_library, tmp_path):
    """The same two processes without a database URL, each with a data dir of its own: what the test above needs."""
    async def scenario() -> None:
        async with worker(fake, bot_config(fake, tmp_path / "one"), bot_library) as first, \
                worker(fake, bot_config(fake, tmp_path / "two"), second_library) as second:
            answer = await first.ask(USER, QUESTION)
            await second.handle(fake.queue_callback(USER, buttons(answer)["Xem thêm ▶"], message_id=answer["message_id"]))
        assert fake.calls("editMessageText") == []

    asyncio.run(scenario())


def test_a_grant_made_on_one_process_is_honoured_and_revoked_on_the_others_at_once(
        fake, bot_library, second_library, postgres_url, tmp_path):
    async def scenario() -> None:
        config = postgres_config(fake, tmp_path, postgres_url)
        config = replace(config, index=replace(config.index, access="members"))
        async with worker(fake, config, bot_library) as first, worker(fake, config, second_library) as second:
            refused = await second.ask(USER, QUESTION)
            granted = await first.ask(ADMIN, f"/capquyen {USER} Nguyễn Văn B")
            answered = await second.ask(USER, QUESTION)
            revoked = await second.ask(ADMIN, f"/thuquyen {USER}")
            refused_again = await first.ask(USER, QUESTION)
            trail = await first.ask(ADMIN, "/nhatky")
        assert refused["text"] == refused_again["text"] == MEMBERS_ONLY.format(user_id=USER)
        assert granted["text"] == f"Đã cấp quyền đọc tài liệu đảng viên cho {USER}."
        assert "Quy định 22-QĐ/TW, ngày 28/7/2021" in answered["text"]
        assert revoked["text"].startswith(f"Đã thu quyền của {USER}")
        # Both processes wrote one audit trail, which the other process lists and the command line reads.
        assert "cấp quyền · người dùng 7102" in trail["text"] and "thu quyền · người dùng 7102" in trail["text"]
        environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT), "VANKIEN_DATABASE_URL": postgres_url,
                       "VANKIEN_DATA_DIR": str(tmp_path / "cli")}
        listed = subprocess.run([sys.executable, "-m", "index", "audit"], cwd=tmp_path, env=environment,
                                capture_output=True, text=True, timeout=120)
        assert listed.returncode == 0, listed.stderr
        assert [line.split("  ")[2:4] for line in listed.stdout.splitlines()] == [
            ["thu quyền", f"người dùng {USER}"], ["cấp quyền", f"người dùng {USER} (Nguyễn Văn B)"]]
        assert not (tmp_path / "cli" / "audit.sqlite3").exists()

    asyncio.run(scenario())


def test_the_question_limit_counts_the_questions_asked_through_every_process(
        fake, bot_library, second_library, postgres_url, tmp_path):
    async def scenario() -> None:
        config = postgres_config(fake, tmp_path, postgres_url, questions_per_window=2, window_seconds=3600.0)
        async with worker(fake, config, bot_library) as first, worker(fake, config, second_library) as second:
            replies = [await first.ask(USER, QUESTION), await second.ask(USER, QUESTION), await first.ask(USER, QUESTION),
                       await second.ask(USER, QUESTION), await second.ask(USER + 1, QUESTION)]
        limited = [reply["text"].startswith("⏳ Bạn hỏi hơi nhanh") for reply in replies]
        assert limited == [False, False, True, True, False]

    asyncio.run(scenario())


def test_a_process_sends_what_another_queued_without_being_told(fake, bot_library, postgres_url, tmp_path):
    """post_init in PostgreSQL mode: the broadcaster looks for pending deliveries every few seconds (the process
    that queued them may have died before sending; here it never sends at all)."""
    async def scenario() -> None:
        config = postgres_config(fake, tmp_path, postgres_url)
        async with worker(fake, config, bot_library) as running:
            await running.app.post_init(running.app)
            await Services.of(running.app).broadcaster.idle()  # resumed at start: nothing was pending then
            other_process = PostgresAdminStore(postgres_url, worker="elsewhere")
            try:
                other_process.subscribe(-1009, "Chi bộ 9")
                broadcast = other_process.announce("Họp chi bộ định kỳ tháng 7")
                [notice] = await fake.async_wait_for("sendMessage", timeout=30)
                await Services.of(running.app).broadcaster.idle()
                assert other_process.counts(broadcast) == {"pending": 0, "sent": 1, "failed": 0}
            finally:
                other_process.close()
        assert notice.ok and notice.params["chat_id"] == -1009 and notice.result["text"] == "Họp chi bộ định kỳ tháng 7"

    asyncio.run(scenario())


def test_the_first_start_on_an_empty_database_indexes_the_sample_once_and_an_emptied_library_stays_empty(
        postgres_url, tmp_path):
    from bot.__main__ import open_library
    from index.settings import IndexSettings

    settings = IndexSettings(data_dir=tmp_path / "host-a", database_url=postgres_url)
    first = open_library(settings)
    assert first.documents() and first.generation == 1
    second = open_library(replace(settings, data_dir=tmp_path / "host-b"))  # another host: found, not added again
    assert second.generation == 1 and [d.id for d in second.documents()] == [d.id for d in first.documents()]
    for document in first.documents():
        first.remove(document.id)
    first.close()
    second.close()
    restarted = open_library(replace(settings, data_dir=tmp_path / "host-c"))
    assert restarted.documents() == [] and restarted.generation > 1  # the admins' removal holds after a restart
    restarted.close()
