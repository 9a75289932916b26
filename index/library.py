"""The one object the bot and the CLI hold: add, remove, list and search documents in a data directory.

On disk: `index.sqlite3` (documents, passages, metadata), `segments/` (immutable slices of the vector and
BM25 indexes and of the diacritic model's counts, index/segments.py) and one `gen-N/` folder naming the live
segments, the removed passage ids they still hold and those passages' syllable counts (index/generation.py).
A write saves new segments and `gen-N+1/` beside the live ones, then a single SQLite transaction switches to
it, so a crash at any point leaves one complete generation in use; what no generation names is deleted
afterwards.

Several processes may open one data directory (the bot, `python -m index add`): one writes at a time
(index/writer_lock.py), and a write builds on the generation stored last, whoever wrote it. Readers mark the
generation they read (index/holds.py), so the writer's garbage collection keeps it, and look for a newer
one at most every REFRESH_SECONDS before a question.

With a database URL (index/stores.py) the documents and passages are in PostgreSQL, and so are the segments
and generations, published in the transaction that switches (index/postgres/shared_index.py): processes on
any host share one library, each data directory caching the segments its processes read.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from index.audience import AUDIENCES, PUBLIC, UnknownAudience, may_read
from index.documents import Document, Passage, SearchResult
from index.embedders import Embedder
from index.errors import ConcurrentWrite, DocumentNotFound, EmbedderMismatch, UnsupportedFile, VankienError
from index.generation import Generation, collect_garbage, is_written, predates_segments, segment_names_of
from index.holds import Holds, held_generations
from index.isolation import parse_isolated
from index.lookup import Article, articles
from index.readers import MAX_BYTES
from index.restoration import SyllableTable
from index.passage_text import restorer_texts
from index.search import Searcher, SearchSettings
from index.segment_writer import Progress, SegmentWriter, save_segment
from index.segments import SEGMENTS_DIR, Segment, next_merge
from index.snapshot import Snapshot, snapshot_of
from index.store import Store
from index.stores import DB_NAME, open_storage
from index.writer_lock import DEFAULT_WAIT_SECONDS

log = logging.getLogger(__name__)

REFRESH_SECONDS = 0.5  # how often a question may look for a generation another process wrote (one SQLite read)
REFRESH_AFTER_FAILURE_SECONDS = 30.0
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".doc", ".rtf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")


@dataclass(frozen=True)
class AddOutcome:
    document: Document
    status: str  # "added", "unchanged" (same content already indexed) or "replaced" (new version of a source)
    replaced: Document | None = None
    passages: tuple[Passage, ...] = ()


@dataclass
class AddReport:
    outcomes: list[AddOutcome] = field(default_factory=list)
    errors: list[tuple[str, VankienError]] = field(default_factory=list)


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, VankienError]]]:
    """Files named directly, plus the supported files inside named folders (recursively, sorted)."""
    files: list[Path] = []
    errors: list[tuple[str, VankienError]] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
            )
        elif path.is_file():
            files.append(path)
        else:
            errors.append((str(path), UnsupportedFile(f"Không tìm thấy tệp hoặc thư mục: {path}")))
    return files, errors


class _NothingIndexed(Exception):
    """A fresh build indexed no file: raised inside its transaction so that the deletions roll back."""


class Library:
    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        settings: SearchSettings | None = None,
        check_embedder: bool = True,
        max_file_bytes: int = MAX_BYTES,
        write_wait_seconds: float = DEFAULT_WAIT_SECONDS,
        default_audience: str = PUBLIC,
        database_url: str | None = None,
        database_read_url: str | None = None,
    ) -> None:
        """`write_wait_seconds`: how long a write waits for another process's to finish before WriterBusy.
        `default_audience`: who reads a new document added without one (index/audience.py).
        `database_url`: keep the library in PostgreSQL (questions read from `database_read_url` if given)."""
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.segments_dir = self.data_dir / SEGMENTS_DIR
        self.embedder = embedder
        self.max_file_bytes = max_file_bytes
        self.default_audience = default_audience
        storage = open_storage(self.data_dir, database_url, database_read_url, write_wait_seconds)
        self._store = storage.store
        self._write_lock = storage.write_lock  # this object's threads, then other processes (and hosts)
        self._shared = storage.shared  # None: the data directory holds the index itself
        self._holds = Holds(self.data_dir)
        if check_embedder:
            self._check_embedder()
        self._searcher = Searcher(self._store, settings)
        self._live = (self._open_stored(), embedder)  # swapped as one: the embedder that made the snapshot's vectors
        self._next_refresh = time.monotonic() + REFRESH_SECONDS
        self._unservable: str | None = None  # the embedder another process reindexed with, once warned about
        self._refreshing = threading.Thread()  # the one opening another process's generation, when there is one
        self._collect_garbage_if_free()
        if self._outdated_format():
            log.warning("The index in %s predates segments: rebuilding it from the stored passages.", self.data_dir)
            self.reindex()

    # ---------------------------------------------------------------- opening
    def _check_embedder(self) -> None:
        name, dim = self._store.get_meta("embedder"), self._store.get_meta("dim")
        if name is None:
            return
        if name != self.embedder.name or int(dim or 0) != self.embedder.dim:
            raise EmbedderMismatch(
                f"Chỉ mục ở {self.data_dir} được tạo bằng bộ nhúng {name} ({dim} chiều), không phải "
                f"{self.embedder.name} ({self.embedder.dim} chiều). Hãy tạo lại chỉ mục: "
                f"python -m index build <tệp/thư mục> --data-dir {self.data_dir} (hoặc /reindex trong bot)."
            )

    @property
    def _snapshot(self) -> Snapshot:
        return self._live[0]

    @property
    def generation(self) -> int:
        return self._snapshot.generation.number

    @property
    def stored_embedder_spec(self) -> str | None:
        """The spec of the embedder that built the index on disk (to serve from it during a reindex)."""
        return self._store.get_meta("embedder_spec")

    def _dim(self) -> int:
        return int(self._store.get_meta("dim") or self.embedder.dim)

    def _empty_snapshot(self, generation: int) -> Snapshot:
        return snapshot_of(Generation(generation), [], self._dim())

    def _stored_generation(self) -> int:
        if self._shared is not None:
            return self._shared.stored_generation()
        return int(self._store.get_meta("generation") or 0)

    def _open_stored(self, opened: Sequence[Segment] = ()) -> Snapshot:
        """The stored generation, marked as read before it is opened and checked to be still the stored one
        after the mark: a writer that switched meanwhile may have deleted it without seeing the mark. From a
        database, its files are copied into the data directory first, unless a newer one replaced it meanwhile."""
        while True:
            number = self._stored_generation()
            self._holds.hold(number)
            if self._stored_generation() == number and self._cached(number):
                return self._load_snapshot(number, opened)
            self._holds.release(number)

    def _cached(self, generation: int) -> bool:
        """Whether the data directory has the generation's files (copied from the database if need be)."""
        return self._shared is None or generation == 0 or self._shared.fetch(generation)

    def _load_snapshot(self, generation: int, opened: Sequence[Segment] = ()) -> Snapshot:
        """Segments already `opened` (immutable, named once) are reused: a switch reads only the new ones."""
        if generation == 0 or not is_written(self.data_dir, generation):
            return self._empty_snapshot(generation)
        written = Generation.load(self.data_dir, generation)
        known = {segment.name: segment for segment in opened}
        segments = [known[name] if name in known else Segment.load(self.segments_dir / name) for name in written.segment_names]
        return snapshot_of(written, segments, self._dim())

    def _outdated_format(self) -> bool:
        """A generation written before segments existed (one FAISS file and a bm25s folder)."""
        return predates_segments(self.data_dir, self.generation)

    def _collect_garbage(self) -> None:
        """Generations older than the stored one that no live process reads, and the segments none of the kept
        ones name (merged away, or left by an interrupted write). Only while holding the write lock."""
        if self._shared is None:
            self._collect_local_garbage(self._stored_generation())
            return
        with self._shared.idle() as idle:  # no copy from the database under way here
            stored = self._stored_generation()
            if idle and self._shared.is_cached(stored):
                self._collect_local_garbage(stored)

    def _collect_local_garbage(self, stored: int) -> None:
        try:
            names = segment_names_of(self.data_dir, stored) if stored else ()
        except (OSError, ValueError, KeyError):
            return  # an unreadable live generation: leave everything for `python -m index check` to report
        collect_garbage(self.data_dir, Generation(stored, names), held_generations(self.data_dir))

    def _collect_garbage_if_free(self) -> None:
        """At open and after a refresh: only when nobody writes (a writer's new segments are named nowhere yet)."""
        with self._write_lock.if_free() as free:
            if free:
                self._collect_garbage()

    def refresh(self) -> bool:
        """Switch to a generation another process stored since, if any (questions do it every REFRESH_SECONDS).

        Returns whether it switched. Not while this library writes: its own write switches when done."""
        self._next_refresh = time.monotonic() + REFRESH_SECONDS
        with self._write_lock.if_free(across_processes=False) as free:
            switched = free and self._catch_up()
        if switched:
            self._collect_garbage_if_free()
        return switched

    def _refresh_if_due(self) -> None:
        """At most every REFRESH_SECONDS, one SQLite read; a newer generation is opened on a thread of its own,
        so no question waits for it (they answer from the current one until the switch)."""
        now = time.monotonic()
        if now < self._next_refresh:
            return
        self._next_refresh = now + REFRESH_SECONDS
        if self._stored_generation() != self.generation and not self._refreshing.is_alive():
            self._refreshing = threading.Thread(target=self._refresh_logged, name="generation-refresh", daemon=True)
            self._refreshing.start()

    def _refresh_logged(self) -> None:
        try:
            self.refresh()
        except Exception:  # a damaged new generation: keep answering from ours, try again later
            log.exception("Không mở được thế hệ chỉ mục mới ở %s; vẫn trả lời bằng gen-%d", self.data_dir, self.generation)
            self._next_refresh = time.monotonic() + REFRESH_AFTER_FAILURE_SECONDS

    def _catch_up(self) -> bool:
        """Open the stored generation if it is newer than ours and made by the embedder we serve with; with
        this object's write lock held."""
        if self._stored_generation() == self.generation:
            return False
        old, serving = self._live
        name, dim = self._store.get_meta("embedder"), self._store.get_meta("dim")
        if name is not None and (name != serving.name or int(dim or 0) != serving.dim):
            if self._unservable != name:
                log.warning("%s was reindexed with the embedder %s: restart with VANKIEN_EMBEDDER set to it; "
                            "answering from gen-%d until then.", self.data_dir, name, old.generation.number)
                self._unservable = name
            return False
        self._live = (self._open_stored(old.segments), serving)
        self._holds.release(old.generation.number)
        return True

    def _switch(self, snapshot: Snapshot, embedder: Embedder) -> None:
        """After this library's own write stored `snapshot`'s generation (write lock held)."""
        old = self.generation
        self._holds.hold(snapshot.generation.number)
        self._live = (snapshot, embedder)
        self._holds.release(old)
        self._collect_garbage()

    def close(self) -> None:
        if self._refreshing.is_alive():
            self._refreshing.join()
        self._searcher.close()
        self._store.close()
        self._holds.close()

    # ---------------------------------------------------------------- reading
    # `audiences`: those the reader may read (index/audience.py), None for all. A document outside them is
    # not there for that reader: the same DocumentNotFound as a removed one, so nothing tells it apart.
    def documents(self, audiences: frozenset[str] | None = None) -> list[Document]:
        return [d for d in self._store.documents() if may_read(d.audience, audiences)]

    def document(self, doc_id: int, audiences: frozenset[str] | None = None) -> Document:
        document = self._store.document(doc_id)
        if document is None or not may_read(document.audience, audiences):
            raise DocumentNotFound(f"Không có tài liệu mã {doc_id}.")
        return document

    def passages_of(self, doc_id: int) -> list[Passage]:
        return self._store.passages_of(doc_id)

    def passage_with_neighbours(
        self, passage_id: int, radius: int = 1, audiences: frozenset[str] | None = None,
    ) -> tuple[Document, list[Passage]]:
        """A passage and the ones around it in its document (for "Toàn văn")."""
        document, _ = self._document_of(passage_id, audiences)
        passages = self._store.passages_of(document.id)
        position = next(i for i, p in enumerate(passages) if p.id == passage_id)
        return document, passages[max(0, position - radius) : position + radius + 1]

    def articles(self, doc_id: int, audiences: frozenset[str] | None = None) -> tuple[Document, list[Article]]:
        """The document and its outline, article by article (for the bot's «Mục lục» buttons)."""
        return self.document(doc_id, audiences), articles(self._store.passages_of(doc_id))

    def article_of(self, passage_id: int, audiences: frozenset[str] | None = None) -> tuple[Document, list[Article], int]:
        """The document holding a passage, its outline, and the index of the article the passage is in."""
        document, _ = self._document_of(passage_id, audiences)
        outline = articles(self._store.passages_of(document.id))
        position = next((i for i, a in enumerate(outline) if any(p.id == passage_id for p in a.passages)), None)
        if position is None:
            raise DocumentNotFound("Đoạn văn này không thuộc điều, mục nào của văn bản.")
        return document, outline, position

    def _document_of(self, passage_id: int, audiences: frozenset[str] | None) -> tuple[Document, Passage]:
        found = self._store.passages_by_ids([passage_id]).get(passage_id)
        document = self._store.document(found.doc_id) if found is not None and found.doc_id is not None else None
        if document is None or not may_read(document.audience, audiences):
            raise DocumentNotFound("Đoạn văn này không còn trong chỉ mục (tài liệu có thể đã bị xoá).")
        return document, found

    def passage_count(self) -> int:
        self._refresh_if_due()
        return len(self._snapshot.vectors)

    def segment_count(self) -> int:
        return len(self._snapshot.segments)

    def catalogue(self, audiences: frozenset[str] | None = None) -> tuple[list[Document], dict]:
        """Every document (that `audiences` may read; newest first), and for those another document replaces or
        amends, by whom (index.lookup.DocumentStatus). Cached per generation: reading it costs nothing, where
        documents() reads the store (5,000 rows: ~25 ms from PostgreSQL)."""
        self._refresh_if_due()
        return self._searcher.catalogue(self.generation, audiences)

    def search(self, query: str, top_k: int = 3, offset: int = 0, audiences: frozenset[str] | None = None) -> SearchResult:
        """`audiences`: those the asker may read; passages of other documents never take a place (index/search.py)."""
        self._refresh_if_due()
        snapshot, embedder = self._live
        return self._searcher.search(snapshot, embedder, query, top_k=top_k, offset=offset, audiences=audiences)

    # ---------------------------------------------------------------- writing
    def add_files(self, paths: Sequence[Path], progress: Progress | None = None, audience: str | None = None,
                  replace_all: bool = False) -> AddReport:
        """Parse every file (bad ones are reported, not fatal) and index the good ones in one generation.

        Files are parsed one at a time as the write consumes them, so a large folder is never all in memory.
        `replace_all`: the files become the whole library (a fresh build), unless none of them can be indexed.
        `audience`: who reads them; by default a new version keeps its predecessor's, a new file gets the default.
        """
        files, errors = expand_paths(paths)
        report = AddReport(errors=errors)

        def parsed() -> Iterator[tuple[Document, list[Passage]]]:
            for path in files:
                try:
                    document, passages = parse_isolated(path, self.max_file_bytes)  # a child process: a hostile file cannot hang or bloat us
                    yield replace(document, audience=audience), passages
                except VankienError as error:
                    report.errors.append((path.name, error))
                except OSError as error:
                    report.errors.append((path.name, UnsupportedFile(f"Không đọc được tệp {path.name}: {error.strerror}")))

        try:
            report.outcomes = self._commit(parsed(), progress, keep_passages=True, replace_all=replace_all)
        except _NothingIndexed:
            pass  # a fresh build none of whose files could be indexed: rolled back, the old library stays
        return report

    def add_file(self, path: Path, progress: Progress | None = None, audience: str | None = None) -> AddOutcome:
        """Index one file or raise the VankienError that says why it cannot be."""
        report = self.add_files([path], progress, audience)
        if report.errors:
            raise report.errors[0][1]
        return report.outcomes[0]

    def add_documents(self, items: Iterable[tuple[Document, list[Passage]]], progress: Progress | None = None) -> list[AddOutcome]:
        """Index already-parsed documents (benchmarks, generated corpora), streamed from any iterable.

        The outcomes do not carry the passages, so memory stays flat however many documents flow through."""
        return self._commit(items, progress, keep_passages=False)

    def remove(self, doc_id: int) -> Document:
        document = self.document(doc_id)
        self._commit([], None, remove_ids=[doc_id])
        return document

    def set_audience(self, doc_id: int, audience: str) -> Document:
        """Who may read the document from now on; every search and read after this sees it (in every process)."""
        if audience not in AUDIENCES:
            raise UnknownAudience(f"Đối tượng không hợp lệ: {audience}")
        with self._write_lock, self._store.transaction():
            if not self._store.set_audience(doc_id, audience):
                raise DocumentNotFound(f"Không có tài liệu mã {doc_id}.")
        return self.document(doc_id)

    def _commit(
        self,
        items: Iterable[tuple[Document, list[Passage]]],
        progress: Progress | None,
        remove_ids: Sequence[int] = (),
        keep_passages: bool = False,
        replace_all: bool = False,
    ) -> list[AddOutcome]:
        total = sum(len(ps) for _, ps in items) if isinstance(items, (list, tuple)) else 0
        with self._write_lock:
            self._catch_up()  # another process may have written since: build on the generation stored last
            if not replace_all:
                self._check_embedder()
            snapshot = self._empty_snapshot(self._stored_generation()) if replace_all else self._snapshot
            outcomes: list[AddOutcome] = []
            to_remove: dict[int, Document] = {doc_id: self.document(doc_id) for doc_id in remove_ids}
            writer = SegmentWriter(self.embedder, self.segments_dir, progress, total)
            with self._store.transaction():  # this thread reads its own inserts; questions read the last commit
                if replace_all:  # deleted first, so the same files again are added, not found unchanged
                    for document in self._store.documents():
                        self._store.delete_document(document.id)
                next_id = int(self._store.get_meta("next_passage_id") or 1)
                for document, passages in items:
                    existing = self._store.document_by_hash(document.content_hash)
                    if existing is not None:
                        outcomes.append(AddOutcome(existing, "unchanged"))
                        continue
                    previous = self._store.document_by_source(document.source)
                    if previous is not None:
                        to_remove.setdefault(previous.id, previous)
                    if document.audience is None:
                        document = replace(document, audience=previous.audience if previous else self.default_audience)
                    numbered = [replace(p, id=next_id + i, doc_id=None) for i, p in enumerate(passages)]
                    next_id += len(numbered)
                    saved, stored = self._store.insert_document(document, numbered)
                    writer.add(saved, stored)
                    outcomes.append(AddOutcome(saved, "replaced" if previous else "added", previous,
                                               tuple(stored) if keep_passages else ()))
                writer.flush()
                segments = [*snapshot.segments, *writer.segments]
                removed = dict(snapshot.generation.removed)
                removed_ids: list[int] = []
                for doc_id, document in to_remove.items():
                    passages = self._store.passages_of(doc_id)
                    holder = next((s for s in segments if passages and s.holds(passages[0].id)), None)
                    if holder is not None:  # its syllables leave the model now, its rows at the next merge
                        counted = SyllableTable.count(restorer_texts(document, passages))
                        removed[holder.name] = SyllableTable.summed([removed.get(holder.name, SyllableTable.empty()), counted])
                    removed_ids += self._store.delete_document(doc_id)
                if replace_all and not writer.segments:
                    raise _NothingIndexed  # rolls the deletions back
                if not writer.segments and not removed_ids:
                    return outcomes  # nothing new: every document was already indexed
                deleted = np.union1d(snapshot.generation.deleted, np.asarray(removed_ids, dtype=np.int64))
                segments, generation = self._settle(snapshot.generation.number + 1, segments, deleted, removed)
                generation.write(self.data_dir)
                self._publish(generation.number)
                self._store.set_meta("next_passage_id", str(next_id))
                self._record_embedder(self.embedder, generation.number)
            self._switch(snapshot_of(generation, segments, self.embedder.dim), self._live[1])
            return outcomes

    def _settle(
        self, number: int, segments: list[Segment], deleted: np.ndarray, removed: dict[str, SyllableTable]
    ) -> tuple[list[Segment], Generation]:
        """Merge segments (index/segments.py's policy) until settled; generation `number` names them and
        keeps only what they hold of the deleted ids and of the removed passages' syllable counts."""
        while (group := next_merge(segments, deleted)) is not None:
            merged = save_segment(Segment.merge(group, deleted, removed), self.segments_dir)
            names = {s.name for s in group}
            position = min(i for i, s in enumerate(segments) if s.name in names)
            segments = [s for s in segments if s.name not in names]
            segments.insert(position, merged)
            log.info("merged %d segments into %s (%d passages)", len(group), merged.name, len(merged))
        held = np.concatenate([s.ids for s in segments]) if segments else np.zeros(0, dtype=np.int64)
        names = tuple(s.name for s in segments)
        return segments, Generation(number, names, np.asarray(deleted, dtype=np.int64)[np.isin(deleted, held)],
                                    {name: table for name, table in removed.items() if name in names})

    def _publish(self, generation: int) -> None:
        """Inside the switching transaction: check that gen-N follows the stored one, and with a database put its
        files there and delete those of the generations it replaces."""
        if self._stored_generation() != generation - 1:
            raise ConcurrentWrite("Tiến trình khác vừa ghi vào chỉ mục trong lúc này; hãy thử lại.")
        if self._shared is not None:
            self._shared.publish(generation)

    def _record_embedder(self, embedder: Embedder, generation: int) -> None:
        self._store.set_meta("embedder", embedder.name)
        self._store.set_meta("embedder_spec", getattr(embedder, "spec", embedder.name))
        self._store.set_meta("dim", str(embedder.dim))
        self._store.set_meta("generation", str(generation))

    def reindex(self, embedder: Embedder | None = None, progress: Progress | None = None) -> None:
        """Re-embed and re-tokenise every passage into new segments (e.g. after changing the embedder).

        Questions keep being answered from the current generation until the switch, which is atomic.
        """
        embedder = embedder or self.embedder
        with self._write_lock:
            self._catch_up()
            writer = SegmentWriter(embedder, self.segments_dir, progress, self._store.passage_count())
            for document, passages in self._store.iter_documents():
                writer.add(document, passages)
            writer.flush()
            number = self._stored_generation() + 1
            segments, generation = self._settle(number, writer.segments, np.zeros(0, dtype=np.int64), {})
            generation.write(self.data_dir)
            with self._store.transaction():
                self._publish(generation.number)
                self._record_embedder(embedder, generation.number)
            self.embedder = embedder
            self._switch(snapshot_of(generation, segments, embedder.dim), embedder)


