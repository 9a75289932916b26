"""Logging for the bot process: INFO to stderr, request logs silenced, the token never written."""

from __future__ import annotations

import logging
import sys
from typing import Iterable, TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<token>"


class RedactingFormatter(logging.Formatter):
    """Replaces each secret in the whole formatted record (message, arguments and traceback)."""

    def __init__(self, fmt: str, secrets: Iterable[str | None]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def configure_logging(secrets: Iterable[str | None] = (), level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """httpx logs every request URL at INFO, and Bot API URLs carry the token: keep it at WARNING."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
