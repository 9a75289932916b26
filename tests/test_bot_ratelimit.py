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


def test_threads_checking_one_user_at_the_same_moment_let_exactly_the_limit_through():
    """The handlers check limits on worker threads (the PostgreSQL limiter is a round trip): the in-process one
    must count as exactly when several threads ask for one user at once, and while it forgets idle users."""
    import sys
    import threading

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns as often as the interpreter allows: races show
    try:
        for _ in range(2):
            limiter = SlidingWindowLimiter(50, 60.0)
            for user in range(10_001):  # one over the bound: every further new user makes it forget idle ones
                limiter.allow(("idle", user))
            start = threading.Barrier(8)
            results: list[bool] = []
            errors: list[Exception] = []

            def hammer(worker: int) -> None:
                start.wait()
                try:
                    for attempt in range(300):
                        results.append(limiter.allow(42))
                        if attempt % 10 == 0:  # a new user: the forgetting rebuilds the table meanwhile
                            limiter.allow((worker, attempt))
                except Exception as error:  # noqa: BLE001 - asserted below
                    errors.append(error)

            threads = [threading.Thread(target=hammer, args=(worker,)) for worker in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert errors == [] and len(results) == 2400 and results.count(True) == 50
    finally:
        sys.setswitchinterval(previous)
