import pytest

from index.references import DivisionRef, question_references, remainder
from index.vietnamese import CodeRef, fold


def divisions(question):
    return [(d.kind, d.number) for d in question_references(question).divisions]


def mention_summary(mention):
    return (mention.doc_type, mention.issuer, mention.name_words, mention.year, [k for c in mention.codes for k in c.keys()])


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Điều 7", [("dieu", "7")]),
        ("điều 7 nói gì", [("dieu", "7")]),
        ("DIEU 7", [("dieu", "7")]),
        ("Điều 07", [("dieu", "7")]),
        ("Điều 7a", [("dieu", "7a")]),
        ("Điều số 12", [("dieu", "12")]),
        ("khoản 2 Điều 5", [("dieu", "5"), ("khoan", "2")]),
        ("khoan 2 dieu 5", [("dieu", "5"), ("khoan", "2")]),
        ("điểm a khoản 1 Điều 3", [("dieu", "3"), ("khoan", "1"), ("diem", "a")]),
        ("diem a khoan 1 dieu 3", [("dieu", "3"), ("khoan", "1"), ("diem", "a")]),
        ("điểm đ khoản 2 của Điều 9", [("dieu", "9"), ("khoan", "2"), ("diem", "đ")]),
        ("điểm b khoản 2", [("khoan", "2"), ("diem", "b")]),
        ("điểm e khoản 1 Điều 38", [("dieu", "38"), ("khoan", "1"), ("diem", "e")]),
        ("diem g khoan 3 dieu 2", [("dieu", "2"), ("khoan", "3"), ("diem", "g")]),
        ("Mục 4 phần II", [("phan", "II"), ("muc", "4")]),
        ("Mục 3 phần IV", [("phan", "IV"), ("muc", "3")]),
        ("muc 3 phan iv", [("phan", "IV"), ("muc", "3")]),
        ("mục 8", [("muc", "8")]),
        ("điểm b mục 8", [("muc", "8"), ("diem", "b")]),
        ("Chương III", [("chuong", "III")]),
        ("chuong 3", [("chuong", "3")]),
        ("Chương XII có mấy điều", [("chuong", "XII")]),
        ("Phụ lục 2", [("phuluc", "2")]),
        ("phu luc II", [("phuluc", "II")]),
        ("Phụ lục số 3 ban hành kèm theo", [("phuluc", "3")]),
        ("Phần I", [("phan", "I")]),
        ("phần 1", [("phan", "1")]),
        ("Điểm 4.1", [("diem", "4.1")]),
        ("điểm 1.2.3 nói gì", [("diem", "1.2.3")]),
        ("tiểu mục 2.1", [("muc", "2.1")]),
        ("Điều 5, khoản 3", [("dieu", "5"), ("khoan", "3")]),
        ("Điều 5 và Điều 7", [("dieu", "5"), ("dieu", "7")]),
        ("Khoản 8 Điều 40 Luật 42/2024/QH15", [("dieu", "40"), ("khoan", "8")]),
    ],
)
def test_division_references_are_read_outermost_first(question, expected):
    assert divisions(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "ngày 26 tháng 5 năm 2025",
        "trong vòng 30 ngày",
        "mục đích của việc kết nạp đảng viên",
        "muc dich cua viec ket nap",
        "mục tiêu đến năm 2030",
        "phần lớn đảng viên",
        "tăng 5 phần trăm",
        "điều kiện kết nạp Đảng",
        "dieu kien ket nap dang",
        "điều chỉnh, điều hành, điều tra",
        "khoản tiền, khoản vay",
        "một khoản 2 triệu đồng",
        "điểm mới và điểm yếu",
        "chương trình hành động",
        "mục vì dân",
        "điểm mạnh của bài",
        "Điều lệ Đảng",
    ],
)
def test_words_that_only_look_like_divisions_are_not_divisions(question):
    assert divisions(question) == []


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Quy định 294-QĐ/TW là gì?", ("Quy định", None, None, None, ["294-QD-TW", "294-QD"])),
        ("quy dinh 294", ("Quy định", None, None, None, ["294-QD"])),
        ("quy định số 22", ("Quy định", None, None, None, ["22-QD"])),
        ("Nghị quyết 34 của Tỉnh ủy Lào Cai", ("Nghị quyết", "tinh uy lao cai", None, None, ["34-NQ"])),
        (
            "Nghị quyết 57-NQ/TW năm 2024 của Bộ Chính trị",
            ("Nghị quyết", "bo chinh tri", None, 2024, ["57-NQ-TW", "57-NQ"]),
        ),
        (
            "Hướng dẫn của Ban Tổ chức Thành ủy Hà Nội tháng 8/2025 về Huy hiệu Đảng",
            ("Hướng dẫn", "ban to chuc thanh uy ha noi", "huy hieu dang", 2025, []),
        ),
        ("Công văn 597 của Cục Hóa chất", ("Công văn", "cuc hoa chat", None, None, ["597-CV"])),
        (
            "Thông tư 38/2025/TT-BCT sửa đổi gì",
            ("Thông tư", None, None, 2025, ["38-2025-TT-BCT", "38-TT-BCT", "38-TT"]),
        ),
        ("Nghị định 181", ("Nghị định", None, None, None, ["181-ND"])),
        ("Nghị định 181 của Chính phủ", ("Nghị định", "chinh phu", None, None, ["181-ND"])),
        ("Chỉ thị 07/CT-TTg", ("Chỉ thị", None, None, None, ["7-CT-TTG", "7-CT"])),
        (
            "Quyết định 16/2026/QĐ-UBND",
            ("Quyết định", None, None, 2026, ["16-2026-QD-UBND", "16-QD-UBND", "16-QD"]),
        ),
        (
            "quyết định số 1023/QĐ-UBND ngày 5/3/2023 của UBND tỉnh Lào Cai",
            ("Quyết định", "ubnd tinh lao cai", None, 2023, ["1023-QD-UBND", "1023-QD"]),
        ),
        ("Khoản 8 Điều 40 Luật 42/2024/QH15", ("Luật", None, None, 2024, [])),
        ("Điều 95 Luật Hôn nhân và gia đình quy định gì?", ("Luật", None, "hon nhan va gia dinh", None, [])),
        ("Luật Đất đai 2024", ("Luật", None, "dat dai", 2024, [])),
        ("Luật Cơ yếu có mấy chương", ("Luật", None, "co yeu", None, [])),
        ("Quy chế quản lý cụm công nghiệp", ("Quy chế", None, "quan ly cum cong nghiep", None, [])),
        ("Theo Điều lệ Đảng thì đảng viên có quyền gì", ("Điều lệ", None, "dang", None, [])),
        ("Thông tư của Bộ Công Thương về hóa chất", ("Thông tư", "bo cong thuong", "hoa chat", None, [])),
        ("294-QĐ/TW là gì", (None, None, None, None, ["294-QD-TW", "294-QD"])),
        ("nq 57 nói gì", (None, None, None, None, ["57-NQ"])),
        ("42/2024/QH15 có hiệu lực khi nào", ("Luật", None, None, 2024, [])),
    ],
)
def test_the_document_named_is_read_with_its_number_issuer_title_and_year(question, expected):
    assert mention_summary(question_references(question).document) == expected


