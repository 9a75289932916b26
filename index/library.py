"""The one object the bot and the CLI hold: add, remove, list and search documents in a data directory.

On disk: `index.sqlite3` (documents, passages, metadata) and one `gen-N/` folder with the FAISS file, the
BM25 index and the diacritic model. A write builds `gen-N+1/` beside the live one, then a single SQLite
transaction switches to it, so a crash at any point leaves one complete generation in use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from index.atomic import fsync_path
from index.documents import Document, Passage, SearchResult
from index.embedders import Embedder
from index.errors import DocumentNotFound, EmbedderMismatch, UnsupportedFile, VankienError
from index.isolation import parse_isolated
from index.lexical import LexicalIndex
from index.readers import MAX_BYTES
from index.restoration import DiacriticRestorer, LazyRestorer
from index.search import Searcher, SearchSettings, Snapshot, context_text
from index.store import Store
from index.vectors import VectorIndex
from index.vietnamese import index_tokens

log = logging.getLogger(__name__)

DB_NAME = "index.sqlite3"
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
EMBED_BATCH = 32
Progress = Callable[[int, int], None]  # (done, total) passages embedded


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


def file_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


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


def _generation_dir(data_dir: Path, generation: int) -> Path:
    return data_dir / f"gen-{generation}"


class Library:
    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        settings: SearchSettings | None = None,
        db_path: Path | None = None,
        check_embedder: bool = True,
        max_file_bytes: int = MAX_BYTES,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self.max_file_bytes = max_file_bytes
        self._store = Store(db_path or self.data_dir / DB_NAME)
        self._write_lock = threading.Lock()
        if check_embedder:
            self._check_embedder()
        self._settings = settings
        self._live = (self._load_snapshot(), Searcher(self._store, embedder, settings))  # swapped as one
        self._remove_stale_generations()

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
        return self._snapshot.generation

    @property
    def stored_embedder_spec(self) -> str | None:
        """The spec of the embedder that built the index on disk (to serve from it during a reindex)."""
        return self._store.get_meta("embedder_spec")

    def _load_snapshot(self) -> Snapshot:
        generation = int(self._store.get_meta("generation") or 0)
        folder = _generation_dir(self.data_dir, generation)
        if generation == 0 or not folder.exists():
            dim = int(self._store.get_meta("dim") or self.embedder.dim)
            return Snapshot(0, VectorIndex.empty(dim), LexicalIndex.build([], []), DiacriticRestorer.train([]))
        return Snapshot(
            generation,
            VectorIndex.load(folder / "vectors.faiss"),
            LexicalIndex.load(folder / "lexical"),
            LazyRestorer(folder / "restorer.json"),
        )

    def _remove_stale_generations(self) -> None:
        """Older generations and half-written ones from an interrupted write."""
        for folder in self.data_dir.glob("gen-*"):
            suffix = folder.name[4:]
            if suffix.endswith(".tmp") or (suffix.isdigit() and int(suffix) < self.generation):
                shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        self._store.close()

    # ---------------------------------------------------------------- reading
    def documents(self) -> list[Document]:
        return self._store.documents()

    def document(self, doc_id: int) -> Document:
        document = self._store.document(doc_id)
        if document is None:
            raise DocumentNotFound(f"Không có tài liệu mã {doc_id}.")
        return document

    def passages_of(self, doc_id: int) -> list[Passage]:
        return self._store.passages_of(doc_id)

    def passage_with_neighbours(self, passage_id: int, radius: int = 1) -> tuple[Document, list[Passage]]:
        """A passage and the ones around it in its document (for "Toàn văn")."""
        found = self._store.passages_by_ids([passage_id]).get(passage_id)
        if found is None or found.doc_id is None:
            raise DocumentNotFound("Đoạn văn này không còn trong chỉ mục (tài liệu có thể đã bị xoá).")
        passages = self._store.passages_of(found.doc_id)
        position = next(i for i, p in enumerate(passages) if p.id == passage_id)
        return self.document(found.doc_id), passages[max(0, position - radius) : position + radius + 1]

    def passage_count(self) -> int:
        return len(self._snapshot.vectors)

    def search(self, query: str, top_k: int = 3, offset: int = 0) -> SearchResult:
        snapshot, searcher = self._live
        return searcher.search(snapshot, query, top_k=top_k, offset=offset)

    # ---------------------------------------------------------------- writing
    def add_files(self, paths: Sequence[Path], progress: Progress | None = None) -> AddReport:
        """Parse every file (bad ones are reported, not fatal), then index the good ones in one generation."""
        files, errors = expand_paths(paths)
        report = AddReport(errors=errors)
        parsed: list[tuple[Document, list[Passage]]] = []
        for path in files:
            try:
                parsed.append(parse_isolated(path, self.max_file_bytes))  # a child process: a hostile file cannot hang or bloat us
            except VankienError as error:
                report.errors.append((path.name, error))
            except OSError as error:
                report.errors.append((path.name, UnsupportedFile(f"Không đọc được tệp {path.name}: {error.strerror}")))
        if parsed:
            report.outcomes = self._commit(parsed, progress)
        return report

    def add_file(self, path: Path, progress: Progress | None = None) -> AddOutcome:
        """Index one file or raise the VankienError that says why it cannot be."""
        report = self.add_files([path], progress)
        if report.errors:
            raise report.errors[0][1]
        return report.outcomes[0]

    def add_documents(self, items: Sequence[tuple[Document, list[Passage]]], progress: Progress | None = None) -> list[AddOutcome]:
        """Index already-parsed documents (benchmarks and generated corpora)."""
        return self._commit(list(items), progress)

    def remove(self, doc_id: int) -> Document:
        document = self.document(doc_id)
        self._commit([], None, remove_ids=[doc_id])
        return document

    def _commit(
        self,
        items: list[tuple[Document, list[Passage]]],
        progress: Progress | None,
        remove_ids: Sequence[int] = (),
    ) -> list[AddOutcome]:
        with self._write_lock:
            outcomes: list[AddOutcome] = []
            to_remove: dict[int, Document] = {}
            for doc_id in remove_ids:
                to_remove[doc_id] = self.document(doc_id)
            fresh: list[tuple[Document, list[Passage], Document | None]] = []
            seen_hashes: dict[str, Document] = {}
            for document, passages in items:
                existing = self._store.document_by_hash(document.content_hash) or seen_hashes.get(document.content_hash)
                if existing is not None:
                    outcomes.append(AddOutcome(existing, "unchanged"))
                    continue
                seen_hashes[document.content_hash] = document
                previous = self._store.document_by_source(document.source)
                if previous is not None and previous.id not in to_remove:
                    to_remove[previous.id] = previous
                fresh.append((document, passages, previous))
            if not fresh and not to_remove:
                return outcomes

            next_id = int(self._store.get_meta("next_passage_id") or 1)
            numbered: list[tuple[Document, list[Passage], Document | None]] = []
            for document, passages, previous in fresh:
                with_ids = [Passage(p.text, p.paragraph, p.section, next_id + i) for i, p in enumerate(passages)]
                next_id += len(passages)
                numbered.append((document, with_ids, previous))
            contexts = [context_text(d, p) for d, ps, _ in numbered for p in ps]
            new_ids = np.array([p.id for _, ps, _ in numbered for p in ps], dtype=np.int64)
            new_tokens = [index_tokens(c) for c in contexts]
            vectors = self._embed(contexts, progress)

            removed_passages = [p for doc_id in to_remove for p in self._store.passages_of(doc_id)]
            removed_ids = {p.id for p in removed_passages}
            snapshot = self._snapshot
            vector_index = snapshot.vectors.copy()
            vector_index.remove(np.array(sorted(removed_ids), dtype=np.int64))
            vector_index.add(new_ids, vectors)
            ids, tokens = [], []
            for passage_id, passage_tokens in self._store.iter_tokens():
                if passage_id not in removed_ids:
                    ids.append(passage_id)
                    tokens.append(passage_tokens)
            lexical = LexicalIndex.build(ids + new_ids.tolist(), tokens + new_tokens)
            restorer = snapshot.restorer.without(
                DiacriticRestorer.train(_restorer_texts([(to_remove[d], self._store.passages_of(d)) for d in to_remove]))
            ).merged(DiacriticRestorer.train(_restorer_texts([(d, ps) for d, ps, _ in numbered])))

            generation = snapshot.generation + 1
            self._write_generation(generation, vector_index, lexical, restorer)
            token_iter = iter(new_tokens)
            with self._store.transaction():
                for doc_id in to_remove:
                    self._store.delete_document(doc_id)
                for document, passages, previous in numbered:
                    saved, stored = self._store.insert_document(document, passages, [next(token_iter) for _ in passages])
                    outcomes.append(AddOutcome(saved, "replaced" if previous else "added", previous, tuple(stored)))
                self._store.set_meta("next_passage_id", str(next_id))
                self._record_embedder(self.embedder, generation)
            self._live = (Snapshot(generation, vector_index, lexical, restorer), self._live[1])
            self._remove_stale_generations()
            return outcomes

    def _record_embedder(self, embedder: Embedder, generation: int) -> None:
        self._store.set_meta("embedder", embedder.name)
        self._store.set_meta("embedder_spec", getattr(embedder, "spec", embedder.name))
        self._store.set_meta("dim", str(embedder.dim))
        self._store.set_meta("generation", str(generation))

    def reindex(self, embedder: Embedder | None = None, progress: Progress | None = None) -> None:
        """Re-embed and re-tokenise every passage into a new generation (e.g. after changing the embedder).

        Questions keep being answered from the current generation until the switch, which is atomic.
        """
        embedder = embedder or self.embedder
        with self._write_lock:
            pairs = [(d, self._store.passages_of(d.id)) for d in self._store.documents()]
            ids = [p.id for _, ps in pairs for p in ps]
            contexts = [context_text(d, p) for d, ps in pairs for p in ps]
            tokens = [index_tokens(c) for c in contexts]
            vector_index = VectorIndex.empty(embedder.dim)
            vector_index.add(np.array(ids, dtype=np.int64), self._embed(contexts, progress, embedder))
            lexical = LexicalIndex.build(ids, tokens)
            restorer = DiacriticRestorer.train(_restorer_texts(pairs))
            generation = self.generation + 1
            self._write_generation(generation, vector_index, lexical, restorer)
            with self._store.transaction():
                self._store.update_tokens(zip(ids, tokens))
                self._record_embedder(embedder, generation)
            self.embedder = embedder
            if isinstance(self._snapshot.restorer, LazyRestorer):
                self._snapshot.restorer.model()  # a search still on the old snapshot may need it after gen-N is gone
            self._live = (Snapshot(generation, vector_index, lexical, restorer), Searcher(self._store, embedder, self._settings))
            self._remove_stale_generations()

    def _embed(self, texts: list[str], progress: Progress | None, embedder: Embedder | None = None) -> np.ndarray:
        embedder = embedder or self.embedder
        chunks = []
        for start in range(0, len(texts), EMBED_BATCH):
            chunks.append(embedder.embed_passages(texts[start : start + EMBED_BATCH]))
            if progress:
                progress(min(start + EMBED_BATCH, len(texts)), len(texts))
        if not chunks:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.vstack(chunks)

    def _write_generation(self, generation: int, vectors: VectorIndex, lexical: LexicalIndex, restorer: DiacriticRestorer) -> None:
        """Write gen-N completely under a temporary name, fsync, then rename it into place."""
        final = _generation_dir(self.data_dir, generation)
        staging = final.with_name(final.name + ".tmp")
        for folder in (staging, final):
            shutil.rmtree(folder, ignore_errors=True)
        staging.mkdir()
        vectors.save(staging / "vectors.faiss")
        lexical.save(staging / "lexical")
        restorer.save(staging / "restorer.json")
        for path in [*staging.rglob("*")]:
            if path.is_file():
                fsync_path(path)
        os.replace(staging, final)
        fsync_path(self.data_dir)


def _restorer_texts(documents: Iterable[tuple[Document, list[Passage]]]) -> Iterable[str]:
    for document, passages in documents:
        yield document.title
        for passage in passages:
            yield passage.text


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
) -> tuple[Library, AddReport]:
    """A fresh index from files, swapped in only when complete: the old one stays usable until then."""
    data_dir.mkdir(parents=True, exist_ok=True)
    staging_db = data_dir / (DB_NAME + ".building")
    for leftover in data_dir.glob(DB_NAME + ".building*"):
        leftover.unlink()
    first = current_generation(data_dir)
    staging = Store(staging_db)
    staging.set_meta("generation", str(first))  # new generations number above the live one
    staging.close()
    library = Library(data_dir, embedder, db_path=staging_db, check_embedder=False, max_file_bytes=max_file_bytes)
    empty = Snapshot(first, VectorIndex.empty(embedder.dim), LexicalIndex.build([], []), DiacriticRestorer.train([]))
    library._live = (empty, library._live[1])
    report = library.add_files(paths, progress)
    library.close()
    if not report.outcomes:
        staging_db.unlink(missing_ok=True)
        return Library(data_dir, embedder, check_embedder=False, max_file_bytes=max_file_bytes), report
    for stale in (data_dir / (DB_NAME + "-wal"), data_dir / (DB_NAME + "-shm")):
        stale.unlink(missing_ok=True)
    os.replace(staging_db, data_dir / DB_NAME)
    fsync_path(data_dir)
    return Library(data_dir, embedder, max_file_bytes=max_file_bytes), report


def index_summary(library: Library) -> dict:
    documents = library.documents()
    dates = [d.date for d in documents if d.date]
    return {
        "documents": len(documents),
        "passages": library.passage_count(),
        "newest_date": max(dates) if dates else None,
        "embedder": library.embedder.name,
    }

