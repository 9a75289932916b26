"""Formal documents: header, division tree, closing, relations; each test builds the document it reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.cleaning import build_document
from index.documents import OCR, Block, Division, ParsedFile
from index.formal import read_formal
from index.formal.casing import sentence_case
from index.readers import read_file
from tests.generated_files import docx_bytes

PARTY_HEADER = (
    "BAN CHẤP HÀNH TRUNG ƯƠNG          ĐẢNG CỘNG SẢN VIỆT NAM\n"
    "            *\n"
    "Số 294-QĐ/TW          Hà Nội, ngày 26 tháng 5 năm 2025"
)
STATE_HEADER = (
    "ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "TỈNH LÀO CAI          Độc lập - Tự do - Hạnh phúc\n"
    "Số: 16/2026/QĐ-UBND          Lào Cai, ngày 25 tháng 02 năm 2026"
)
PARTY_CLOSING = (
    "Nơi nhận:                              T/M BAN CHẤP HÀNH TRUNG ƯƠNG\n"
    "- Các tỉnh ủy, thành ủy,                       TỔNG BÍ THƯ\n"
    "- Lưu Văn phòng Trung ương Đảng.\n"
    "                                                 Tô Lâm"
)
STATE_CLOSING = (
    "Nơi nhận:                              TM. ỦY BAN NHÂN DÂN\n"
    "- Như Điều 3;                              KT. CHỦ TỊCH\n"
    "- Văn phòng Chính phủ;                     PHÓ CHỦ TỊCH\n"
    "- Lưu: VT, KT.\n"
    "                                          Nguyễn Thế Phước"
)


def read(*blocks: str, source: str = "van-ban.pdf"):
    """build_document over blocks as a PDF or OCR reader gives them: printed lines, columns as runs of spaces."""
    return build_document(ParsedFile(source=source, blocks=tuple(Block(b) for b in blocks)), "h")


def labels(passages) -> list[str]:
    return [p.path_label() for p in passages]


def passage_at(passages, label: str):
    return next(p for p in passages if p.path_label() == label)


# --------------------------------------------------------------------------- header layouts


def test_docx_header_table_and_signature_row_give_metadata_and_keep_the_closing_out(tmp_path: Path):
    def build(document):
        header = document.add_table(rows=2, cols=2)
        header.cell(0, 0).text = "QUỐC HỘI"
        header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
        header.cell(1, 0).text = "Luật số: 42/2024/QH15"
        header.cell(1, 1).text = "Hà Nội, ngày 29 tháng 6 năm 2024"
        for text in (
            "LUẬT", "QUẢN LÝ, SỬ DỤNG VŨ KHÍ, VẬT LIỆU NỔ VÀ CÔNG CỤ HỖ TRỢ",
            "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;",
            "Quốc hội ban hành Luật Quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ.",
            "Chương I", "NHỮNG QUY ĐỊNH CHUNG", "Điều 1. Phạm vi điều chỉnh",
            "Luật này quy định về quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ.",
            "Điều 2. Hiệu lực thi hành", "Luật này có hiệu lực thi hành từ ngày 01 tháng 01 năm 2025.",
        ):
            document.add_paragraph(text)
        closing = document.add_table(rows=1, cols=2)
        closing.cell(0, 0).text = "Nơi nhận:\n- Như trên;\n- Lưu: VT."
        closing.cell(0, 1).text = "CHỦ TỊCH QUỐC HỘI\nTrần Thanh Mẫn"

    path = tmp_path / "luat.docx"
    path.write_bytes(docx_bytes(build))
    document, passages = build_document(read_file(path), "h")

    assert (document.doc_type, document.code, document.issuer) == ("Luật", "42/2024/QH15", "Quốc hội")
    assert (document.place, document.date) == ("Hà Nội", "2024-06-29")
    assert document.subject == "Quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ"
    assert document.title == "Luật Quản lý, sử dụng vũ khí, vật liệu nổ và công cụ hỗ trợ số 42/2024/QH15"
    assert (document.signer, document.signer_title) == ("Trần Thanh Mẫn", "Chủ tịch Quốc hội")
    assert document.effective == "có hiệu lực thi hành từ ngày 01 tháng 01 năm 2025"
    assert labels(passages) == ["", "Chương I › Điều 1", "Chương I › Điều 2"]
    assert passages[1].section == "Điều 1. Phạm vi điều chỉnh"
    assert not any("Nơi nhận" in p.text or "Trần Thanh Mẫn" in p.text for p in passages)


def test_columns_on_one_printed_line_are_read_apart():
    document, passages = read(PARTY_HEADER, "QUY ĐỊNH\nthi hành Điều lệ Đảng", "1. Về tuổi đời của người vào Đảng.", PARTY_CLOSING)

    assert (document.doc_type, document.code, document.issuer) == ("Quy định", "294-QĐ/TW", "Ban Chấp hành Trung ương")
    assert (document.place, document.date) == ("Hà Nội", "2025-05-26")
    assert document.title == "Quy định số 294-QĐ/TW về thi hành Điều lệ Đảng"
    assert (document.signer, document.signer_title) == ("Tô Lâm", "T/M Ban Chấp hành Trung ương, Tổng Bí thư")
    assert [p.text for p in passages] == ["1. Về tuổi đời của người vào Đảng."]


def test_interleaved_lines_with_single_spaces_are_read_apart():
    document, _ = read(
        "TỈNH ỦY LÀO CAI ĐẢNG CỘNG SẢN VIỆT NAM\n*\nSố 34-NQ/TU Lào Cai, ngày 27 tháng 12 năm 2025",
        "NGHỊ QUYẾT\nCỦA BAN THƯỜNG VỤ TỈNH ỦY\nvề phát triển các khu công nghiệp, cụm công nghiệp",
        "I. TÌNH HÌNH\nThời gian qua, các khu công nghiệp phát triển nhanh.",
        source="nq.txt",
    )

    assert (document.code, document.place, document.date) == ("34-NQ/TU", "Lào Cai", "2025-12-27")
    assert document.issuer == "Ban Thường vụ Tỉnh ủy Lào Cai"
    assert document.subject == "Về phát triển các khu công nghiệp, cụm công nghiệp"


@pytest.mark.parametrize(
    ("left", "issuer"),
    [
        ("THÀNH UỶ HÀ NỘI\nBAN TỔ CHỨC", "Ban Tổ chức Thành ủy Hà Nội"),
        ("BỘ CÔNG THƯƠNG\nCỤC HÓA CHẤT", "Cục Hóa chất, Bộ Công Thương"),
        ("UBND TỈNH LÀO CAI\nSỞ CÔNG THƯƠNG", "Sở Công Thương tỉnh Lào Cai"),
        ("BỘ XÂY DỰNG", "Bộ Xây dựng"),
    ],
)
def test_two_level_issuers_read_as_one_name(left, issuer):
    document, _ = read(
        left.replace("\n", "          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n", 1) if "\n" in left else left,
        "Số: 12/TB-SCT          Hà Nội, ngày 9 tháng 4 năm 2026",
        "THÔNG BÁO\nKết quả kiểm tra",
        "Đoàn kiểm tra đã làm việc với các đơn vị.",
    )

    assert document.issuer == issuer


@pytest.mark.parametrize(
    ("caps", "proper"),
    [
        ("BAN CHẤP HÀNH TRUNG ƯƠNG", "Ban Chấp hành Trung ương"),
        ("ỦY BAN NHÂN DÂN TỈNH LÀO CAI", "Ủy ban nhân dân tỉnh Lào Cai"),
        ("BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "Bộ Tài nguyên và Môi trường"),
        ("HỘI NGHỊ LẦN THỨ NĂM BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG KHOÁ XIII", "Hội nghị lần thứ năm Ban Chấp hành Trung ương Đảng khóa XIII"),
        ("THUỘC PHẠM VI QUẢN LÝ CỦA BỘ CÔNG THƯƠNG", "Thuộc phạm vi quản lý của Bộ Công Thương"),
        ("KT. CHỦ TỊCH", "KT. Chủ tịch"),
        ("Đã có chữ thường", "Đã có chữ thường"),
    ],
)
def test_capitals_names_are_sentence_cased(caps, proper):
    assert sentence_case(caps) == proper


# --------------------------------------------------------------------------- blank number and day


@pytest.mark.parametrize("number", ["Số          -HD/BTCTU", "Số: /KH-UBND", "Số:      /KH-UBND"])
def test_blank_number_is_no_code_and_the_document_is_unnumbered(number):
    document, _ = read(
        f"THÀNH UỶ HÀ NỘI          ĐẢNG CỘNG SẢN VIỆT NAM\nBAN TỔ CHỨC\n*\n{number}          Hà Nội, ngày 5 tháng 8 năm 2025",
        "HƯỚNG DẪN\nthực hiện quy trình trao tặng Huy hiệu Đảng",
        "I. MỤC ĐÍCH\nBảo đảm trao tặng Huy hiệu Đảng kịp thời.",
    )

    assert document.code is None
    assert document.unnumbered is True
    assert document.codes == ()
    assert document.title == "Hướng dẫn của Ban Tổ chức Thành ủy Hà Nội về thực hiện quy trình trao tặng Huy hiệu Đảng"


@pytest.mark.parametrize(
    ("dateline", "date"),
    [
        ("Hà Nội, ngày      tháng 8 năm 2025", "2025-08"),
        ("Lào Cai, ngày   tháng   năm 2026", "2026"),
        ("Lào Cai, ngày tháng năm 2026", "2026"),
        ("Hà Nội, ngày 09 tháng 4 năm 2026", "2026-04-09"),
    ],
)
def test_blank_day_and_month_leave_a_shorter_date(dateline, date):
    document, _ = read(
        f"UBND TỈNH LÀO CAI          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 15/KH-UBND          {dateline}",
        "KẾ HOẠCH\nTriển khai công tác năm 2026",
        "I. MỤC ĐÍCH\nTriển khai đồng bộ các nhiệm vụ.",
    )

    assert document.date == date
    assert document.place == dateline.split(",")[0]


# --------------------------------------------------------------------------- division schemes


def test_party_points_nest_as_numbered_divisions():
    _, passages = read(
        PARTY_HEADER, "QUY ĐỊNH\nthi hành Điều lệ Đảng",
        "1. Điều 1 (Khoản 2): Tuổi đời của người vào Đảng",
        "1.1. Về tuổi đời.\nNgười vào Đảng phải đủ 18 tuổi.",
        "1.2. Về trình độ học vấn.",
        "1.2.1. Người vào Đảng phải tốt nghiệp trung học cơ sở.",
        "a) Ở vùng cao, người vào Đảng có thể có trình độ thấp hơn.",
        "2. Điều 3: Nhiệm vụ của đảng viên\nĐảng viên phải gương mẫu.",
        PARTY_CLOSING,
    )

    assert labels(passages) == ["1 › 1.1", "1 › 1.2", "2"]
    assert passages[1].path[-1] == Division("number", "1.2", "Về trình độ học vấn")
    assert "1.2.1. Người vào Đảng" in passages[1].text and "a) Ở vùng cao" in passages[1].text
    assert passages[0].section == "1. Điều 1 (Khoản 2): Tuổi đời của người vào Đảng"


def test_plan_sections_roman_numbered_and_dashes():
    _, passages = read(
        STATE_HEADER.replace("16/2026/QĐ-UBND", "15/KH-UBND"), "KẾ HOẠCH\nTriển khai công tác năm 2026",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích\n- Triển khai kịp thời.\n- Bảo đảm hiệu quả.",
        "II. NHIỆM VỤ",
        "1. Sở Công Thương chủ trì tham mưu.",
        "(1) Rà soát các cụm công nghiệp.",
        "(2) Báo cáo kết quả trước ngày 30/6.",
        STATE_CLOSING,
    )

    assert labels(passages) == ["I › 1", "II › 1"]
    assert "- Bảo đảm hiệu quả." in passages[0].text
    assert "(2) Báo cáo kết quả" in passages[1].text
    assert passages[0].path[0] == Division("roman", "I", "Mục đích, yêu cầu")


def test_legal_chapters_articles_clauses_and_points():
    _, passages = read(
        STATE_HEADER, "QUYẾT ĐỊNH\nBan hành Quy chế quản lý cụm công nghiệp",
        "Căn cứ Luật Tổ chức chính quyền địa phương;", "QUYẾT ĐỊNH:",
        "Chương I\nQUY ĐỊNH CHUNG",
        "Điều 1. Phạm vi điều chỉnh",
        "1. Quy chế này quy định việc quản lý cụm công nghiệp.",
        "2. Đối tượng áp dụng gồm:",
        "a) Các sở, ngành;",
        "b) Ủy ban nhân dân cấp xã.",
        STATE_CLOSING,
    )

    assert labels(passages) == ["", "Chương I › Điều 1"]
    assert passages[0].section == "Căn cứ ban hành"
    assert passages[1].path[0] == Division("chuong", "I", "Quy định chung")
    assert passages[1].path[1] == Division("dieu", "1", "Phạm vi điều chỉnh")
    assert "b) Ủy ban nhân dân cấp xã." in passages[1].text


def test_long_article_is_split_at_clause_boundaries():
    clause = "quy định chi tiết về trách nhiệm của các cơ quan trong quản lý cụm công nghiệp trên địa bàn tỉnh. " * 3
    _, passages = read(
        STATE_HEADER, "QUYẾT ĐỊNH\nBan hành Quy chế quản lý cụm công nghiệp",
        "Điều 7. Trách nhiệm của các cơ quan",
        *(f"{n}. Khoản thứ {n} {clause}" for n in range(1, 7)),
        STATE_CLOSING,
        )

    paths = labels(passages)
    assert paths[0] == "Điều 7 › khoản 1–3"
    assert paths[-1].startswith("Điều 7 › khoản ") and paths[-1].endswith("6")
    assert all(len(p.text) <= 1000 for p in passages)
    assert all(p.section == "Điều 7. Trách nhiệm của các cơ quan" for p in passages)


def test_headings_alone_are_never_passages():
    _, passages = read(
        STATE_HEADER, "QUYẾT ĐỊNH\nBan hành Quy chế",
        "Chương I\nQUY ĐỊNH CHUNG", "Điều 1. Phạm vi điều chỉnh", "Chương II\nTỔ CHỨC THỰC HIỆN",
        "Điều 2. Trách nhiệm thi hành", "Các sở, ngành chịu trách nhiệm thi hành Quyết định này.",
        STATE_CLOSING,
    )

    assert [p.text for p in passages] == ["Điều 2. Trách nhiệm thi hành\nCác sở, ngành chịu trách nhiệm thi hành Quyết định này."]


# --------------------------------------------------------------------------- quotes, annexes, model forms


def test_articles_quoted_by_a_letter_are_not_its_divisions():
    _, passages = read(
        "BỘ CÔNG THƯƠNG          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCỤC HÓA CHẤT          Độc lập - Tự do - Hạnh phúc\n"
        "Số: 597/HC-QLHC          Hà Nội, ngày 27 tháng 3 năm 2026\nV/v cấp Giấy phép xuất khẩu hóa chất",
        "Kính gửi: Sở Công Thương tỉnh Quảng Ngãi",
        "Luật Quản lý ngoại thương quy định:",
        "“Điều 56. Áp dụng biện pháp quản lý hàng hóa xuất khẩu",
        "1. Hàng hóa xuất khẩu phải tuân thủ biện pháp quản lý.",
        "Điều 57. Áp dụng biện pháp quản lý hàng hóa nhập khẩu”.",
        "Cục Hóa chất đề nghị Sở Công Thương hướng dẫn doanh nghiệp.",
    )

    assert all(p.path == () for p in passages)


def test_amending_text_quotes_an_article_but_its_own_articles_stay_divisions():
    _, passages = read(
        "BỘ CÔNG THƯƠNG          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 38/2025/TT-BCT          Hà Nội, ngày 19 tháng 6 năm 2025",
        "THÔNG TƯ\nSửa đổi một số quy định về phân cấp",
        "Điều 1. Sửa đổi Thông tư số 23/2024/TT-BCT",
        "1. Sửa đổi tiêu đề Điều 19 như sau:",
        "“Điều 19. Trách nhiệm của Ủy ban nhân dân cấp tỉnh",
        "1. Tiếp nhận hồ sơ.",  # the typo of a quote never closed
        "2. Sửa đổi khoản 4 Điều 20 như sau:",
        "“4. Báo cáo Bộ Công Thương.”",
        "Điều 2. Hiệu lực thi hành",
        "Thông tư này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2025.",
    )

    articles = {d.number for p in passages for d in p.path if d.kind == "dieu"}
    assert articles == {"1", "2"}
    assert any("“Điều 19. Trách nhiệm" in p.text for p in passages)


def test_attached_regulation_after_the_closing_is_an_annex_with_its_own_articles():
    _, passages = read(
        STATE_HEADER, "QUYẾT ĐỊNH\nBan hành Quy chế quản lý các cụm công nghiệp trên địa bàn tỉnh Lào Cai",
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế quản lý cụm công nghiệp.",
        "Điều 2. Quyết định này có hiệu lực sau 10 ngày kể từ ngày ký.",
        STATE_CLOSING,
        "ỦY BAN NHÂN DÂN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH LÀO CAI          Độc lập - Tự do - Hạnh phúc",
        "QUY CHẾ\nQuản lý các cụm công nghiệp trên địa bàn tỉnh Lào Cai\n"
        "(Ban hành kèm theo Quyết định số 16/2026/QĐ-UBND ngày 25/02/2026\ncủa Ủy ban nhân dân tỉnh Lào Cai)",
        "Chương I\nQUY ĐỊNH CHUNG",
        "Điều 1. Phạm vi điều chỉnh\nQuy chế này quy định việc quản lý cụm công nghiệp.",
        "Điều 2. Nguyên tắc quản lý\nViệc quản lý bảo đảm thống nhất.",
    )

    annex = Division("annex", "", "Quy chế quản lý các cụm công nghiệp trên địa bàn tỉnh Lào Cai")
    decision = [p for p in passages if not p.path or p.path[0].kind != "annex"]
    attached = [p for p in passages if p.path and p.path[0] == annex]
    assert [p.path_label() for p in decision] == ["Điều 1", "Điều 2"]
    assert [p.path[1:] for p in attached] == [
        (Division("chuong", "I", "Quy định chung"), Division("dieu", "1", "Phạm vi điều chỉnh")),
        (Division("chuong", "I", "Quy định chung"), Division("dieu", "2", "Nguyên tắc quản lý")),
    ]
    assert not any("Kèm theo" in p.text or "kèm theo Quyết định số 16" in p.text for p in attached)


def test_model_decision_in_an_appendix_is_not_an_article_of_the_decree():
    _, passages = read(
        "CHÍNH PHỦ          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 181/2024/NĐ-CP          Hà Nội, ngày 31 tháng 12 năm 2024",
        "NGHỊ ĐỊNH\nQuy định chi tiết về vật liệu nổ công nghiệp",
        "Điều 1. Phạm vi điều chỉnh\nNghị định này quy định chi tiết về vật liệu nổ công nghiệp.",
        "Nơi nhận:          TM. CHÍNH PHỦ\n- Lưu: VT.          THỦ TƯỚNG\n          Phạm Minh Chính",
        "PHỤ LỤC\n(Kèm theo Nghị định số 181/2024/NĐ-CP ngày 31 tháng 12 năm 2024 của Chính phủ)",
        "Mẫu số 01\nMẫu giấy đề nghị huấn luyện",
        "Mẫu số 05\nMẫu quyết định thu hồi giấy phép",
        "Mẫu số 01",
        "……(1)……",
        "GIẤY ĐỀ NGHỊ\nKính gửi: ……(2)……",
        "Mẫu số 05",
        "Điều 1. Thu hồi ...(10)... đã cấp cho ...(8)...",
        "Điều 2. Quyết định này có hiệu lực từ ngày...tháng...năm...",
    )

    own = [p for p in passages if not any(d.kind in ("phuluc", "annex") for d in p.path)]
    assert [p.path_label() for p in own] == ["Điều 1"]
    form = [p for p in passages if any(d.kind == "dieu" for d in p.path) and p not in own]
    assert [p.path[:2] for p in form] == [(Division("phuluc", "", ""), Division("annex", "05", "Mẫu quyết định thu hồi giấy phép"))] * 2
    assert not any(p.text.startswith("PHỤ LỤC") for p in passages)


# --------------------------------------------------------------------------- closing


def test_ocr_recipients_and_signature_on_one_line_stay_out_of_the_passages():
    document, passages = read(
        "TỈNH ỦY LÀO CAI ĐẢNG CỘNG SẢN VIỆT NAM\nSố 34-NQ/TU Lào Cai, ngày 27 tháng 12 năm 2025",
        "NGHỊ QUYẾT\nvề phát triển các khu công nghiệp",
        "1. Văn phòng Tỉnh ủy theo dõi, đôn đốc thực hiện Nghị quyết.",
        "Nơi nhân: T/M BAN THƯỜNG VỤ\n- Các đ/c Ủy viên BTV Tỉnh ủy, S Í THƯ THƯỜNG TRưÊ",
        "- Các Đảng ủy trực thuộc Tỉnh ủy,",
        "- Lưu Văn phòng Tỉnh ủy.",
        "Hoàng Giang",
        source="nq.txt",
    )

    assert document.signer == "Hoàng Giang"
    assert document.signer_title == "T/M Ban Thường vụ, Phó Bí thư Thường trực"
    assert [p.text for p in passages] == ["1. Văn phòng Tỉnh ủy theo dõi, đôn đốc thực hiện Nghị quyết."]


def test_recipients_running_on_below_the_signer_are_not_passages():
    _, passages = read(
        "BỘ XÂY DỰNG          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 1074/QĐ-BXD          Hà Nội, ngày 29 tháng 6 năm 2026",
        "QUYẾT ĐỊNH\nBan hành các giải pháp kỹ thuật",
        "Điều 1. Ban hành kèm theo Quyết định này các giải pháp kỹ thuật.",
        "Nơi nhận:          KT. BỘ TRƯỞNG\n- Như Điều 3;          THỨ TRƯỞNG\n- Công báo;          Phạm Minh Hà\n"
        "- Cổng TTĐT của Bộ Xây dựng (để đăng tải);\n- Lưu: VT, Vụ KHCNMT.",
    )

    assert [p.path_label() for p in passages] == ["Điều 1"]


def test_military_rank_is_not_part_of_the_signer_name():
    document, _ = read(
        "BỘ CÔNG AN          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 12/2025/TT-BCA          Hà Nội, ngày 2 tháng 3 năm 2025",
        "THÔNG TƯ\nQuy định về công cụ hỗ trợ",
        "Điều 1. Phạm vi điều chỉnh\nThông tư này quy định về công cụ hỗ trợ.",
        "Nơi nhận:          BỘ TRƯỞNG\n- Lưu: VT.\n          Thượng tướng Lương Tam Quang",
    )

    assert (document.signer, document.signer_title) == ("Lương Tam Quang", "Bộ trưởng")


def test_two_signers_are_both_named():
    document, _ = read(
        "BỘ CÔNG THƯƠNG          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 20/2025/TTLT-BCT-BYT          Hà Nội, ngày 2 tháng 3 năm 2025",
        "THÔNG TƯ LIÊN TỊCH\nHướng dẫn an toàn thực phẩm",
        "Điều 1. Phạm vi điều chỉnh\nThông tư liên tịch này hướng dẫn an toàn thực phẩm.",
        "KT. BỘ TRƯỞNG BỘ Y TẾ          KT. BỘ TRƯỞNG BỘ CÔNG THƯƠNG\nTHỨ TRƯỞNG          THỨ TRƯỞNG\n"
        "Đỗ Xuân Tuyên          Phan Thị Thắng",
    )

    assert document.signer == "Đỗ Xuân Tuyên; Phan Thị Thắng"
    assert document.signer_title == "KT. Bộ trưởng Bộ Y tế, Thứ trưởng; KT. Bộ trưởng Bộ Công Thương, Thứ trưởng"


# --------------------------------------------------------------------------- relations and effect


@pytest.mark.parametrize(
    ("sentence", "kind", "code"),
    [
        ("Quy định này thay thế Quy định số 87-QĐ/TU ngày 10/5/2022 của Ban Thường vụ Tỉnh ủy.", "replaces", "87-QĐ/TU"),
        ("Thực hiện Quy định số 69-QĐ/TW ngày 6/7/2022 của Bộ Chính trị, Ban Thường vụ hướng dẫn như sau.", "implements", "69-QĐ/TW"),
        ("Bãi bỏ Quyết định số 03/2025/QĐ-UBND ngày 10/01/2025 của Ủy ban nhân dân tỉnh.", "repeals", "03/2025/QĐ-UBND"),
        ("Sửa đổi, bổ sung một số điều của Thông tư số 12/2020/TT-BCT ngày 18/6/2020.", "amends", "12/2020/TT-BCT"),
    ],
)
def test_relations_to_other_documents_are_recorded(sentence, kind, code):
    document, _ = read(STATE_HEADER, "QUYẾT ĐỊNH\nVề quản lý cụm công nghiệp", sentence, "Điều 1. Giao Sở Công Thương chủ trì.", STATE_CLOSING)

    assert [(r.kind, r.code) for r in document.relations] == [(kind, code)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Việc lập quy hoạch thực hiện theo Luật Xây dựng số 50/2014/QH13 được sửa đổi, bổ sung tại Luật số 62/2020/QH14.",
        "Khoản 2 được sửa đổi như sau: “2. Hồ sơ theo Thông tư số 27/2014/TT-BCT, thay thế Thông tư số 05/2012/TT-BCT.”",
    ],
)
def test_relations_said_of_a_cited_document_or_inside_quoted_wording_are_not_this_documents(sentence):
    document, _ = read(STATE_HEADER, "QUYẾT ĐỊNH\nVề quản lý cụm công nghiệp", sentence, "Điều 1. Giao Sở Công Thương chủ trì.", STATE_CLOSING)

    assert document.relations == ()


def test_a_relation_keeps_the_sentence_that_states_it():
    document, _ = read(
        STATE_HEADER, "QUYẾT ĐỊNH\nVề quản lý cụm công nghiệp",
        "Điều 1. Giao Sở Công Thương chủ trì.\nQuyết định này thay thế Quyết định số 03/2025/QĐ-UBND ngày 10/01/2025; các sở thi hành.",
        STATE_CLOSING,
    )

    assert document.relations[0].text == "Quyết định này thay thế Quyết định số 03/2025/QĐ-UBND ngày 10/01/2025;"


def test_effective_clause_is_kept_as_written():
    document, _ = read(
        STATE_HEADER, "QUYẾT ĐỊNH\nVề quản lý cụm công nghiệp",
        "Điều 1. Quyết định này có hiệu lực thi hành kể từ ngày 01/3/2026.", STATE_CLOSING,
    )

    assert document.effective == "có hiệu lực thi hành kể từ ngày 01/3/2026"


# --------------------------------------------------------------------------- not formal


def test_news_report_is_not_read_as_a_formal_document():
    parsed = ParsedFile(
        source="bao-cao.txt",
        blocks=(
            Block("Vĩnh Phúc: Những kết quả quan trọng về công tác xây dựng Đảng"),
            Block("Thứ Năm, 2/12/2021 10:24"),
            Block("Năm 2021, Ban Thường vụ Tỉnh ủy Vĩnh Phúc đã lãnh đạo thực hiện tốt công tác xây dựng Đảng, "
                  "theo Quyết định số 12-QĐ/TU của Tỉnh ủy."),
            Block("1. Công tác chính trị, tư tưởng được chú trọng."),
            Block("Tuấn Anh"),
        ),
    )

    assert read_formal(parsed, "h", 1000) is None
    document, passages = build_document(parsed, "h")
    assert document.doc_type is None and document.byline == "Tuấn Anh"
    assert all(p.path == () for p in passages)


# --------------------------------------------------------------------------- names, type lines held-out shapes


@pytest.mark.parametrize(
    ("text", "person"),
    [("Phạm Minh Hà", True), ("Giàng A Páo", True), ("Lại Văn Minh", True), ("Lâm Văn Đồng", True),
     ("Lâm Đồng", False), ("An Giang", False), ("Lai Châu", False), ("Bộ Công Thương", False), ("Cấp Độ", False)],
)
def test_a_second_signer_must_be_a_persons_name_not_a_province_or_a_body(text, person):
    from index.formal.names import looks_like_person

    assert looks_like_person(text) is person


def test_a_capitals_type_line_running_into_its_subject_is_cut_after_the_type():
    document, _ = read(
        STATE_HEADER, "QUYẾT ĐỊNH CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ", "ĐỒNG THỜI CHẤP THUẬN NHÀ ĐẦU TƯ",
        "(Cấp lần đầu: ngày 23 tháng 6 năm 2026)", "Căn cứ Luật Đầu tư số 143/2025/QH15;",
        "Điều 1. Chấp thuận chủ trương đầu tư dự án.", STATE_CLOSING,
    )

    assert document.doc_type == "Quyết định"
    assert document.subject == "Chấp thuận chủ trương đầu tư đồng thời chấp thuận nhà đầu tư"


def test_an_ocr_block_joining_the_subject_and_the_addressee_is_cut_at_kinh_gui():
    document, passages = read(
        "BỘ CÔNG THƯƠNG          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "CỤC HÓA CHẤT          Độc lập - Tự do - Hạnh phúc",
        "Số: 813/HC-CNHC          Hà Nội, ngày 22 tháng 4 năm 2026",
        "V/v trao đổi về một số quy định trong lĩnh vực hóa chất Kính gửi: Cục Hải quan và các vướng mắc trong quá "
        "trình thực hiện Nghị định hướng dẫn Luật Hóa chất, Cục Hóa chất có ý kiến như sau:",
        "1. Về công bố mục đích sử dụng hóa chất trên Cơ sở dữ liệu chuyên ngành hóa chất",
        source="cv.pdf",
    )

    assert document.subject == "V/v trao đổi về một số quy định trong lĩnh vực hóa chất"
    assert document.title == "Công văn số 813/HC-CNHC của Cục Hóa chất, Bộ Công Thương về việc trao đổi về một số quy định trong lĩnh vực hóa chất"
    assert passages[0].text.startswith("Kính gửi: Cục Hải quan và các vướng mắc")


def _ocr_read(*blocks: str):
    parsed = ParsedFile(source="scan.pdf", blocks=tuple(Block(b) for b in blocks), text_source=OCR)
    return build_document(parsed, "h")


OCR_BODY = (
    "Thực hiện Nghị định về hóa chất, Cục Hóa chất đề nghị các đơn vị rà soát danh mục hóa chất.",
    "Cục Hóa chất sẽ tổng hợp ý kiến về hóa chát nguy hiểm và báo cáo Bộ trưởng về hóa chất cần kiểm soát.",
)


MISREAD_HEADER = (  # OCR'd: "CHÁT" for "CHẤT" in the issuer's capitals, "chât" in the subject
    "BỘ CÔNG THƯƠNG          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "CỤC HÓA CHÁT          Độc lập - Tự do - Hạnh phúc",
    "Số: 15/HC-CNHC          Hà Nội, ngày 2 tháng 4 năm 2026",
    "V/v rà soát danh mục hóa chât",
)


def test_ocr_capitals_with_a_misread_tone_are_respelled_from_the_body():
    document, _ = _ocr_read(*MISREAD_HEADER, *OCR_BODY)

    # "hóa chất" five times in the body, the slip "hóa chát" once: the body's spelling wins for capitals;
    # lower-case words are read as well in the header as in the body, so the subject stays as read
    assert document.issuer == "Cục Hóa chất, Bộ Công Thương"
    assert document.subject == "V/v rà soát danh mục hóa chât"


def test_respelling_needs_the_body_to_agree_and_leaves_text_layers_alone():
    once = _ocr_read(*MISREAD_HEADER, "Đề nghị các đơn vị báo cáo về hóa chất trước ngày 30 tháng 4 năm 2026.")[0]
    text_layer = read(*MISREAD_HEADER, *OCR_BODY, source="cv.pdf")[0]

    assert once.issuer == "Cục Hóa chát, Bộ Công Thương"  # one occurrence in the body is no evidence
    assert text_layer.issuer == "Cục Hóa chát, Bộ Công Thương"  # a text layer is what the issuer typed


def test_a_handwritten_number_keeps_the_legible_rest_of_the_code():
    document, _ = read(
        "BỘ CÔNG THƯƠNG          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "CỤC HÓA CHẤT          Độc lập - Tự do - Hạnh phúc",
        "Số: Êđỗ /HC-CNHC          Hà Nội, ngày °È} tháng 4 năm 2026",
        "V/v trao đổi về một số quy định trong lĩnh vực hóa chất",
        "Kính gửi: Cục Hải quan",
        "1. Về công bố mục đích sử dụng hóa chất trên Cơ sở dữ liệu chuyên ngành hóa chất.",
        source="scan.pdf",
    )
    assert document.code == "…/HC-CNHC" and not document.unnumbered
    assert document.title.startswith("Công văn số …/HC-CNHC của Cục Hóa chất, Bộ Công Thương")

    from index.lookup import named_documents, namings
    from index.references import question_references

    asked = question_references("Công văn 813/HC-CNHC của Cục Hóa chất về việc gì?").document
    other = question_references("Công văn 813/SCT-KT của Cục Hóa chất về việc gì?").document
    assert named_documents(asked, namings([document])) == [document]
    assert named_documents(other, namings([document])) == []
