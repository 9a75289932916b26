"""`python -m bot` as it runs in production: polling the (fake) Bot API from its own process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from bot.admin_store import DB_NAME as ADMIN_DB_NAME
from bot.admin_store import AdminStore
from tests.fake_bot_api import TOKEN, FakeBotApi

PROJECT = Path(__file__).resolve().parent.parent


def test_the_bot_process_answers_questions_sent_while_it_was_down(bot_data_dir, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(bot_data_dir, data_dir)
    environment = {
        "PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT), "VANKIEN_DATA_DIR": str(data_dir),
        "TELEGRAM_BOT_TOKEN": TOKEN,
    }
    with FakeBotApi() as fake:
        fake.queue_message(7001, "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?")  # pending before start
        environment["TELEGRAM_API_ROOT"] = fake.root
        process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=environment,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            [answer] = fake.wait_for("sendMessage", timeout=60)
            [commands] = fake.wait_for("setMyCommands")
        finally:
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=30)
    assert answer.ok and "Quy định 22-QĐ/TW, ngày 28/7/2021" in answer.result["text"]
    assert {"hoi", "help"} <= {c["command"] for c in commands.params["commands"]}
    assert not any(c.params.get("drop_pending_updates") for c in fake.calls("deleteWebhook"))
    assert process.returncode == 0, stderr
    assert TOKEN not in stderr + stdout and "Traceback" not in stderr
    assert "polling" in stderr  # it logs what it does, at INFO
    assert (data_dir / "bot.sqlite3").exists()


def test_the_bot_process_resumes_a_broadcast_left_pending_by_a_restart(bot_data_dir, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(bot_data_dir, data_dir)
    store = AdminStore(data_dir / ADMIN_DB_NAME)
    store.subscribe(-1001, "Chi bộ 1")
    store.announce("Họp chi bộ định kỳ tháng 6")  # queued, never sent: the last process stopped first
    store.close()
    environment = {
        "PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT), "VANKIEN_DATA_DIR": str(data_dir),
        "TELEGRAM_BOT_TOKEN": TOKEN,
    }
    with FakeBotApi() as fake:
        environment["TELEGRAM_API_ROOT"] = fake.root
        process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=environment,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            [notice] = fake.wait_for("sendMessage", timeout=60)
        finally:
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=30)
    assert notice.ok and notice.params["chat_id"] == -1001 and notice.result["text"] == "Họp chi bộ định kỳ tháng 6"
    assert process.returncode == 0 and "Traceback" not in stderr, stderr
    store = AdminStore(data_dir / ADMIN_DB_NAME)
    assert store.counts(1) == {"pending": 0, "sent": 1, "failed": 0}
    store.close()
