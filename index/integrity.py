"""Does a library agree with itself? The stored passages, and the FAISS ids and BM25 rows of the live segments.

For tests after a crash and for admins (`python -m index check`): every problem is one Vietnamese line. A
library in PostgreSQL is checked the same way, on the copy of its live generation that the data directory
caches (made first if missing: index/postgres/shared_index.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.generation import Generation, generation_folder
from index.segments import SEGMENTS_DIR, Segment
from index.stores import DB_NAME, DocumentStore, Storage, open_storage

_ATTEMPTS = 3  # a writer may switch generations while we read: then read again


def check(data_dir: Path, database_url: str | None = None) -> list[str]:
    """The problems found in the live generation of the library (in `data_dir`, or in PostgreSQL at
    `database_url` with `data_dir` its cache); an empty list means consistent."""
    data_dir = Path(data_dir)
    if database_url is None and not (data_dir / DB_NAME).is_file():
        return [f"Không có chỉ mục ở {data_dir} (thiếu {DB_NAME})."]
    data_dir.mkdir(parents=True, exist_ok=True)
    storage = open_storage(data_dir, database_url)
    try:
        for _ in range(_ATTEMPTS):
            generation = _generation(storage)
            if storage.shared is not None and generation and not storage.shared.fetch(generation):
                continue  # replaced while we asked: check the newer one
            problems = _check_generation(data_dir, storage.store, generation, "PostgreSQL" if database_url else "SQLite")
            if _generation(storage) == generation:
                return problems
        return problems
    finally:
        storage.store.close()


def _generation(storage: Storage) -> int:
    if storage.shared is not None:
        return storage.shared.stored_generation()
    return int(storage.store.get_meta("generation") or 0)


def _check_generation(data_dir: Path, store: DocumentStore, generation: int, where: str) -> list[str]:
    documents = store.documents()
    passages = {doc.id: [p.id for p in store.passages_of(doc.id)] for doc in documents}
    stored_ids = sorted(i for ids in passages.values() for i in ids)
    problems = [
        f"Tài liệu [{doc.id}] {doc.title}: ghi {doc.passage_count} đoạn nhưng có {len(passages[doc.id])} đoạn trong {where}."
        for doc in documents
        if doc.passage_count != len(passages[doc.id])
    ]
    orphans = store.passage_count() - len(stored_ids)
    if orphans:
        problems.append(f"{orphans} đoạn trong {where} không thuộc tài liệu nào.")
    next_id = int(store.get_meta("next_passage_id") or 1)
    if stored_ids and stored_ids[-1] >= next_id:
        problems.append(f"Mã đoạn lớn nhất {stored_ids[-1]} không nhỏ hơn next_passage_id {next_id}: mã mới sẽ trùng.")

    if generation == 0:
        if stored_ids:
            problems.append(f"{where} có {len(stored_ids)} đoạn nhưng chưa có thế hệ chỉ mục nào (generation = 0).")
        return problems
    folder = generation_folder(data_dir, generation)
    if not folder.is_dir():
        return problems + [f"Thiếu thư mục {folder.name} của thế hệ đang dùng."]
    try:
        written = Generation.load(data_dir, generation)
    except (OSError, ValueError, KeyError) as error:  # a bad manifest.json raises a ValueError too
        return problems + [f"Không mở được {folder.name}: {error}"]
    names, deleted = written.segment_names, written.deleted
    segments = []
    for name in names:
        try:
            segments.append(Segment.load(data_dir / SEGMENTS_DIR / name))
        except (OSError, RuntimeError, ValueError, KeyError) as error:
            problems.append(f"Không mở được đoạn chỉ mục {name}: {error}")
    if len(segments) < len(names):
        return problems

    dim = store.get_meta("dim")
    held: list[np.ndarray] = []
    for segment in segments:
        problems += _check_segment(segment, int(dim) if dim is not None else None, where)
        held.append(segment.ids)
    all_held = np.concatenate(held) if held else np.zeros(0, dtype=np.int64)
    if len(np.unique(all_held)) != len(all_held):
        problems.append(f"{len(all_held) - len(np.unique(all_held))} mã đoạn nằm trong hai đoạn chỉ mục.")
    if stray := sorted(set(deleted.tolist()) - set(all_held.tolist())):
        problems.append(f"{len(stray)} mã đã xoá không thuộc đoạn chỉ mục nào: {_sample(stray)}.")
    if stale := sorted(set(written.removed) - set(names)):
        problems.append(f"Số đếm âm tiết của đoạn đã xoá ghi cho đoạn chỉ mục không còn dùng: {', '.join(stale)}.")
    live = all_held[~np.isin(all_held, deleted)]
    problems += _compare("chỉ mục (FAISS + BM25)", live, set(stored_ids), where)
    return problems


def _check_segment(segment: Segment, dim: int | None, where: str) -> list[str]:
    """FAISS holds exactly the segment's ids; BM25 has one row per id and well-formed postings."""
    name, problems = segment.name, []
    if len(segment.ids) > 1 and not bool(np.all(segment.ids[1:] > segment.ids[:-1])):
        problems.append(f"{name}: mã đoạn không tăng dần.")
    if dim is not None and segment.vectors.dim != dim:
        problems.append(f"{name}: FAISS có {segment.vectors.dim} chiều nhưng {where} ghi {dim} chiều.")
    if not np.array_equal(segment.vectors.ids(), np.sort(segment.ids)):
        problems.append(f"{name}: FAISS có {len(segment.vectors)} mã, khác {len(segment.ids)} mã của đoạn chỉ mục.")
    lexical = segment.lexical
    if len(lexical) != len(segment.ids):
        problems.append(f"{name}: BM25 có {len(lexical)} hàng nhưng đoạn chỉ mục có {len(segment.ids)} mã.")
    elif len(lexical.rows) and (int(lexical.indptr[-1]) != len(lexical.rows) or int(np.max(lexical.rows)) >= len(lexical)):
        problems.append(f"{name}: danh sách BM25 hỏng (trỏ ra ngoài các hàng).")
    return problems


def _compare(name: str, ids: np.ndarray, stored: set[int], where: str) -> list[str]:
    found = set(ids.tolist())
    problems = []
    if len(found) != len(ids):
        problems.append(f"{name} có {len(ids) - len(found)} mã đoạn trùng.")
    if missing := sorted(stored - found):
        problems.append(f"{len(missing)} đoạn có trong {where} nhưng thiếu trong {name}: {_sample(missing)}.")
    if extra := sorted(found - stored):
        problems.append(f"{len(extra)} mã trong {name} không có trong {where}: {_sample(extra)}.")
    return problems


def _sample(ids: list[int]) -> str:
    return ", ".join(map(str, ids[:5])) + (", …" if len(ids) > 5 else "")
