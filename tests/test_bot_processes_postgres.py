"""Two `python -m bot` processes on one PostgreSQL database, as deployed on two hosts behind a load balancer: each
serves a webhook, the test posts each update to the one it chooses (Telegram would post to the balancer), and
both call the one fake Bot API. Everything is in the database: the library (each process's data directory is
empty at start, as on a host of its own, and only caches the index), the questions, the grants, the
deliveries. Started together on an empty database, they index the shipped corpus once; questions are answered
by both, a button is pressed on the other process, and a broadcast one process began is finished by the other
after the first is killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import psycopg
import pytest

from bot.config import BotConfig
from bot.postgres_admin_store import PostgresAdminStore
from tests.bot_harness import buttons
from tests.fake_bot_api import TOKEN, FakeBotApi

PROJECT = Path(__file__).resolve().parent.parent
ADMIN = 7301
QUESTION = "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?"
ANSWERED = "Quy định 22-QĐ/TW, ngày 28/7/2021"
NOTICE = "Họp chi bộ định kỳ tháng 8"
GROUPS = [-5000 - n for n in range(150)]  # more than one claim (100) and a few seconds of sending at 30/s
KILL_AFTER = 10  # notices sent before the first process is killed
LEASE_SECONDS = 2  # VANKIEN_DELIVERY_LEASE_SECONDS: how long the killed process's claims wait for the other
SECRET = BotConfig(token=TOKEN).secret_token  # what the webhook checks (Telegram sends it with every update)
START_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class BotProcess:
    """One bot process serving a webhook on its own port; `post` hands it an update as Telegram would."""

    def __init__(self, fake: FakeBotApi, data_dir: Path, postgres_url: str, cwd: Path) -> None:
        self.fake = fake
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        environment = {
            "PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT), "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_ROOT": fake.root, "VANKIEN_DATA_DIR": str(data_dir), "VANKIEN_DATABASE_URL": postgres_url,
            "VANKIEN_WEBHOOK_URL": self.url, "VANKIEN_WEBHOOK_LISTEN": "127.0.0.1",
            "VANKIEN_WEBHOOK_PORT": str(self.port), "VANKIEN_ADMIN_IDS": str(ADMIN),
            "VANKIEN_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        }
        self.log = cwd / f"{data_dir.name}.log"  # a file, not a pipe nobody reads while the process runs
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=cwd, env=environment,
                                            stdout=subprocess.DEVNULL, stderr=log)

    def wait_until_serving(self) -> None:
        """It set its webhook (after post_init), and its server accepts updates."""
        until(lambda: any(c.params.get("url") == self.url for c in self.fake.calls("setWebhook")),
              START_SECONDS, "the bot process to set its webhook", self)
        until(self._listening, 30, "the webhook server to listen", self)

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def post(self, update: dict) -> None:
        response = httpx.post(self.url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=10)
        assert response.status_code == 200, response.text

    def stop(self) -> tuple[int, str]:
        """SIGINT, as systemd or a terminal stops it; (exit code, stderr)."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(60)
        return self.process.returncode, self.stderr()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


