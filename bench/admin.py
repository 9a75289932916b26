"""Admin bench: time to add a 30-passage document, and broadcast throughput against the fake Bot API.

    python bench/admin.py                  # 200 subscribed chats
    python bench/admin.py --chats 1000

Adding: a generated 30-paragraph Vietnamese document is added to an index already holding the shipped
corpus (library.add_file, as the bot's upload handler runs it), three times with different content.
Broadcasting: the real Application (with PTB's AIORateLimiter, as app.py builds it) delivers one
announcement to N subscribed private chats through a FakeBotApi on 127.0.0.1; the limiter's 30
messages/s overall is the expected ceiling. Group chats would add 20/min each, so they are not used here.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.admin_store import DB_NAME as ADMIN_DB  # noqa: E402
from bot.admin_store import AdminStore  # noqa: E402
from bot.context import Services  # noqa: E402
from bot.state import BotState  # noqa: E402
from index.library import build_library  # noqa: E402
from index.settings import SHIPPED_CORPUS, IndexSettings  # noqa: E402
from tests.bot_harness import RunningBot, bot_config  # noqa: E402
from tests.fake_bot_api import FakeBotApi  # noqa: E402


def document_text(variant: int, passages: int = 30) -> str:
    lines = [f"Nghị quyết {variant}-NQ/TU về nâng cao chất lượng sinh hoạt chi bộ, giai đoạn {variant}", ""]
    for n in range(1, passages + 1):
        lines += [f"Điều {n}. Nội dung thứ {n} của văn bản số {variant}: các chi bộ tổ chức sinh hoạt chuyên đề "
                  f"hằng tháng, đánh giá kết quả thực hiện nhiệm vụ {n} và kiểm điểm trách nhiệm người đứng đầu.", ""]
    return "\n".join(lines)


def bench_add(data_dir: Path, work: Path) -> list[float]:
    settings = IndexSettings(data_dir=data_dir)
    library, _ = build_library(data_dir, settings.load_embedder(), [SHIPPED_CORPUS])
    timings = []
    try:
        for variant in range(1, 4):
            path = work / f"nghi-quyet-{variant}.txt"
            path.write_text(document_text(variant), encoding="utf-8")
            started = time.perf_counter()
            outcome = library.add_file(path)
            timings.append(time.perf_counter() - started)
            assert len(outcome.passages) >= 30, len(outcome.passages)
    finally:
        library.close()
    return timings


async def bench_broadcast(data_dir: Path, chats: int) -> float:
    settings = IndexSettings(data_dir=data_dir)
    from index.library import Library

    library = Library(data_dir, settings.load_embedder())
    store = AdminStore(data_dir / ADMIN_DB)
    for chat in range(1, chats + 1):
        store.subscribe(100_000 + chat, f"chat {chat}")
    store.close()
    state = BotState(data_dir / "bench-bot.sqlite3")
    with FakeBotApi() as fake:
        config = bot_config(fake, data_dir, admin_ids=frozenset({1}))
        async with RunningBot(fake, config, library, state) as bot:
            services = Services.of(bot.app)
            started = time.perf_counter()
            services.admin_store.announce("Thông báo thử <b>tốc độ</b> gửi.")
            services.broadcaster.kick()
            await services.broadcaster.idle()
            elapsed = time.perf_counter() - started
            sent = sum(1 for c in fake.calls("sendMessage") if c.ok)
    state.close()
    library.close()
    assert sent == chats, (sent, chats)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=200)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, work = Path(tmp) / "index", Path(tmp)
        timings = bench_add(data_dir, work)
        print(f"add a 30-passage document: {', '.join(f'{t * 1000:.0f} ms' for t in timings)}"
              f" (min {min(timings) * 1000:.0f} ms)")
        elapsed = asyncio.run(bench_broadcast(data_dir, args.chats))
        print(f"broadcast to {args.chats} chats: {elapsed:.2f} s, {args.chats / elapsed:.1f} messages/s "
              f"(AIORateLimiter ceiling: 30/s)")


if __name__ == "__main__":
    main()
