"""SQLite: documents, passages and index metadata, schema by numbered migrations.

Reads use one shared connection; a write transaction gets its own connection, so a long write (streaming
thousands of passages through the embedder) never blocks questions, which keep reading the committed state.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from index.audience import PUBLIC
from index.documents import Division, Document, Passage, Relation
from index.sqlite import connect, now_iso, transaction

MIGRATIONS = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        source TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        date TEXT,
        issuer TEXT,
        codes TEXT NOT NULL DEFAULT '[]',
        byline TEXT,
        added_at TEXT NOT NULL,
        passage_count INTEGER NOT NULL
    );
    CREATE INDEX documents_hash ON documents(content_hash);
    CREATE INDEX documents_source ON documents(source);
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,  -- assigned by the library from meta.next_passage_id: never reused (FAISS ids)
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        paragraph INTEGER NOT NULL,
        section TEXT,
        text TEXT NOT NULL,
        tokens TEXT NOT NULL
    );
    CREATE INDEX passages_doc ON passages(doc_id, paragraph);
    """,
    # BM25 postings live in the index segments now (merged without re-tokenising): the copy here is unused.
    "ALTER TABLE passages DROP COLUMN tokens",
    # Formal documents: what the header and closing say, and each passage's place in the outline.
    """
    ALTER TABLE documents ADD COLUMN doc_type TEXT;
    ALTER TABLE documents ADD COLUMN code TEXT;
    ALTER TABLE documents ADD COLUMN unnumbered INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE documents ADD COLUMN place TEXT;
    ALTER TABLE documents ADD COLUMN subject TEXT;
    ALTER TABLE documents ADD COLUMN signer TEXT;
    ALTER TABLE documents ADD COLUMN signer_title TEXT;
    ALTER TABLE documents ADD COLUMN effective TEXT;
    ALTER TABLE documents ADD COLUMN relations TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE documents ADD COLUMN text_source TEXT NOT NULL DEFAULT 'text';
    ALTER TABLE passages ADD COLUMN path TEXT NOT NULL DEFAULT '[]'
    """,
    # Who may read each document (index/audience.py): what was indexed before is public, as it was.
    "ALTER TABLE documents ADD COLUMN audience TEXT NOT NULL DEFAULT 'public'",
]
AUDIENCE_STAMP = "audience_changes"  # meta key counting audience changes: cached catalogues compare it

_DOC_COLUMNS = (
    "id, title, source, content_hash, date, issuer, codes, byline, added_at, passage_count,"
    " doc_type, code, unnumbered, place, subject, signer, signer_title, effective, relations, text_source, audience"
)
_PASSAGE_COLUMNS = "id, doc_id, paragraph, section, text, path"


def _document(row: sqlite3.Row | tuple) -> Document:
    (id_, title, source, content_hash, date, issuer, codes, byline, added_at, count,
     doc_type, code, unnumbered, place, subject, signer, signer_title, effective, relations, text_source, audience) = row
    return Document(
        id=id_, title=title, source=source, content_hash=content_hash, date=date, issuer=issuer,
        codes=tuple(json.loads(codes)), byline=byline, added_at=added_at, passage_count=count,
        doc_type=doc_type, code=code, unnumbered=bool(unnumbered), place=place, subject=subject, signer=signer,
        signer_title=signer_title, effective=effective,
        relations=tuple(Relation(*r) for r in json.loads(relations)), text_source=text_source, audience=audience,
    )


def _passage(row: tuple) -> Passage:
    id_, doc_id, paragraph, section, text, path = row
    return Passage(id=id_, doc_id=doc_id, paragraph=paragraph, section=section, text=text, path=path_from_json(path))


def path_to_json(path: tuple[Division, ...]) -> str:
    return json.dumps([[d.kind, d.number, d.heading] for d in path], ensure_ascii=False)


def path_from_json(text: str) -> tuple[Division, ...]:
    return tuple(Division(*item) for item in json.loads(text or "[]"))


