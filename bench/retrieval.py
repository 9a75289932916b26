"""Retrieval benchmark: hit@3, MRR@10, per-kind counts, query latency and indexing rate.

    python bench/retrieval.py data/corpus bench/data/dev_questions.jsonl
    python bench/retrieval.py bench/data/xquad-vi/xquad.vi.json bench/data/xquad-vi/xquad.vi.json --deaccent-share 0.25

    python bench/retrieval.py eval/real/docs eval/real/questions.jsonl [--show-misses]
    python bench/retrieval.py ... --backend postgres [--database-url URL]   # the library in PostgreSQL

CORPUS is a folder or files of documents, or a SQuAD-format JSON (one document per article, one
passage per paragraph). QUESTIONS are JSON Lines {"q", "gold": [substrings], "kind"} or the same
SQuAD JSON (gold = the paragraph holding the answer). Gold passages are counted by their text.

Questions that name their document ({"doc": file name or null}, the real-document set) are scored by
that set's rule instead: a hit when the passage text or the citation shown with it (title, number,
type, issuer, date, signer, division path) contains a gold string after norm(); also a stricter
variant counting only passages of the named document. "doc": null or kind "negative" is a negative.
Files of a folder are added one by one through Library.add_files, as uploads are, and failures listed.
bench/library_quality.py asks every set at once of one library built from several corpora.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from databases import BACKENDS, database_server, fresh_database  # noqa: E402
from percentiles import percentile  # noqa: E402
from index.documents import Document, Passage, SearchHit  # noqa: E402
from index.library import Library  # noqa: E402
from index.settings import IndexSettings, read_environment  # noqa: E402
from index.vietnamese import fold  # noqa: E402


@dataclass
class Question:
    text: str
    gold: list[str]  # a passage answers when its text contains one of these
    kind: str
    doc: str | None = None  # the file the answer comes from (real-document set); None: any, or a negative
    names_doc: bool = False  # the question carries "doc": scored by the real set's rule

    @property
    def negative(self) -> bool:
        return not self.gold or self.kind == "negative" or (self.names_doc and self.doc is None)


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
    return [Question(r["q"], r["gold"], r.get("kind", ""), r.get("doc"), "doc" in r) for r in rows]


def norm(text: str) -> str:
    """The real set's matching form: NFC, diacritics folded (đ→d), case folded, whitespace collapsed."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").replace("đ", "d").replace("Đ", "D")
    return re.sub(r"\s+", " ", text).strip().lower()


