"""Formal documents in the bot, end to end against the fake Bot API: the document answer, «Mục lục», whole
articles with ◀ / ▶, after a restart; the article a question names, first; missing and replaced documents."""

from __future__ import annotations

from index.library import Library
from tests.bot_harness import ask_once, buttons, press_after_restart

CHAT = 7001


def press(fake, library: Library, state_path, message: dict, label: str) -> None:
    """A new bot process (a restart) over the same data and state presses one button of `message`."""
    _, errors = press_after_restart(fake, library, state_path, message, label, chat=CHAT)
    assert errors == []


def test_the_document_answer_pages_its_outline_and_opens_articles_after_a_restart(fake, formal_library, tmp_path):
    answer = ask_once(fake, formal_library, tmp_path / "bot.sqlite3", "Quy định 112-QĐ/TU là gì?", CHAT)
    text = answer["text"]
    assert "Quy định số 112-QĐ/TU" in text and "Trịnh Xuân Trường" in text and "ngày 05 tháng 9 năm 2025" in text
    assert "📑 Mục lục" in buttons(answer)

    press(fake, formal_library, tmp_path / "bot.sqlite3", answer, "📑 Mục lục")
    outline = fake.calls("sendMessage")[-1].result
    assert outline["text"].startswith("📑 Quy định số 112-QĐ/TU")
    labels = list(buttons(outline))
    assert labels[:5] == ["Điều 1. Phạm vi điều chỉnh", "Điều 2. Đối tượng áp dụng", "Điều 5. Nội dung bồi dưỡng",
                          "Điều 7. Thời gian học tập", "Điều 9. Hiệu lực thi hành"]

    press(fake, formal_library, tmp_path / "bot.sqlite3", outline, "Điều 7. Thời gian học tập")
    article = fake.calls("sendMessage")[-1].result
    assert "Điều 7. Thời gian học tập (4/5)" in article["text"]
    assert "40 giờ" in article["text"] and "24 giờ" in article["text"]
    assert set(buttons(article)) == {"◀ Trước", "📑 Mục lục", "Sau ▶"}

    press(fake, formal_library, tmp_path / "bot.sqlite3", article, "Sau ▶")
    [*_, edit] = fake.calls("editMessageText")
    assert edit.params["message_id"] == article["message_id"]
    assert "Điều 9. Hiệu lực thi hành (5/5)" in edit.result["text"]
    assert "Sau ▶" not in buttons(edit.result)  # the last article has no next


def test_an_article_asked_by_number_comes_first_with_its_neighbours_one_tap_away(fake, formal_library, tmp_path):
    answer = ask_once(fake, formal_library, tmp_path / "bot.sqlite3", "dieu 5 quy dinh 112 qd tu noi gi", CHAT)
    first = answer["text"].split("\n\n")[1]
    assert "Chương II › Điều 5" in first and "Mác - Lênin" in answer["text"]
    press(fake, formal_library, tmp_path / "bot.sqlite3", answer, "📖 Cả điều, mục")
    article = fake.calls("sendMessage")[-1].result
    assert "Điều 5. Nội dung bồi dưỡng (3/5)" in article["text"]


def test_a_replaced_document_is_flagged_and_a_missing_one_is_said(fake, formal_library, tmp_path):
    answer = ask_once(fake, formal_library, tmp_path / "bot.sqlite3", "Điều 2 Quy định 87-QĐ/TU", CHAT)
    assert "⚠️ Văn bản này đã bị thay thế bởi Quy định số 112-QĐ/TU" in answer["text"]
    missing = ask_once(fake, formal_library, tmp_path / "bot.sqlite3", "Quy định 69-QĐ/TW nói gì về học tập lý luận?", CHAT)
    assert missing["text"].split("\n")[1].startswith("ℹ️ Quy định 69-QĐ/TW chưa có trong thư viện")


def test_a_forged_outline_button_for_another_document_is_refused(fake, formal_library, tmp_path):
    answer = ask_once(fake, formal_library, tmp_path / "bot.sqlite3", "Quy định 112-QĐ/TU là gì?", CHAT)
    forged = dict(answer, reply_markup={"inline_keyboard": [[{"text": "x", "callback_data": "o:999999:1:0"}]]})
    press(fake, formal_library, tmp_path / "bot.sqlite3", forged, "x")
    [*_, refused] = fake.calls("answerCallbackQuery")
    assert refused.params.get("text") == "Nút không hợp lệ"
