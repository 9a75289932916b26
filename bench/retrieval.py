"""Retrieval benchmark: hit@3, MRR@10, per-kind counts, query latency and indexing rate.

    python bench/retrieval.py data/corpus bench/data/dev_questions.jsonl
    python bench/retrieval.py bench/data/xquad-vi/xquad.vi.json bench/data/xquad-vi/xquad.vi.json --deaccent-share 0.25

CORPUS is a folder or files of documents, or a SQuAD-format JSON (one document per article, one
passage per paragraph). QUESTIONS are JSON Lines {"q", "gold": [substrings], "kind"} or the same
SQuAD JSON (gold = the paragraph holding the answer). Gold passages are counted by their text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from percentiles import percentile  # noqa: E402
from index.documents import Document, Passage  # noqa: E402
from index.library import Library  # noqa: E402
from index.settings import IndexSettings, read_environment  # noqa: E402
from index.vietnamese import fold  # noqa: E402


@dataclass
class Question:
    text: str
    gold: list[str]  # a passage answers when its text contains one of these
    kind: str


def squad_documents(path: Path) -> list[tuple[Document, list[Passage]]]:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    documents = []
    for article in data:
        passages = [Passage(p["context"], i + 1) for i, p in enumerate(article["paragraphs"])]
        digest = hashlib.sha256("".join(p.text for p in passages).encode()).hexdigest()
        title = article["title"].replace("_", " ")
        documents.append((Document(title=title, source=f"{article['title']}.txt", content_hash=digest), passages))
    return documents


def squad_questions(path: Path) -> list[Question]:
    questions = []
    for article in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                questions.append(Question(qa["question"], [paragraph["context"]], "squad"))
    return questions


def jsonl_questions(path: Path) -> list[Question]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Question(r["q"], r["gold"], r.get("kind", "")) for r in rows]


def deaccent(text: str) -> str:
    return fold(text)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument("--deaccent-share", type=float, default=0.0, help="also ask this share of questions without diacritics")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    settings = IndexSettings.from_env(read_environment())
    embedder = settings.load_embedder()
    with tempfile.TemporaryDirectory() as data_dir:
        library = Library(Path(data_dir), embedder)
        started = time.perf_counter()
        if args.corpus.suffix == ".json":
            library.add_documents(squad_documents(args.corpus))
        else:
            report = library.add_files([args.corpus])
            for name, error in report.errors:
                print(f"error: {name}: {error}", file=sys.stderr)
        build_seconds = time.perf_counter() - started
        passages = library.passage_count()

        questions: list[Question] = []
        for path in args.questions:
            questions += squad_questions(path) if path.suffix == ".json" else jsonl_questions(path)
        if args.deaccent_share > 0:
            step = max(1, round(1 / args.deaccent_share))
            questions = [
                Question(deaccent(q.text), q.gold, (q.kind or "q") + "-nodiac") if i % step == 0 else q
                for i, q in enumerate(questions)
            ]

        library.search("khởi động")  # warm-up
        per_kind: dict[str, list[tuple[int, float]]] = defaultdict(list)  # kind -> (hit@3, rr@10)
        latencies, abstained_right, negatives, false_abstain = [], 0, 0, 0
        for question in questions:
            result = library.search(question.text, top_k=10)
            latencies.append(result.took_ms)
            if not question.gold:
                negatives += 1
                abstained_right += not result.answered
                continue
            rank = next(
                (h.rank for h in result.hits if any(g in h.passage.text for g in question.gold)), None
            )
            if not result.answered:
                false_abstain += 1
                rank_if_answered = rank
                rank = None
                if args.show_misses:
                    print(f"ABSTAINED (rank would be {rank_if_answered}): {question.text}")
            elif args.show_misses and (rank is None or rank > 3):
                top = result.hits[0].passage.text[:100] if result.hits else ""
                print(f"MISS rank={rank}: {question.text}  | top: {top}")
            per_kind[question.kind].append((int(rank is not None and rank <= 3), 1 / rank if rank else 0.0))

    answerable = [x for rows in per_kind.values() for x in rows]
    print(f"corpus: {args.corpus}  passages: {passages}  questions: {len(questions)} ({negatives} negative)")
    print(f"embedder: {embedder.name}")
    print(f"indexing: {build_seconds:.1f} s, {passages / build_seconds:.1f} passages/s")
    print(f"latency: p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms")
    if answerable:
        print(f"hit@3: {statistics.mean(h for h, _ in answerable):.3f}  MRR@10: {statistics.mean(r for _, r in answerable):.3f}"
              f"  (answerable {len(answerable)}, wrongly abstained {false_abstain})")
    if negatives:
        print(f"negatives abstained: {abstained_right}/{negatives}")
    for kind in sorted(per_kind):
        rows = per_kind[kind]
        print(f"  {kind:16s} n={len(rows):4d}  hit@3 {sum(h for h, _ in rows)}/{len(rows)} = {statistics.mean(h for h, _ in rows):.3f}"
              f"  MRR@10 {statistics.mean(r for _, r in rows):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
