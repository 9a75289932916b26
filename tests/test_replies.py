"""Replies are valid Telegram HTML, escape every piece of document text, and fit one message."""

from __future__ import annotations

import random

import pytest

from bot.replies import (
    format_answer,
    format_citation,
    format_compact_answer,
    format_date,
    format_documents,
    format_full_passage,
    format_help,
    format_inline_passage,
    format_no_answer,
    format_rate_limited,
    format_summary,
    hit_title,
    snippet,
    utf16_len,
    visible_length,
)
from index.documents import Document, Passage, SearchHit, SearchResult
from tests.fake_bot_api import parse_telegram_html


def shown(html_text: str) -> str:
    """What a Telegram user sees; fails the test on markup Telegram would refuse."""
    return parse_telegram_html(html_text)


def doc(title: str = "Nghị quyết 21-NQ/TW về củng cố tổ chức cơ sở đảng", **fields) -> Document:
    return Document(title=title, source="nq21.txt", content_hash="h", **({"date": "2021-12-02"} | fields))


def hit(text: str, *, sentence: str | None = None, terms: tuple[str, ...] = (), rank: int = 1,
        document: Document | None = None, section: str | None = "Điều 5. Nhiệm vụ", paragraph: int = 7) -> SearchHit:
    """A hit whose highlight is `sentence` and whose matched terms are every occurrence of `terms` in `text`."""
    highlight = (text.index(sentence), text.index(sentence) + len(sentence)) if sentence else None
    spans = tuple((i, i + len(t)) for t in terms for i in _occurrences(text, t))
    passage = Passage(text=text, paragraph=paragraph, section=section, id=100 + rank, doc_id=1)
    return SearchHit(rank, 1.0 / rank, passage, document or doc(), highlight, spans)


def _occurrences(text: str, word: str) -> list[int]:
    found, i = [], text.find(word)
    while i >= 0:
        found.append(i)
        i = text.find(word, i + 1)
    return found


def result(*hits: SearchHit, query: str = "tổ chức cơ sở đảng") -> SearchResult:
    return SearchResult(query=query, answered=True, took_ms=5.0, hits=hits)


# --- lengths and dates -------------------------------------------------------------------------


@pytest.mark.parametrize("text, units", [("", 0), ("abc", 3), ("Đảng", 4), ("😀", 2), ("👍🏽", 4), ("a😀b", 4)])
def test_utf16_len_counts_astral_characters_twice(text, units):
    assert utf16_len(text) == units


@pytest.mark.parametrize(
    "html_text", ["<b>Điều 5</b> &lt;x&gt; &amp;amp;", "😀 <i>a</i>", '<a href="https://t.me/x?a=1&amp;b=2">x</a>', ""]
)
def test_visible_length_agrees_with_the_telegram_parser(html_text):
    assert visible_length(html_text) == utf16_len(shown(html_text))


@pytest.mark.parametrize(
    "iso, shown_date",
    [("2021-12-02", "02/12/2021"), ("2021-12", "12/2021"), ("2021", "2021"), ("2021-12-02T08:30:00", "02/12/2021"),
     (None, None), ("", None), ("tháng 12 năm 2021", "tháng 12 năm 2021")],
)
def test_dates_are_written_the_vietnamese_way(iso, shown_date):
    assert format_date(iso) == shown_date


# --- citations --------------------------------------------------------------------------------


def test_citation_has_title_date_section_and_paragraph():
    passage = Passage(text="...", paragraph=12, section="Điều 5. Nhiệm vụ")
    assert shown(format_citation(doc(), passage)) == (
        "Nghị quyết 21-NQ/TW về củng cố tổ chức cơ sở đảng · 02/12/2021 · Điều 5. Nhiệm vụ · đoạn 12"
    )


def test_citation_escapes_title_and_section():
    document = doc("Quy định <mới> về A & B > C", date=None)
    passage = Passage(text="...", paragraph=3, section="Mục <1> & <2>")
    line = format_citation(document, passage)
    assert "&lt;mới&gt;" in line and "A &amp; B" in line
    assert shown(line) == "Quy định <mới> về A & B > C · Mục <1> & <2> · đoạn 3"


