"""The library's schema in PostgreSQL, as numbered migrations: each a name and an SQL script, applied once.

The tables mirror index/store.py's SQLite schema as it stands after all of its migrations (JSON columns are
jsonb, flags boolean, `added_at` timestamptz); a change to either schema is a new migration at the end here.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    ("documents and passages", """
    CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE documents (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- a sequence: a number is never handed out twice
        title text NOT NULL,
        source text NOT NULL,
        content_hash text NOT NULL,
        date text,
        issuer text,
        codes jsonb NOT NULL DEFAULT '[]',
        byline text,
        added_at timestamptz NOT NULL,
        passage_count integer NOT NULL,
        doc_type text,
        code text,
        unnumbered boolean NOT NULL DEFAULT false,
        place text,
        subject text,
        signer text,
        signer_title text,
        effective text,
        relations jsonb NOT NULL DEFAULT '[]',
        text_source text NOT NULL DEFAULT 'text',
        audience text NOT NULL DEFAULT 'public'
    );
    CREATE INDEX documents_hash ON documents (content_hash);
    CREATE INDEX documents_source ON documents (source, id);
    CREATE TABLE passages (
        id bigint PRIMARY KEY,  -- assigned by the library from meta.next_passage_id: never reused
        doc_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        paragraph integer NOT NULL,
        section text,
        text text NOT NULL,
        path jsonb NOT NULL DEFAULT '[]'  -- the passage's place in the outline: [[kind, number, heading], ...]
    );
    CREATE INDEX passages_doc ON passages (doc_id, paragraph, id);
    """),
    # One row a passage, float16 like the FAISS segments (index/vectors.py); gone with its passage. The column
    # has no fixed dimension (the embedder decides it): index/postgres/vectors.py indexes it per dimension.
    ("passage vectors", """
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE passage_vectors (
        id bigint PRIMARY KEY REFERENCES passages (id) ON DELETE CASCADE,
        embedding halfvec NOT NULL
    );
    """),
]
