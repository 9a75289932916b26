"""Groups, supergroups and forum topics: the bot speaks only when addressed, briefly, in the right thread."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from telegram import Chat, ForumTopicCreated, Message, MessageEntity, User

from bot.handlers.ask import group_question
from bot.keyboards import parse_callback
from tests.bot_harness import bot_config, run_bot
from tests.fake_bot_api import BOT_ID, BOT_USERNAME, USER_ID, utf16_len

GROUP = -1001234
QUESTION = "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?"


def converse(fake, bot_library, state, messages: list[dict], expected_replies: int):
    """Queue group messages (kwargs for queue_message), then wait for the bot's replies and one more:
    a final /help whose answer proves everything before it was handled."""
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        queued = [fake.queue_message(GROUP, **m)["message"] for m in messages]
        replies = await bot.next_calls(expected_replies) if expected_replies else []
        fake.queue_message(GROUP, f"/help@{BOT_USERNAME}", chat_type="supergroup")
        await bot.next()
        return queued, replies, bot.unseen("sendMessage")

    (queued, replies, extra), errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == [] and extra == []
    return queued, replies


def test_group_chatter_is_ignored(fake, bot_library, state):
    chatter = [
        {"text": "Chào cả nhà, chiều nay họp chi bộ nhé", "chat_type": "supergroup"},
        {"text": QUESTION, "chat_type": "supergroup"},  # a question, but not to the bot
        {"text": "@someone_else xem giúp Quy định 22-QĐ/TW", "chat_type": "group"},
    ]
    converse(fake, bot_library, state, chatter, 0)
    assert len(fake.calls("sendMessage")) == 1  # only the /help that closes the conversation
    assert state.questions() == []


def test_mention_gets_a_compact_cited_answer_with_a_link_to_the_full_one(fake, bot_library, state):
    [asked], [reply] = converse(
        fake, bot_library, state, [{"text": f"@{BOT_USERNAME} {QUESTION}", "chat_type": "supergroup"}], 1
    )
    shown = reply.result["text"]
    assert reply.ok and reply.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert utf16_len(shown) <= 600 and "đoạn 19" in shown and "Quy định 22-QĐ/TW" in shown
    [[link]] = reply.result["reply_markup"]["inline_keyboard"]
    [question] = state.questions()
    assert link["url"] == f"https://t.me/{BOT_USERNAME}?start=q{question.id}"
    assert (question.text, question.chat_type, question.answered) == (QUESTION, "supergroup", True)


def test_hoi_command_answers_in_the_forum_topic_it_was_asked_in(fake, bot_library, state):
    [asked], [reply] = converse(
        fake, bot_library, state,
        [{"text": "/hoi tiep cong dan cua nguoi dung dau cap uy", "chat_type": "supergroup", "message_thread_id": 77}], 1,
    )
    assert reply.params["message_thread_id"] == 77
    assert reply.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert "tiếp công dân của người đứng đầu" in reply.result["text"]


def test_ask_command_addressed_to_this_bot_works_and_to_another_bot_is_ignored(fake, bot_library, state):
    _, [reply] = converse(fake, bot_library, state, [
        {"text": "/hoi@other_helper_bot Quy định 22-QĐ/TW", "chat_type": "supergroup"},
        {"text": f"/ask@{BOT_USERNAME} Trách nhiệm nêu gương của người đứng đầu", "chat_type": "supergroup"},
    ], 1)
    assert "nêu gương" in reply.result["text"]


def test_reply_to_the_bot_is_a_question(fake, bot_library, state):
    _, [reply] = converse(
        fake, bot_library, state,
        [{"text": "Trách nhiệm nêu gương của người đứng đầu", "chat_type": "group", "reply_to_bot": True}], 1,
    )
    assert "nêu gương" in reply.result["text"]


def test_empty_mention_or_command_explains_how_to_ask(fake, bot_library, state):
    _, replies = converse(fake, bot_library, state, [
        {"text": f"@{BOT_USERNAME}", "chat_type": "supergroup"},
        {"text": "/hoi", "chat_type": "supergroup"},
    ], 2)
    assert all("/hoi" in r.result["text"] for r in replies) and state.questions() == []


def test_unanswerable_group_question_says_so_without_a_button(fake, bot_library, state):
    _, [reply] = converse(fake, bot_library, state, [{"text": "/hoi Cách nấu phở bò ngon", "chat_type": "supergroup"}], 1)
    assert "Không tìm thấy" in reply.result["text"] and "reply_markup" not in reply.result


def test_the_link_opens_the_full_answer_in_private_for_any_member(fake, bot_library, state):
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        fake.queue_message(GROUP, f"@{BOT_USERNAME} {QUESTION}", chat_type="supergroup")
        compact = await bot.next()
        payload = compact.result["reply_markup"]["inline_keyboard"][0][0]["url"].split("start=")[1]
        fake.queue_message(USER_ID + 5, f"/start {payload}")  # another member follows the link
        return await bot.next()

    full, errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == [] and full.params["chat_id"] == USER_ID + 5
    assert "Kết quả 1–3" in full.result["text"] and "Quy định 22-QĐ/TW" in full.result["text"]
    callbacks = [parse_callback(b["callback_data"]) for row in full.result["reply_markup"]["inline_keyboard"] for b in row]
    assert {c.query_id for c in callbacks} == {state.questions()[0].id}


def test_a_private_question_cannot_be_opened_by_link_by_someone_else(fake, bot_library, state):
    question_id = state.record_question(4242, "private", "câu hỏi riêng tư", True)
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        fake.queue_message(4343, f"/start q{question_id}")
        return await bot.next()

    reply, errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == [] and "riêng tư" not in reply.result["text"] and "hỏi lại" in reply.result["text"]


# --- which group messages address the bot (pure) ------------------------------------------------

BOT = User(BOT_ID, "Văn kiện", True, username=BOT_USERNAME)
HUMAN = User(USER_ID, "Người dùng", False)
CHAT = Chat(GROUP, "supergroup")


def message(text: str, reply_to: Message | None = None, **fields) -> Message:
    """A group message from a member, with the mention entities Telegram would attach."""
    entities = [
        MessageEntity("mention", utf16_len(text[: m.start()]), utf16_len(m[0]))
        for m in re.finditer(r"(?<![\w@])@[A-Za-z0-9_]{5,32}", text)
    ]
    return Message(1, dt.datetime.now(dt.timezone.utc), CHAT, from_user=HUMAN, text=text,
                   entities=entities, reply_to_message=reply_to, **fields)


@pytest.mark.parametrize(
    "text, question",
    [
        (f"@{BOT_USERNAME} Quy định 22 là gì?", "Quy định 22 là gì?"),
        (f"Cho hỏi @{BOT_USERNAME}, Quy định 22 là gì?", "Cho hỏi Quy định 22 là gì?"),
        (f"@{BOT_USERNAME.upper()}: đảng viên", "đảng viên"),
        (f"@{BOT_USERNAME}", ""),
        ("Quy định 22 là gì?", None),
        ("@someone_else Quy định 22", None),
        (f"email{BOT_USERNAME}@x.vn hỏi", None),
    ],
)
def test_group_question_is_the_text_around_a_mention(text, question):
    assert group_question(message(text), BOT_USERNAME, BOT_ID) == question


def test_replying_to_the_bot_asks_and_mentioning_on_a_reply_asks_about_that_message():
    bot_answer = Message(5, dt.datetime.now(dt.timezone.utc), CHAT, from_user=BOT, text="…")
    someone = Message(6, dt.datetime.now(dt.timezone.utc), CHAT, from_user=HUMAN, text="Quy định 22 nói gì vậy?")
    assert group_question(message("còn Điều 5 thì sao?", bot_answer), BOT_USERNAME, BOT_ID) == "còn Điều 5 thì sao?"
    assert group_question(message(f"@{BOT_USERNAME}", someone), BOT_USERNAME, BOT_ID) == "Quy định 22 nói gì vậy?"
    assert group_question(message("đồng ý", someone), BOT_USERNAME, BOT_ID) is None


def test_a_message_in_a_topic_the_bot_opened_is_not_a_reply_to_the_bot():
    opening = Message(1, dt.datetime.now(dt.timezone.utc), CHAT, from_user=BOT,
                      forum_topic_created=ForumTopicCreated("Hỏi đáp", 0))
    assert group_question(message("chào mọi người", opening, is_topic_message=True), BOT_USERNAME, BOT_ID) is None
