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
            events = self._recent(key, now)
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True

    def retry_after(self, key: Hashable) -> float:
        """Seconds until `allow(key)` would succeed; 0 when it would now."""
        with self._lock:
            now = self._clock()
            events = self._recent(key, now)
            if len(events) < self.limit:
                return 0.0
            return max(0.0, events[-self.limit] + self.window - now)

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(self._events) > 10_000:  # forget idle users so memory stays bounded
            self._events = {k: v for k, v in self._events.items() if v and v[-1] > now - self.window or k == key}
        return events
