"""Capacity: questions per second one bot process sustains with p95 under 1 s, through the real Application.

    python bench/capacity.py --data-dir /tmp/scale/n100000 --synthetic   # an index kept by bench/scale.py
    python bench/capacity.py                                             # the shipped corpus

Open loop: for each offered rate, questions from distinct users (so the per-user limit is not what is
measured) are queued at the fake Bot API at that pace for --seconds; the time from queueing to the
answer's sendMessage is recorded. Note the bot's own AIORateLimiter keeps it under Telegram's ~30
messages/s overall, and every private answer is two calls (typing action + message).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
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
            done = [x for x in latencies if x != float("inf")]
            p95 = percentile(latencies, 0.95)
            print(f"offered {rate:5.1f} q/s  answered {len(done)}/{len(latencies)}  throughput {len(done) / elapsed:5.1f} q/s  "
                  f"p50 {percentile(latencies, 0.5):7.1f} ms  p95 {p95:7.1f} ms  {'ok' if p95 <= P95_LIMIT_MS else 'OVER 1 s'}",
                  flush=True)
        await application.updater.stop()
        await application.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--synthetic", action="store_true", help="the index was built by bench/scale.py (synthetic passage vectors)")
    parser.add_argument("--rates", type=float, nargs="+", default=[2, 5, 10, 15, 20, 30])
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    rows = [json.loads(line) for line in (Path(__file__).parent / "data" / "dev_questions.jsonl").read_text(encoding="utf-8").splitlines()]
    questions = [row["q"] for row in rows]
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
