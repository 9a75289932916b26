"""Telegram faults, load while indexing, and injection: the real Application against the fake Bot API."""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from telegram.error import NetworkError

from bot.__main__ import open_library
from bot.replies import ERROR_MESSAGE
from index.settings import IndexSettings
from tests.bot_harness import bot_config, run_bot
from tests.fake_bot_api import BOT_USERNAME, parse_telegram_html

PROJECT = Path(__file__).resolve().parent.parent
CHAT = 7001
GROUP = -1007001


def dev_questions() -> list[tuple[str, str]]:
    """The answerable bench questions and a gold substring the answer must show."""
    rows = [json.loads(line) for line in (PROJECT / "bench/data/dev_questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["q"], row["gold"][0]) for row in rows if row["gold"]]


QUESTIONS = dev_questions()


@pytest.fixture
def own_library(bot_library, tmp_path):
    """A private copy of the session index, for tests that add documents (the session one is shared)."""
    data_dir = tmp_path / "data"
    shutil.copytree(bot_library.data_dir, data_dir)
    library = open_library(IndexSettings(data_dir=data_dir))
    yield library
    library.close()


def echoed_question(call) -> str:
    """The question a private answer repeats in its header ("🔎 Câu hỏi: ...")."""
    header = call.result["text"].split("\n", 1)[0]
    return header.split("Câu hỏi: ", 1)[1] if "Câu hỏi: " in header else header


# --- 429 and dropped connections ---------------------------------------------------------------


def test_answer_refused_with_429_is_sent_again_after_retry_after_exactly_once(fake, bot_library, state):
    question, gold = QUESTIONS[0]
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        fake.fail_next("sendMessage", 429, retry_after=1)
        started = time.monotonic()
        fake.queue_message(CHAT, question)
        refused, sent = await bot.next_calls(2)
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.3)  # nothing else may follow
        return refused, sent, elapsed, bot.unseen("sendMessage")

    (refused, sent, elapsed, later), errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == []
    assert refused.response["error_code"] == 429 and refused.response["parameters"] == {"retry_after": 1}
    assert sent.ok and gold in sent.result["text"] and sent.params["text"] == refused.params["text"]
    assert elapsed >= 1.0  # it waited retry_after before sending again
    assert later == []  # exactly one answer reached the user, no apology on top
    assert len(state.questions()) == 1


def test_answer_refused_with_429_more_often_than_the_limiter_retries_apologises(fake, bot_library, state):
    """AIORateLimiter(max_retries=2): three 429s in a row exhaust it; the error handler then tells the user."""
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        fake.fail_next("sendMessage", 429, retry_after=1, times=3)
        fake.queue_message(CHAT, QUESTIONS[0][0])
        return await bot.next_calls(4, timeout=30)

    calls, errors = run_bot(fake, config, bot_library, state, scenario)
    assert [c.ok for c in calls] == [False, False, False, True]
    assert calls[-1].result["text"] == ERROR_MESSAGE
    assert [type(e).__name__ for e in errors] == ["RetryAfter"]


def test_polling_waits_out_a_429_on_get_updates_and_then_answers(fake, bot_library, state):
    question, gold = QUESTIONS[1]
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        await bot.next("getUpdates")  # the long poll in flight; the fault hits the next one
        fake.fail_next("getUpdates", 429, retry_after=1)
        fake.queue_message(CHAT, question)
        first = await bot.next()
        fake.queue_message(CHAT, QUESTIONS[2][0])
        second = await bot.next()
        return first, second

    (first, second), errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == []
    assert any(c.response and c.response.get("error_code") == 429 for c in fake.calls("getUpdates"))
    assert gold in first.result["text"] and QUESTIONS[2][1] in second.result["text"]
    assert len(fake.calls("sendMessage")) == 2


def test_dropped_get_updates_connections_lose_and_repeat_no_question(fake, bot_library, state):
    """Questions queued before and while getUpdates connections are dropped: each answered once, to itself."""
    config = bot_config(fake, bot_library.data_dir)
    chats = [CHAT + 10, CHAT + 11, CHAT + 12]
    cycle = itertools.cycle(QUESTIONS)
    asked: list[tuple[int, str, str]] = []  # (chat, question, gold), in the order asked

    def queue(round_: int) -> None:
        for chat in chats:
            for _ in range(2):
                question, gold = next(cycle)
                fake.queue_message(chat, question)
                asked.append((chat, question, gold))

    async def scenario(bot):
        await bot.next("getUpdates")
        fake.drop_next("getUpdates", times=2)
        queue(1)  # the poll in flight returns these; the next poll (their acknowledgement) is dropped
        while not [c for c in fake.calls("getUpdates") if c.response is None]:
            await asyncio.sleep(0.02)
        queue(2)  # queued while the bot is cut off and backing off
        answers = await bot.next_calls(len(asked), timeout=30)
        await asyncio.sleep(0.5)
        return answers, bot.unseen("sendMessage")

    (answers, later), errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == []  # polling errors are retried by the updater, not sent to the error handler
    assert len([c for c in fake.calls("getUpdates") if c.response is None]) == 2
    assert later == []  # nothing answered twice
    assert all(a.ok for a in answers)
    answered = [(a.params["chat_id"], echoed_question(a), a.result["text"]) for a in answers]
    assert sorted(a[:2] for a in answered) == sorted(a[:2] for a in asked)  # each question answered once
    golds = {(chat, question): gold for chat, question, gold in asked}
    for chat, question, text in answered:  # each with its own passage
        assert golds[(chat, question)] in text, question
    for chat in chats:  # updates are handled concurrently, but each chat is answered in the order it asked
        assert [q for c, q, _ in answered if c == chat] == [q for c, q, _ in asked if c == chat]
    assert len(state.questions()) == len(asked)


def test_a_dropped_answer_is_sent_again_and_the_bot_goes_on(fake, bot_library, state):
    """A dropped sendMessage is a NetworkError, which neither PTB nor AIORateLimiter retries: bot/delivery.py
    resends the answer (a rare duplicate is better than a lost answer); no apology, nothing handled twice."""
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        fake.drop_next("sendMessage", times=2)
        message = fake.queue_message(CHAT, QUESTIONS[0][0])["message"]
        first, second, resent = await bot.next_calls(3)
        fake.queue_message(CHAT, QUESTIONS[3][0])
        after = await bot.next()
        await asyncio.sleep(0.3)
        return message, (first, second, resent), after, bot.unseen("sendMessage")

    (message, (first, second, resent), after, later), errors = run_bot(fake, config, bot_library, state, scenario)
    assert first.response is None and second.response is None  # both connections dropped
    assert resent.ok and resent.params["text"] == first.params["text"] and QUESTIONS[0][1] in resent.result["text"]
    assert resent.params["chat_id"] == message["chat"]["id"]
    assert errors == []
    assert QUESTIONS[3][1] in after.result["text"]  # the next question is answered normally
    assert later == []  # sent once successfully, the update not handled again
    assert len(state.questions()) == 2


def test_an_answer_that_never_gets_through_ends_in_the_apology(fake, bot_library, state):
    """Three dropped attempts: the error handler's apology reaches the user, and the bot goes on."""
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        fake.drop_next("sendMessage", times=3)
        fake.queue_message(CHAT, QUESTIONS[0][0])
        *dropped, apology = await bot.next_calls(4)
        fake.queue_message(CHAT, QUESTIONS[3][0])
        after = await bot.next()
        return dropped, apology, after

    (dropped, apology, after), errors = run_bot(fake, config, bot_library, state, scenario)
    assert all(call.response is None for call in dropped) and len(dropped) == 3
    assert [type(e) for e in errors] == [NetworkError]
    assert apology.ok and apology.result["text"] == ERROR_MESSAGE
    assert QUESTIONS[3][1] in after.result["text"]


# --- load while a document is being added -------------------------------------------------------

BEES = "Quy chế nuôi ong mật của hợp tác xã Tam Đảo"


def bee_document(path: Path, paragraphs: int = 60) -> Path:
    body = "\n\n".join(
        f"Điều {n}. Tổ ong số {n}\n\nHợp tác xã kiểm tra tổ ong mật số {n} vào ngày thứ {n % 7 + 2} hằng tuần, "
        f"ghi sản lượng mật ong và tình trạng ong chúa vào sổ theo dõi đàn ong số {n}."
        for n in range(1, paragraphs + 1)
    )
    path.write_text(f"{BEES}\n\n{body}\n", encoding="utf-8")
    return path


def test_fifty_concurrent_questions_while_a_document_is_added_are_all_answered_right(fake, own_library, state, tmp_path):
    config = bot_config(fake, own_library.data_dir)
    new_file = bee_document(tmp_path / "ong-mat.txt")
    users = [CHAT + 1000 + n for n in range(50)]
    expected = {user: QUESTIONS[n % len(QUESTIONS)] for n, user in enumerate(users)}
    added: dict[str, object] = {}

    def add() -> None:
        started = time.monotonic()
        try:
            added["outcome"] = own_library.add_file(new_file)
        except BaseException as error:  # reported by the assertion below
            added["error"] = error
        added["seconds"] = time.monotonic() - started

    async def scenario(bot):
        adder = threading.Thread(target=add)
        adder.start()
        for user in users:
            fake.queue_message(user, expected[user][0])
        answers = await bot.next_calls(50, timeout=40)
        await asyncio.to_thread(adder.join, 30)
        fake.queue_message(users[0] + 100, "kiểm tra tổ ong mật số 17")
        bees = await bot.next()
        await asyncio.sleep(0.3)
        return answers, bees, bot.unseen("sendMessage")

    (answers, bees, later), errors = run_bot(fake, config, own_library, state, scenario)
    assert errors == [] and "error" not in added
    assert added["outcome"].status == "added"
    assert later == []
    assert sorted(a.params["chat_id"] for a in answers) == users  # one answer per user, none twice
    for answer in answers:
        question, gold = expected[answer.params["chat_id"]]
        assert answer.ok and gold in answer.result["text"], (question, answer.result["text"][:300])
    assert BEES in bees.result["text"] and "tổ ong mật số 17" in bees.result["text"]  # the new document is searchable


# --- injection ----------------------------------------------------------------------------------

HOSTILE = f'<b>x</b> & /start @{BOT_USERNAME} <a href="tg://x">'
HOSTILE_DOCUMENT = f"""\
Hướng dẫn <b>gửi</b> lệnh cho bot & liên kết <a href="tg://user?id=1">độc hại</a>

Điều 1. Lệnh /start và @{BOT_USERNAME} <i>trong</i> văn bản

Khi soạn tin gửi bot, cán bộ gõ /start@{BOT_USERNAME} hoặc /hoi rồi câu hỏi; các thẻ <a href="tg://resolve?domain=x">bấm vào đây</a>, \
<tg-spoiler>bí mật</tg-spoiler>, <code>mã</code> và &lt;b&gt; phải hiện nguyên văn, không được thành liên kết hay lệnh.
"""


def no_links(call) -> bool:
    """No link, mention, command or spoiler made from the text (the bot's own <code>/hoi</code> hint is fine)."""
    return not any(e["type"] in ("text_link", "text_mention", "bot_command", "mention", "spoiler")
                   for e in call.result.get("entities", []))


def test_question_full_of_markup_and_commands_is_echoed_literally_in_private(fake, bot_library, state):
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        fake.queue_message(CHAT, HOSTILE)
        return await bot.next()

    reply, errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == [] and reply.ok
    assert parse_telegram_html(reply.params["text"]) == reply.result["text"]
    assert HOSTILE in reply.result["text"]  # the question echoed exactly as typed
    assert no_links(reply)
    assert [q.text for q in state.questions()] == [HOSTILE]  # asked, not taken as /start
    assert "Đang có" not in reply.result["text"]  # /start's greeting was not triggered


def test_question_full_of_markup_in_a_group_command_is_shown_literally(fake, bot_library, state):
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        fake.queue_message(GROUP, f"/hoi {HOSTILE}", chat_type="supergroup")
        return await bot.next()

    reply, errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == [] and reply.ok and no_links(reply)
    assert HOSTILE in reply.result["text"]
    assert [q.text for q in state.questions()] == [HOSTILE]


def test_document_with_markup_links_and_commands_is_shown_literally(fake, own_library, state, tmp_path):
    path = tmp_path / "lenh-bot.txt"
    path.write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    assert own_library.add_file(path).status == "added"
    config = bot_config(fake, own_library.data_dir)

    async def scenario(bot):
        fake.queue_message(CHAT, "cán bộ gõ lệnh gửi bot")
        answer = await bot.next()
        fake.queue_message(CHAT, "/tailieu")
        return answer, await bot.next()

    (answer, listing), errors = run_bot(fake, config, own_library, state, scenario)
    assert errors == [] and answer.ok and listing.ok
    shown = answer.result["text"]
    assert f"gõ /start@{BOT_USERNAME} hoặc /hoi" in shown
    assert '<a href="tg://resolve?domain=x">bấm vào đây</a>' in shown
    assert "<tg-spoiler>bí mật</tg-spoiler>, <code>mã</code> và &lt;b&gt;" in shown
    title = 'Hướng dẫn <b>gửi</b> lệnh cho bot & liên kết <a href="tg://user?id=1">độc hại</a>'
    assert title in shown and title in listing.result["text"]
    assert no_links(answer) and no_links(listing)
