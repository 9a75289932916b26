"""bot/ratelimit.py's SlidingWindowLimiter in PostgreSQL, so a user's allowance is the same whichever bot process
(on whichever host) gets their question.

One row per (limit, user) holds the times of the user's allowed events still in the window. A check is one
statement: an upsert that drops the events the window has left behind and adds this one if fewer than `limit`
remain; concurrent checks of one user take turns on the row's lock, so two processes never both let the
limit-th + 1 question through. Times are the database server's clock (one clock for every host), in seconds;
a `clock` may be given instead (tests). Users are the bot state's salted hashes, never raw ids.
"""

from __future__ import annotations

from typing import Callable, Hashable

from bot.postgres_state import install_salt, salted_hash
from index.postgres.connection import SchemaConnection

_NOW = "coalesce(%(now)s::float8, extract(epoch FROM clock_timestamp())::float8)"
# Inside ON CONFLICT DO UPDATE, `r` is the stored row (as it was before this statement) and EXCLUDED.events[1]
# is this event's time.
_RECENT = "(SELECT e FROM unnest(r.events) AS e WHERE e > EXCLUDED.events[1] - %(window)s)"
_ALLOW = f"""
INSERT INTO rate_limits AS r (scope, user_hash, events, allowed)
SELECT %(scope)s, %(user)s, ARRAY[now.t], true FROM (SELECT {_NOW} AS t) AS now
ON CONFLICT (scope, user_hash) DO UPDATE SET
    allowed = (SELECT count(*) FROM {_RECENT} AS recent) < %(limit)s,
    events = ARRAY(
        SELECT e FROM (
            SELECT e FROM {_RECENT} AS recent
            UNION ALL
            SELECT EXCLUDED.events[1] WHERE (SELECT count(*) FROM {_RECENT} AS recent) < %(limit)s
        ) AS kept ORDER BY e)
RETURNING allowed
"""
_EVENTS = f"SELECT (SELECT events FROM rate_limits WHERE scope = %(scope)s AND user_hash = %(user)s), {_NOW}"


class PostgresLimiter:
    """At most `limit` events per key in any `window` seconds, counted across every process. Refused events do
    not count. `scope` names the limit (the bot has two, questions and inline queries, over the same users)."""

    def __init__(self, connection: SchemaConnection, scope: str, limit: int, window: float,
                 clock: Callable[[], float] | None = None) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self.scope = scope
        self._connection = connection
        self._clock = clock
        self._salt = install_salt(connection)

    def allow(self, key: Hashable) -> bool:
        cursor = self._connection.execute(_ALLOW, self._params(key) | {"window": self.window, "limit": self.limit})
        return bool(cursor.fetchone()[0])

    def retry_after(self, key: Hashable) -> float:
        """Seconds until `allow(key)` would succeed; 0 when it would now."""
        events, now = self._connection.query(_EVENTS, self._params(key))[0]
        recent = [e for e in events or () if e > now - self.window]
        if len(recent) < self.limit:
            return 0.0
        return max(0.0, recent[-self.limit] + self.window - now)

    def _params(self, key: Hashable) -> dict:
        return {"scope": self.scope, "user": salted_hash(self._salt, key),
                "now": None if self._clock is None else float(self._clock())}
