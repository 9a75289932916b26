"""Where the audit trail is kept: `<data_dir>/audit.sqlite3` (index/audit.py), or PostgreSQL
(index/postgres/audit.py) when the library is there, so every bot process and `python -m index` on every host
write one trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.audit import AuditTrail
from index.settings import IndexSettings
from index.stores import DatabaseUnavailable

if TYPE_CHECKING:
    from index.postgres.audit import PostgresAuditTrail


def open_audit_trail(settings: IndexSettings) -> AuditTrail | PostgresAuditTrail:
    """PostgreSQL when VANKIEN_DATABASE_URL is set (the extra must be installed), else the data dir's file."""
    if not settings.database_url:
        return AuditTrail(settings.data_dir)
    try:
        from index.postgres.audit import PostgresAuditTrail
    except ImportError as missing:
        raise postgres_extra_missing(missing) from missing
    return PostgresAuditTrail(settings.database_url)


def postgres_extra_missing(missing: ImportError) -> DatabaseUnavailable:
    """The one sentence for a database URL set without psycopg installed (index/stores.py says the same)."""
    return DatabaseUnavailable(
        "VANKIEN_DATABASE_URL cần gói psycopg: pip install 'vankien-bot[postgres]'"
        f" ({missing.name} chưa được cài)."
    )
