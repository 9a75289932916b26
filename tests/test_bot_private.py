"""Private chats, end to end: the real Application polling a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import logging

from bot.app import COMMANDS
from bot.keyboards import FULL, MORE, VOTE, parse_callback
from bot.replies import ERROR_MESSAGE
from tests.bot_harness import bot_config, run_bot
from tests.conftest import LONG_SENTENCE
from tests.fake_bot_api import TOKEN, utf16_len

CHAT = 5001
SECTION = "NHỮNG KẾT QUẢ THIẾT THỰC VỀ CÔNG TÁC XÂY DỰNG ĐẢNG"


def ask(fake, bot_library, state, *questions: str, chat: int = CHAT, **config_changes):
    """Send each question from a private chat; the bot's replies, in order, and the handler errors."""
    config = bot_config(fake, bot_library.data_dir, **config_changes)

    async def scenario(bot):
        replies = []
        for question in questions:
            fake.queue_message(chat, question)
            replies.append(await bot.next())
        return replies

    return run_bot(fake, config, bot_library, state, scenario)


def styled(call, kind: str) -> list[str]:
    """The pieces of a sent message Telegram shows in `kind` ("bold", "underline"...); offsets are UTF-16."""
    encoded = call.result["text"].encode("utf-16-le")
    return [
        encoded[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in call.result.get("entities", []) if e["type"] == kind
    ]


def buttons(call) -> list[tuple[str, str]]:
    return [(b["text"], b.get("callback_data")) for row in call.result["reply_markup"]["inline_keyboard"] for b in row]


def test_question_is_answered_with_the_passage_and_its_citation(fake, bot_library, state):
    [reply], errors = ask(fake, bot_library, state, "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?")
    assert errors == []
    assert reply.ok and reply.params["parse_mode"] == "HTML"
    shown = reply.result["text"]
    first = shown.split("\n\n")[1]  # header, then the first result
    assert first.startswith("1. Vĩnh Phúc: Những kết quả quan trọng")
    assert f"02/12/2021 · {SECTION} · đoạn 19" in first
    assert "Quy định 22-QĐ/TW, ngày 28/7/2021 của Ban Chấp hành Trung ương Đảng" in first
    bold = styled(reply, "bold")
    assert bold[0].startswith("1. Vĩnh Phúc")  # the title
    assert "Quy định 22-QĐ/TW, ngày 28/7/2021 của Ban Chấp hành Trung ương Đảng" in bold[1]  # the best sentence
    underlined = set(styled(reply, "underline"))
    assert {"Quy định 22-QĐ/TW", "công tác"} <= underlined  # the words asked, as whole words and phrases
    assert not underlined & {"Quy", "định", "22"}  # never a syllable of them alone


def test_the_bot_shows_it_is_typing_before_answering(fake, bot_library, state):
    ask(fake, bot_library, state, "Trách nhiệm nêu gương của người đứng đầu")
    action, answer = fake.calls("sendChatAction")[0], fake.calls("sendMessage")[0]
    assert action.params["action"] == "typing" and fake.calls().index(action) < fake.calls().index(answer)


def test_question_without_diacritics_finds_the_same_passage(fake, bot_library, state):
    (accented, plain), errors = ask(
        fake, bot_library, state, "tiếp công dân của người đứng đầu cấp ủy", "tiep cong dan cua nguoi dung dau cap uy"
    )
    assert errors == []
    for reply in (accented, plain):
        assert "tiếp công dân của người đứng đầu" in reply.result["text"].split("\n\n")[1]


def test_answer_has_full_text_feedback_and_more_buttons(fake, bot_library, state):
    [reply], _ = ask(fake, bot_library, state, "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?")
    [question] = state.questions()
    callbacks = [parse_callback(data) for _, data in buttons(reply)]
    assert [c.action for c in callbacks] == [FULL, FULL, FULL, VOTE, VOTE, MORE]
    assert {c.query_id for c in callbacks} == {question.id}
    assert callbacks[-1].args == (question.id, 3)
    assert question.answered and question.chat_type == "private"
    assert question.text == "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?"


def test_unrelated_question_says_so_and_lists_the_closest_titles(fake, bot_library, state):
    [reply], errors = ask(fake, bot_library, state, "Cách nấu phở bò ngon")
    shown = reply.result["text"]
    assert errors == [] and "Không tìm thấy" in shown and "có dấu" in shown
    assert "Các văn bản gần nhất:" in shown and "• Vĩnh Phúc: Những kết quả" in shown
    assert "· đoạn" not in shown and "reply_markup" not in reply.result  # no cited passage, no buttons
    [question] = state.questions()
    assert not question.answered


def test_passage_full_of_markup_is_shown_literally(fake, bot_library, state):
    [reply], errors = ask(fake, bot_library, state, "phòng chống mã độc trên cổng thông tin điện tử")
    assert errors == [] and reply.ok
    shown = reply.result["text"]
    assert "<script>alert('x')</script>, các chuỗi &amp; và &lt;b&gt; trước khi đăng" in shown
    assert "<b>không được in đậm</b> tuỳ tiện & mọi dấu < và >" in shown
    assert '"A < B & C > D"' in shown
    assert "Điều 1. Mã độc & các thẻ <script>" in shown  # the section, escaped too


def test_very_long_passages_are_shortened_to_one_message_around_the_answer(fake, bot_library, state):
    [reply], errors = ask(fake, bot_library, state, "chuyển đổi số trong quản lý đảng viên là nhiệm vụ trọng tâm")
    assert errors == [] and reply.ok
    shown = reply.result["text"]
    assert utf16_len(shown) <= 4096
    assert "Báo cáo <dài> & đặc biệt về chuyển đổi số" in shown
    assert LONG_SENTENCE in shown and "…" in shown and "Toàn văn" in shown


def test_too_many_questions_get_a_friendly_wait_and_other_users_are_still_answered(fake, bot_library, state):
    config = bot_config(fake, bot_library.data_dir, questions_per_window=2, window_seconds=60)

    async def scenario(bot):
        for text in ("Đảng viên", "Chi bộ", "Cán bộ"):
            fake.queue_message(CHAT, text)
        replies = [await bot.next() for _ in range(3)]
        fake.queue_message(CHAT + 1, "Trách nhiệm nêu gương của người đứng đầu")
        return replies, await bot.next()

    (replies, other), errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == []
    waits = [r for r in replies if "đợi" in r.result["text"]]
    assert len(waits) == 1 and "giây" in waits[0].result["text"]
    assert other.params["chat_id"] == CHAT + 1 and "Trách nhiệm nêu gương" in other.result["text"]
    assert len(state.questions()) == 3  # the refused question is not logged as asked


def test_start_and_help_say_what_the_bot_knows_and_how_to_ask(fake, bot_library, state):
    (start, help_), errors = ask(fake, bot_library, state, "/start", "/help")
    assert errors == []
    for reply in (start, help_):
        shown = reply.result["text"]
        assert "Đang có 3 văn bản" in shown and "mới nhất ngày 01/05/2024" in shown
        assert "/hoi" in shown and "@vankien_test_bot" in shown and "Ví dụ" in shown


def test_documents_command_lists_what_is_indexed(fake, bot_library, state):
    [reply], _ = ask(fake, bot_library, state, "/tailieu")
    shown = reply.result["text"]
    assert shown.index("Báo cáo <dài>") < shown.index("Vĩnh Phúc: Những kết quả")  # newest first
    assert "02/12/2021 · 25 đoạn" in shown


def test_commands_are_registered_when_the_bot_starts(fake, bot_library, state):
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        await bot.app.post_init(bot.app)  # run_polling calls it; a test entering the app by hand must
        return fake.calls("setMyCommands")

    [call], _ = run_bot(fake, config, bot_library, state, scenario)
    assert [c["command"] for c in call.params["commands"]] == [c.command for c in COMMANDS]
    assert {"hoi", "help", "tailieu"} <= {c["command"] for c in call.params["commands"]}


def test_a_failure_is_logged_without_the_token_and_the_user_is_told(fake, bot_library, state, caplog):
    caplog.set_level(logging.INFO)
    fake.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        fake.queue_message(CHAT, "Đảng viên")
        return await bot.next(), await bot.next()

    (refused, apology), errors = run_bot(fake, config, bot_library, state, scenario)
    assert not refused.ok and [type(e).__name__ for e in errors] == ["BadRequest"]
    assert apology.ok and apology.result["text"] == ERROR_MESSAGE
    assert "Lỗi khi xử lý" in caplog.text and "Chat not found" in caplog.text
    assert TOKEN not in caplog.text


def test_unknown_command_points_to_help(fake, bot_library, state):
    [reply], errors = ask(fake, bot_library, state, "/khongco")
    assert errors == [] and "/help" in reply.result["text"]


def test_edited_message_is_not_asked_again(fake, bot_library, state):
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        message = fake.queue_message(CHAT, "Đảng viên")["message"]
        await bot.next()
        fake._queue("edited_message", message | {"text": "Chi bộ", "edit_date": message["date"] + 1})
        fake.queue_message(CHAT, "/help")
        await bot.next()
        return [c.result["text"] for c in fake.calls("sendMessage")]

    texts, errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == [] and len(texts) == 2 and "Cách hỏi" in texts[1]


def test_many_users_asking_at_once_are_all_answered(fake, bot_library, state):
    config = bot_config(fake, bot_library.data_dir)

    async def scenario(bot):
        for user in range(10):
            fake.queue_message(CHAT + 100 + user, "Trách nhiệm nêu gương của người đứng đầu")
        return await bot.next_calls(10)

    replies, errors = run_bot(fake, config, bot_library, state, scenario)
    assert errors == [] and len({r.params["chat_id"] for r in fake.calls("sendMessage")}) == 10
