"""What a shown passage underlines: the question's content words as whole words and phrases."""

from __future__ import annotations

from index.question_words import content_words, matched_spans, question_phrases


def underlined(text: str, question: str) -> list[str]:
    return [text[a:b] for a, b in matched_spans(text, question_phrases(question))]


def test_a_two_word_term_is_underlined_whole_never_one_syllable_of_it():
    text = "Quy định này xác định rõ trách nhiệm. Theo quy định 22-QĐ/TW về công tác kiểm tra, giám sát"
    assert underlined(text, "Quy định 22-QĐ/TW nói về công tác kiểm tra gì?") == [
        "Quy định", "quy định 22-QĐ/TW", "công tác kiểm tra",
    ]


def test_a_syllable_alone_is_not_underlined_when_the_question_said_it_in_a_longer_word():
    assert underlined("Định kỳ, Quy trình xử lý và xác định nhiệm vụ.", "quy định về xử lý") == ["xử lý"]


def test_words_the_question_says_alone_are_underlined_but_not_a_number_out_of_its_code():
    text = "Năm 2021, Đảng bộ tỉnh kết nạp 2.316 đảng viên; 22 đồng chí được khen thưởng."
    assert underlined(text, "Đảng bộ kết nạp bao nhiêu đảng viên năm 2021?") == ["Năm 2021", "Đảng bộ", "kết nạp", "đảng viên"]
    assert underlined(text, "Quy định 22-QĐ/TW nói về Đảng") == ["Đảng", "đảng"]  # not "22"


def test_a_comma_or_full_stop_breaks_a_phrase():
    text = "công tác kiểm tra. Giám sát, kỷ luật"
    assert underlined(text, "kiểm tra giám sát") == ["kiểm tra", "Giám sát"]  # two stretches, not one


def test_diacritic_less_questions_underline_the_accented_words():
    assert underlined("Công tác dân vận của Đảng", "cong tac dan van") == ["Công tác dân vận"]


def test_chat_words_are_not_content_words_when_typed_with_their_accents():
    assert content_words("Cho mình hỏi tôi muốn xin huy hiệu thì phải làm gì ạ") == ["huy", "hieu"]


def test_a_chat_word_folded_is_kept_since_it_may_be_another_word():
    # "toi" may be "tới" or "tối" ("tài liệu tối mật"), "minh" may be "minh bạch"
    assert "toi" in content_words("tai lieu toi mat")
    assert content_words("cong khai minh bach") == ["cong", "khai", "minh", "bach"]
    assert "toi" not in content_words("nhà tôi") and "toi" in content_words("tài liệu tối mật")


def test_a_word_typed_with_diacritics_is_no_function_word_it_only_looks_like_folded():
    # folded, "cơ" is "có", "vi" is "vì", "thi" is "thì", "đề" is "để", "tài" is "tại"
    assert content_words("lương cơ sở là bao nhiêu") == ["luong", "co", "so"]
    assert content_words("luong co so la bao nhieu") == ["luong", "so"]
    assert underlined("Xử lý hành vi vi phạm và thi hành kỷ luật.", "Hành vi vi phạm bị thi hành kỷ luật thế nào?") == [
        "hành vi vi phạm", "thi hành kỷ luật"]
