"""Bot latency: from an update being available to its sendMessage reaching the (fake) Bot API.

    python bench/bot_latency.py                       # index the shipped corpus in a temp dir
    python bench/bot_latency.py --data-dir data/index  # reuse an index (built there if missing)

The real Application polls a FakeBotApi on 127.0.0.1 (tests/fake_bot_api.py). Questions from
dev_questions.jsonl, cycled, are queued one at a time, each from a different user (as members
would ask; the per-user limit is not what is measured). Prints p50/p95/max, and the search alone
for comparison (in a worker thread, as the bot runs it). Target: p50 <= 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from percentiles import percentile  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.config import BotConfig  # noqa: E402
from bot.state import BotState  # noqa: E402
from index.library import DB_NAME, Library, build_library  # noqa: E402
from index.settings import SHIPPED_CORPUS, IndexSettings, read_environment  # noqa: E402
from tests.fake_bot_api import TOKEN, FakeBotApi  # noqa: E402

WARM_UP = 3


def open_index(settings: IndexSettings) -> Library:
    embedder = settings.load_embedder()
    if (settings.data_dir / DB_NAME).exists():
        return Library(settings.data_dir, embedder)
    print(f"indexing {SHIPPED_CORPUS} into {settings.data_dir} …", file=sys.stderr)
    return build_library(settings.data_dir, embedder, [SHIPPED_CORPUS])[0]


async def measure(fake: FakeBotApi, config: BotConfig, library: Library, state: BotState, questions: list[str]) -> list[float]:
    application = build_application(config, library, state)
    timings: list[float] = []
    async with application:
        await application.start()
        await application.updater.start_polling(timeout=10, poll_interval=0)
        for number, question in enumerate(questions):
            chat = 100_000 + number
            started = time.perf_counter()
            fake.queue_message(chat, question)
            await asyncio.to_thread(fake.wait_for, "sendMessage", number + 1, 60.0)
            timings.append((time.perf_counter() - started) * 1000)
        await application.updater.stop()
        await application.stop()
    return timings[WARM_UP:]


def time_search(library: Library, question: str) -> float:
    started = time.perf_counter()
    library.search(question, top_k=12)
    return (time.perf_counter() - started) * 1000


def report(label: str, values: list[float]) -> None:
    print(f"{label:<27} n={len(values):<4} p50={percentile(values, 0.5):7.1f} ms  "
          f"p95={percentile(values, 0.95):7.1f} ms  max={max(values):7.1f} ms  mean={statistics.mean(values):7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="index folder to reuse (built there from data/corpus if empty)")
    parser.add_argument("--questions", type=Path, default=Path(__file__).parent / "data" / "dev_questions.jsonl")
    parser.add_argument("-n", type=int, default=100, help="questions to time (default 100)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)

    rows = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [rows[i % len(rows)]["q"] for i in range(args.n + WARM_UP)]
    with tempfile.TemporaryDirectory() as scratch:
        settings = IndexSettings.from_env(read_environment(), str(args.data_dir or Path(scratch) / "index"))
        library = open_index(settings)
        with ThreadPoolExecutor(1) as worker:  # off the main thread, as the bot calls it
            searches = list(worker.map(lambda q: time_search(library, q), questions[WARM_UP:]))
        state = BotState(Path(scratch) / "bot.sqlite3")
        with FakeBotApi() as fake:
            config = BotConfig(index=settings, token=TOKEN, api_root=fake.root)
            timings = asyncio.run(measure(fake, config, library, state, questions))
            failed = [c for c in fake.calls("sendMessage") if not c.ok]
        state.close()
        library.close()
    report("search alone, back to back", searches)
    report("update -> sendMessage", timings)
    if failed:
        print(f"{len(failed)} sendMessage calls were refused by the fake: {failed[0].response}", file=sys.stderr)
        return 1
    print(f"target p50 <= 300 ms: {'met' if percentile(timings, 0.5) <= 300 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
