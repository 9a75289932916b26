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
    # The index's segments and generations (index/postgres/shared_index.py): every file of segments/<name>/ and
    # gen-N/ in pieces, stored uncompressed (postings hardly compress, and a copy should cost no CPU), but for
    # the segments' vectors, which are rows of pgvector's halfvec (float16, as the FAISS segments keep them),
    # one per passage in segment order. The column has no fixed dimension: the embedder decides it.
    ("index files and segment vectors", """
    CREATE TABLE index_files (
        folder text NOT NULL,  -- 'segments/seg-…' or 'gen-N'
        path text NOT NULL,  -- the file's path inside its folder, '/'-separated
        chunk integer NOT NULL,  -- the piece's place in the file, from 0
        bytes bytea NOT NULL,
        PRIMARY KEY (folder, path, chunk)
    );
    ALTER TABLE index_files ALTER COLUMN bytes SET STORAGE EXTERNAL;
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE segment_vectors (
        segment text NOT NULL,  -- the segment's name
        position integer NOT NULL,  -- its row: the passage ids[position] of the segment's ids.npy
        passage_id bigint NOT NULL,
        embedding halfvec NOT NULL,
        PRIMARY KEY (segment, position)
    );
    """),
]
