"""Deliver queued announcements to subscribed chats, one copy each, surviving 429s and restarts.

Every (broadcast, chat) is a row in AdminStore; a chat is marked sent right after Telegram accepts the
message. Pacing (≤ 30 messages/s overall, ≤ 20/min per group) is PTB's AIORateLimiter, set in app.py;
a RetryAfter that outlasts its retries is waited out here. A chat that blocked or removed the bot is
unsubscribed. The task runs through `application.create_task`, so `Application.stop` waits for the
message in flight and the loop stops before the next one: nothing is half-sent across a restart.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application

from bot.admin_store import FAILED, SENT, AdminStore, Delivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # network failures per delivery before it is marked failed
BATCH = 100
LOOK_AGAIN_SECONDS = 5.0  # several processes on one database: how often each looks for deliveries left pending


def _seconds(retry_after: int | float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


class Broadcaster:
    def __init__(self, store: AdminStore, application: Application) -> None:
        self.store = store
        self.application = application
        self._task: asyncio.Task | None = None
        self._resuming: asyncio.Task | None = None
        self._looking: asyncio.Task | None = None
        self._again = False
        self._attempts: dict[tuple[int, int], int] = {}

    def kick(self) -> None:
        """Start delivering pending messages, or tell the running loop to look again when it runs dry."""
        self._again = True
        if not self.application.running:
            return  # resume() kicks again once the application has started
        if self._task is None or self._task.done():
            self._task = self.application.create_task(self._run(), name="vankien-broadcast")

    def resume(self) -> None:
        """Deliver what a restart left pending, as soon as the application is running.

        For post_init, which run_polling/run_webhook call before `Application.start`: a kick there would
        find the application stopped and deliver nothing until the next announcement.
        """
        self._resuming = asyncio.get_running_loop().create_task(self._kick_once_running(), name="vankien-resume")

    def look_every(self, seconds: float = LOOK_AGAIN_SECONDS) -> None:
        """Kick every `seconds` while the application runs (post_init, when other processes share the store).

        A process that dies mid-broadcast leaves its claimed deliveries pending until their lease runs out;
        nothing tells the others, so each looks again from time to time and the first to look sends them.
        """
        self._looking = asyncio.get_running_loop().create_task(self._kick_every(seconds), name="vankien-look-again")

    def cancel_resume(self) -> None:
        """post_shutdown: stop looking again, and resuming if the application stopped before it ever ran."""
        for task in (self._resuming, self._looking):
            if task is not None:
                task.cancel()

    async def _kick_every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            self.kick()

    async def _kick_once_running(self) -> None:
        while not self.application.running:
            await asyncio.sleep(0.05)
        self.kick()

    async def idle(self) -> None:
        """Wait until nothing is being delivered (tests and the bench)."""
        while any(task is not None and not task.done() for task in (self._resuming, self._task)):
            await asyncio.sleep(0.02)

    async def _run(self) -> None:
        while self._again and self.application.running:
            self._again = False
            while self.application.running and (batch := await asyncio.to_thread(self.store.pending, BATCH)):
                for delivery in batch:
                    if not self.application.running:
                        return
                    await self._deliver(delivery)

    async def _deliver(self, delivery: Delivery) -> None:
        key = (delivery.broadcast_id, delivery.chat_id)
        try:
            await self.application.bot.send_message(delivery.chat_id, delivery.text, parse_mode=ParseMode.HTML)
        except RetryAfter as error:
            log.warning("Telegram yêu cầu chờ %.0f giây khi gửi thông báo", _seconds(error.retry_after))
            await asyncio.sleep(_seconds(error.retry_after))
            return  # still pending: the loop comes back to it
        except Forbidden as error:
            log.info("Nhóm %s đã chặn hoặc xoá bot: huỷ đăng ký (%s)", delivery.chat_id, error.message)
            await asyncio.to_thread(self.store.mark, delivery, FAILED, error.message)
            await asyncio.to_thread(self.store.unsubscribe, delivery.chat_id)
            return
        except BadRequest as error:
            await asyncio.to_thread(self.store.mark, delivery, FAILED, error.message)
            if "chat not found" in error.message.lower():
                await asyncio.to_thread(self.store.unsubscribe, delivery.chat_id)
            return
        except NetworkError as error:
            self._attempts[key] = self._attempts.get(key, 0) + 1
            if self._attempts[key] >= MAX_ATTEMPTS:
                await asyncio.to_thread(self.store.mark, delivery, FAILED, error.message)
            else:
                await asyncio.sleep(0.5 * self._attempts[key])
            return
        await asyncio.to_thread(self.store.mark, delivery, SENT)
