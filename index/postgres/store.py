"""index/store.py's Store in PostgreSQL: documents, passages and index metadata, the same methods and results."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone

from psycopg.types.json import Jsonb

from index.audience import PUBLIC
from index.documents import Division, Document, Passage, Relation
from index.postgres.database import Database
from index.sqlite import now_iso
from index.store import AUDIENCE_STAMP

_DOC_COLUMNS = (
    "id, title, source, content_hash, date, issuer, codes, byline, added_at, passage_count,"
    " doc_type, code, unnumbered, place, subject, signer, signer_title, effective, relations, text_source, audience"
)
_PASSAGE_COLUMNS = "id, doc_id, paragraph, section, text, path"


def _document(row: tuple) -> Document:
    (id_, title, source, content_hash, date, issuer, codes, byline, added_at, count,
     doc_type, code, unnumbered, place, subject, signer, signer_title, effective, relations, text_source, audience) = row
    return Document(
        id=id_, title=title, source=source, content_hash=content_hash, date=date, issuer=issuer,
        codes=tuple(codes), byline=byline, added_at=_iso(added_at), passage_count=count,
        doc_type=doc_type, code=code, unnumbered=unnumbered, place=place, subject=subject, signer=signer,
        signer_title=signer_title, effective=effective,
        relations=tuple(Relation(*r) for r in relations), text_source=text_source, audience=audience,
    )


def _passage(row: tuple) -> Passage:
    id_, doc_id, paragraph, section, text, path = row
    return Passage(id=id_, doc_id=doc_id, paragraph=paragraph, section=section, text=text,
                   path=tuple(Division(*item) for item in path))


def _iso(moment: datetime) -> str:
    """The text index/sqlite.py's now_iso() writes, whatever the session's time zone."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _ids(ids: Iterable[int]) -> list[int]:
    return [int(i) for i in ids]  # numpy integers too


class PostgresStore:
    """The Store of a library whose documents live in PostgreSQL; reads from any thread, writes in `transaction()`."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def close(self) -> None:
        self.database.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all; this thread reads its own, others the last commit."""
        with self.database.transaction():
            yield

    # ---------------------------------------------------------------- metadata
    def get_meta(self, key: str) -> str | None:
        rows = self.database.query("SELECT value FROM meta WHERE key = %s", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.database.writing() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (%s, %s)"
                         " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, value))

    # ---------------------------------------------------------------- documents
    def documents(self) -> list[Document]:
        """Newest first."""
        return [_document(r) for r in self.database.query(f"SELECT {_DOC_COLUMNS} FROM documents ORDER BY id DESC")]

    def document(self, doc_id: int) -> Document | None:
        rows = self.database.query(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = %s", (int(doc_id),))
        return _document(rows[0]) if rows else None

    def documents_by_ids(self, ids: Iterable[int]) -> dict[int, Document]:
        rows = self.database.query(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ANY(%s)", (_ids(set(ids)),))
        return {row[0]: _document(row) for row in rows}

    def document_by_hash(self, content_hash: str) -> Document | None:
        rows = self.database.query(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE content_hash = %s ORDER BY id LIMIT 1", (content_hash,))
        return _document(rows[0]) if rows else None

    def document_by_source(self, source: str) -> Document | None:
        rows = self.database.query(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE source = %s ORDER BY id DESC LIMIT 1", (source,))
        return _document(rows[0]) if rows else None

    def insert_document(self, document: Document, passages: Sequence[Passage]) -> tuple[Document, list[Passage]]:
        """Insert (call inside a transaction) passages that already carry their ids; returns both saved."""
        added_at = now_iso()
        audience = document.audience or PUBLIC
        with self.database.writing() as conn:
            (doc_id,) = conn.execute(
                "INSERT INTO documents (title, source, content_hash, date, issuer, codes, byline, added_at, passage_count,"
                " doc_type, code, unnumbered, place, subject, signer, signer_title, effective, relations, text_source,"
                " audience) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " RETURNING id",
                (document.title, document.source, document.content_hash, document.date, document.issuer,
                 Jsonb(list(document.codes)), document.byline, added_at, len(passages),
                 document.doc_type, document.code, document.unnumbered, document.place, document.subject,
                 document.signer, document.signer_title, document.effective,
                 Jsonb([[r.kind, r.code, r.text] for r in document.relations]), document.text_source, audience),
            ).fetchone()
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO passages (id, doc_id, paragraph, section, text, path) VALUES (%s, %s, %s, %s, %s, %s)",
                    [(p.id, doc_id, p.paragraph, p.section, p.text, Jsonb([[d.kind, d.number, d.heading] for d in p.path]))
                     for p in passages],
                )
        stored = [replace(p, doc_id=doc_id) for p in passages]
        saved = replace(document, id=doc_id, added_at=added_at, passage_count=len(passages), audience=audience)
        return saved, stored

    def set_audience(self, doc_id: int, audience: str) -> bool:
        """Inside a transaction: the document's new audience, and the stamp that tells caches; False if no such document."""
        with self.database.writing() as conn:
            changed = conn.execute("UPDATE documents SET audience = %s WHERE id = %s", (audience, int(doc_id))).rowcount == 1
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (%s, '1')"
                " ON CONFLICT (key) DO UPDATE SET value = (meta.value::bigint + 1)::text", (AUDIENCE_STAMP,),
            )
        return changed

    def delete_document(self, doc_id: int) -> list[int]:
        """Delete inside a transaction; returns the removed passage ids (their vectors go with them)."""
        with self.database.writing() as conn:
            rows = conn.execute(
                "WITH gone AS (DELETE FROM passages WHERE doc_id = %s RETURNING id, paragraph)"
                " SELECT id FROM gone ORDER BY paragraph, id", (int(doc_id),),
            ).fetchall()
            conn.execute("DELETE FROM documents WHERE id = %s", (int(doc_id),))
        return [row[0] for row in rows]

    # ---------------------------------------------------------------- passages
    def passages_of(self, doc_id: int) -> list[Passage]:
        rows = self.database.query(
            f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE doc_id = %s ORDER BY paragraph, id", (int(doc_id),))
        return [_passage(r) for r in rows]

    def passages_by_ids(self, ids: Sequence[int]) -> dict[int, Passage]:
        rows = self.database.query(f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE id = ANY(%s)", (_ids(ids),))
        return {row[0]: _passage(row) for row in rows}

    def passage_count(self) -> int:
        return int(self.database.query("SELECT count(*) FROM passages")[0][0])

    def iter_documents(self) -> Iterator[tuple[Document, list[Passage]]]:
        """Every document with its passages, oldest first (so passage ids increase), streamed."""
        for (doc_id,) in self.database.query("SELECT id FROM documents ORDER BY id"):
            document = self.document(doc_id)
            if document is not None:
                yield document, sorted(self.passages_of(doc_id), key=lambda p: p.id)
