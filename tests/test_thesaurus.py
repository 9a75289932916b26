"""The domain thesaurus (index/thesaurus.txt): every group's entries fire on the questions members type."""

from __future__ import annotations

import pytest

from index.thesaurus import Thesaurus, default_thesaurus


@pytest.mark.parametrize(
    "group, question, terms",
    [
        ("đảng viên và tổ chức đảng", "Người của Đảng vi phạm thì bị đuổi khỏi Đảng không?", ["đảng viên", "khai trừ"]),
        ("đảng viên và tổ chức đảng", "buổi họp chi bộ mỗi tháng mấy lần", ["sinh hoạt chi bộ"]),
        ("địa bàn", "Làng nào ở Lào Cai có nhiều hộ nghèo?", ["thôn"]),
        ("địa bàn", "chính quyền tỉnh giao việc gì cho phường xã", ["Ủy ban nhân dân tỉnh", "cấp xã"]),
        ("đánh giá", "Điểm yếu trong công tác cán bộ là gì?", ["hạn chế", "yếu kém"]),
        ("đơn thư", "thư tố giác, khiếu nại năm 2024 tăng hay giảm", ["đơn thư", "tố cáo"]),
        ("cán bộ và đơn vị công", "trường học công, cơ sở khám chữa bệnh công sắp xếp ra sao",
         ["đơn vị sự nghiệp công lập"]),
        ("đất đai và đầu tư", "tiền đền bù khi giải tỏa được tính thế nào", ["bồi thường", "giải phóng mặt bằng"]),
        ("văn bản và pháp luật", "Mua thuốc nổ có phải xin phép không?", ["vật liệu nổ", "cấp giấy phép", "đề nghị cấp"]),
        ("viết tắt", "UBKT và MTTQ phối hợp thế nào", ["Ủy ban Kiểm tra", "Mặt trận Tổ quốc"]),
        ("viết tắt", "Ban Thường vụ Tỉnh ủy chỉ đạo gì về tổ chức cơ sở đảng", ["BTV", "TCCS"]),
    ],
)
def test_each_group_brings_the_documents_terms_to_a_members_question(group, question, terms):
    thesaurus = default_thesaurus()
    assert any(entry.group == group for entry in thesaurus.entries)
    assert thesaurus.expansions(question) == terms


def test_a_question_typed_without_diacritics_matches_by_its_letters():
    assert default_thesaurus().expansions("cho minh hoi nguoi cua dang bi ky luat the nao a") == [
        "đảng viên", "thi hành kỷ luật",
    ]


def test_words_typed_with_diacritics_must_match_them_and_whole_words_only():
    thesaurus = default_thesaurus()
    assert thesaurus.expansions("Tỉnh Lạng Sơn có bao nhiêu xã?") == []  # "Lạng" is not "làng"
    assert thesaurus.expansions("Quy định về xác định nhiệm vụ") == []
    assert thesaurus.expansions("Ủy ban nhân dân tỉnh ban hành gì") == ["UBND"]


def test_terms_the_question_already_says_are_not_added_again():
    assert default_thesaurus().expansions("điểm yếu và hạn chế của chi bộ") == ["yếu kém"]


def test_every_shipped_entry_fires_on_its_own_words():
    """A typo in the file (a left side no question can hold, a term that is the left side again) shows here."""
    thesaurus = default_thesaurus()
    assert len({entry.group for entry in thesaurus.entries}) >= 8
    for entry in thesaurus.entries:
        said = " ".join(entry.words)
        expected = [t for t in entry.terms if f" {t.lower()} " not in f" {said} "]  # a term already said is not added
        found = thesaurus.expansions(f"cho hỏi {said} là gì")
        assert expected and all(t in found for t in expected), (entry, found)


@pytest.mark.parametrize("line", ["đền bù bồi thường", "=> bồi thường", "đền bù =>", "[x]\nA <=>"])
def test_a_malformed_line_is_refused_with_its_number(line):
    with pytest.raises(ValueError, match="thesaurus line"):
        Thesaurus.parse(line)
