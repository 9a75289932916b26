"""index/lexical.py's BM25 over postings in PostgreSQL: the same tokens, term keys, formula and interface.

A posting is a row (term key, passage id, term count, passage length) under a primary key that includes
the count and length, so a question reads that index alone. The statistics BM25 combines (passages, tokens,
each term's document frequency) are kept in their own tables by the statement that adds or removes
postings, and count the passages present. The file index also counts a removed passage until a merge drops
it, so the two give the same scores once the file index's segments are merged (tests/test_postgres_lexical.py).

A question's top k is one SQL statement, exact, by MaxScore. A passage's share of a term is below the term's
weight (its idf, times the times the question holds it), so if the most common terms' weights add up to less
than the k-th best score, a passage holding none of the other ("rare") terms cannot reach the top k: only
the rare terms' postings are read in full, and the common terms are looked up, by primary key, for the
passages whose rare-term score leaves them a chance. The split is a guess; if the k-th score found does not
clear the common terms' weights, the question is asked again with a split below that score, which is exact.

`scores()` reads the statistics; `top()` and `of_many()` read the postings of the last commit, which after
a write in between may hold a passage more or less than the statistics counted. After a large write, VACUUM
(autovacuum does it in time) lets the index-only scans skip the table.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from itertools import islice

import numpy as np
import psycopg

from index.hashing import term_key
from index.lexical import B, K1, NEGLIGIBLE_IDF
from index.postgres.database import Database

MAX_COUNT = 65535  # a term's count in one passage, capped as index/lexical.py caps it (uint16)
WRITE_CHUNK = 2000  # passages tokenised and copied at a time: a large write holds one chunk's postings
PRUNE_ABOVE = 20_000  # a question whose terms have fewer postings than this is scored in full
GUESS_SHARE = 0.06  # first split: common terms weighing less than this share of all (tuned: bench/postgres_lexical.py)
SEED = 2  # the k * SEED best passages on rare terms are scored first; their k-th best score bounds the rest
_SCORE = "q.weight * p.tf / (p.tf + %(saturation)s + %(per_token)s * p.length)"  # BM25 of one posting

_FULL_SQL = f"""
SELECT p.passage_id, sum({_SCORE}) AS score
FROM unnest(%(keys)s::bigint[], %(weights)s::float8[]) AS q (key, weight)
JOIN lexical_postings p ON p.term_key = q.key
GROUP BY p.passage_id
ORDER BY score DESC, p.passage_id
LIMIT %(k)s
"""

# The common terms' share of one candidate's score, looked up by primary key.
_COMMON_SHARE = f"""
LEFT JOIN LATERAL (
    SELECT sum({_SCORE}) AS score
    FROM unnest(%(common_keys)s::bigint[], %(common_weights)s::float8[]) AS q (key, weight)
    JOIN lexical_postings p ON p.term_key = q.key AND p.passage_id = c.passage_id
) common ON true
"""

_PRUNED_SQL = f"""
WITH rare AS MATERIALIZED (
    SELECT p.passage_id, sum({_SCORE}) AS score
    FROM unnest(%(rare_keys)s::bigint[], %(rare_weights)s::float8[]) AS q (key, weight)
    JOIN lexical_postings p ON p.term_key = q.key
    GROUP BY p.passage_id
), seed AS MATERIALIZED (
    SELECT c.passage_id, c.score + coalesce(common.score, 0) AS score
    FROM (SELECT passage_id, score FROM rare ORDER BY score DESC, passage_id LIMIT %(seed)s) c
    {_COMMON_SHARE}
), floor AS (
    SELECT coalesce((SELECT score FROM seed ORDER BY score DESC OFFSET %(k)s - 1 LIMIT 1), 0) AS score
), others AS (
    SELECT c.passage_id, c.score + coalesce(common.score, 0) AS score
    FROM rare c
    {_COMMON_SHARE}
    WHERE c.score + %(common_bound)s > (SELECT score FROM floor)
      AND c.passage_id NOT IN (SELECT passage_id FROM seed)
)
SELECT passage_id, score FROM seed
UNION ALL
SELECT passage_id, score FROM others
ORDER BY score DESC, passage_id
LIMIT %(k)s
"""

_OF_MANY_SQL = f"""
SELECT p.passage_id, sum({_SCORE})
FROM unnest(%(keys)s::bigint[], %(weights)s::float8[]) AS q (key, weight)
JOIN lexical_postings p ON p.term_key = q.key AND p.passage_id = ANY(%(ids)s::bigint[])
GROUP BY p.passage_id
"""


def signed_key(token: str) -> int:
    """index/hashing.py's unsigned 64-bit term key as PostgreSQL's bigint holds it (same bits)."""
    key = term_key(token)
    return key - (1 << 64) if key >= 1 << 63 else key


@dataclass(frozen=True)
class QuestionTerm:
    key: int  # signed term key
    passages: int  # document frequency
    weight: float  # idf, times the number of times the question's tokens hold the term (as LexicalIndex adds it)


def common_count(terms: Sequence[QuestionTerm], below: float) -> int:
    """How many of `terms` (most common first) MaxScore may look up instead of reading: the longest prefix
    whose weights add up to less than `below`, leaving at least one term to read."""
    total, count = 0.0, 0
    for term in terms[:-1]:
        if total + term.weight >= below:
            break
        total += term.weight
        count += 1
    return count


class PostgresLexicalScores:
    """BM25 of one question, with the statistics read when it was asked; postings read when a method is called."""

    def __init__(self, database: Database, terms: list[QuestionTerm], average_length: float,
                 prune_above: int) -> None:
        self._database = database
        self._terms = sorted(terms, key=lambda t: (-t.passages, t.key))  # most common first
        self._prune_above = prune_above
        self._saturation = K1 * (1 - B)
        self._per_token = K1 * B / average_length

    def top(self, k: int) -> list[tuple[int, float]]:
        """The k best (passage id, score) with a positive score, best first, ties by id."""
        if k <= 0 or not self._terms:
            return []
        if sum(t.passages for t in self._terms) < self._prune_above:
            return self._best(k, 0)
        common = common_count(self._terms, GUESS_SHARE * sum(t.weight for t in self._terms))
        found = self._best(k, common)
        if common == 0 or (len(found) == k and found[-1][1] > self._bound(common)):
            return found
        # The k-th score found is a floor of the true k-th score: a split below it is exact.
        return self._best(k, common_count(self._terms, found[-1][1] if len(found) == k else 0.0))

    def of_many(self, passage_ids: Sequence[int]) -> dict[int, float]:
        """The score of each passage id (0 for ids no passage holds)."""
        wanted = [int(i) for i in passage_ids]
        found: dict[int, float] = {}
        if self._terms and wanted:
            rows = self._rows(_OF_MANY_SQL, self._params(keys=[t.key for t in self._terms],
                                                                  weights=[t.weight for t in self._terms], ids=wanted))
            found = {int(i): float(s) for i, s in rows}
        return {i: found.get(i, 0.0) for i in wanted}

    def _bound(self, common: int) -> float:
        return sum(t.weight for t in self._terms[:common])

    def _best(self, k: int, common: int) -> list[tuple[int, float]]:
        """The exact top k if the first `common` terms' weights add up to less than the k-th best score."""
        looked_up, read = self._terms[:common], self._terms[common:]
        if not looked_up:
            params = self._params(keys=[t.key for t in read], weights=[t.weight for t in read], k=k)
            rows = self._rows(_FULL_SQL, params)
        else:
            params = self._params(
                rare_keys=[t.key for t in read], rare_weights=[t.weight for t in read],
                common_keys=[t.key for t in looked_up], common_weights=[t.weight for t in looked_up],
                common_bound=self._bound(common), seed=SEED * k, k=k,
            )
            rows = self._rows(_PRUNED_SQL, params)
        return [(int(i), float(s)) for i, s in rows]

    def _params(self, **values) -> dict:
        return {"saturation": self._saturation, "per_token": self._per_token, **values}

    def _rows(self, sql: str, params: dict) -> list[tuple]:
        """One read with JIT off: these statements are estimated costly enough for a JIT build (tens of ms on
        servers with LLVM), which is longer than they run."""
        with self._database.reading() as conn, conn.transaction():
            conn.execute("SELECT set_config('jit', 'off', true)")
            return conn.execute(sql, params).fetchall()


