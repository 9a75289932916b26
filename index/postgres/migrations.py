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
    # BM25 postings (index/postgres/lexical.py): one row a (term, passage), the passage's length repeated so a
    # question reads the primary key's index only. Document frequencies and totals are those of the passages
    # present, kept by the statement that adds or removes them; a passage's rows go when it goes (the trigger).
    ("lexical postings", """
    CREATE TABLE lexical_passages (
        id bigint PRIMARY KEY,  -- a passage id; no foreign key, so postings can be written before or without the store
        length integer NOT NULL,  -- its tokens, as BM25 counts them
        term_keys bigint[] NOT NULL  -- its distinct terms: where its postings are when it is removed
    );
    CREATE TABLE lexical_postings (
        term_key bigint NOT NULL,  -- index/hashing.py's term_key as a signed 64-bit integer
        passage_id bigint NOT NULL,
        tf integer NOT NULL,  -- occurrences in the passage (at most 65535, as the file segments keep them)
        length integer NOT NULL,
        PRIMARY KEY (term_key, passage_id) INCLUDE (tf, length)
    );
    CREATE TABLE lexical_terms (term_key bigint PRIMARY KEY, passages integer NOT NULL);
    CREATE TABLE lexical_totals (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        passages bigint NOT NULL,
        tokens bigint NOT NULL
    );
    INSERT INTO lexical_totals (passages, tokens) VALUES (0, 0);

    CREATE FUNCTION lexical_forget(ids bigint[]) RETURNS void LANGUAGE sql AS $$
        WITH gone AS (DELETE FROM lexical_passages WHERE id = ANY(ids) RETURNING id, length, term_keys),
        pairs AS (SELECT gone.id, key FROM gone, unnest(gone.term_keys) AS key),
        postings AS (DELETE FROM lexical_postings p USING pairs WHERE p.term_key = pairs.key AND p.passage_id = pairs.id),
        counted AS (SELECT key, count(*) AS n FROM pairs GROUP BY key),
        emptied AS (DELETE FROM lexical_terms t USING counted WHERE t.term_key = counted.key AND t.passages <= counted.n),
        lowered AS (UPDATE lexical_terms t SET passages = t.passages - counted.n FROM counted
                    WHERE t.term_key = counted.key AND t.passages > counted.n)
        UPDATE lexical_totals SET passages = passages - (SELECT count(*) FROM gone),
                                  tokens = tokens - (SELECT coalesce(sum(length), 0) FROM gone);
    $$;
    CREATE FUNCTION lexical_forget_deleted_passages() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM lexical_forget(ARRAY(SELECT id FROM gone));
        RETURN NULL;
    END
    $$;
    CREATE TRIGGER passages_leave_lexical AFTER DELETE ON passages REFERENCING OLD TABLE AS gone
        FOR EACH STATEMENT EXECUTE FUNCTION lexical_forget_deleted_passages();
    """),
    # The diacritic model's counts (index/postgres/restoration.py): syllables, and syllable pairs under
    # index/restoration.py's 64-bit pair keys; a row leaves when its count reaches zero. `version` grows with
    # every change, so a process knows when the restorer it built is out of date.
    ("diacritic counts", """
    CREATE TABLE syllable_counts (
        syllable text PRIMARY KEY,
        count bigint NOT NULL,
        -- order of first appearance, as the file segments' tables keep their syllables: the restorer breaks ties
        -- between equally likely spellings by it
        position bigint GENERATED ALWAYS AS IDENTITY
    );
    CREATE TABLE syllable_pair_counts (pair_key bigint PRIMARY KEY, count bigint NOT NULL);
    CREATE TABLE syllable_counts_version (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        version bigint NOT NULL
    );
    INSERT INTO syllable_counts_version (version) VALUES (0);
    """),
]
