"""PostgreSQL instead of the data directory's SQLite file, so many processes on many hosts share one library.

`database.py` opens the connections (writes on the primary, reads on a replica if one is named) and brings the
schema up to date (`migrations.py`); `store.py` is index/store.py's Store over it; `vectors.py` holds the
passage vectors in pgvector. Needs the `postgres` extra (psycopg 3, pgvector).
"""