def test_citation_without_section_or_date_has_no_empty_parts():
    line = shown(format_citation(doc(date=None), Passage(text="...", paragraph=1)))
    assert line == "Nghị quyết 21-NQ/TW về củng cố tổ chức cơ sở đảng · đoạn 1"


def test_citation_names_document_codes_missing_from_the_title():
    document = doc("Quy định về công tác kiểm tra", codes=("22-QĐ/TW",))
    assert "Quy định về công tác kiểm tra (22-QĐ/TW)" in shown(format_citation(document, Passage("...", 1)))
    with_code = doc(codes=("21-NQ/TW",))
    assert "(21-NQ/TW)" not in shown(format_citation(with_code, Passage("...", 1)))


# --- answers ----------------------------------------------------------------------------------


def test_answer_cites_each_hit_and_highlights_the_best_sentence():
    text = "Mở đầu. Củng cố tổ chức cơ sở đảng là nhiệm vụ then chốt. Kết thúc."
    reply = format_answer(result(hit(text, sentence="Củng cố tổ chức cơ sở đảng là nhiệm vụ then chốt.")))
    assert "<b>Củng cố tổ chức cơ sở đảng là nhiệm vụ then chốt.</b>" in reply
    seen = shown(reply)
    assert "1. Nghị quyết 21-NQ/TW" in seen and "02/12/2021" in seen and "Điều 5. Nhiệm vụ" in seen and "đoạn 7" in seen
    assert text in seen
    assert "rút gọn" not in seen


def test_matched_terms_are_underlined_inside_and_outside_the_highlight():
    text = "Đảng viên học tập. Đảng viên phải gương mẫu."
    reply = format_answer(result(hit(text, sentence="Đảng viên phải gương mẫu.", terms=("Đảng viên",))))
    assert "<u>Đảng viên</u> học tập. <b><u>Đảng viên</u> phải gương mẫu.</b>" in reply


def test_term_crossing_the_highlight_boundary_is_split_without_crossing_tags():
    text = "aaa bbb. ccc ddd."
    span_across = SearchHit(1, 1.0, Passage(text, 1), doc(), (9, 17), ((4, 12),))
    reply = format_answer(result(span_across))
    assert "aaa <u>bbb. </u><b><u>ccc</u> ddd.</b>" in reply
    shown(reply)


def test_overlapping_terms_merge_into_one_underline():
    text = "tổ chức cơ sở đảng"
    overlapping = SearchHit(1, 1.0, Passage(text, 1), doc(), None, ((0, 7), (3, 13), (14, 18)))
    assert "<u>tổ chức cơ sở</u> <u>đảng</u>" in format_answer(result(overlapping))


def test_passage_full_of_markup_is_shown_literally():
    text = "<script>alert('x')</script> &amp; <b>không in đậm</b> & 1 < 2 > 0"
    reply = format_answer(result(hit(text, sentence="<b>không in đậm</b>", terms=("<script>",))))
    assert text in shown(reply)
    assert "<script>" not in reply and "&amp;amp;" in reply


def test_title_and_section_with_markup_characters_are_escaped_in_answers():
    document = doc("Văn bản <A> & <B>")
    reply = format_answer(result(hit("Nội dung.", document=document, section="Phần <I> & II")))
    assert "Văn bản <A> & <B>" in shown(reply) and "Phần <I> & II" in shown(reply)


def test_hit_without_section_is_cited_without_one():
    reply = shown(format_answer(result(hit("Nội dung.", section=None, paragraph=4))))
    assert "02/12/2021 · đoạn 4" in reply


def test_numbering_counts_from_the_page_start():
    hits = [hit(f"Đoạn số {n}.", rank=n) for n in range(1, 7)]
    reply = shown(format_answer(result(*hits), start=3, limit=2))
    assert "Kết quả 4–5 / 6" in reply
    assert "4. Nghị quyết" in reply and "5. Nghị quyết" in reply
    assert "Đoạn số 4." in reply and "Đoạn số 6." not in reply and "3. Nghị quyết" not in reply


