"""The real bot Application polling a FakeBotApi, for end-to-end tests and the latency bench."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, Awaitable, Callable

from telegram.ext import Application

from bot.app import build_application
from bot.config import BotConfig
from bot.state import BotState
from index.library import Library
from index.settings import IndexSettings
from tests.fake_bot_api import TOKEN, Call, FakeBotApi


def bot_config(fake: FakeBotApi, data_dir: Path, **changes: Any) -> BotConfig:
    """What `python -m bot` would read with TELEGRAM_API_ROOT pointing at the fake."""
    config = BotConfig(index=IndexSettings(data_dir=data_dir), token=TOKEN, api_root=fake.root)
    return replace(config, **changes)


class RunningBot:
    """`async with RunningBot(...) as bot:` builds the Application, starts polling, collects errors."""

    def __init__(self, fake: FakeBotApi, config: BotConfig, library: Library, state: BotState) -> None:
        self.fake, self.config, self.library, self.state = fake, config, library, state
        self.errors: list[BaseException] = []
        self.app: Application | None = None
        self._seen: Counter[str] = Counter()

    async def __aenter__(self) -> "RunningBot":
        self.app = build_application(self.config, self.library, self.state)
        self.app.add_error_handler(self._collect)
        await self.app.initialize()
        await self.app.start()
        await self.app.updater.start_polling(timeout=1, poll_interval=0, drop_pending_updates=False)
        self._seen = Counter(call.method for call in self.fake.calls())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()
        await self.app.post_shutdown(self.app)  # what run_polling does last (post_init is left to the tests)

    async def _collect(self, update: object, context: Any) -> None:
        self.errors.append(context.error)

    async def next(self, method: str = "sendMessage", timeout: float = 20.0) -> Call:
        """The next `method` call after those already returned (or made before the bot started)."""
        return (await self.next_calls(1, method, timeout))[0]

    async def next_calls(self, count: int, method: str = "sendMessage", timeout: float = 20.0) -> list[Call]:
        """The next `count` calls of `method`, waited for in one thread.

        One waiting thread, not one per call: the bot's searches run in the same default executor.
        """
        start = self._seen[method]
        self._seen[method] += count
        calls = await self.fake.async_wait_for(method, self._seen[method], timeout)
        return calls[start:]

    def unseen(self, method: str) -> list[Call]:
        """Calls of `method` not yet returned by next/next_calls (for "nothing else was sent")."""
        return self.fake.calls(method)[self._seen[method] :]


def run_bot(
    fake: FakeBotApi, config: BotConfig, library: Library, state: BotState,
    scenario: Callable[[RunningBot], Awaitable[Any]],
) -> tuple[Any, list[BaseException]]:
    """asyncio.run a scenario against a freshly started bot; returns its result and the handler errors."""

    async def main() -> tuple[Any, list[BaseException]]:
        async with RunningBot(fake, config, library, state) as bot:
            return await scenario(bot), bot.errors

    return asyncio.run(main())



def run_with_state(
    fake: FakeBotApi, config: BotConfig, library: Library, state_path: Path,
    scenario: Callable[[RunningBot], Awaitable[Any]],
) -> Any:
    """run_bot with the bot's state opened from `state_path` and closed after; asserts no handler failed."""
    state = BotState(state_path)
    try:
        result, errors = run_bot(fake, config, library, state, scenario)
    finally:
        state.close()
    assert errors == []
    return result


def buttons(message: dict) -> dict[str, str]:
    """Button label -> callback data, for a message as Telegram stores it."""
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row}


def ask_once(fake: FakeBotApi, library: Library, state_path: Path, question: str, chat: int) -> dict:
    """A first bot process answers `question` in `chat`; returns the answer message as Telegram stored it."""
    state = BotState(state_path)

    async def scenario(bot: RunningBot) -> dict:
        fake.queue_message(chat, question)
        return (await bot.next()).result

    try:
        answer, errors = run_bot(fake, bot_config(fake, library.data_dir), library, state, scenario)
    finally:
        state.close()
    assert errors == []
    return answer


def press_after_restart(
    fake: FakeBotApi, library: Library, state_path: Path, answer: dict, *labels: str, chat: int
) -> tuple[list[Call], list[BaseException]]:
    """A second bot process, over the same data dir and state file, gets the presses on `answer`."""
    reopened = Library(library.data_dir, library.embedder)
    state = BotState(state_path)

    async def scenario(bot: RunningBot) -> list[Call]:
        for label in labels:
            fake.queue_callback(chat, buttons(answer)[label], message_id=answer["message_id"])
        return await bot.next_calls(len(labels), "answerCallbackQuery")

    try:
        return run_bot(fake, bot_config(fake, library.data_dir), reopened, state, scenario)
    finally:
        state.close()
        reopened.close()
