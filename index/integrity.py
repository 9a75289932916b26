"""Does a data directory agree with itself? SQLite passages, FAISS ids and BM25 rows of the live generation.

For tests after a crash and for admins (`python -m index check`): every problem is one Vietnamese line.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from index.lexical import LexicalIndex
from index.library import DB_NAME
from index.restoration import DiacriticRestorer
from index.store import Store
from index.vectors import VectorIndex

_ATTEMPTS = 3  # a writer may switch generations while we read: then read again


def check(data_dir: Path) -> list[str]:
    """The problems found in the live generation of `data_dir`; an empty list means consistent."""
    data_dir = Path(data_dir)
    if not (data_dir / DB_NAME).is_file():
        return [f"Không có chỉ mục ở {data_dir} (thiếu {DB_NAME})."]
    store = Store(data_dir / DB_NAME)
    try:
        for _ in range(_ATTEMPTS):
            generation = _generation(store)
            problems = _check_generation(data_dir, store, generation)
            if _generation(store) == generation:
                return problems
        return problems
    finally:
        store.close()


def _generation(store: Store) -> int:
    return int(store.get_meta("generation") or 0)


def _check_generation(data_dir: Path, store: Store, generation: int) -> list[str]:
    documents = store.documents()
    passages = {doc.id: [p.id for p in store.passages_of(doc.id)] for doc in documents}
    stored_ids = sorted(i for ids in passages.values() for i in ids)
    problems = [
        f"Tài liệu [{doc.id}] {doc.title}: ghi {doc.passage_count} đoạn nhưng có {len(passages[doc.id])} đoạn trong SQLite."
        for doc in documents
        if doc.passage_count != len(passages[doc.id])
    ]
    orphans = store.passage_count() - len(stored_ids)
    if orphans:
        problems.append(f"{orphans} đoạn trong SQLite không thuộc tài liệu nào.")
    next_id = int(store.get_meta("next_passage_id") or 1)
    if stored_ids and stored_ids[-1] >= next_id:
        problems.append(f"Mã đoạn lớn nhất {stored_ids[-1]} không nhỏ hơn next_passage_id {next_id}: mã mới sẽ trùng.")

    if generation == 0:
        if stored_ids:
            problems.append(f"SQLite có {len(stored_ids)} đoạn nhưng chưa có thế hệ chỉ mục nào (generation = 0).")
        return problems
    folder = data_dir / f"gen-{generation}"
    if not folder.is_dir():
        return problems + [f"Thiếu thư mục {folder.name} của thế hệ đang dùng."]
    try:
        vectors = VectorIndex.load(folder / "vectors.faiss")
        lexical = LexicalIndex.load(folder / "lexical")
        DiacriticRestorer.load(folder / "restorer.json")
    except (OSError, RuntimeError, ValueError, KeyError, json.JSONDecodeError) as error:
        return problems + [f"Không mở được {folder.name}: {error}"]

    dim = store.get_meta("dim")
    if dim is not None and int(dim) != vectors.dim:
        problems.append(f"FAISS có {vectors.dim} chiều nhưng SQLite ghi {dim} chiều.")
    lexical_ids = np.load(folder / "lexical" / "passage_ids.npy")
    if len(lexical.scores(["·"])) != len(lexical_ids):
        problems.append(f"BM25 có {len(lexical.scores(['·']))} hàng nhưng passage_ids.npy có {len(lexical_ids)} mã.")
    sqlite = set(stored_ids)
    for name, ids in (("FAISS", vectors.ids()), ("BM25", lexical_ids)):
        problems += _compare(name, ids, sqlite)
    return problems


def _compare(name: str, ids: np.ndarray, sqlite: set[int]) -> list[str]:
    found = set(ids.tolist())
    problems = []
    if len(found) != len(ids):
        problems.append(f"{name} có {len(ids) - len(found)} mã đoạn trùng.")
    if missing := sorted(sqlite - found):
        problems.append(f"{len(missing)} đoạn có trong SQLite nhưng thiếu trong {name}: {_sample(missing)}.")
    if extra := sorted(found - sqlite):
        problems.append(f"{len(extra)} mã trong {name} không có trong SQLite: {_sample(extra)}.")
    return problems


def _sample(ids: list[int]) -> str:
    return ", ".join(map(str, ids[:5])) + (", …" if len(ids) > 5 else "")