def test_last_single_result_page_and_empty_page():
    hits = [hit(f"Đoạn số {n}.", rank=n) for n in range(1, 4)]
    assert "Kết quả 3 / 3" in shown(format_answer(result(*hits), start=2))
    assert "Không còn kết quả" in shown(format_answer(result(*hits), start=3))


def long_passage(sentence: str, units: int = 20_000) -> str:
    filler = "Các cấp ủy đảng tiếp tục quán triệt, triển khai thực hiện nghiêm túc các chủ trương. "
    half = filler * (units // len(filler) // 2)
    return half + sentence + " " + half


def test_a_20000_character_passage_is_cut_around_the_highlight_to_fit_one_message():
    sentence = "Chi bộ là hạt nhân chính trị ở cơ sở & <nền tảng> của Đảng."
    text = long_passage(sentence)
    assert len(text) > 19_000
    reply = format_answer(result(hit(text, sentence=sentence, terms=("Chi bộ", "Đảng"))))
    seen = shown(reply)
    assert utf16_len(seen) <= 4096
    assert visible_length(reply) == utf16_len(seen)
    assert sentence in seen
    assert "…" in seen and "Toàn văn" in seen


def test_three_long_passages_share_the_message():
    sentences = [f"Câu trả lời số {n} nằm ở đây." for n in range(1, 4)]
    hits = [hit(long_passage(s, 8000), sentence=s, rank=n) for n, s in enumerate(sentences, 1)]
    seen = shown(format_answer(result(*hits)))
    assert utf16_len(seen) <= 4096
    assert all(s in seen for s in sentences)
    assert utf16_len(seen) > 3500  # the budget is used, not wasted


def test_cuts_fall_between_words():
    sentence = "Đây là câu quan trọng nhất."
    text = long_passage(sentence, 10_000)
    seen = shown(format_answer(result(hit(text, sentence=sentence))))
    excerpt = seen.split("đoạn 7\n", 1)[1].split("\n")[0]  # the passage follows its citation
    assert excerpt.startswith("…") and excerpt.endswith("…")
    inner = excerpt.strip("…")
    start = text.index(inner)
    assert text[start - 1] == " " and text[start + len(inner)] == " "


def test_astral_characters_count_twice_against_the_limit():
    text = "😀 " * 5000 + "Câu chính. " + "😀 " * 5000
    reply = format_answer(result(hit(text, sentence="Câu chính.")))
    seen = shown(reply)
    assert utf16_len(seen) <= 4096 and "Câu chính." in seen
    assert len(seen) < 4096 * 3 // 4  # counted in UTF-16 units, not characters


def test_highlight_longer_than_the_budget_keeps_its_beginning():
    sentence = "Khởi đầu của câu rất dài " + "và tiếp tục " * 800 + "đến hết."
    reply = format_answer(result(hit("Trước. " + sentence + " Sau.", sentence=sentence)), max_length=1000)
    seen = shown(reply)
    assert utf16_len(seen) <= 1000
    assert "Khởi đầu của câu rất dài" in seen and "đến hết." not in seen


def test_unusable_highlight_offsets_are_ignored():
    text = "Nội dung ngắn."
    odd = SearchHit(1, 1.0, Passage(text, 1), doc(), (50, 80), ((-3, 2), (9, 9), (9, 400)))
    assert text in shown(format_answer(result(odd)))


def test_any_budget_gives_valid_html_within_the_limit():
    rng = random.Random(7)
    words = ["Đảng", "<b>", "&amp;", "😀", "chi bộ", "x" * 40, "cơ sở", "&", ">", "\n"]
    for _ in range(60):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 3000)))
        a = rng.randint(0, len(text) - 1)
        b = rng.randint(a + 1, len(text))
        terms = tuple(sorted((x, x + rng.randint(1, 30)) for x in (rng.randint(0, len(text)) for _ in range(8))))
        hits = [SearchHit(r, 1.0, Passage(text, r, "Mục <x>"), doc(), (a, b), terms) for r in (1, 2, 3)]
        max_length = rng.choice([120, 300, 600, 1500, 4096])
        for reply in (format_answer(result(*hits), max_length=max_length),
                      format_compact_answer(result(*hits), max_length=max_length)):
            assert utf16_len(shown(reply)) <= max_length