class PostgresLexical:
    """The BM25 postings of a library's passages in PostgreSQL, read as index/lexical.py's LexicalIndex is."""

    def __init__(self, database: Database, prune_above: int = PRUNE_ABOVE) -> None:
        self.database = database
        self.prune_above = prune_above

    def __len__(self) -> int:
        return int(self.database.query("SELECT passages FROM lexical_totals")[0][0])

    def add(self, passage_ids: Sequence[int], token_lists: Iterable[list[str]]) -> None:
        """Index passages (ids never indexed before; tokens from index/vietnamese.py's index_tokens), in the open
        transaction or one of their own. `token_lists` is read WRITE_CHUNK passages at a time."""
        pairs = zip((int(i) for i in passage_ids), token_lists, strict=True)
        with self.database.writing() as conn:
            while chunk := list(islice(pairs, WRITE_CHUNK)):
                self._add_chunk(conn, chunk)

    def _add_chunk(self, conn: psycopg.Connection, chunk: list[tuple[int, list[str]]]) -> None:
        keys: dict[str, int] = {}  # a chunk's vocabulary: each term hashed once

        def key_of(token: str) -> int:
            key = keys.get(token)
            if key is None:
                key = keys[token] = signed_key(token)
            return key

        passages, postings = [], []
        frequencies: Counter[int] = Counter()
        for passage_id, tokens in chunk:
            counted = Counter(tokens)
            row_keys = [key_of(t) for t in counted]
            passages.append((passage_id, len(tokens), row_keys))
            postings += [(key, passage_id, min(count, MAX_COUNT), len(tokens))
                         for key, count in zip(row_keys, counted.values())]
            frequencies.update(row_keys)
        postings.sort()  # in index order: each chunk's rows go to neighbouring pages of the index and table
        with conn.cursor() as cursor:
            with cursor.copy("COPY lexical_passages (id, length, term_keys) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "int4", "int8[]"])
                for row in passages:
                    copy.write_row(row)
            with cursor.copy("COPY lexical_postings (term_key, passage_id, tf, length) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "int8", "int4", "int4"])
                for row in postings:
                    copy.write_row(row)
            cursor.execute(
                "INSERT INTO lexical_terms (term_key, passages) SELECT * FROM unnest(%s::bigint[], %s::integer[])"
                " ON CONFLICT (term_key) DO UPDATE SET passages = lexical_terms.passages + EXCLUDED.passages",
                (list(frequencies.keys()), list(frequencies.values())),
            )
            cursor.execute("UPDATE lexical_totals SET passages = passages + %s, tokens = tokens + %s",
                           (len(passages), sum(length for _, length, _ in passages)))

    def delete(self, passage_ids: Iterable[int]) -> None:
        """Forget these passages' postings (ids not indexed are ignored). Deleting passages from the store does
        it too, by the trigger of migration 3."""
        with self.database.writing() as conn:
            conn.execute("SELECT lexical_forget(%s::bigint[])", ([int(i) for i in passage_ids],))

    def scores(self, tokens: list[str], helper: Executor | None = None) -> PostgresLexicalScores:
        """BM25 of the indexed passages for these tokens. `helper` is LexicalIndex's and unused: PostgreSQL scores."""
        times = Counter(signed_key(t) for t in tokens)
        keys = list(times)
        (passages, total_tokens, found), = self.database.query(
            "SELECT t.passages, t.tokens, coalesce((SELECT array_agg(ARRAY[term_key, passages]) FROM lexical_terms"
            " WHERE term_key = ANY(%s::bigint[])), '{}') FROM lexical_totals t", (keys,))
        terms = []
        for key, frequency in found:
            idf = math.log(1 + (passages - frequency + 0.5) / (frequency + 0.5))
            if idf >= NEGLIGIBLE_IDF:  # as index/lexical.py: a term in (nearly) every passage changes no ranking
                terms.append(QuestionTerm(int(key), int(frequency), idf * times[int(key)]))
        average = total_tokens / passages if passages else 1.0
        return PostgresLexicalScores(self.database, terms, average, self.prune_above)

    def document_frequency(self, token: str) -> int:
        """How many indexed passages hold the token."""
        rows = self.database.query("SELECT passages FROM lexical_terms WHERE term_key = %s", (signed_key(token),))
        return int(rows[0][0]) if rows else 0

    def passages_with(self, token: str) -> np.ndarray:
        """Ids of the indexed passages holding the token, unsorted."""
        rows = self.database.query("SELECT passage_id FROM lexical_postings WHERE term_key = %s", (signed_key(token),))
        return np.array([r[0] for r in rows], dtype=np.int64)
