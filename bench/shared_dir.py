"""Two processes on one data directory: a reader's question latency while another process writes, and how
soon the reader answers from the writer's generation.

    python bench/scale.py --sizes 100000 --skip-embed-rate --keep /tmp/sc     # a library to share
    python bench/shared_dir.py --data-dir /tmp/sc/n100000 [--writes 5] [--documents 50]

The reader (this process) asks bench/scale.py's questions back to back, as the bench's latency loop does:
first 100 with nobody writing, then for as long as a writer child makes `--writes` commits of `--documents`
synthetic documents each (20 passages a document, SYNTHETIC vectors as in bench/scale.py). Lag = from the
writer's commit returning to the first question answered from its generation.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from percentiles import percentile  # noqa: E402
from scale import QUESTIONS, PassageGenerator, SyntheticPassageEmbedder, real_embedder  # noqa: E402


def writer_child(data_dir: Path, writes: int, documents: int) -> None:
    """Commit `writes` times; after each, print the generation and the wall-clock time it returned."""
    from index.library import Library

    library = Library(data_dir, SyntheticPassageEmbedder(real_embedder()))
    generator = PassageGenerator()
    first = 10_000_000 + len(library.documents())  # above what bench/scale.py and earlier runs made: new texts
    print(json.dumps({"ready": True}), flush=True)
    for write in range(writes):
        library.add_documents(generator.documents(documents, first + write * documents))
        print(json.dumps({"generation": library.generation, "at": time.time()}), flush=True)
    library.close()


def ask(library, question: str) -> float:
    from index.search import as_json

    started = time.perf_counter()
    json.dumps(as_json(library.search(question, top_k=10)), ensure_ascii=False)
    return (time.perf_counter() - started) * 1000


def summary(latencies: list[float]) -> dict:
    return {"questions": len(latencies), "p50_ms": round(percentile(latencies, 0.5), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1), "max_ms": round(max(latencies), 1)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--writes", type=int, default=5)
    parser.add_argument("--documents", type=int, default=50, help="documents a commit (20 passages each)")
    parser.add_argument("--writer-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer_child:
        writer_child(args.data_dir, args.writes, args.documents)
        return 0

    from index.library import Library

    library = Library(args.data_dir, SyntheticPassageEmbedder(real_embedder()))
    for question in QUESTIONS[:3]:
        ask(library, question)
    idle = [ask(library, question) for question in QUESTIONS * 5]

    writer = subprocess.Popen([sys.executable, __file__, "--writer-child", "--data-dir", str(args.data_dir),
                               "--writes", str(args.writes), "--documents", str(args.documents)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert json.loads(writer.stdout.readline()).get("ready")
    committed: dict[int, float] = {}

    def read_commits() -> None:
        for line in writer.stdout:
            row = json.loads(line)
            committed[row["generation"]] = row["at"]

    reading = threading.Thread(target=read_commits, daemon=True)
    reading.start()
    served: dict[int, float] = {}
    during: list[float] = []
    switching: list[float] = []
    while reading.is_alive() or set(committed) - set(served):
        generation = library.generation
        latency = ask(library, QUESTIONS[len(during) % len(QUESTIONS)])
        if library.generation != generation:
            served[library.generation] = time.time()
            switching.append(latency)
        else:
            during.append(latency)
        if not reading.is_alive() and max(committed, default=0) <= library.generation:
            break
    writer.wait()
    lags = [served[g] - committed[g] for g in committed if g in served]
    print(json.dumps({
        "passages": library.passage_count(), "writes": args.writes, "passages_a_write": args.documents * 20,
        "idle": summary(idle), "during_writes": summary(during),
        "switching_question_ms": [round(x, 1) for x in switching],
        "lag_s": [round(x, 2) for x in lags],
    }))
    library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