class Store:
    """One SQLite file. Reads may come from any thread; writes go through `transaction()` one at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path, MIGRATIONS)
        self._lock = threading.RLock()  # guards self._conn
        self._writer: sqlite3.Connection | None = None
        self._writer_lock = threading.RLock()
        self._writing_thread: int | None = None

    def close(self) -> None:
        with self._lock, self._writer_lock:
            self._conn.close()
            if self._writer is not None:
                self._writer.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all (a crash rolls them back).

        Inside, this thread's reads see its own uncommitted writes; other threads see the last commit.
        """
        with self._writer_lock:
            if self._writer is None:
                self._writer = connect(self.path, MIGRATIONS)
            with transaction(self._writer):
                self._writing_thread = threading.get_ident()
                try:
                    yield
                finally:
                    self._writing_thread = None

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._writing_thread is not None and self._writing_thread == threading.get_ident():
            yield self._writer  # type: ignore[misc]
        else:
            with self._lock:
                yield self._conn

    def _query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._connection() as conn:
            return conn.execute(sql, params).fetchall()

    # ---------------------------------------------------------------- metadata
    def get_meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._connection() as conn:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # ---------------------------------------------------------------- documents
    def documents(self) -> list[Document]:
        """Newest first."""
        return [_document(r) for r in self._query(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY id DESC")]

    def document(self, doc_id: int) -> Document | None:
        rows = self._query(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,))
        return _document(rows[0]) if rows else None

    def documents_by_ids(self, ids: Iterable[int]) -> dict[int, Document]:
        rows = self._rows_by_ids(f"SELECT {_DOC_COLUMNS} FROM documents", sorted(set(ids)))
        return {row[0]: _document(row) for row in rows}

    def document_by_hash(self, content_hash: str) -> Document | None:
        rows = self._query(f"SELECT {_DOC_COLUMNS} FROM documents WHERE content_hash = ?", (content_hash,))
        return _document(rows[0]) if rows else None

    def document_by_source(self, source: str) -> Document | None:
        rows = self._query(f"SELECT {_DOC_COLUMNS} FROM documents WHERE source = ? ORDER BY id DESC", (source,))
        return _document(rows[0]) if rows else None

    def insert_document(self, document: Document, passages: Sequence[Passage]) -> tuple[Document, list[Passage]]:
        """Insert (call inside a transaction) passages that already carry their ids; returns both saved."""
        added_at = now_iso()
        with self._connection() as conn:
            cursor = conn.execute(
                "INSERT INTO documents(title, source, content_hash, date, issuer, codes, byline, added_at, passage_count,"
                " doc_type, code, unnumbered, place, subject, signer, signer_title, effective, relations, text_source, audience)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (document.title, document.source, document.content_hash, document.date, document.issuer,
                 json.dumps(list(document.codes), ensure_ascii=False), document.byline, added_at, len(passages),
                 document.doc_type, document.code, int(document.unnumbered), document.place, document.subject,
                 document.signer, document.signer_title, document.effective,
                 json.dumps([[r.kind, r.code, r.text] for r in document.relations], ensure_ascii=False),
                 document.text_source, document.audience or PUBLIC),
            )
            doc_id = int(cursor.lastrowid)
            conn.executemany(
                "INSERT INTO passages(id, doc_id, paragraph, section, text, path) VALUES (?, ?, ?, ?, ?, ?)",
                [(p.id, doc_id, p.paragraph, p.section, p.text, path_to_json(p.path)) for p in passages],
            )
        stored = [replace(p, doc_id=doc_id) for p in passages]
        saved = replace(document, id=doc_id, added_at=added_at, passage_count=len(passages), audience=document.audience or PUBLIC)
        return saved, stored

    def set_audience(self, doc_id: int, audience: str) -> bool:
        """Inside a transaction: the document's new audience, and the stamp that tells caches; False if no such document."""
        with self._connection() as conn:
            changed = conn.execute("UPDATE documents SET audience = ? WHERE id = ?", (audience, doc_id)).rowcount == 1
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, '1')"
                " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1", (AUDIENCE_STAMP,),
            )
        return changed

    def delete_document(self, doc_id: int) -> list[int]:
        """Delete inside a transaction; returns the removed passage ids."""
        with self._connection() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM passages WHERE doc_id = ?", (doc_id,))]
            conn.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
            conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return ids

    # ---------------------------------------------------------------- passages
    def passages_of(self, doc_id: int) -> list[Passage]:
        rows = self._query(
            f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE doc_id = ? ORDER BY paragraph, id", (doc_id,)
        )
        return [_passage(r) for r in rows]

    def passages_by_ids(self, ids: Sequence[int]) -> dict[int, Passage]:
        rows = self._rows_by_ids(f"SELECT {_PASSAGE_COLUMNS} FROM passages", list(ids))
        return {row[0]: _passage(row) for row in rows}

    def _rows_by_ids(self, select: str, ids: list[int]) -> list[tuple]:
        """`select` + `WHERE id IN (...)` for any number of ids, 500 at a time (SQLite's parameter limit)."""
        rows: list[tuple] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows += self._query(f"{select} WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        return rows

    def passage_count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM passages")[0][0])

    def iter_documents(self) -> Iterator[tuple[Document, list[Passage]]]:
        """Every document with its passages, oldest first (so passage ids increase), streamed."""
        for (doc_id,) in self._query("SELECT id FROM documents ORDER BY id"):
            document = self.document(doc_id)
            if document is not None:
                yield document, sorted(self.passages_of(doc_id), key=lambda p: p.id)
