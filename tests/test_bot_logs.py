"""The bot's logs never contain the token, not even inside a traceback."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import REDACTED, configure_logging

TOKEN = "123456789:SECRET-token-value"


@pytest.fixture(autouse=True)
def restore_logging():
    """configure_logging sets up the process's root logger; give the other tests theirs back."""
    root, quiet = logging.getLogger(), [logging.getLogger(n) for n in ("httpx", "httpcore")]
    saved = root.handlers[:], root.level, [q.level for q in quiet]
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    for logger, level in zip(quiet, saved[2]):
        logger.setLevel(level)


def test_token_is_redacted_from_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    configure_logging(secrets=[TOKEN, None], stream=stream)
    log = logging.getLogger("bot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"failed: /bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("oops")
    text = stream.getvalue()
    assert "Traceback" in text and "RuntimeError: failed: /bot<token>/sendMessage" in text
    assert TOKEN not in text and text.count(REDACTED) == 2


def test_request_logs_are_silenced():
    configure_logging(stream=io.StringIO())
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() == logging.WARNING
