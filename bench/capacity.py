"""Capacity: questions per second one bot process sustains with p95 under 1 s, through the real Application.

    python bench/capacity.py --data-dir /tmp/scale/n100000 --synthetic   # an index kept by bench/scale.py
    python bench/capacity.py                                             # the shipped corpus
    python bench/capacity.py --backend postgres --processes 1 2 --passages 100000 --rates 10 20 30 40
        # 1 then 2 bot processes on one PostgreSQL library (synthetic passages as bench/scale.py makes them)

Open loop: for each offered rate, questions from distinct users (so the per-user limit is not what is
measured) are queued at the fake Bot API at that pace for --seconds; the time from queueing to the
answer's sendMessage is recorded. Note the bot's own AIORateLimiter keeps it under Telegram's ~30
messages/s overall, and every private answer is two calls (typing action + message).

With --backend postgres, each of --processes bot processes is a worker with its own fake Bot API (as webhook
workers behind a load balancer each get their share of the updates), its own data directory (its cache of
the index) and one shared database for the library and the bot's state; the offered rate is split evenly
between them, started together, and their latencies are counted as one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bot.app import build_application  # noqa: E402
from bot.config import BotConfig  # noqa: E402
from bot.state import BotState  # noqa: E402
from bot_latency import open_index  # noqa: E402
from percentiles import percentile  # noqa: E402
from index.library import Library  # noqa: E402
from index.settings import IndexSettings, read_environment  # noqa: E402
from tests.fake_bot_api import TOKEN, FakeBotApi  # noqa: E402

P95_LIMIT_MS = 1000.0


async def offer(fake: FakeBotApi, questions: list[str], rate: float, seconds: float, first_chat: int) -> tuple[list[float], float]:
    """Queue rate*seconds questions at a steady pace; latencies (ms) of the answers and the elapsed time."""
    count = int(rate * seconds)
    queued: dict[int, float] = {}
    answered: dict[int, float] = {}
    collector = asyncio.create_task(_collect(fake, answered, len(fake.calls("sendMessage"))))
    started = time.perf_counter()
    for number in range(count):
        await asyncio.sleep(max(0.0, started + number / rate - time.perf_counter()))
        chat = first_chat + number
        queued[chat] = time.perf_counter()
        fake.queue_message(chat, questions[number % len(questions)])
    deadline = time.perf_counter() + 30
    while len(answered) < count and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    collector.cancel()
    elapsed = max(answered.values(), default=time.perf_counter()) - started
    latencies = [(answered[c] - queued[c]) * 1000 for c in queued if c in answered]
    latencies += [float("inf")] * (count - len(latencies))
    return latencies, elapsed


async def _collect(fake: FakeBotApi, answered: dict[int, float], seen: int) -> None:
    """Note when each answer reaches the fake server (polled every 2 ms)."""
    while True:
        calls = fake.calls("sendMessage")
        now = time.perf_counter()
        for call in calls[seen:]:
            answered.setdefault(int(call.params["chat_id"]), now)
        seen = len(calls)
        await asyncio.sleep(0.002)


async def run(config: BotConfig, library: Library, state: BotState, fake: FakeBotApi, questions: list[str], rates: list[float], seconds: float) -> None:
    application = build_application(config, library, state)
    async with application:
        await application.start()
        await application.updater.start_polling(timeout=10, poll_interval=0)
        await offer(fake, questions, 2, 2, first_chat=1)  # warm-up
        for step, rate in enumerate(rates, start=1):
            latencies, elapsed = await offer(fake, questions, rate, seconds, first_chat=step * 1_000_000)
            report(rate, latencies, elapsed)
        await application.updater.stop()
        await application.stop()


def report(rate: float, latencies: list[float], elapsed: float) -> None:
    done = [x for x in latencies if x != float("inf")]
    p95 = percentile(latencies, 0.95)
    print(f"offered {rate:5.1f} q/s  answered {len(done)}/{len(latencies)}  throughput {len(done) / elapsed:5.1f} q/s  "
          f"p50 {percentile(latencies, 0.5):7.1f} ms  p95 {p95:7.1f} ms  {'ok' if p95 <= P95_LIMIT_MS else 'OVER 1 s'}",
          flush=True)


# ------------------------------------------------------------------------ several processes, one database
def build_shared_library(url: str, data_dir: Path, passages: int | None) -> int:
    """The shipped corpus, or `passages` synthetic ones (bench/scale.py's), in the database; returns the count."""
    from index.library import build_library
    from index.settings import SHIPPED_CORPUS

    if passages:
        from scale import PASSAGES_PER_DOCUMENT, PassageGenerator, SyntheticPassageEmbedder, real_embedder

        library = Library(data_dir, SyntheticPassageEmbedder(real_embedder()), database_url=url)
        generator, documents = PassageGenerator(), passages // PASSAGES_PER_DOCUMENT
        for start in range(0, documents, 1000):
            library.add_documents(generator.documents(min(1000, documents - start), start))
    else:
        library = build_library(data_dir, IndexSettings().load_embedder(), [SHIPPED_CORPUS], database_url=url)[0]
    count = library.passage_count()
    library.close()
    return count


def shared_database_capacity(args: argparse.Namespace) -> int:
    from databases import database_server, fresh_database

    root = Path(tempfile.mkdtemp(prefix="vankien-capacity-"))
    with database_server("postgres", args.database_url) as server:
        url = fresh_database(server, "vankien_capacity")
        count = build_shared_library(url, root / "builder", args.passages)
        print(f"library in PostgreSQL: {count} passages ({'synthetic' if args.passages else 'shipped corpus'})", flush=True)
        for processes in args.processes:
            print(f"--- {processes} bot process(es) on one database", flush=True)
            for step, rate in enumerate(args.rates, start=1):
                busy_before = machine_busy()
                latencies, elapsed, cpu_ms = run_workers(url, root, processes, rate, args.seconds, step, bool(args.passages))
                busy = machine_busy() - busy_before
                report(rate, latencies, elapsed)
                answered = sum(x != float("inf") for x in latencies)
                print(f"    bot processes' CPU {cpu_ms / max(1, answered):5.1f} ms a question; the machine's cores busy "
                      f"{busy.busy / busy.total:.0%} over the step (workers' start included)", flush=True)
    return 0


@dataclass(frozen=True)
class CpuTimes:
    busy: int
    total: int

    def __sub__(self, other: "CpuTimes") -> "CpuTimes":
        return CpuTimes(self.busy - other.busy, self.total - other.total)


def machine_busy() -> CpuTimes:
    """All cores' busy and total jiffies so far (/proc/stat): the bot, its fake API, PostgreSQL, everything."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return CpuTimes(sum(values) - idle, sum(values))


def run_workers(url: str, root: Path, processes: int, rate: float, seconds: float, step: int,
                synthetic: bool) -> tuple[list[float], float, float]:
    """Latencies (ms), elapsed seconds and the workers' CPU milliseconds while offering."""
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", str(number), "--database-url", url, "--data-dir", str(root / f"worker-{number}"),
             "--rates", str(rate / processes), "--seconds", str(seconds), "--step", str(step), *(["--synthetic"] if synthetic else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        for number in range(processes)
    ]
    for worker in workers:
        if worker.stdout.readline().strip() != "ready":
            raise RuntimeError("a bot worker failed to start")
    for worker in workers:  # together
        worker.stdin.write("go\n")
        worker.stdin.flush()
    latencies: list[float] = []
    elapsed = cpu_ms = 0.0
    for worker in workers:
        result = json.loads(worker.stdout.readline())
        latencies += [float("inf") if x is None else x for x in result["latencies"]]
        elapsed = max(elapsed, result["elapsed"])
        cpu_ms += result["cpu_ms"]
        worker.wait(60)
    return latencies, elapsed, cpu_ms


def worker(args: argparse.Namespace, questions: list[str]) -> int:
    """One bot process of several: warm up, say ready, wait for go, offer its share, print its latencies."""
    from bot.storage import open_state

    settings = IndexSettings(data_dir=args.data_dir, database_url=args.database_url)
    if args.synthetic:
        from scale import SyntheticPassageEmbedder, real_embedder

        library = Library(settings.data_dir, SyntheticPassageEmbedder(real_embedder()), database_url=args.database_url)
    else:
        library = Library(settings.data_dir, settings.load_embedder(), database_url=args.database_url)
    with FakeBotApi() as fake:
        config = BotConfig(index=settings, token=TOKEN, api_root=fake.root)
        state = open_state(config)
        latencies, elapsed, cpu_ms = asyncio.run(worker_run(config, library, state, fake, questions, args))
        state.close()
    print(json.dumps({"latencies": [None if x == float("inf") else x for x in latencies], "elapsed": elapsed,
                      "cpu_ms": cpu_ms}), flush=True)
    library.close()
    return 0


async def worker_run(config: BotConfig, library: Library, state, fake: FakeBotApi, questions: list[str],
                     args: argparse.Namespace) -> tuple[list[float], float, float]:
    application = build_application(config, library, state)
    async with application:
        await application.start()
        await application.updater.start_polling(timeout=10, poll_interval=0)
        first_chat = 1 + args.worker * 100_000_000 + args.step * 1_000_000
        await offer(fake, questions, 2, 2, first_chat=first_chat)  # warm-up
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        cpu_before = time.process_time()
        latencies, elapsed = await offer(fake, questions, args.rates[0], args.seconds, first_chat=first_chat + 100_000)
        cpu_ms = (time.process_time() - cpu_before) * 1000  # this process: the bot and its fake Bot API's threads
        await application.updater.stop()
        await application.stop()
    return latencies, elapsed, cpu_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--synthetic", action="store_true", help="the index was built by bench/scale.py (synthetic passage vectors)")
    parser.add_argument("--rates", type=float, nargs="+", default=[2, 5, 10, 15, 20, 30])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--backend", choices=["files", "postgres"], default="files")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="with --backend postgres: bot processes")
    parser.add_argument("--passages", type=int, help="with --backend postgres: this many synthetic passages, not the shipped corpus")
    parser.add_argument("--database-url", help="with --backend postgres: the server (default: one from the pgserver wheel)")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--step", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    rows = [json.loads(line) for line in (Path(__file__).parent / "data" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    questions = [row["q"] for row in rows]
    if args.worker is not None:
        return worker(args, questions)
    if args.backend == "postgres":
        return shared_database_capacity(args)
    with tempfile.TemporaryDirectory() as scratch:
        settings = IndexSettings.from_env(read_environment(), str(args.data_dir or Path(scratch) / "index"))
        if args.synthetic:
            from scale import SyntheticPassageEmbedder, real_embedder

            library = Library(settings.data_dir, SyntheticPassageEmbedder(real_embedder()))
        else:
            library = open_index(settings)
        print(f"index: {settings.data_dir}  passages: {library.passage_count()}  embedder: {library.embedder.name}")
        state = BotState(Path(scratch) / "bot.sqlite3")
        with FakeBotApi() as fake:
            config = BotConfig(index=settings, token=TOKEN, api_root=fake.root)
            asyncio.run(run(config, library, state, fake, questions, args.rates, args.seconds))
        state.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