def current_generation(data_dir: Path) -> int:
    db = data_dir / DB_NAME
    if not db.exists():
        return 0
    store = Store(db)
    try:
        return int(store.get_meta("generation") or 0)
    finally:
        store.close()


def build_library(
    data_dir: Path,
    embedder: Embedder,
    paths: Sequence[Path],
    progress: Progress | None = None,
    max_file_bytes: int = MAX_BYTES,
    audience: str | None = None,
    default_audience: str = PUBLIC,
    write_wait_seconds: float = DEFAULT_WAIT_SECONDS,
    database_url: str | None = None,
    database_read_url: str | None = None,
) -> tuple[Library, AddReport]:
    """A fresh index from files, switched to in one transaction when complete: until then the old one answers,
    in this process and in others, and it stays if no file can be indexed. Its documents are read by
    `audience`, else by `default_audience` (the returned library's default too).

    Built inside the live database rather than beside it: replacing an SQLite file that another process
    has open can corrupt it (that process deletes the new file's WAL when it closes the old one)."""
    for leftover in Path(data_dir).glob(DB_NAME + ".building*"):  # left by the builds that swapped databases
        leftover.unlink()
    library = Library(data_dir, embedder, check_embedder=False, max_file_bytes=max_file_bytes,
                      write_wait_seconds=write_wait_seconds, default_audience=default_audience,
                      database_url=database_url, database_read_url=database_read_url)
    return library, library.add_files(paths, progress, audience, replace_all=True)


def index_summary(library: Library, audiences: frozenset[str] | None = None) -> dict:
    """Counts, newest date and embedder; of the documents `audiences` may read when given."""
    documents = library.documents(audiences)
    dates = [d.date for d in documents if d.date]
    return {
        "documents": len(documents),
        "passages": library.passage_count() if audiences is None else sum(d.passage_count for d in documents),
        "newest_date": max(dates) if dates else None,
        "embedder": library.embedder.name,
    }

