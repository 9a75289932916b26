"""Buttons under an answer, end to end: paging and full text survive a restart; votes are stored."""

from __future__ import annotations

import pytest

from bot.keyboards import parse_callback
from bot.replies import INVALID_BUTTON
from bot.state import BotState
from index.library import Library
from tests.bot_harness import ask_once, bot_config, buttons, press_after_restart, run_bot
from tests.fake_bot_api import utf16_len

CHAT = 6001
QUESTION = "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?"


def test_more_pages_the_answer_in_place_after_a_restart(fake, bot_library, tmp_path):
    answer = ask_once(fake, bot_library, tmp_path / "bot.sqlite3", QUESTION, CHAT)
    assert "Kết quả 1–3 / " in answer["text"]
    _, errors = press_after_restart(fake, bot_library, tmp_path / "bot.sqlite3", answer, "Xem thêm ▶", chat=CHAT)
    assert errors == []
    [edit] = fake.calls("editMessageText")
    assert edit.ok and edit.params["message_id"] == answer["message_id"]
    page = edit.result["text"]
    assert "Kết quả 4–6 / " in page and "\n4. " in page and "\n1. " not in page
    assert f"Câu hỏi: {QUESTION}" in page
    new_buttons = buttons(edit.result)
    assert list(new_buttons)[:3] == ["📄 Toàn văn 4", "📄 5", "📄 6"]
    assert parse_callback(new_buttons["Xem thêm ▶"]).args[1] == 6
    assert len(fake.calls("sendMessage")) == 1  # paging edits, it does not send


def test_full_text_shows_the_passage_and_its_neighbours_after_a_restart(fake, bot_library, tmp_path):
    answer = ask_once(fake, bot_library, tmp_path / "bot.sqlite3", QUESTION, CHAT)
    _, errors = press_after_restart(fake, bot_library, tmp_path / "bot.sqlite3", answer, "📄 Toàn văn 1", chat=CHAT)
    assert errors == []
    [_, full] = fake.calls("sendMessage")
    shown = full.result["text"]
    assert full.ok and full.params["reply_parameters"]["message_id"] == answer["message_id"]
    assert shown.startswith("📄 Vĩnh Phúc: Những kết quả quan trọng") and "đoạn 19" in shown.split("\n")[0]
    assert shown.index("Đoạn 18") < shown.index("▶ Đoạn 19") < shown.index("Đoạn 20")
    assert "Quy định 22-QĐ/TW, ngày 28/7/2021" in shown
    assert any(e["type"] == "blockquote" for e in full.result["entities"])


def test_full_text_of_a_huge_passage_fits_one_message(fake, bot_library, tmp_path):
    answer = ask_once(fake, bot_library, tmp_path / "bot.sqlite3", "chuyển đổi số trong quản lý đảng viên là nhiệm vụ trọng tâm", CHAT)
    label = next(label for label, data in buttons(answer).items()
                 if data.startswith("f:") and _passage_text(bot_library, parse_callback(data).args[1]).count("&") > 40)
    _, errors = press_after_restart(fake, bot_library, tmp_path / "bot.sqlite3", answer, label, chat=CHAT)
    [_, full] = fake.calls("sendMessage")
    assert errors == [] and full.ok
    shown = full.result["text"]
    assert utf16_len(shown) <= 4096 and "rút gọn" in shown
    assert "<cơ sở dữ liệu>" in shown and "Phần <II> & nhiệm vụ" in shown


def _passage_text(library: Library, passage_id: int) -> str:
    document, passages = library.passage_with_neighbours(passage_id, radius=0)
    return passages[0].text


def test_votes_are_stored_with_the_question_and_the_passage(fake, bot_library, tmp_path):
    answer = ask_once(fake, bot_library, tmp_path / "bot.sqlite3", QUESTION, CHAT)
    [thanks_up, thanks_down], errors = press_after_restart(fake, bot_library, tmp_path / "bot.sqlite3", answer, "👍", "👎", chat=CHAT)
    assert errors == [] and "Cảm ơn" in thanks_up.params["text"]
    state = BotState(tmp_path / "bot.sqlite3")
    [question] = state.questions()
    [vote] = state.votes(question.id)  # the second press changed the first vote
    top = parse_callback(buttons(answer)["📄 Toàn văn 1"]).args[1]
    assert (vote.passage_id, vote.helpful, vote.user_hash) == (top, False, state.user_hash(CHAT))
    state.close()


@pytest.mark.parametrize("data", ["garbage", "m:999999:3", "v:1:2:7", "f:1:" + "9" * 19, "m:1:3:extra"])
def test_forged_button_data_gets_only_a_short_refusal(fake, bot_library, tmp_path, data):
    answer = ask_once(fake, bot_library, tmp_path / "bot.sqlite3", QUESTION, CHAT)
    state = BotState(tmp_path / "bot.sqlite3")

    async def scenario(bot):
        fake.queue_callback(CHAT, data, message_id=answer["message_id"])
        return await bot.next("answerCallbackQuery")

    refusal, errors = run_bot(fake, bot_config(fake, bot_library.data_dir), bot_library, state, scenario)
    state.close()
    assert errors == [] and refusal.params["text"] == INVALID_BUTTON
    assert len(fake.calls("sendMessage")) == 1 and fake.calls("editMessageText") == []


def test_another_users_private_question_cannot_be_paged(fake, bot_library, tmp_path):
    answer = ask_once(fake, bot_library, tmp_path / "bot.sqlite3", QUESTION, CHAT)
    state = BotState(tmp_path / "bot.sqlite3")

    async def scenario(bot):
        fake.queue_callback(CHAT, buttons(answer)["Xem thêm ▶"], message_id=answer["message_id"], user_id=CHAT + 1)
        return await bot.next("answerCallbackQuery")

    refusal, errors = run_bot(fake, bot_config(fake, bot_library.data_dir), bot_library, state, scenario)
    state.close()
    assert errors == [] and refusal.params["text"] == INVALID_BUTTON and fake.calls("editMessageText") == []