def test_tiny_limit_still_gives_a_valid_message():
    reply = format_answer(result(hit(long_passage("Câu.", 3000), sentence="Câu.")), max_length=40)
    assert 0 < utf16_len(shown(reply)) <= 40


# --- compact answers for groups ---------------------------------------------------------------


def test_compact_answer_shows_only_the_best_hit_briefly():
    best = hit(long_passage("Câu trả lời tốt nhất.", 5000), sentence="Câu trả lời tốt nhất.")
    other = hit("Đoạn khác.", rank=2, document=doc("Kết luận 01-KL/TW"))
    reply = format_compact_answer(result(best, other))
    seen = shown(reply)
    assert utf16_len(seen) <= 600
    assert "Câu trả lời tốt nhất." in seen and "Nghị quyết 21-NQ/TW" in seen and "đoạn 7" in seen
    assert "Kết luận 01-KL/TW" not in seen


def test_compact_answer_without_hits():
    assert "Không tìm thấy" in shown(format_compact_answer(result()))


# --- no answer --------------------------------------------------------------------------------


def test_no_answer_says_so_suggests_rephrasing_and_lists_closest_titles():
    reply = format_no_answer("quy định <mới> & cũ", ["Quy định 22-QĐ/TW <sửa đổi>", "Nghị quyết & Kết luận"])
    seen = shown(reply)
    assert "Không tìm thấy" in seen and "quy định <mới> & cũ" in seen
    assert "22-QĐ/TW" in seen and "có dấu" in seen
    assert "• Quy định 22-QĐ/TW <sửa đổi>" in seen and "• Nghị quyết & Kết luận" in seen


def test_no_answer_without_titles_has_no_empty_list():
    seen = shown(format_no_answer("abc", []))
    assert "gần nhất" not in seen


def test_no_answer_stays_short_with_many_long_titles():
    seen = shown(format_no_answer("x" * 5000, ["Tiêu đề rất dài " * 100] * 20))
    assert seen.count("•") == 3 + 5 and utf16_len(seen) < 1500


# --- full passage -----------------------------------------------------------------------------


def neighbours(*texts: str, focus_section: str = "Điều 5. Nhiệm vụ") -> list[Passage]:
    return [Passage(text, paragraph=10 + i, section=focus_section, id=200 + i, doc_id=1) for i, text in enumerate(texts)]


def test_full_passage_shows_neighbours_in_order_with_the_focus_marked():
    passages = neighbours("Đoạn trước.", "Đoạn chính <quan trọng> & rõ.", "Đoạn sau.")
    reply = format_full_passage(doc(), list(reversed(passages)), focus_id=201)
    seen = shown(reply)
    assert seen.index("Đoạn trước.") < seen.index("Đoạn chính <quan trọng> & rõ.") < seen.index("Đoạn sau.")
    assert "<blockquote>Đoạn chính &lt;quan trọng&gt; &amp; rõ.</blockquote>" in reply
    assert "▶ Đoạn 11" in seen and "đoạn 11" in seen.split("\n")[0]


def test_full_passage_labels_a_neighbour_from_another_section():
    passages = neighbours("Trước.", "Chính.")
    passages[0] = Passage("Trước.", 10, section="Điều 4. Quyền hạn", id=200)
    assert "Đoạn 10 · Điều 4. Quyền hạn" in shown(format_full_passage(doc(), passages, 201))


def test_long_neighbours_keep_the_text_nearest_the_focus():
    before = "đầu trước " * 400 + "cuối trước."
    after = "đầu sau " + "tiếp sau " * 400
    passages = neighbours(before, "Đoạn chính.", after)
    seen = shown(format_full_passage(doc(), passages, 201))
    assert utf16_len(seen) <= 4096
    assert "cuối trước." in seen and "đầu sau" in seen
    assert "Đoạn chính." in seen


