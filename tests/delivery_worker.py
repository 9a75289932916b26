"""A bot process's delivery side, run as a child of the tests (tests/test_postgres_bot_state.py) to deliver a
broadcast from the PostgreSQL admin store next to other such processes.

python -m tests.delivery_worker claim URL WORKER LEASE BATCH LOG [STALL_AFTER]
    claims BATCH deliveries at a time and "sends" each by appending "broadcast chat" to LOG, then marks it sent,
    until nothing is left to claim; after STALL_AFTER sends it prints "stalled" and waits to be killed.
python -m tests.delivery_worker broadcast URL WORKER BASE_URL
    runs bot/broadcast.py's Broadcaster, unchanged, in a PTB Application sending to the Bot API at BASE_URL.

Either prints "ready" once its store is open, then waits for a line on stdin before it starts, so the tests
can start several at the same moment.
"""

from __future__ import annotations

import asyncio
import sys
import time

from telegram.ext import ApplicationBuilder

from bot.admin_store import SENT
from bot.broadcast import Broadcaster
from bot.postgres_admin_store import PostgresAdminStore
from tests.fake_bot_api import TOKEN


def wait_for_go() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


def claim(url: str, worker: str, lease: str, batch: str, log: str, stall_after: str = "-1") -> None:
    store = PostgresAdminStore(url, worker=worker, lease_seconds=float(lease))
    wait_for_go()
    sent = 0
    with open(log, "a", encoding="utf-8") as out:
        while deliveries := store.claim(int(batch)):
            for delivery in deliveries:
                if sent == int(stall_after):
                    print("stalled", flush=True)
                    time.sleep(3600)
                out.write(f"{delivery.broadcast_id} {delivery.chat_id}\n")
                out.flush()
                time.sleep(0.001)  # a send takes a while: let the other worker in
                store.mark(delivery, SENT)
                sent += 1
    store.close()


async def broadcast(url: str, worker: str, base_url: str) -> None:
    store = PostgresAdminStore(url, worker=worker)
    application = ApplicationBuilder().token(TOKEN).base_url(base_url).updater(None).build()
    async with application:
        await application.start()
        broadcaster = Broadcaster(store, application)
        await asyncio.to_thread(wait_for_go)
        broadcaster.kick()
        await broadcaster.idle()
        await application.stop()
    store.close()


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "claim":
        claim(*args)
    else:
        asyncio.run(broadcast(*args))
