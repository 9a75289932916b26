"""Where the bot keeps what it writes: files in the data directory, or PostgreSQL when VANKIEN_DATABASE_URL is set.

In PostgreSQL several bot processes (on several hosts) share one state, admin store, audit trail and question
limits: a button pressed on one process pages a question another answered, a user asks at the same pace whoever
answers, each broadcast delivery is claimed by one process (bot/postgres_admin_store.py). The PostgreSQL
classes are imported only in that mode: psycopg is an optional extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.admin_store import DB_NAME as ADMIN_DB_NAME
from bot.admin_store import AdminStore
from bot.config import BotConfig
from bot.ratelimit import SlidingWindowLimiter
from bot.state import DB_NAME as STATE_DB_NAME
from bot.state import BotState
from index.audit import AuditTrail
from index.audit_trails import open_audit_trail, postgres_extra_missing

if TYPE_CHECKING:
    from bot.postgres_admin_store import PostgresAdminStore
    from bot.postgres_ratelimit import PostgresLimiter
    from bot.postgres_state import PostgresBotState
    from index.postgres.audit import PostgresAuditTrail

QUESTIONS, INLINE = "questions", "inline"  # the two limits' names in PostgreSQL


def shared_database(config: BotConfig) -> bool:
    """Whether other bot processes write the same stores: what they grant or queue must be read back, not remembered."""
    return bool(config.index.database_url)


def open_state(config: BotConfig) -> BotState | PostgresBotState:
    """Questions, votes and grants: `<data_dir>/bot.sqlite3`, or the `vankien_bot` schema."""
    if not shared_database(config):
        return BotState(config.index.data_dir / STATE_DB_NAME)
    try:
        from bot.postgres_state import PostgresBotState
    except ImportError as missing:
        raise postgres_extra_missing(missing) from missing
    return PostgresBotState(config.index.database_url)


def open_admin_store(config: BotConfig) -> AdminStore | PostgresAdminStore:
    """Subscribed chats and broadcast deliveries: `<data_dir>/admin.sqlite3`, or the `vankien_admin` schema."""
    if not shared_database(config):
        return AdminStore(config.index.data_dir / ADMIN_DB_NAME)
    try:
        from bot.postgres_admin_store import PostgresAdminStore
    except ImportError as missing:
        raise postgres_extra_missing(missing) from missing
    return PostgresAdminStore(config.index.database_url, lease_seconds=config.delivery_lease_seconds)


def open_limiter(
    config: BotConfig, state: BotState | PostgresBotState, scope: str, limit: int
) -> SlidingWindowLimiter | PostgresLimiter:
    """At most `limit` events per user per `config.window_seconds`: counted in this process, or in PostgreSQL
    on the connection of `state` (which must be open_state(config)'s) across every process."""
    if not shared_database(config):
        return SlidingWindowLimiter(limit, config.window_seconds)
    from bot.postgres_ratelimit import PostgresLimiter  # psycopg is there: open_state opened `state` with it

    return PostgresLimiter(state.connection, scope, limit, config.window_seconds)


def open_audit(config: BotConfig) -> AuditTrail | PostgresAuditTrail:
    """The audit trail the CLI writes too (index/audit_trails.py)."""
    return open_audit_trail(config.index)
