"""A library's segments and generations kept in PostgreSQL, so that every host serves the same index.

The files of `segments/<name>/` and `gen-N/` (index/segments.py, index/generation.py) are stored in the table
`index_files`, cut into chunks; a segment's vectors are rows of pgvector's halfvec in `segment_vectors` instead
of its FAISS file, which each host rebuilds from them byte for byte. They are published in the write
transaction that makes gen-N the stored generation, so a generation is in the database exactly when the
documents and passages it indexes are. Each host's data
directory is a cache of them: a process about to read gen-N copies what it lacks from the database, then opens
the files as in the file backend, so search, fusion and scoring are the same code and the same speed.

A copy reads gen-N and its segments in one REPEATABLE READ transaction: a writer that switches meanwhile and
deletes them sees its deletion hidden from the copy, which finishes on what it began with. What no stored
generation names any more is deleted by the writer in its switching transaction. On a host, copies and the
data directory's garbage collection take turns through an flock on `cache.lock` (a copy's folders are named by
no generation until it ends), and a process that finds the copy it wanted made by another meanwhile uses it.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psycopg
from pgvector import HalfVector
from pgvector.psycopg import register_vector

from index.atomic import fsync_path
from index.generation import MANIFEST, generation_folder, segment_names_of
from index.postgres.database import Database
from index.segments import IDS_FILE, SEGMENTS_DIR, VECTORS_FILE
from index.vectors import VectorSegment

CHUNK_BYTES = 32 * 1024 * 1024  # a file is stored in pieces of this size: bytea holds at most 1 GB, and
# neither side ever holds more than one piece of a file in memory
INCOMING_DIR = "incoming"  # where copies are assembled before they are renamed into place
CACHE_LOCK = "cache.lock"


class SharedIndex:
    """The index files of the library in `database`, cached in `data_dir`."""

    def __init__(self, database: Database, data_dir: Path) -> None:
        self.database = database
        self.data_dir = Path(data_dir)

    # ---------------------------------------------------------------- writing (inside database.transaction())
    def publish(self, generation: int) -> None:
        """Store gen-N and the segments it names that the database lacks, and delete every other generation and
        segment (copies in progress keep seeing them: REPEATABLE READ). Inside the write transaction, which the
        caller ends by recording N as stored."""
        names = segment_names_of(self.data_dir, generation)
        folders = [_generation_folder(generation), *map(_segment_folder, names)]
        stored = set(self._stored_folders())
        for name in names:
            if _segment_folder(name) not in stored:
                self._upload(_segment_folder(name))
                self._upload_vectors(name)
        self._upload(_generation_folder(generation))
        with self.database.writing() as conn:
            conn.execute("DELETE FROM index_files WHERE NOT (folder = ANY(%s))", (folders,))
            conn.execute("DELETE FROM segment_vectors WHERE NOT (segment = ANY(%s))", (list(names),))

    def _stored_folders(self) -> list[str]:
        return [row[0] for row in self.database.query("SELECT DISTINCT folder FROM index_files")]

    def _upload(self, folder: str) -> None:
        """Every file of the folder but a segment's vectors."""
        root = self.data_dir / folder
        with self.database.writing() as conn, conn.cursor() as cursor:
            for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != VECTORS_FILE):
                relative = path.relative_to(root).as_posix()
                for number, piece in enumerate(_pieces(path)):
                    cursor.execute("INSERT INTO index_files (folder, path, chunk, bytes) VALUES (%s, %s, %s, %s)",
                                   (folder, relative, number, piece))

    def _upload_vectors(self, name: str) -> None:
        folder = self.data_dir / SEGMENTS_DIR / name
        ids = np.load(folder / IDS_FILE)
        vectors = VectorSegment.load(folder / VECTORS_FILE).vectors_of(ids).astype(np.float16)
        with self.database.writing() as conn:
            register_vector(conn)
            with conn.cursor() as cursor, cursor.copy(
                "COPY segment_vectors (segment, position, passage_id, embedding) FROM STDIN WITH (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["text", "int4", "int8", "halfvec"])
                for position, (passage_id, vector) in enumerate(zip(ids.tolist(), vectors)):
                    copy.write_row((name, position, passage_id, HalfVector(vector)))

    # ---------------------------------------------------------------- reading
    def stored_generation(self) -> int:
        """The generation the primary holds as stored (a replica may not have its files yet)."""
        rows = self.database.query("SELECT value FROM meta WHERE key = 'generation'", primary=True)
        return int(rows[0][0]) if rows else 0

    def fetch(self, generation: int) -> bool:
        """Make gen-N and its segments present in the data directory; False if the database no longer has
        gen-N (a newer generation replaced it: the caller opens that one instead)."""
        if self.is_cached(generation):
            return True
        with self._cache_lock(wait=True), self._snapshot_connection() as conn:
            if self.is_cached(generation):  # another process here copied it while we waited
                return True
            if not self._copy(conn, _generation_folder(generation)):
                return False
            for name in segment_names_of(self.data_dir, generation):
                if not (self.data_dir / SEGMENTS_DIR / name).is_dir() and not self._copy(conn, _segment_folder(name), name):
                    raise FileNotFoundError(f"gen-{generation} names segment {name}, which the database does not hold")
        return True

    @contextmanager
    def idle(self) -> Iterator[bool]:
        """Hold off copies on this host while the block runs, if none is under way; yields whether it could."""
        with self._cache_lock(wait=False) as held:
            if held:
                clear_incoming(self.data_dir)
            yield held

    @contextmanager
    def _cache_lock(self, wait: bool) -> Iterator[bool]:
        fd = os.open(self.data_dir / CACHE_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    def is_cached(self, generation: int) -> bool:
        """Whether this data directory holds gen-N and every segment it names."""
        if not (generation_folder(self.data_dir, generation) / MANIFEST).exists():
            return False
        try:
            names = segment_names_of(self.data_dir, generation)
        except (OSError, ValueError, KeyError):
            return False
        return all((self.data_dir / SEGMENTS_DIR / name).is_dir() for name in names)

    @contextmanager
    def _snapshot_connection(self) -> Iterator[psycopg.Connection]:
        """A connection of its own to the primary, in one REPEATABLE READ read-only transaction: a long copy
        neither holds up questions nor sees a writer's deletions."""
        with psycopg.connect(self.database.url) as conn:
            register_vector(conn)
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.transaction():
                yield conn

    def _copy(self, conn: psycopg.Connection, folder: str, segment: str | None = None) -> bool:
        """Copy one stored folder into the data directory, whole or not at all; False if it is not stored.
        A `segment`'s FAISS file is built from its vectors' rows.

        Assembled under incoming/ and renamed into place, so no other process's garbage collection (which
        deletes unnamed folders under segments/) meets it half-written."""
        staging = self.data_dir / INCOMING_DIR / secrets.token_hex(6)
        staging.mkdir(parents=True)
        try:
            written = self._write_rows(conn, folder, staging)
            if not written:
                return False
            if segment is not None:
                written.append(self._write_vectors(conn, segment, staging))
            for path in written:
                fsync_path(path)
            target = self.data_dir / folder
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)  # a generation folder without its segments: copied again
            os.replace(staging, target)
            fsync_path(target.parent)
            return True
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _write_rows(self, conn: psycopg.Connection, folder: str, staging: Path) -> list[Path]:
        written: list[Path] = []
        current: Path | None = None
        handle = None
        try:
            with conn.cursor(name=f"copy_{secrets.token_hex(4)}") as cursor:  # server-side: one piece at a time
                cursor.itersize = 1
                cursor.execute("SELECT path, bytes FROM index_files WHERE folder = %s ORDER BY path, chunk", (folder,))
                for relative, piece in cursor:
                    path = staging / relative
                    if path != current:
                        if handle is not None:
                            handle.close()
                        path.parent.mkdir(parents=True, exist_ok=True)
                        handle, current = open(path, "wb"), path
                        written.append(path)
                    handle.write(piece)
        finally:
            if handle is not None:
                handle.close()
        return written


    def _write_vectors(self, conn: psycopg.Connection, segment: str, staging: Path) -> Path:
        ids = np.load(staging / IDS_FILE)
        (dim,) = conn.execute("SELECT value::integer FROM meta WHERE key = 'dim'").fetchone()
        vectors = np.zeros((0, dim), dtype=np.float32)
        with conn.cursor(name=f"vectors_{secrets.token_hex(4)}") as cursor:
            cursor.itersize = 2000
            cursor.execute("SELECT position, passage_id, embedding FROM segment_vectors WHERE segment = %s ORDER BY position",
                           (segment,))
            rows = [(position, passage_id, embedding.to_numpy()) for position, passage_id, embedding in cursor]
        if [r[0] for r in rows] != list(range(len(ids))) or [r[1] for r in rows] != ids.tolist():
            raise ValueError(f"the vectors of segment {segment} in the database do not match its passage ids")
        if rows:
            vectors = np.vstack([r[2] for r in rows]).astype(np.float32)
        path = staging / VECTORS_FILE
        VectorSegment.build(ids, vectors).save(path)
        return path


def _generation_folder(generation: int) -> str:
    """gen-N's folder, relative to the data directory, as index_files names it."""
    return generation_folder(Path(), generation).as_posix()


def _segment_folder(name: str) -> str:
    return f"{SEGMENTS_DIR}/{name}"


def _pieces(path: Path) -> Iterable[bytes]:
    with open(path, "rb") as handle:
        first = True
        while True:
            piece = handle.read(CHUNK_BYTES)
            if not piece and not first:
                return
            yield piece  # an empty file is one empty piece, so it is copied too
            first = False
            if len(piece) < CHUNK_BYTES:
                return


def clear_incoming(data_dir: Path) -> None:
    """Delete the copies that processes killed mid-copy left half-assembled (with the cache lock held)."""
    shutil.rmtree(Path(data_dir) / INCOMING_DIR, ignore_errors=True)
