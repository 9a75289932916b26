"""PostgreSQL instead of the data directory's files, so many processes on many hosts share one library.

`database.py` opens the connections (writes on the primary, reads on a replica if one is named) and brings the
schema up to date (`migrations.py`); `store.py` is index/store.py's Store over it; `shared_index.py` keeps the
index's segments and generations, which each host's data directory caches; `writer_lock.py` lets one writer
at a time in, across hosts. Needs the `postgres` extra (psycopg 3).
"""
