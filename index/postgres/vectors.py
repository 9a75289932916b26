"""The passage vectors in pgvector: a question's nearest passages by inner product (= cosine, the vectors are
normalised), as index/vectors.py's VectorIndex gives them, without segments or generations.

Stored as float16 (halfvec), as the FAISS segments store them. A row goes with its passage (ON DELETE CASCADE),
so a deleted document is never found and what a question sees is the last commit. Two ways to search:
exact (a scan; the query stays float32, as in FAISS, so the scores agree with FAISS to float rounding) and
approximate, through an HNSW index on `embedding::halfvec(dim)` that `create_index()` builds (the column has
no dimension of its own; the query is rounded to float16 too). The planner picks the index only for the
second form of the query, so `exact=True` always scans.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pgvector import HalfVector

from index.postgres.database import Database

HNSW_M = 16  # pgvector's defaults, named here: links per node, and candidates kept while building
HNSW_EF_CONSTRUCTION = 64
# Candidates kept while searching, at least 2k. pgvector's default, 40, found 93% of FAISS's top 10 on 1,500
# clustered vectors (tests/test_store_backends.py), 80 found all of them.
MIN_EF_SEARCH = 100
MAX_EF_SEARCH = 1000  # pgvector's limit


class PostgresVectors:
    """The `dim`-dimensional vectors of a library's passages, keyed by passage id."""

    def __init__(self, database: Database, dim: int) -> None:
        self.database = database
        self.dim = int(dim)

    def __len__(self) -> int:
        return int(self.database.query("SELECT count(*) FROM passage_vectors")[0][0])

    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Store the vectors of these (already stored) passages, in the open transaction or one of their own."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim or len(vectors) != len(ids):
            raise ValueError(f"expected {len(ids)} vectors of {self.dim} dimensions, got an array of {vectors.shape}")
        with self.database.writing() as conn, conn.cursor() as cursor:
            with cursor.copy("COPY passage_vectors (id, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "halfvec"])
                for passage_id, vector in zip(ids, vectors):
                    copy.write_row((int(passage_id), HalfVector(vector)))

    def create_index(self) -> None:
        """Build the HNSW index approximate searches use (once; later rows join it as they are added)."""
        with self.database.writing() as conn:
            conn.execute(
                f"CREATE INDEX IF NOT EXISTS passage_vectors_hnsw_{self.dim} ON passage_vectors"
                f" USING hnsw ((embedding::halfvec({self.dim})) halfvec_ip_ops)"
                f" WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"
            )

    def search(self, query: np.ndarray, k: int, exact: bool = False) -> list[tuple[int, float]]:
        """Top-k (passage id, cosine) for one normalised query vector, best first, ties by id."""
        if k <= 0:
            return []
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        with self.database.reading() as conn, conn.transaction():
            if exact:
                rows = conn.execute(
                    "SELECT id, -(embedding::vector <#> %s::vector) FROM passage_vectors"
                    " ORDER BY embedding::vector <#> %s::vector LIMIT %s", (query, query, int(k)),
                ).fetchall()
            else:
                conn.execute("SELECT set_config('hnsw.ef_search', %s, true)",
                             (str(min(MAX_EF_SEARCH, max(MIN_EF_SEARCH, 2 * k))),))
                half = HalfVector(query)
                rows = conn.execute(
                    f"SELECT id, -(embedding::halfvec({self.dim}) <#> %s::halfvec({self.dim})) FROM passage_vectors"
                    f" ORDER BY embedding::halfvec({self.dim}) <#> %s::halfvec({self.dim}) LIMIT %s",
                    (half, half, int(k)),
                ).fetchall()
        found = [(int(i), float(s)) for i, s in rows]
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found

    def scores_for(self, query: np.ndarray, ids: list[int]) -> dict[int, float]:
        """Exact cosine between the query and the given passages that have vectors (the other channel's candidates)."""
        if not ids:
            return {}
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        rows = self.database.query(
            "SELECT id, -(embedding::vector <#> %s::vector) FROM passage_vectors WHERE id = ANY(%s)",
            (query, [int(i) for i in ids]),
        )
        return {int(i): float(s) for i, s in rows}
