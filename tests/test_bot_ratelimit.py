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
    must count as exactly when several threads ask for one user at once, and while new users join the table."""
    import sys
    import threading

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns as often as the interpreter allows: races show
    try:
        for _ in range(2):
            limiter = SlidingWindowLimiter(50, 60.0)
            for user in range(10_001):  # a full table, which the threads' new users change while they check
                limiter.allow(("idle", user))
            start = threading.Barrier(8)
            results: list[bool] = []
            errors: list[Exception] = []

            def hammer(worker: int) -> None:
                start.wait()
                try:
                    for attempt in range(300):
                        results.append(limiter.allow(42))
                        if attempt % 10 == 0:  # a new user: the table changes meanwhile
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


def test_forgetting_drops_exactly_the_users_idle_for_a_window_and_keeps_the_refused_ones():
    """Users are forgotten once their last event leaves the window, whatever the order they asked in; one
    refused at its limit is still remembered, so being refused never resets its count."""
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 10.0, clock)
    limiter.allow("early")
    limiter.allow("busy")
    limiter.allow("busy")
    clock.now += 6
    limiter.allow("early")  # asked again: its last event is now among the newest
    limiter.allow("late")
    assert limiter.allow("busy") is False  # at its limit: refused, and not counted
    clock.now += 5  # "busy"'s events are out of the window; "early"'s second one and "late"'s are not
    assert limiter.allow("other")
    assert set(limiter._events) == {"early", "late", "other"}
    assert limiter.retry_after("early") == 0.0
    assert limiter.allow("busy")  # forgotten, so it starts again
    clock.now += 10.5  # every event so far is out of the window
    limiter.allow("fresh")
    assert set(limiter._events) == {"fresh"}


def test_a_new_user_among_many_active_ones_keeps_the_table_and_only_idle_users_go():
    """With 20,000 users active in the window, a new user is added to the same table (the old limiter
    rebuilt it for every new user above 10,000); once the first half falls idle, exactly they are forgotten."""
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 60.0, clock)
    for user in range(20_000):
        clock.now += 0.001
        limiter.allow(user)
    table = limiter._events
    for user in range(20_000, 20_100):
        clock.now += 0.001
        assert limiter.allow(user)
        assert limiter._events is table and len(table) == user + 1
    clock.now += 60 - 20.1 + 10.0005  # the users of the first 10 s of events are now idle, the others not
    limiter.allow("new")
    assert len(limiter._events) == 20_100 - 10_000 + 1
    assert 9_999 not in limiter._events and 10_001 in limiter._events
