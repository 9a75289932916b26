"""Right answers in a library of many documents: one library built from every corpus, every set asked of it.

    python bench/library_quality.py \\
        --library data/corpus eval/real/docs bench/data/xquad-vi/xquad.vi.json \\
        --questions bench/data/dev_questions.jsonl eval/real/questions.jsonl \\
                    bench/data/xquad-vi/xquad.vi.json bench/data/unanswerable.jsonl [--xquad-share 0.5] [--show-misses]

Each set keeps its own gold rule (bench/retrieval.py): substrings for the dev set, the real set's rule (passage
or citation, after norm()) for questions that name their document, the answer's paragraph for SQuAD JSON, and
abstention (SearchResult.answered is False) for gold []. Prints hit@3 and MRR@10 per source and per kind, the
paraphrase figure, the share of unanswerable questions abstained (per kind too), the share of answerable
questions abstained, and p50/p95 latency.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from percentiles import percentile
from retrieval import Question, add_corpus, matches, read_questions, show_top

from index.library import Library
from index.settings import IndexSettings, read_environment


@dataclass(frozen=True)
class Outcome:
    source: str  # the question file, as "folder/name"
    question: Question
    answered: bool
    rank: int | None  # of the first gold passage among the top 10, None when absent or abstained
    strict: int | None  # the same, counting only passages of the named document (real set)
    flagged_missing: bool  # the reply says a document the question names is not in the library
    took_ms: float


def source_name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def every_nth(questions: list[Question], share: float) -> list[Question]:
    """A deterministic subset: every round(1/share)-th question, from the first."""
    if share >= 1:
        return questions
    step = max(1, round(1 / share))
    return questions[::step]


def ask(library: Library, source: str, question: Question, show_misses: bool) -> Outcome:
    result = library.search(question.text, top_k=10)
    flagged = bool(result.missing)
    if question.negative:
        if show_misses and result.answered:
            says = f" (says missing: {', '.join(result.missing)})" if flagged else ""
            print(f"ANSWERED UNANSWERABLE [{source} {question.kind}]{says}: {question.text}")
            show_top(result.hits)
        return Outcome(source, question, result.answered, None, None, flagged, result.took_ms)
    rank = next((h.rank for h in result.hits if matches(h, question.gold, question)), None)
    strict = None
    if question.doc is not None:
        strict = next((h.rank for h in result.hits if h.document.source == question.doc and matches(h, question.gold, question)), None)
    if not result.answered:
        if show_misses:
            print(f"ABSTAINED (rank would be {rank}) [{source} {question.kind}]: {question.text}")
            show_top(result.hits)
        return Outcome(source, question, False, None, None, flagged, result.took_ms)
    if show_misses and (rank is None or rank > 3):
        print(f"MISS rank={rank} [{source} {question.kind}]{' ' + question.doc if question.doc else ''}: {question.text}")
        if question.names_doc:
            print(f"    gold: {' | '.join(question.gold)}")
        show_top(result.hits)
    return Outcome(source, question, True, rank, strict, flagged, result.took_ms)


def hit_row(label: str, outcomes: list[Outcome], strict: bool = False) -> str:
    ranks = [o.strict if strict else o.rank for o in outcomes]
    hit3 = statistics.mean(int(r is not None and r <= 3) for r in ranks)
    mrr = statistics.mean(1 / r if r else 0.0 for r in ranks)
    abstained = sum(not o.answered for o in outcomes)
    return f"  {label:44s} {len(outcomes):5d}  {hit3:6.3f}  {mrr:6.3f}  {abstained:5d} ({abstained / len(outcomes):.1%})"


def abstain_row(label: str, outcomes: list[Outcome]) -> str:
    abstained = sum(not o.answered for o in outcomes)
    flagged = sum(o.answered and o.flagged_missing for o in outcomes)
    return f"  {label:44s} {len(outcomes):5d}  {abstained:5d} ({abstained / len(outcomes):6.1%})  {flagged:5d}"


def report(outcomes: list[Outcome]) -> None:
    answerable = [o for o in outcomes if not o.question.negative]
    unanswerable = [o for o in outcomes if o.question.negative]
    if answerable:
        print(f"\nanswerable{'':36s} {'n':>5s}  {'hit@3':>6s}  {'MRR@10':>6s}  abstained")
        print(hit_row("all", answerable))
        paraphrases = [o for o in answerable if "paraphrase" in o.question.kind]
        if paraphrases:
            print(hit_row("paraphrase (kinds named so, any set)", paraphrases))
        by_source: dict[str, list[Outcome]] = defaultdict(list)
        by_kind: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
        for o in answerable:
            by_source[o.source].append(o)
            by_kind[o.source, o.question.kind].append(o)
        for source, rows in by_source.items():
            print(hit_row(source, rows))
            for (kind_source, kind), kind_rows in sorted(by_kind.items()):
                if kind_source == source:
                    print(hit_row(f"  {kind}", kind_rows))
        named = [o for o in answerable if o.question.doc is not None]
        if named:
            print(hit_row("strict: only the named document's passages", named, strict=True))
    if unanswerable:
        print(f"\nunanswerable{'':34s} {'n':>5s}  abstained        answered but says a named document is missing")
        print(abstain_row("all", unanswerable))
        groups: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
        for o in unanswerable:
            groups[o.source, o.question.kind or "negative"].append(o)
        for (source, kind), rows in groups.items():
            print(abstain_row(f"{source} {kind}", rows))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--library", type=Path, nargs="+", required=True, help="folders, files or SQuAD JSON to index together")
    parser.add_argument("--questions", type=Path, nargs="+", required=True, help="JSON Lines or SQuAD JSON question sets")
    parser.add_argument("--xquad-share", type=float, default=1.0, help="ask this share of each SQuAD JSON set's questions (every n-th)")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--data-dir", type=Path, help="keep the built library here and reuse it on the next run "
                        "(the same --library sources; index again after a change to reading or indexing)")
    args = parser.parse_args()

    settings = IndexSettings.from_env(read_environment())
    embedder = settings.load_embedder()
    sets = []
    for path in args.questions:
        questions = read_questions(path)
        sets.append((source_name(path), every_nth(questions, args.xquad_share) if path.suffix == ".json" else questions))
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch)
        reused = (data_dir / "index.sqlite3").exists()
        library = Library(data_dir, embedder)
        try:
            started = time.perf_counter()
            failed = [] if reused else [failure for corpus in args.library for failure in add_corpus(library, corpus)]
            build_seconds = time.perf_counter() - started
            documents, passages = len(library.documents()), library.passage_count()
            library.search("khởi động")  # warm-up
            outcomes = [ask(library, source, q, args.show_misses) for source, questions in sets for q in questions]
        finally:
            library.close()

    print(f"\nlibrary: {', '.join(str(p) for p in args.library)}")
    built = f"reused from {data_dir}" if reused else f"indexed in {build_seconds:.1f} s"
    print(f"  {documents} documents, {passages} passages, {built}; embedder {embedder.name}")
    for name, error in failed:
        print(f"  failed: {name}: {error}")
    negatives = sum(o.question.negative for o in outcomes)
    share = f", SQuAD share {args.xquad_share}" if args.xquad_share < 1 else ""
    print(f"questions: {len(outcomes)} ({len(outcomes) - negatives} answerable, {negatives} unanswerable){share}")
    latencies = [o.took_ms for o in outcomes]
    print(f"latency: p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms")
    report(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