@pytest.mark.parametrize(
    "question, code",
    [
        ("Khoản 8 Điều 40 Luật 42/2024/QH15", "42/2024/QH15"),
        ("Quy định số 294 - QĐ/TW", "294-QĐ/TW"),
        ("Chỉ thị 07/CT-TTg", "07/CT-TTg"),
        ("Nghị quyết 34 của Tỉnh ủy", "34"),
        ("Luật Đất đai", None),
        ("qd 22 quy dinh gi", "22"),
        ("42/2024/QH15 có hiệu lực khi nào", "42/2024/QH15"),
    ],
)
def test_the_number_is_kept_as_written_for_codes_without_type_letters(question, code):
    assert question_references(question).document.code == code


@pytest.mark.parametrize(
    "question",
    [
        "Điều 95 Luật Hôn nhân và gia đình quy định gì?",
        "Quy định 294 hướng dẫn Điều 24 Điều lệ Đảng",
        "Hướng dẫn của Ban Tổ chức Thành ủy Hà Nội tháng 8/2025 về Huy hiệu Đảng",
        "Điều 15 Quy chế quản lý cụm công nghiệp Lào Cai",
        "điểm a khoản 1 Điều 3 Nghị định 181/2025/NĐ-CP",
        "Kế hoạch triển khai Chỉ thị 11-CT/TU",
        "Mục 3 phần IV Nghị quyết 34 của Tỉnh ủy Lào Cai",
    ],
)
def test_a_question_typed_without_diacritics_gives_the_same_references(question):
    accented, folded = question_references(question), question_references(fold(question))
    assert folded.divisions == accented.divisions
    assert [mention_summary(m) for m in folded.mentions] == [mention_summary(m) for m in accented.mentions]
    assert [m.divisions for m in folded.mentions] == [m.divisions for m in accented.mentions]


