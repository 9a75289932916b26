import pytest

from index.restoration import DiacriticRestorer, SyllableTable
from index.vietnamese import (
    diacritic_share,
    find_codes,
    fold,
    index_tokens,
    normalize_text,
    normalize_tones,
    query_code_refs,
    query_tokens,
    syllables,
    text_code_refs,
)


@pytest.mark.parametrize(
    "new_style, old_style",
    [("hoà", "hòa"), ("thuý", "thúy"), ("khoẻ", "khỏe"), ("uỷ", "ủy"), ("tuỳ", "tùy"), ("hoá", "hóa"), ("khoá", "khóa")],
)
def test_both_tone_mark_conventions_match_as_one(new_style, old_style):
    assert normalize_tones(new_style) == normalize_tones(old_style) == old_style


@pytest.mark.parametrize("word", ["hoàng", "quý", "giá", "người", "xoáy", "gì", "thuở", "nghĩa", "ở", "khuya", "được"])
def test_correctly_marked_syllables_are_left_alone(word):
    assert normalize_tones(word) == word


def test_decomposed_unicode_becomes_nfc():
    decomposed = "Vie\u0323\u0302t Nam"  # dot below + circumflex as combining marks
    assert normalize_text(decomposed) == "Việt Nam"


def test_folding_strips_every_mark_and_maps_d_stroke():
    assert fold("Đảng bộ tỉnh Vĩnh Phúc") == "dang bo tinh vinh phuc"


def test_one_letter_syllables_are_tokens():
    assert "ở" in syllables("góp phần ổn định ở các địa phương")


@pytest.mark.parametrize(
    "text, codes",
    [
        ("Quy định 22-QĐ/TW, ngày 28/7/2021", ["22-QĐ/TW"]),
        ("Quyết định số 1023/QĐ-UBND ngày 5/3/2023", ["1023/QĐ-UBND"]),
        ("Nghị quyết số 15/2022/NQ-HĐND", ["15/2022/NQ-HĐND"]),
        ("Đề án số 01-ĐA/TU, ngày 30/11/2016 và Quy định số 371-QĐ/TU", ["01-ĐA/TU", "371-QĐ/TU"]),
        ("giai đoạn 2021-2025, ngày 22/9/2021", []),
    ],
)
def test_document_codes_are_found_as_written(text, codes):
    assert find_codes(text) == codes


@pytest.mark.parametrize("typed", ["22-QĐ/TW", "22-QD/TW", "22 qđ tw", "quy dinh so 22-qd/tw", "Quy định số 22-QĐ/TW"])
def test_a_code_typed_any_way_gives_the_full_key(typed):
    keys = [key for ref in query_code_refs(typed) for key in ref.keys()]
    assert keys[0] == "22-QD-TW"


@pytest.mark.parametrize("typed", ["quy dinh 22", "qd 22", "Quy định số 22"])
def test_a_code_named_in_words_gives_the_partial_key(typed):
    assert [ref.keys() for ref in query_code_refs(typed)] == [["22-QD"]]


def test_leading_zeros_do_not_matter():
    doc_keys = {key for ref in text_code_refs("Nghị quyết số 07-NQ/TU") for key in ref.keys()}
    asked = query_code_refs("nghi quyet 7-nq/tu")[0].keys()
    assert asked[0] in doc_keys


def test_numbers_with_ordinary_words_are_not_codes():
    assert query_code_refs("có 7 nhiệm vụ trọng tâm năm 2021") == []


def test_question_without_diacritics_shares_folded_tokens_with_the_text():
    text_tokens = set(index_tokens("Tiếp công dân của người đứng đầu cấp ủy"))
    asked = set(query_tokens("tiep cong dan cua nguoi dung dau cap uy"))
    assert {"~tiep_cong", "~nguoi_dung", "~cap_uy"} <= text_tokens & asked


def test_diacritic_share_tells_typed_without_accents():
    assert diacritic_share("quy dinh so 22") == 0.0
    assert diacritic_share("Quy định số 22") > 0.5


def test_restoration_uses_the_corpus_vocabulary():
    restorer = DiacriticRestorer.train(
        ["Chỉ đạo thực hiện nghiêm túc việc tiếp công dân của người đứng đầu cấp ủy, chính quyền các cấp."] * 3
        + ["Đứng đầu danh sách là các cấp ủy cơ sở."]
    )
    assert restorer.restore("tiep cong dan cua nguoi dung dau cap uy") == "tiếp công dân của người đứng đầu cấp ủy"


def test_restoration_keeps_numbers_punctuation_and_unknown_words():
    restorer = DiacriticRestorer.train(["Quy định số 22 về công tác kiểm tra"])
    assert restorer.restore("quy dinh so 22, xyz?") == "quy định số 22, xyz?"


def test_restoration_forgets_removed_documents():
    kept, removed = SyllableTable.count(["bài học"]), SyllableTable.count(["bãi hóc", "bãi hóc"])
    assert DiacriticRestorer([kept, removed]).restore("bai hoc") == "bãi hóc"
    assert DiacriticRestorer([kept, removed], [removed]).restore("bai hoc") == "bài học"
