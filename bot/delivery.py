"""Sending an answer over a flaky connection: resend on a network error, a bounded number of times.

PTB and AIORateLimiter retry 429s (RetryAfter) but not a dropped connection or a timeout. For an answer,
losing it is worse than the rare duplicate a resend can cause (Telegram may have delivered the first copy
before the connection dropped), so answers are resent; other messages are not.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, TypeVar

from telegram.error import BadRequest, NetworkError

log = logging.getLogger(__name__)

RESEND_DELAYS = (0.5, 2.0)  # seconds before the second and third attempt
Sent = TypeVar("Sent")


async def send_answer(send: Callable[[], Awaitable[Sent]]) -> Sent:
    """`send()` until it succeeds; network errors (not a refused request) are retried after a pause."""
    for delay in RESEND_DELAYS:
        try:
            return await send()
        except BadRequest:  # a NetworkError subclass in PTB, but the request itself is wrong: resending won't help
            raise
        except NetworkError as error:
            log.warning("sending an answer failed (%s); resending in %.1f s", error, delay)
            await asyncio.sleep(delay)
    return await send()