def test_a_regulation_and_the_charter_it_implements_are_two_mentions():
    refs = question_references("Quy định 294 hướng dẫn Điều 24 Điều lệ Đảng")
    regulation, charter = refs.mentions
    assert refs.document == regulation and regulation.codes == (CodeRef(294, "QD"),) and regulation.divisions == ()
    assert (charter.doc_type, charter.name_words, charter.divisions) == ("Điều lệ", "dang", (DivisionRef("dieu", "24"),))
    assert refs.divisions == (DivisionRef("dieu", "24"),)


@pytest.mark.parametrize(
    "question, attached",
    [
        ("Điều 15 Quy chế quản lý cụm công nghiệp Lào Cai", [("dieu", "15")]),
        ("Khoản 8 Điều 40 Luật 42/2024/QH15", [("dieu", "40"), ("khoan", "8")]),
        ("điểm b khoản 2 Điều 5 của Nghị định 181", [("dieu", "5"), ("khoan", "2"), ("diem", "b")]),
        ("Luật 42/2024/QH15, điều 40", [("dieu", "40")]),
        ("Nghị định 181 quy định thế nào về Điều 5", []),
    ],
)
def test_divisions_written_next_to_a_document_belong_to_it(question, attached):
    assert [(d.kind, d.number) for d in question_references(question).document.divisions] == attached


def test_a_plan_implementing_a_directive_names_both_and_the_numbered_one_is_the_document():
    refs = question_references("Kế hoạch triển khai Chỉ thị 11-CT/TU")
    assert [(m.doc_type, m.name_words, m.code) for m in refs.mentions] == [
        ("Kế hoạch", "trien khai", None),
        ("Chỉ thị", None, "11-CT/TU"),
    ]
    assert refs.document == refs.mentions[1]


@pytest.mark.parametrize(
    "question, types",
    [
        ("Điều 95 Luật Hôn nhân và gia đình quy định gì?", ["Luật"]),  # "quy định" is the verb here
        ("Quy định 294 hướng dẫn Điều 24 Điều lệ Đảng", ["Quy định", "Điều lệ"]),  # so is "hướng dẫn"
        ("cấp ủy báo cáo kết quả thế nào", []),
        ("chi bộ kết luận ra sao", []),
        ("luật sư được tư vấn gì", []),
        ("vi phạm pháp luật bị xử lý ra sao", []),
        ("xử lý kỷ luật đảng viên", []),
        ("Luật Đất đai và luật pháp", ["Luật"]),
        ("Đảng viên cần điều kiện gì?", []),
    ],
)
def test_document_words_used_as_everyday_words_are_not_documents(question, types):
    assert [m.doc_type for m in question_references(question).mentions] == types


def test_questions_without_references_have_none():
    refs = question_references("Đảng viên cần điều kiện gì để được kết nạp?")
    assert (refs.divisions, refs.document, refs.mentions) == ((), None, ())


@pytest.mark.parametrize(
    "question, rest",
    [
        ("khoản 2 Điều 5 quy định những gì về kỷ luật?", "quy định những gì về kỷ luật?"),
        ("Quy định 294-QĐ/TW là gì?", "là gì?"),
        ("Điều 95 Luật Hôn nhân và gia đình quy định gì?", "Hôn nhân và gia đình quy định gì?"),
        ("Nghị quyết 34 của Tỉnh ủy Lào Cai về du lịch", "của Tỉnh ủy Lào Cai về du lịch"),
        ("mục đích và điều kiện kết nạp", "mục đích và điều kiện kết nạp"),
        ("dieu 7 noi gi", "noi gi"),
    ],
)
def test_remainder_drops_references_but_keeps_the_words_that_say_what_is_asked(question, rest):
    assert remainder(question) == rest
