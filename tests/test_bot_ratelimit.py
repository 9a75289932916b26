"""What only the in-process question limit does: forget idle users. The limit's behaviour, shared with the
PostgreSQL limiter, is tested on both in tests/test_postgres_bot_state.py."""

from __future__ import annotations

from bot.ratelimit import SlidingWindowLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_idle_users_are_forgotten():
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 10.0, clock)
    for user in range(10_001):
        limiter.allow(user)
    clock.now += 11
    limiter.allow("new")
    assert len(limiter._events) == 1
