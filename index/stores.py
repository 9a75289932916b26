"""Where a library keeps its documents and index: its data directory (the default), or PostgreSQL.

`DocumentStore` is what the library and the searcher ask of either; index/store.py's Store and
index/postgres/store.py's PostgresStore are its two implementations. `open_storage` gives the library the
store, the lock its writers take and, with PostgreSQL, the shared copy of its segments and generations
(index/postgres/shared_index.py); the data directory then only caches them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from index.documents import Document, Passage
from index.errors import VankienError
from index.store import Store
from index.writer_lock import DEFAULT_WAIT_SECONDS, WriterLock

if TYPE_CHECKING:
    from index.postgres.shared_index import SharedIndex
    from index.postgres.writer_lock import DatabaseWriterLock

DB_NAME = "index.sqlite3"


class DatabaseUnavailable(VankienError):
    """A database URL is set but the `postgres` extra (psycopg) is not installed."""


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


@dataclass(frozen=True)
class Storage:
    store: DocumentStore
    write_lock: WriterLock | DatabaseWriterLock
    shared: SharedIndex | None  # None: the data directory's segments and generations are the index itself


def open_storage(data_dir: Path, database_url: str | None = None, read_url: str | None = None,
                 write_wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Storage:
    """PostgreSQL at `database_url` (questions read from `read_url` if given) when one is set, else the data dir."""
    if not database_url:
        return Storage(Store(Path(data_dir) / DB_NAME), WriterLock(data_dir, write_wait_seconds), None)
    try:
        from index.postgres.database import Database
        from index.postgres.shared_index import SharedIndex
        from index.postgres.store import PostgresStore
        from index.postgres.writer_lock import DatabaseWriterLock
    except ImportError as missing:
        raise DatabaseUnavailable(
            "VANKIEN_DATABASE_URL cần gói psycopg: pip install 'vankien-bot[postgres]'"
            f" ({missing.name} chưa được cài)."
        ) from missing
    database = Database(database_url, read_url, write_wait_seconds)
    return Storage(PostgresStore(database), DatabaseWriterLock(database_url, data_dir, write_wait_seconds),
                   SharedIndex(database, data_dir))
