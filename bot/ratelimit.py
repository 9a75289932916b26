"""Our per-user question limit (Telegram's own limits are PTB's AIORateLimiter, wired in app.py)."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable, Hashable


class SlidingWindowLimiter:
    """At most `limit` events per key in any `window` seconds. Refused events do not count.

    Safe from several threads: the handlers check limits on worker threads, as the PostgreSQL limiter needs."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: Hashable) -> bool:
        with self._lock:
            now = self._clock()
            self._forget_idle(now)
            events = self._events.get(key) or deque()
            self._drop_old(events, now)
            if len(events) >= self.limit:
                return False  # refused events do not count: the key keeps its place
            events.append(now)
            self._events.pop(key, None)
            self._events[key] = events  # the newest event last: the table stays in the order of last events
            return True

    def retry_after(self, key: Hashable) -> float:
        """Seconds until `allow(key)` would succeed; 0 when it would now."""
        with self._lock:
            now = self._clock()
            events = self._events.get(key)
            if not events:
                return 0.0
            self._drop_old(events, now)
            if len(events) < self.limit:
                return 0.0
            return max(0.0, events[-self.limit] + self.window - now)

    def _drop_old(self, events: deque[float], now: float) -> None:
        while events and events[0] <= now - self.window:
            events.popleft()

    def _forget_idle(self, now: float) -> None:
        """Drop the users with no event in the window, so memory holds only active ones. Keys are kept in the
        order of their last event (`allow` puts the key it checks last), so the idle ones are at the front
        and each is dropped once: no pass over the whole table."""
        while self._events:
            first = next(iter(self._events))
            events = self._events[first]
            if events and events[-1] > now - self.window:
                return
            del self._events[first]
