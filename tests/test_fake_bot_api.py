"""The fake Bot API answers the real PTB the way Telegram does, including its refusals."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from tests.fake_bot_api import BOT_ID, BOT_USERNAME, TOKEN, FakeBotApi, TelegramHTMLError, parse_telegram_html

logging.getLogger("httpx").setLevel(logging.WARNING)

CHAT = 4242


@pytest.fixture
def fake():
    with FakeBotApi() as server:
        yield server


def with_bot(fake: FakeBotApi, scenario):
    """Run `await scenario(bot)` with a real PTB Bot pointed at the fake."""

    async def main():
        async with fake.bot() as bot:
            return await scenario(bot)

    return asyncio.run(main())


def test_get_me_describes_the_test_bot(fake):
    me = with_bot(fake, lambda bot: bot.get_me())
    assert (me.id, me.username) == (BOT_ID, BOT_USERNAME)
    assert me.can_join_groups and me.supports_inline_queries


def test_html_message_comes_back_as_text_with_entities_counted_in_utf16(fake):
    message = with_bot(fake, lambda bot: bot.send_message(CHAT, "😀 <b>đậm</b> &lt;x&gt; &amp; &#273;", parse_mode="HTML"))
    assert message.text == "😀 đậm <x> & đ"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 3, 3)]
    assert message.from_user.id == BOT_ID and message.chat.id == CHAT


@pytest.mark.parametrize(
    "text",
    [
        "a < b",
        "a & b",
        "&nbsp;",
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "stray </b>",
        "<p>paragraph</p>",
        "<br>",
        "<script>alert(1)</script>",
        "<span>needs tg-spoiler</span>",
        "<code><b>nothing inside code</b></code>",
        '<a href="x?a=1&b=2">bare ampersand in attribute</a>',
        "<!-- comment -->",
    ],
)
def test_bad_html_is_refused_with_bad_request(fake, text):
    with pytest.raises(BadRequest, match="parse entities"):
        with_bot(fake, lambda bot: bot.send_message(CHAT, text, parse_mode="HTML"))


@pytest.mark.parametrize(
    "text",
    [
        "<b>bold <i>italic <u>underline</u></i></b>",
        "<strong>a</strong><em>b</em><ins>c</ins><s>d</s><strike>e</strike><del>f</del>",
        '<a href="https://example.com/?a=1&amp;b=2">link</a>',
        '<pre><code class="language-python">x = 1 &lt; 2</code></pre>',
        '<span class="tg-spoiler">hidden</span> <tg-spoiler>hidden</tg-spoiler>',
        "<blockquote expandable>quoted</blockquote>",
        "a > b and &quot;quotes&quot; &#x1F600; &#128512;",
        "<B>case</B>",
    ],
)
def test_markup_telegram_accepts_is_accepted(fake, text):
    message = with_bot(fake, lambda bot: bot.send_message(CHAT, text, parse_mode="HTML"))
    assert message.text == parse_telegram_html(text)


def test_validator_reports_what_a_user_sees():
    assert parse_telegram_html("<b>Điều 5.</b> a &lt; b &amp; c") == "Điều 5. a < b & c"
    with pytest.raises(TelegramHTMLError):
        parse_telegram_html("<i>never closed")


def test_length_is_counted_after_parsing_in_utf16_units(fake):
    tags_do_not_count = "<b>" + "a" * 4096 + "</b>"
    entities_count_once = "&amp;" * 4096
    with_bot(fake, lambda bot: bot.send_message(CHAT, tags_do_not_count, parse_mode="HTML"))
    with_bot(fake, lambda bot: bot.send_message(CHAT, entities_count_once, parse_mode="HTML"))
    emoji_count_twice = "😀" * 2049  # 2049 characters, 4098 UTF-16 units
    with pytest.raises(BadRequest, match="too long"):
        with_bot(fake, lambda bot: bot.send_message(CHAT, emoji_count_twice))


def test_empty_text_is_refused(fake):
    with pytest.raises(BadRequest, match="empty"):
        with_bot(fake, lambda bot: bot.send_message(CHAT, "<b> </b>", parse_mode="HTML"))


def test_callback_data_over_64_bytes_is_refused_and_inline_keyboard_is_echoed(fake):
    def keyboard(data):
        return InlineKeyboardMarkup([[InlineKeyboardButton("Xem thêm", callback_data=data)]])

    message = with_bot(fake, lambda bot: bot.send_message(CHAT, "ok", reply_markup=keyboard("x" * 64)))
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "x" * 64
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        with_bot(fake, lambda bot: bot.send_message(CHAT, "ok", reply_markup=keyboard("đ" * 33)))  # 66 bytes


def test_message_ids_increase_per_chat(fake):
    async def scenario(bot):
        return [(await bot.send_message(chat, "x")).message_id for chat in (1, 1, 2, 1)]

    assert with_bot(fake, scenario) == [1, 2, 1, 3]


def test_get_updates_blocks_until_an_update_is_queued(fake):
    async def scenario(bot):
        asyncio.get_running_loop().call_later(0.3, fake.queue_message, CHAT, "xin chào")
        started = time.monotonic()
        updates = await bot.get_updates(timeout=5)
        return updates, time.monotonic() - started

    updates, waited = with_bot(fake, scenario)
    assert [u.message.text for u in updates] == ["xin chào"]
    assert 0.25 < waited < 4


def test_get_updates_returns_empty_after_timeout(fake):
    async def scenario(bot):
        started = time.monotonic()
        return await bot.get_updates(timeout=1), time.monotonic() - started

    updates, waited = with_bot(fake, scenario)
    assert updates == () and 0.9 < waited < 3


def test_offset_confirms_earlier_updates(fake):
    first = fake.queue_message(CHAT, "một")["update_id"]
    fake.queue_message(CHAT, "hai")

    async def scenario(bot):
        both = await bot.get_updates(timeout=0)
        rest = await bot.get_updates(offset=first + 1, timeout=0)
        after = await bot.get_updates(offset=rest[-1].update_id + 1, timeout=0)
        return both, rest, after

    both, rest, after = with_bot(fake, scenario)
    assert [u.message.text for u in both] == ["một", "hai"]
    assert [u.message.text for u in rest] == ["hai"]
    assert after == ()


def test_commands_and_mentions_get_entities_like_telegram(fake):
    fake.queue_message(-100, f"/start@{BOT_USERNAME} hỏi @{BOT_USERNAME}", chat_type="supergroup")
    [update] = with_bot(fake, lambda bot: bot.get_updates(timeout=0))
    types = [(e.type, e.offset) for e in update.message.entities]
    assert types == [("bot_command", 0), ("mention", len(f"/start@{BOT_USERNAME} hỏi "))]
    assert update.message.chat.type == "supergroup" and update.message.from_user.id != BOT_ID


def test_flood_limit_raises_retry_after_once(fake, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22's RetryAfter warns unless opted in to timedelta
    fake.fail_next("sendMessage", 429, retry_after=7)

    async def scenario(bot):
        with pytest.raises(RetryAfter) as refused:
            await bot.send_message(CHAT, "x")
        return refused.value, await bot.send_message(CHAT, "x")

    error, retried = with_bot(fake, scenario)
    assert error.retry_after == dt.timedelta(seconds=7)
    assert retried.text == "x"
    assert [c.ok for c in fake.calls("sendMessage")] == [False, True]


def test_dropped_connection_raises_network_error(fake):
    fake.drop_next("sendMessage")
    with pytest.raises(NetworkError):
        with_bot(fake, lambda bot: bot.send_message(CHAT, "x"))
    assert fake.calls("sendMessage")[0].response is None


def test_edit_refuses_unchanged_text_and_unknown_messages(fake):
    async def scenario(bot):
        sent = await bot.send_message(CHAT, "<b>cũ</b>", parse_mode="HTML")
        edited = await bot.edit_message_text("<b>mới</b>", CHAT, sent.message_id, parse_mode="HTML")
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("<b>mới</b>", CHAT, sent.message_id, parse_mode="HTML")
        with pytest.raises(BadRequest, match="not found"):
            await bot.edit_message_text("x", CHAT, 999)
        return edited

    assert with_bot(fake, scenario).text == "mới"


def test_chat_member_status_is_configurable(fake):
    fake.set_chat_member(-100, 7, "administrator")
    fake.set_chat_member(-100, 8, "creator")

    async def scenario(bot):
        return [(await bot.get_chat_member(-100, user)).status for user in (7, 8, 9)]

    assert with_bot(fake, scenario) == ["administrator", "creator", "member"]


def test_documents_are_downloadable_unless_too_big(fake):
    fake.queue_document(CHAT, "Nghị quyết số 1".encode(), file_name="nq.txt", file_id="doc1")
    fake.register_file(b"", file_id="huge", file_size=21 * 1024 * 1024)

    async def scenario(bot):
        [update] = await bot.get_updates(timeout=0)
        file = await update.message.document.get_file()
        with pytest.raises(BadRequest, match="too big"):
            await bot.get_file("huge")
        return update.message.document, bytes(await file.download_as_bytearray())

    document, content = with_bot(fake, scenario)
    assert (document.file_name, document.file_size) == ("nq.txt", len("Nghị quyết số 1".encode()))
    assert content.decode() == "Nghị quyết số 1"


def test_callback_query_can_be_answered_once(fake):
    async def scenario(bot):
        await bot.send_message(CHAT, "câu trả lời")
        fake.queue_callback(CHAT, "m:1:3")
        [update] = await bot.get_updates(timeout=0)
        await update.callback_query.answer()
        with pytest.raises(BadRequest, match="(?i)query id is invalid"):
            await update.callback_query.answer()
        return update.callback_query

    query = with_bot(fake, scenario)
    assert query.data == "m:1:3" and query.message.text == "câu trả lời"


def test_inline_results_are_validated_like_messages(fake):
    def article(text):
        content = InputTextMessageContent(text, parse_mode="HTML")
        return InlineQueryResultArticle("1", "Kết quả", content)

    async def scenario(bot):
        for query_text in ("a", "b", "c"):
            fake.queue_inline_query(query_text)
        first, second, third = await bot.get_updates(timeout=0)
        with pytest.raises(BadRequest, match="parse entities"):
            await first.inline_query.answer([article("<b>unclosed")])
        with pytest.raises(BadRequest, match="(?i)message_too_long"):
            await second.inline_query.answer([article("<i>" + "x" * 4097 + "</i>")])
        return await third.inline_query.answer([article("<b>" + "x" * 4096 + "</b>")])

    assert with_bot(fake, scenario) is True


def test_application_polls_and_replies_end_to_end(fake):
    """How handler tests use the fake: a real Application polling it, replies awaited off the loop."""
    errors: list[object] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_html("<b>Chào</b> bạn")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("ok")

    async def collect(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    async def main():
        app = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).base_file_url(fake.base_file_url).build()
        app.add_handler(CommandHandler("start", start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        app.add_handler(CallbackQueryHandler(pressed))
        app.add_error_handler(collect)
        async with app:
            await app.start()
            await app.updater.start_polling(timeout=1, poll_interval=0)
            fake.queue_message(CHAT, "/start")
            fake.queue_message(CHAT, "Điều 5 là gì?")
            replies = await fake.async_wait_for("sendMessage", 2)
            fake.queue_callback(CHAT, "v:1:1")
            [answer] = await fake.async_wait_for("answerCallbackQuery")
            await app.updater.stop()
            await app.stop()
        return replies, answer

    (greeting, echoed), answer = asyncio.run(main())
    assert errors == []
    assert greeting.params["text"] == "<b>Chào</b> bạn" and greeting.result["text"] == "Chào bạn"
    assert echoed.result["text"] == "Điều 5 là gì?"
    assert answer.ok and answer.params["text"] == "ok"