def test_huge_focus_passage_is_shortened_and_neighbours_give_way():
    passages = neighbours("Trước đó.", "Mở đầu đoạn chính " + "nội dung " * 3000, "Sau đó.")
    seen = shown(format_full_passage(doc(), passages, 201))
    assert utf16_len(seen) <= 4096
    assert "Mở đầu đoạn chính" in seen and "rút gọn" in seen
    assert "Trước đó." not in seen and "Sau đó." not in seen


def test_full_passage_requires_the_focus_among_the_passages():
    with pytest.raises(ValueError):
        format_full_passage(doc(), neighbours("a", "b"), focus_id=999)


# --- inline results, help, document list ------------------------------------------------------


def test_inline_passage_repeats_the_question_and_cites_one_passage():
    text = "Mở đầu. Củng cố tổ chức cơ sở đảng là nhiệm vụ then chốt & <cấp bách>. Kết thúc."
    reply = format_inline_passage("tổ chức <cơ sở> & đảng", hit(text, sentence="Củng cố tổ chức cơ sở đảng là nhiệm vụ then chốt & <cấp bách>."))
    seen = shown(reply)
    assert seen.startswith("🔎 tổ chức <cơ sở> & đảng\n\nNghị quyết 21-NQ/TW")
    assert "1. " not in seen and "đoạn 7" in seen and text in seen


def test_inline_passage_of_a_huge_passage_fits_without_pointing_to_buttons():
    sentence = "Chi bộ là hạt nhân chính trị ở cơ sở."
    seen = shown(format_inline_passage("chi bộ", hit(long_passage(sentence), sentence=sentence)))
    assert utf16_len(seen) <= 4096 and sentence in seen
    assert "rút gọn" in seen and "Toàn văn" not in seen  # an inline message has no buttons


def test_snippet_and_title_are_short_plain_text():
    text = "Câu đầu. " + "Câu trả lời <chính> & rõ ràng " * 20 + "."
    one = hit(text, sentence=text[9:], rank=2, document=doc("Tiêu đề <A> & B " * 30))
    assert snippet(one).startswith("Câu trả lời <chính> & rõ ràng") and len(snippet(one)) <= 150
    assert snippet(hit("Không có câu nổi bật.")) == "Không có câu nổi bật."
    assert hit_title(one).startswith("2. Tiêu đề <A> & B") and len(hit_title(one)) <= 200


def test_summary_names_documents_passages_and_newest_date():
    seen = shown(format_summary({"documents": 3, "passages": 30, "newest_date": "2024-05-01", "embedder": "x"}))
    assert seen == "📚 Đang có 3 văn bản (30 đoạn), văn bản mới nhất ngày 01/05/2024."
    assert "Chưa có văn bản" in shown(format_summary({"documents": 0, "passages": 0, "newest_date": None}))
    assert "mới nhất" not in shown(format_summary({"documents": 1, "passages": 2, "newest_date": None}))


def test_help_says_what_the_bot_knows_how_to_ask_and_gives_examples():
    seen = shown(format_help({"documents": 2, "passages": 9, "newest_date": "2021-12-02"}, "vankien_test_bot"))
    assert "2 văn bản" in seen and "02/12/2021" in seen
    assert "@vankien_test_bot" in seen and "/hoi" in seen and "/tailieu" in seen
    assert "Ví dụ" in seen and "22-QĐ/TW" in seen and "không dấu" in seen


def test_document_list_is_newest_first_escaped_and_fits_one_message():
    documents = [doc(f"Văn bản <{n}> & phụ lục " + "rất dài " * 20, date=f"2021-01-{n % 28 + 1:02d}", passage_count=n)
                 for n in range(200)]
    seen = shown(format_documents(documents))
    assert seen.startswith("📚 200 văn bản đã nạp") and "• Văn bản <0> & phụ lục" in seen
    assert utf16_len(seen) <= 4096 and seen.rstrip().endswith("văn bản khác.")
    assert "Chưa có văn bản" in shown(format_documents([]))
    assert shown(format_documents(documents[:2])).count("•") == 2


def test_rate_limit_message_rounds_the_wait_up():
    assert "3 giây" in format_rate_limited(2.1) and "1 giây" in format_rate_limited(0.0)
