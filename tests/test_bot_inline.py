"""Inline mode: "@bot câu hỏi" lists cited passages; choosing one posts it; unrelated questions list nothing."""

from __future__ import annotations

from bot.state import BotState
from tests.bot_harness import bot_config, run_bot
from tests.fake_bot_api import parse_telegram_html, utf16_len


def inline(fake, bot_library, tmp_path, *queries: str):
    state = BotState(tmp_path / "bot.sqlite3")

    async def scenario(bot):
        ids = [fake.queue_inline_query(query)["inline_query"]["id"] for query in queries]
        answers = {a.params["inline_query_id"]: a for a in await bot.next_calls(len(queries), "answerInlineQuery")}
        return [answers[i] for i in ids]  # in the order asked; the bot answers them concurrently

    try:
        answers, errors = run_bot(fake, bot_config(fake, bot_library.data_dir), bot_library, state, scenario)
    finally:
        state.close()
    assert errors == [] and all(a.ok for a in answers)
    return answers


def test_inline_query_lists_the_top_passages_and_posts_the_cited_one(fake, bot_library, tmp_path):
    [answer] = inline(fake, bot_library, tmp_path, "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?")
    results = answer.params["results"]
    assert 1 <= len(results) <= 5 and len({r["id"] for r in results}) == len(results)
    first = results[0]
    assert first["type"] == "article" and first["title"].startswith("1. Vĩnh Phúc: Những kết quả")
    assert "Quy định 22-QĐ/TW" in first["description"]
    content = first["input_message_content"]
    posted = parse_telegram_html(content["message_text"])  # what choosing it posts in the chat
    assert content["parse_mode"] == "HTML" and utf16_len(posted) <= 4096
    assert posted.startswith("🔎 Quy định 22-QĐ/TW ngày 28/7/2021")
    assert "02/12/2021 · NHỮNG KẾT QUẢ THIẾT THỰC VỀ CÔNG TÁC XÂY DỰNG ĐẢNG · đoạn 19" in posted
    assert "Quy định 22-QĐ/TW, ngày 28/7/2021 của Ban Chấp hành Trung ương Đảng" in posted


def test_inline_query_without_diacritics_and_with_markup_in_passages(fake, bot_library, tmp_path):
    plain, markup = inline(fake, bot_library, tmp_path, "tiep cong dan cua nguoi dung dau cap uy", "mã độc cổng thông tin điện tử")
    assert "tiếp công dân của người đứng đầu" in parse_telegram_html(plain.params["results"][0]["input_message_content"]["message_text"])
    posted = parse_telegram_html(markup.params["results"][0]["input_message_content"]["message_text"])
    assert "<script>" in posted or '"A < B & C > D"' in posted


def test_unrelated_or_too_short_inline_queries_list_nothing_but_offer_the_bot(fake, bot_library, tmp_path):
    for answer in inline(fake, bot_library, tmp_path, "Cách nấu phở bò ngon", "q"):
        assert answer.params["results"] == []
        assert answer.params["button"]["start_parameter"] == "inline"


def test_inline_queries_are_not_logged_as_questions(fake, bot_library, tmp_path):
    inline(fake, bot_library, tmp_path, "Trách nhiệm nêu gương")
    state = BotState(tmp_path / "bot.sqlite3")
    assert state.questions() == []
    state.close()