def short_date(iso: str | None) -> list[str]:
    """ "2025-05-26" -> ["26/5/2025", "26/05/2025"], "2025-08" -> ["8/2025", "08/2025"]: as a citation shows it."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", (iso or "").strip())
    if not m:
        return []
    year, month, day = m[1], m[2], m[3]
    parts = [p for p in (day, month) if p]
    return ["/".join([*(str(int(p)) for p in parts), year]), "/".join([*parts, year])] if parts else [year]


def citation(document: Document, passage: Passage) -> str:
    """What a result is cited with: title, number, type, issuer, date (ISO and d/m/yyyy), signer, division path."""
    parts = [document.title, document.code, *document.codes, document.doc_type, document.issuer, document.date,
             *short_date(document.date), document.signer, document.signer_title, passage.path_label()]
    return " · ".join(dict.fromkeys(p for p in parts if p))  # each once: the code is often in the title too


def matches(hit: SearchHit, gold: list[str], question: Question) -> bool:
    if not question.names_doc:  # dev set and SQuAD: the passage text holds a gold string as written
        return any(g in hit.passage.text for g in gold)
    shown = norm(hit.passage.text + " \n " + citation(hit.document, hit.passage))
    return any(norm(g) in shown for g in gold)


def read_questions(path: Path) -> list[Question]:
    """A SQuAD JSON or a JSON Lines question file, told apart by the suffix."""
    return squad_questions(path) if path.suffix == ".json" else jsonl_questions(path)


def add_corpus(library: Library, corpus: Path) -> list[tuple[str, str]]:
    """Index a SQuAD JSON (as parsed documents) or a folder/file (through add_files, as uploads are); the failures."""
    if corpus.suffix == ".json":
        library.add_documents(squad_documents(corpus))
        return []
    report = library.add_files(corpus_files(corpus))
    for name, error in report.errors:
        print(f"error: {name}: {error}", file=sys.stderr)
    return [(name, f"{type(error).__name__}: {error}") for name, error in report.errors]


def corpus_files(corpus: Path) -> list[Path]:
    """Every file under a folder (hidden ones aside), so an unsupported one is reported rather than skipped."""
    if corpus.is_dir():
        return sorted(p for p in corpus.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus).parts))
    return [corpus]


def rates(rows: list[tuple[int, float]]) -> str:
    if not rows:
        return "n=0"
    return (f"hit@3 {sum(h for h, _ in rows)}/{len(rows)} = {statistics.mean(h for h, _ in rows):.3f}"
            f"  MRR@10 {statistics.mean(r for _, r in rows):.3f}")


def show_top(hits, k: int = 3) -> None:
    for hit in hits[:k]:
        text = re.sub(r"\s+", " ", hit.passage.text)[:90]
        print(f"    {hit.rank}. [{hit.document.source}] {citation(hit.document, hit.passage)[:160]}\n       {text}")


def deaccent(text: str) -> str:
    return fold(text)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument("--deaccent-share", type=float, default=0.0, help="also ask this share of questions without diacritics")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--backend", choices=BACKENDS, default="files")
    parser.add_argument("--database-url", help="with --backend postgres: the server (default: one from the pgserver wheel)")
    args = parser.parse_args()

    settings = IndexSettings.from_env(read_environment())
    embedder = settings.load_embedder()
    with tempfile.TemporaryDirectory() as data_dir, database_server(args.backend, args.database_url) as server:
        database_url = None if server is None else fresh_database(server, "vankien_retrieval")
        library = Library(Path(data_dir), embedder, database_url=database_url)
        started = time.perf_counter()
        failed = add_corpus(library, args.corpus)
        build_seconds = time.perf_counter() - started
        passages = library.passage_count()

        questions: list[Question] = []
        for path in args.questions:
            questions += read_questions(path)
        if args.deaccent_share > 0:
            step = max(1, round(1 / args.deaccent_share))
            questions = [
                Question(deaccent(q.text), q.gold, (q.kind or "q") + "-nodiac") if i % step == 0 else q
                for i, q in enumerate(questions)
            ]

        library.search("khởi động")  # warm-up
        per_kind: dict[str, list[tuple[int, float]]] = defaultdict(list)  # kind -> (hit@3, rr@10)
        strict_kind: dict[str, list[tuple[int, float]]] = defaultdict(list)  # only the named document's passages
        latencies, abstained_right, negatives, false_abstain = [], 0, 0, 0
        for question in questions:
            result = library.search(question.text, top_k=10)
            latencies.append(result.took_ms)
            if question.negative:
                negatives += 1
                abstained_right += not result.answered
                if args.show_misses and result.answered:
                    print(f"ANSWERED NEGATIVE: {question.text}")
                    show_top(result.hits)
                continue
            rank = next((h.rank for h in result.hits if matches(h, question.gold, question)), None)
            strict = None
            if question.doc is not None:
                strict = next(
                    (h.rank for h in result.hits if h.document.source == question.doc and matches(h, question.gold, question)), None
                )
            if not result.answered:
                false_abstain += 1
                if args.show_misses:
                    print(f"ABSTAINED (rank would be {rank}) [{question.kind}]: {question.text}")
                    show_top(result.hits)
                rank = strict = None
            elif args.show_misses and (rank is None or rank > 3 or (question.doc is not None and (strict is None or strict > 3))):
                if question.names_doc:
                    print(f"MISS rank={rank} strict={strict} [{question.kind}] {question.doc}: {question.text}")
                    print(f"    gold: {' | '.join(question.gold)}")
                    show_top(result.hits)
                else:
                    top = result.hits[0].passage.text[:100] if result.hits else ""
                    print(f"MISS rank={rank}: {question.text}  | top: {top}")
            per_kind[question.kind].append((int(rank is not None and rank <= 3), 1 / rank if rank else 0.0))
            if question.doc is not None:
                strict_kind[question.kind].append((int(strict is not None and strict <= 3), 1 / strict if strict else 0.0))

    answerable = [x for rows in per_kind.values() for x in rows]
    print(f"corpus: {args.corpus}  passages: {passages}  questions: {len(questions)} ({negatives} negative)")
    print(f"embedder: {embedder.name}")
    print(f"indexing: {build_seconds:.1f} s, {passages / build_seconds:.1f} passages/s")
    print(f"latency: p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms")
    for name, error in failed:
        print(f"failed: {name}: {error}")
    if answerable:
        print(f"hit@3: {statistics.mean(h for h, _ in answerable):.3f}  MRR@10: {statistics.mean(r for _, r in answerable):.3f}"
              f"  (answerable {len(answerable)}, wrongly abstained {false_abstain})")
    if negatives:
        print(f"negatives abstained: {abstained_right}/{negatives}")
    for kind in sorted(per_kind):
        rows = per_kind[kind]
        print(f"  {kind:16s} n={len(rows):4d}  {rates(rows)}")
    strict_rows = [x for rows in strict_kind.values() for x in rows]
    if strict_rows:
        print(f"strict (only passages of the named document): {rates(strict_rows)}")
        for kind in sorted(strict_kind):
            rows = strict_kind[kind]
            print(f"  {kind:16s} n={len(rows):4d}  {rates(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
