"""The per-user question limit: a sliding window, one user's burst never touches another's allowance."""

from __future__ import annotations

import pytest

from bot.ratelimit import SlidingWindowLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_over_the_limit_is_refused_until_the_window_slides():
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 10.0, clock)
    assert [limiter.allow("an") for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("an") == pytest.approx(10.0)
    clock.now += 9.5
    assert not limiter.allow("an") and limiter.retry_after("an") == pytest.approx(0.5)
    clock.now += 0.5
    assert [limiter.allow("an") for _ in range(4)] == [True, True, True, False]


def test_refused_attempts_do_not_extend_the_wait():
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 10.0, clock)
    assert limiter.allow("an")
    for _ in range(5):
        clock.now += 1
        assert not limiter.allow("an")
    clock.now += 5
    assert limiter.allow("an")


def test_users_have_separate_allowances():
    limiter = SlidingWindowLimiter(1, 10.0, Clock())
    assert limiter.allow(1) and not limiter.allow(1)
    assert limiter.allow(2) and limiter.retry_after(3) == 0.0


def test_the_window_slides_event_by_event():
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 10.0, clock)
    limiter.allow("an")
    clock.now += 6
    limiter.allow("an")
    clock.now += 4  # the first event leaves the window, the second stays
    assert limiter.allow("an") and not limiter.allow("an")
    assert limiter.retry_after("an") == pytest.approx(6.0)


def test_idle_users_are_forgotten():
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 10.0, clock)
    for user in range(10_001):
        limiter.allow(user)
    clock.now += 11
    limiter.allow("new")
    assert len(limiter._events) == 1


@pytest.mark.parametrize("limit, window", [(0, 10.0), (1, 0.0)])
def test_nonsense_limits_are_refused(limit, window):
    with pytest.raises(ValueError):
        SlidingWindowLimiter(limit, window)
