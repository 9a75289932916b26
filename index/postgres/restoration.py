"""The diacritic model's counts in PostgreSQL, read by index/restoration.py's DiacriticRestorer like one SyllableTable.

The counts are SyllableTable's: syllables, and syllable pairs under its 64-bit pair keys. A write adds the
table of the passages it adds and takes away the table of those it removes (index/library.py counts the
removed document's texts again, as it does for the file segments), so the counts are always those of the
library's documents. The restorer reads every syllable count once (a few thousand rows) and the pair counts
it needs, one query a step of its Viterbi pass. `version()` grows with every change: a restorer built
before it changed is out of date.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from index.postgres.database import Database
from index.restoration import DiacriticRestorer, SyllableTable

WRITE_CHUNK = 100_000  # counts sent per statement

_ADD_SYLLABLES = """
INSERT INTO syllable_counts (syllable, count) SELECT * FROM unnest(%s::text[], %s::bigint[])
ON CONFLICT (syllable) DO UPDATE SET count = syllable_counts.count + EXCLUDED.count
"""
_ADD_PAIRS = """
INSERT INTO syllable_pair_counts (pair_key, count) SELECT * FROM unnest(%s::bigint[], %s::bigint[])
ON CONFLICT (pair_key) DO UPDATE SET count = syllable_pair_counts.count + EXCLUDED.count
"""
# Rows that reach zero leave; the others are lowered (two sets of rows, so one statement may do both).
_REMOVE_SYLLABLES = """
WITH removed AS (SELECT * FROM unnest(%s::text[], %s::bigint[]) AS r (syllable, count)),
emptied AS (DELETE FROM syllable_counts t USING removed r WHERE t.syllable = r.syllable AND t.count <= r.count)
UPDATE syllable_counts t SET count = t.count - r.count FROM removed r WHERE t.syllable = r.syllable AND t.count > r.count
"""
_REMOVE_PAIRS = """
WITH removed AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS r (pair_key, count)),
emptied AS (DELETE FROM syllable_pair_counts t USING removed r WHERE t.pair_key = r.pair_key AND t.count <= r.count)
UPDATE syllable_pair_counts t SET count = t.count - r.count FROM removed r WHERE t.pair_key = r.pair_key AND t.count > r.count
"""


def _chunks(keys: Sequence, counts: Sequence) -> Iterator[tuple[list, list]]:
    for start in range(0, len(keys), WRITE_CHUNK):
        yield list(keys[start : start + WRITE_CHUNK]), [int(c) for c in counts[start : start + WRITE_CHUNK]]


def _signed(keys: np.ndarray) -> np.ndarray:
    return np.asarray(keys, dtype=np.uint64).view(np.int64)


class PostgresSyllableCounts:
    """What DiacriticRestorer asks of a SyllableTable (`unigrams`, `pair_count`), over the library's database."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def restorer(self) -> DiacriticRestorer:
        """index/restoration.py's restorer over these counts as they are now (it reads the syllables once)."""
        return DiacriticRestorer([self])  # type: ignore[list-item]  # a SyllableTable by what it offers

    def version(self) -> int:
        return int(self.database.query("SELECT version FROM syllable_counts_version")[0][0])

    @property
    def unigrams(self) -> dict[str, int]:
        """Every syllable's count, in order of first appearance (as SyllableTable.summed orders them)."""
        return dict(self.database.query("SELECT syllable, count FROM syllable_counts ORDER BY position"))

    def pair_count(self, keys: np.ndarray) -> np.ndarray:
        """The count of each pair key (0 for pairs never seen), in the order given."""
        keys = np.asarray(keys, dtype=np.uint64)
        if len(keys) == 0:
            return np.zeros(0, dtype=np.int64)
        signed = _signed(keys)
        rows = self.database.query("SELECT pair_key, count FROM syllable_pair_counts WHERE pair_key = ANY(%s::bigint[])",
                                   (np.unique(signed).tolist(),))
        found = dict(rows)
        return np.fromiter((found.get(k, 0) for k in signed.tolist()), dtype=np.int64, count=len(signed))

    def add(self, table: SyllableTable) -> None:
        """Count the syllables of added passages (SyllableTable.count of their texts), in the open transaction
        or one of its own."""
        self._write(table, _ADD_SYLLABLES, _ADD_PAIRS)

    def remove(self, table: SyllableTable) -> None:
        """Take away the counts of removed passages (SyllableTable.count of their texts, as they were added)."""
        self._write(table, _REMOVE_SYLLABLES, _REMOVE_PAIRS)

    def _write(self, table: SyllableTable, syllables_sql: str, pairs_sql: str) -> None:
        words = list(table.unigrams)
        with self.database.writing() as conn:
            for keys, counts in _chunks(words, [table.unigrams[w] for w in words]):
                conn.execute(syllables_sql, (keys, counts))
            for keys, counts in _chunks(_signed(table.pair_keys).tolist(), np.asarray(table.pair_counts)):
                conn.execute(pairs_sql, (keys, counts))
            conn.execute("UPDATE syllable_counts_version SET version = version + 1")
