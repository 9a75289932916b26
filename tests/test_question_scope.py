"""Places and times in a question, and how a document fits them (index/question_scope.py)."""

from __future__ import annotations

from datetime import date

import pytest

from index.documents import Document
from index.question_scope import ScopeFit, document_provinces, document_years, question_scope, scope_fit

TODAY = date(2026, 12, 1)


def document(title: str, issuer: str | None = None, day: str | None = None, codes: tuple[str, ...] = (),
             subject: str | None = None, doc_type: str | None = None) -> Document:
    return Document(title=title, source="x.txt", content_hash="h", date=day, issuer=issuer, codes=codes, subject=subject,
                    doc_type=doc_type)


@pytest.mark.parametrize(
    "question, provinces, years",
    [
        ("Năm 2024, số đơn thư ở tỉnh Lào Cai biến động ra sao?", {"lao cai"}, {2024}),
        ("6 tháng đầu năm 2023 Vĩnh Phúc kết nạp bao nhiêu đảng viên", {"vinh phuc"}, {2023}),
        ("nhiem ky 2020-2025 ha noi", {"ha noi"}, {2020, 2021, 2022, 2023, 2024, 2025}),
        ("Năm ngoái tỉnh Hòa Bình làm gì?", {"hoa binh"}, {2025}),
        ("năm nay TP HCM có gì mới", {"ho chi minh"}, {2026}),
        ("Giữ gìn hòa bình và học tập tư tưởng Hồ Chí Minh", set(), set()),
        ("Luật Quản lý vũ khí quy định gì?", set(), set()),
        ("Luật số 42/2024/QH15 quy định gì về vật liệu nổ?", set(), set()),  # a number's year is no period
        ("Quy định 22-QĐ/TW ngày 28/7/2021 nói gì?", set(), {2021}),
    ],
)
def test_provinces_and_years_named_in_a_question(question, provinces, years):
    scope = question_scope(question, TODAY)
    assert scope.provinces == provinces and scope.years == years


def test_a_documents_province_comes_from_its_issuer_or_title_never_from_where_a_central_body_signed():
    provincial = document("Thông báo số 1894/TB-SCT", issuer="Sở Công Thương tỉnh Lào Cai", day="2026-04-09")
    central = document("Công văn của Cục Hóa chất", issuer="Cục Hóa chất, Bộ Công Thương", day="2026-04-22")
    report = document("Vĩnh Phúc: Những kết quả quan trọng về công tác xây dựng Đảng", day="2021-12-02")
    assert document_provinces(provincial) == {"lao cai"}
    assert document_provinces(central) == frozenset()
    assert document_provinces(report) == {"vinh phuc"}


def test_a_documents_years_are_the_period_its_title_states_else_a_reports_signing_year():
    six_months = document("Báo cáo sơ kết 6 tháng đầu năm 2023", day="2023-07-05", doc_type="Báo cáo")
    term = document("Nghị quyết Đại hội nhiệm kỳ 2020-2025", day="2020-10-15", doc_type="Nghị quyết")
    law = document("Luật Quản lý, sử dụng vũ khí số 42/2024/QH15", day="2024-06-29", codes=("42/2024/QH15",), doc_type="Luật")
    notice = document("Thông báo kết quả kiểm tra", day="2026-04-09", doc_type="Thông báo")
    news = document("Vĩnh Phúc: Những kết quả quan trọng về công tác xây dựng Đảng", day="2021-12-02")
    assert document_years(six_months) == {2023}
    assert document_years(term) == set(range(2020, 2026))
    assert document_years(law) == frozenset()  # a law applies after 2024: the code's "2024" is a number, not a period
    assert document_years(notice) == {2025, 2026} and document_years(news) == {2020, 2021}  # the time they were written
    plan = document("Kế hoạch phát triển công nghiệp", day="2025-12-27", doc_type="Kế hoạch")
    assert document_years(plan) == set(range(2025, 2036))  # what it sets out to do, from then on
    assert document_years(law, issuing=True) == {2024} and document_years(plan, issuing=True) == {2025}


def test_a_question_asks_about_issuing_when_it_says_ban_hanh_or_puts_the_year_by_a_type():
    assert question_scope("Tỉnh ủy Lào Cai năm 2015 ban hành nghị quyết gì?", TODAY).issuing_year
    assert question_scope("Kế hoạch năm 2021 của UBND tỉnh giao việc gì?", TODAY).issuing_year
    assert not question_scope("Nghị quyết 34 đặt mục tiêu tăng trưởng năm 2026 là bao nhiêu?", TODAY).issuing_year


def test_fit_is_a_match_only_when_nothing_asked_is_contradicted():
    scope = question_scope("Năm 2024 tỉnh Lào Cai xử lý bao nhiêu đơn thư?", TODAY)
    assert scope_fit(scope, frozenset({"lao cai"}), frozenset({2024})) is ScopeFit.MATCH
    assert scope_fit(scope, frozenset({"lao cai"}), frozenset({2025})) is ScopeFit.MISMATCH
    assert scope_fit(scope, frozenset({"vinh phuc"}), frozenset({2024})) is ScopeFit.MISMATCH
    assert scope_fit(scope, frozenset(), frozenset()) is ScopeFit.NEUTRAL  # a central, undated document
    assert scope_fit(scope, frozenset(), frozenset({2024})) is ScopeFit.MATCH
    assert scope_fit(question_scope("Đơn thư xử lý thế nào?", TODAY), frozenset({"lao cai"}), frozenset({2024})) is ScopeFit.NEUTRAL