def until(condition, timeout: float, what: str, process: BotProcess | None = None) -> None:
    """Wait for `condition()`; fail saying `what` (and the process's stderr if it died)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.process.poll() is not None:
            raise AssertionError(f"the bot process exited ({process.process.returncode}) while waiting for {what}:\n"
                                 f"{process.stderr()[-4000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        time.sleep(0.02)


def reply_after(fake: FakeBotApi, sent_before: int, chat: int, timeout: float = 60.0) -> dict:
    """The first message the bot sent to `chat` after the first `sent_before` sendMessage calls."""
    def found():
        # .get: a process killed while sending leaves a call the fake could not read
        return [c for c in fake.calls("sendMessage")[sent_before:] if c.params.get("chat_id") == chat]
    until(found, timeout, f"a message to {chat}")
    return found()[0].result


def notices(fake: FakeBotApi) -> list[int]:
    """The chats the announcement was sent to, in order, once per copy Telegram accepted."""
    return [c.params["chat_id"] for c in fake.calls("sendMessage")
            if c.ok and c.params.get("chat_id") in GROUPS and c.params.get("text") == NOTICE]


@pytest.fixture
def bot_processes(fake, postgres_url, tmp_path):
    """Start bot processes, each with an empty data directory of its own; killed at the end if still running."""
    started: list[BotProcess] = []

    def start(name: str) -> BotProcess:
        started.append(BotProcess(fake, tmp_path / name, postgres_url, tmp_path))
        return started[-1]

    yield start
    for process in started:
        process.kill()


def test_two_bot_processes_on_one_database_share_questions_buttons_and_a_broadcast_one_of_them_dies_in(
        fake, bot_processes, postgres_url, tmp_path):
    store = PostgresAdminStore(postgres_url, worker="test")
    for chat in GROUPS:
        store.subscribe(chat, f"Chi bộ {chat}")
    store.close()
    first, second = bot_processes("first"), bot_processes("second")
    first.wait_until_serving()
    second.wait_until_serving()
    with psycopg.connect(postgres_url) as conn:  # the first start of each found no document; one indexed the corpus
        assert conn.execute("SELECT count(*) FROM public.documents").fetchone()[0] == 1
    assert not any((tmp_path / name / own).exists() for name in ("first", "second")
                   for own in ("index.sqlite3", "bot.sqlite3", "admin.sqlite3", "audit.sqlite3"))

    # Questions answered by both; the answer of one is paged through the other.
    sent = len(fake.calls("sendMessage"))
    first.post(fake.queue_message(7302, QUESTION))
    second.post(fake.queue_message(7303, QUESTION))
    answer_first, answer_second = reply_after(fake, sent, 7302), reply_after(fake, sent, 7303)
    assert ANSWERED in answer_first["text"] and ANSWERED in answer_second["text"]
    second.post(fake.queue_callback(7302, buttons(answer_first)["Xem thêm ▶"], message_id=answer_first["message_id"]))
    [edit] = fake.wait_for("editMessageText", timeout=60)
    assert edit.ok and edit.params["message_id"] == answer_first["message_id"] and "Kết quả 4–6 / " in edit.result["text"]

    # An announcement confirmed on the first process, which is killed after sending a few of its notices.
    sent = len(fake.calls("sendMessage"))
    first.post(fake.queue_message(ADMIN, f"/announce {NOTICE}"))
    preview = reply_after(fake, sent, ADMIN)
    first.post(fake.queue_callback(ADMIN, buttons(preview)[f"📣 Gửi tới {len(GROUPS)} nhóm"], message_id=preview["message_id"]))
    until(lambda: len(notices(fake)) >= KILL_AFTER, 60, f"{KILL_AFTER} notices", first)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(30)
    with psycopg.connect(postgres_url) as conn:
        [(left,)] = conn.execute("SELECT count(*) FROM vankien_admin.deliveries WHERE status = 'pending'"
                                 f" AND claimed_by LIKE '%:{first.process.pid}:%'").fetchall()
    assert left > 0  # the first process died holding claims it had not sent: the second must take them over

    until(lambda: set(notices(fake)) == set(GROUPS), 120, "every group's notice", second)
    second.post(fake.queue_message(7304, QUESTION))  # the survivor still answers
    assert ANSWERED in reply_after(fake, 0, 7304)["text"]
    code, stderr = second.stop()
    assert code == 0 and "Traceback" not in stderr, stderr

    copies = Counter(notices(fake))
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT chat_id, status, claimed_by FROM vankien_admin.deliveries").fetchall()
    assert sorted(chat for chat, _, _ in rows) == sorted(GROUPS) and {status for _, status, _ in rows} == {"sent"}
    senders = Counter(claimed_by.split(":")[1] for _, _, claimed_by in rows)
    assert set(senders) == {str(first.process.pid), str(second.process.pid)}
    # Each group got its notice once, save at most the one the first process had in flight when it was killed
    # (Telegram accepted it, the process died before marking it sent): the second sent that one again.
    twice = [chat for chat, n in copies.items() if n > 1]
    assert max(copies.values()) <= 2 and len(twice) <= 1
    assert all(claimed_by.split(":")[1] == str(second.process.pid) for chat, _, claimed_by in rows if chat in twice)
