"""Where a library keeps its documents: the SQLite file in its data directory (the default), or PostgreSQL.

`DocumentStore` is what the library and the searcher ask of either; index/store.py's Store and
index/postgres/store.py's PostgresStore are its two implementations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from index.documents import Document, Passage
from index.errors import VankienError
from index.store import Store
from index.writer_lock import DEFAULT_WAIT_SECONDS


class DatabaseUnavailable(VankienError):
    """A database URL is set but the `postgres` extra (psycopg, pgvector) is not installed."""


class DocumentStore(Protocol):
    def close(self) -> None: ...
    def transaction(self) -> AbstractContextManager[None]: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def documents(self) -> list[Document]: ...
    def document(self, doc_id: int) -> Document | None: ...
    def documents_by_ids(self, ids: Iterable[int]) -> dict[int, Document]: ...
    def document_by_hash(self, content_hash: str) -> Document | None: ...
    def document_by_source(self, source: str) -> Document | None: ...
    def insert_document(self, document: Document, passages: Sequence[Passage]) -> tuple[Document, list[Passage]]: ...
    def set_audience(self, doc_id: int, audience: str) -> bool: ...
    def delete_document(self, doc_id: int) -> list[int]: ...
    def passages_of(self, doc_id: int) -> list[Passage]: ...
    def passages_by_ids(self, ids: Sequence[int]) -> dict[int, Passage]: ...
    def passage_count(self) -> int: ...
    def iter_documents(self) -> Iterator[tuple[Document, list[Passage]]]: ...


def open_store(sqlite_path: Path, database_url: str | None = None, read_url: str | None = None,
               write_wait_seconds: float = DEFAULT_WAIT_SECONDS) -> DocumentStore:
    """PostgreSQL at `database_url` (reads from `read_url` if given) when one is set, else the SQLite file."""
    if not database_url:
        return Store(sqlite_path)
    try:
        from index.postgres.database import Database
        from index.postgres.store import PostgresStore
    except ImportError as missing:
        raise DatabaseUnavailable(
            "VANKIEN_DATABASE_URL cần gói psycopg và pgvector: pip install 'vankien-bot[postgres]'"
            f" ({missing.name} chưa được cài)."
        ) from missing
    return PostgresStore(Database(database_url, read_url, write_wait_seconds))
