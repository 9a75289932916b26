"""From reader blocks to a document and its passages: metadata out, sections in, long paragraphs cut."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from index.cleaning import build_document, split_paragraph
from index.documents import Block, ParsedFile
from index.errors import EmptyDocument
from index.readers import read_file

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "corpus" / "vinh-phuc-xay-dung-dang-2021.txt"
SAMPLE_TITLE = "Vĩnh Phúc: Những kết quả quan trọng về công tác xây dựng Đảng, xây dựng hệ thống chính trị"
NAVIGATION = ("Phản hồi", "Các tin khác", "Thư viện ảnh", "Liên kết website", "Mới nhất")


def parsed(*blocks: str | Block, title: str | None = None, source: str = "van-ban.txt") -> ParsedFile:
    return ParsedFile(source=source, blocks=tuple(b if isinstance(b, Block) else Block(b) for b in blocks), title=title)


def texts(passages) -> list[str]:
    return [p.text for p in passages]


@pytest.fixture(scope="module")
def sample():
    """The shipped saved web page, read and cleaned once."""
    return build_document(read_file(SAMPLE), "hash-of-sample")


# --------------------------------------------------------------------------- the real sample page


def test_sample_date_is_the_publication_dateline_not_the_save_date(sample):
    document, _ = sample

    assert document.date == "2021-12-02"


def test_sample_title_is_the_headline(sample):
    document, passages = sample

    assert document.title == SAMPLE_TITLE
    assert SAMPLE_TITLE not in texts(passages)


def test_sample_metadata_lines_are_not_passages(sample):
    _, passages = sample

    for line in ("Thứ Bảy, 22/6/2024", "Vĩnh Phúc", "Thứ Năm, 2/12/2021 10:24'(GMT+7)"):
        assert line not in texts(passages)


def test_photo_caption_repeated_twice_is_kept_once(sample):
    _, passages = sample

    captions = [p for p in passages if p.text.startswith("Đồng chí Phạm Hoàng Anh") and "Ảnh: Trường Khanh." in p.text]
    assert len(captions) == 1
    assert captions[0].paragraph == 1


def test_no_passage_is_a_navigation_word(sample):
    _, passages = sample

    assert not set(texts(passages)) & set(NAVIGATION)


def test_sample_byline_is_kept_on_the_document_and_is_not_a_passage(sample):
    document, passages = sample

    assert document.byline == "Tuấn Anh"
    assert "Tuấn Anh" not in texts(passages)


def test_passages_under_an_all_caps_heading_carry_it_as_their_section(sample):
    _, passages = sample

    under = [p for p in passages if p.text.startswith("Phương thức lãnh đạo của Đảng tiếp tục được đổi mới")]
    assert under and under[0].section == "ĐỔI MỚI PHƯƠNG THỨC LÃNH ĐẠO CỦA ĐẢNG"
    assert passages[0].section is None  # the caption comes before any heading
    assert "ĐỔI MỚI PHƯƠNG THỨC LÃNH ĐẠO CỦA ĐẢNG" not in texts(passages)


def test_sample_long_paragraphs_are_split_within_the_limit_and_lose_no_text(sample):
    _, passages = sample
    original = next(
        line.strip()
        for line in SAMPLE.read_text(encoding="utf-8").splitlines()
        if line.startswith("Thực hiện nghị quyết Đại hội Đảng bộ các cấp nhiệm kỳ 2020-2025")
    )
    assert len(original) > 1000

    start = next(i for i, p in enumerate(passages) if original.startswith(p.text))
    pieces, joined = [], ""
    for passage in passages[start:]:
        pieces.append(passage)
        joined = " ".join(p.text for p in pieces)
        if len(joined) >= len(original):
            break

    assert len(pieces) >= 2
    assert all(len(p.text) <= 1000 for p in passages)
    assert joined == original
    assert {p.section for p in pieces} == {"ĐỔI MỚI PHƯƠNG THỨC LÃNH ĐẠO CỦA ĐẢNG"}


def test_sample_passages_carry_the_number_of_the_source_paragraph_and_are_counted(sample):
    document, passages = sample
    numbers = [p.paragraph for p in passages]

    assert sorted(set(numbers)) == list(range(1, max(numbers) + 1))  # every source paragraph, in order
    assert numbers == sorted(numbers)
    split = [p for p in passages if p.text.startswith("Trách nhiệm nêu gương")]  # 2nd piece of a long paragraph
    first_piece = passages[passages.index(split[0]) - 1]
    assert first_piece.text.startswith("Thực hiện nghị quyết Đại hội Đảng bộ các cấp")
    assert split[0].paragraph == first_piece.paragraph == 4
    assert len(numbers) == max(numbers) + 2  # it and the "công tác dân vận" paragraph are the two cut in two
    assert document.passage_count == len(passages)
    assert document.source == "vinh-phuc-xay-dung-dang-2021.txt"
    assert document.content_hash == "hash-of-sample"
    assert document.issuer is None


def test_sample_text_is_kept_as_in_the_source_apart_from_spaces(sample):
    _, passages = sample
    source = " ".join(SAMPLE.read_text(encoding="utf-8").split())

    for passage in passages:
        assert " ".join(passage.text.split()) in source


def test_smaller_limit_gives_more_pieces_each_within_it():
    document, passages = build_document(read_file(SAMPLE), "h", max_chars=300)

    assert all(len(p.text) <= 300 for p in passages)
    assert document.passage_count == len(passages) > 25


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Thứ Bảy, 22/6/2024", "Thứ Năm, 2/12/2021 10:24'(GMT+7)"], "2021-12-02"),
        (["Hà Nội, ngày 12 tháng 5 năm 2022"], "2022-05-12"),
        (["Hà Nội, ngày 5/3/2023"], "2023-03-05"),
        (["Thứ Bảy, 22/6/2024", "Vĩnh Phúc, ngày 5 tháng 3 năm 2023"], "2023-03-05"),
        (["Cập nhật: 08:15 23/9/2021"], "2021-09-23"),
        (["Thứ Hai, 22/6/2024"], "2024-06-22"),
        (["Thứ Hai, 31/2/2024"], None),
        ([], None),
    ],
)
def test_document_date_prefers_a_dateline_with_a_time_or_a_ngay_thang_nam_phrase(lines, expected):
    body = "Ban Thường vụ Tỉnh ủy đã chỉ đạo thực hiện nhiều nhiệm vụ quan trọng trong năm nay."
    document, passages = build_document(parsed(*lines, "Tiêu đề của bài viết này", body), "h")

    assert document.date == expected
    assert texts(passages) == [body]


def test_a_date_inside_a_paragraph_is_not_the_document_date():
    document, _ = build_document(
        parsed("Tiêu đề của bài viết này", "Ngày 22/9/2021, Ban Thường vụ Tỉnh ủy ban hành quy định về đánh giá cán bộ."), "h"
    )

    assert document.date is None


def test_a_headline_containing_a_date_is_still_the_title():
    document, _ = build_document(parsed("Kỷ niệm ngày 2/9/2024 tại tỉnh", "Nội dung bài viết dài hơn một câu."), "h")

    assert document.title == "Kỷ niệm ngày 2/9/2024 tại tỉnh"


# --------------------------------------------------------------------------- title, issuer, codes


def test_declared_title_wins_and_its_repetition_in_the_body_is_not_a_passage():
    document, passages = build_document(
        parsed(
            Block("Xây dựng Đảng"),
            Block("Ban Thường vụ Tỉnh ủy Vĩnh Phúc ban hành Quy định 371-QĐ/TU", heading=True),
            Block("Nội dung quy định được phổ biến đến toàn thể cán bộ, đảng viên trong tỉnh."),
            title="Ban Thường vụ Tỉnh ủy Vĩnh Phúc ban hành Quy định 371-QĐ/TU",
            source="bai.html",
        ),
        "h",
    )

    assert document.title == "Ban Thường vụ Tỉnh ủy Vĩnh Phúc ban hành Quy định 371-QĐ/TU"
    assert document.issuer == "Ban Thường vụ Tỉnh ủy Vĩnh Phúc"
    assert document.codes == ("371-QĐ/TU",)
    assert texts(passages) == ["Nội dung quy định được phổ biến đến toàn thể cán bộ, đảng viên trong tỉnh."]


def test_placeholder_declared_title_is_ignored():
    document, _ = build_document(
        parsed("Báo cáo tổng kết công tác năm 2023", "Năm 2023, toàn tỉnh hoàn thành các chỉ tiêu.", title="Microsoft Word - bc.docx"),
        "h",
    )

    assert document.title == "Báo cáo tổng kết công tác năm 2023"


def test_without_any_title_line_the_file_name_is_the_title():
    document, passages = build_document(
        parsed("Năm 2023, toàn tỉnh hoàn thành và vượt các chỉ tiêu chủ yếu đã đề ra.", source="bao-cao-2023.txt"), "h"
    )

    assert document.title == "bao-cao-2023"
    assert len(passages) == 1


def test_official_header_gives_issuer_number_date_and_title():
    document, passages = build_document(
        parsed(
            "BAN CHẤP HÀNH TRUNG ƯƠNG\n*\nSố 12-NQ/TW",
            "ĐẢNG CỘNG SẢN VIỆT NAM\nHà Nội, ngày 12 tháng 5 năm 2022",
            "NGHỊ QUYẾT",
            "HỘI NGHỊ LẦN THỨ NĂM BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG KHOÁ XIII",
            "về tiếp tục đổi mới, phát triển kinh tế tập thể",
            "Kinh tế tập thể có vai trò quan trọng trong nền kinh tế quốc dân.",
        ),
        "h",
    )

    assert document.issuer == "Ban Chấp hành Trung ương"
    assert document.date == "2022-05-12"
    assert document.codes == ("12-NQ/TW",)
    assert document.doc_type == "Nghị quyết"
    assert document.code == "12-NQ/TW"
    assert document.subject == "Về tiếp tục đổi mới, phát triển kinh tế tập thể"
    assert document.title == (
        "Nghị quyết số 12-NQ/TW Hội nghị lần thứ năm Ban Chấp hành Trung ương Đảng khóa XIII"
        " về tiếp tục đổi mới, phát triển kinh tế tập thể"
    )
    assert texts(passages) == ["Kinh tế tập thể có vai trò quan trọng trong nền kinh tế quốc dân."]


@pytest.mark.parametrize(
    ("header", "issuer"),
    [
        ("TỈNH ỦY VĨNH PHÚC", "TỈNH ỦY VĨNH PHÚC"),
        ("UỶ BAN NHÂN DÂN TỈNH VĨNH PHÚC", "UỶ BAN NHÂN DÂN TỈNH VĨNH PHÚC"),
        ("UBND TỈNH VĨNH PHÚC\nSỞ TƯ PHÁP", "UBND TỈNH VĨNH PHÚC – SỞ TƯ PHÁP"),
    ],
)
def test_issuer_header_line_becomes_the_issuer(header, issuer):
    document, passages = build_document(
        parsed(header, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập – Tự do – Hạnh phúc", "Kế hoạch triển khai công tác năm 2024", "Triển khai đồng bộ các nhiệm vụ đã đề ra."),
        "h",
    )

    assert document.issuer == issuer
    assert document.title == "Kế hoạch triển khai công tác năm 2024"
    assert texts(passages) == ["Triển khai đồng bộ các nhiệm vụ đã đề ra."]


def test_issuer_named_in_the_title_after_a_colon():
    document, _ = build_document(parsed("Vĩnh Phúc: Ban Thường vụ Tỉnh ủy làm việc với Đảng ủy Khối", "Nội dung buổi làm việc."), "h")

    assert document.issuer == "Ban Thường vụ Tỉnh ủy"


def test_no_issuer_when_none_is_stated():
    document, _ = build_document(parsed("Kết quả nổi bật của năm 2021 trong tỉnh", "Nội dung bài viết."), "h")

    assert document.issuer is None


# --------------------------------------------------------------------------- boilerplate and byline


def test_navigation_words_are_dropped_wherever_they_are_and_whatever_their_case():
    _, passages = build_document(
        parsed("Trang chủ", "Tiêu đề của bài viết này", "Nội dung chính của bài.", "CHIA SẺ", "Bình luận (0)", "In bài", "Đầu trang", "Email"),
        "h",
    )

    assert texts(passages) == ["Nội dung chính của bài."]


def test_headlines_listed_under_related_news_are_not_passages():
    body = "Ban Thường vụ Tỉnh ủy đã chỉ đạo thực hiện tốt các nhiệm vụ trọng tâm trong năm."
    document, passages = build_document(
        parsed("Tiêu đề của bài viết này", body, "Minh Hà", "Tin liên quan", "Vĩnh Phúc tổng kết công tác năm 2021 (01/12/2021)", "Hội nghị Tỉnh ủy lần thứ 5"),
        "h",
    )

    assert texts(passages) == [body]
    assert document.byline == "Minh Hà"


@pytest.mark.parametrize("byline", ["Tuấn Anh", "Theo Báo Vĩnh Phúc", "Tác giả: Nguyễn Thu Hà", "Thu Hà (TTXVN)", "PV"])
def test_short_final_author_line_is_the_byline(byline):
    document, passages = build_document(parsed("Tiêu đề của bài viết này", "Nội dung chính của bài viết.", byline), "h")

    assert document.byline == byline
    assert texts(passages) == ["Nội dung chính của bài viết."]


def test_a_final_sentence_is_not_mistaken_for_a_byline():
    document, passages = build_document(parsed("Tiêu đề của bài viết này", "Đoạn đầu.", "Hội nghị kết thúc tốt đẹp."), "h")

    assert document.byline is None
    assert texts(passages)[-1] == "Hội nghị kết thúc tốt đẹp."


def test_only_boilerplate_is_an_empty_document():
    with pytest.raises(EmptyDocument, match="trang.html"):
        build_document(parsed("Phản hồi", "Các tin khác", "Mới nhất", source="trang.html"), "h")


# --------------------------------------------------------------------------- normalisation and duplicates


def test_text_is_nfc_with_runs_of_spaces_collapsed_and_otherwise_untouched():
    decomposed = unicodedata.normalize("NFD", "Tỉnh  ủy\u00a0Vĩnh   Phúc lãnh đạo \u200bthực hiện.")
    _, passages = build_document(parsed("Tiêu đề của bài viết này", decomposed), "h")

    assert texts(passages) == ["Tỉnh ủy Vĩnh Phúc lãnh đạo thực hiện."]


def test_articles_without_a_formal_header_are_passages_of_their_own_with_their_words_as_written():
    _, passages = build_document(
        parsed("Tiêu đề của bài viết này", "Điều 1. Sửa đổi", "Bãi bỏ.", "Bãi bỏ.", "Điều 2. Thay thế", "Bãi bỏ."), "h"
    )

    assert [(p.path_label(), p.section, p.text) for p in passages] == [
        ("Điều 1", "Điều 1. Sửa đổi", "Điều 1. Sửa đổi\nBãi bỏ.\nBãi bỏ."),
        ("Điều 2", "Điều 2. Thay thế", "Điều 2. Thay thế\nBãi bỏ."),
    ]


# --------------------------------------------------------------------------- sections


def test_article_lines_start_sections_and_with_text_after_the_title_are_passages_too():
    _, passages = build_document(
        parsed(
            "Quy định về công tác cán bộ của tỉnh",
            "Điều 5. Phạm vi điều chỉnh",
            "Quy định này quy định về đánh giá cán bộ.",
            "Điều 6. Trách nhiệm thi hành. Các sở, ngành chịu trách nhiệm thi hành.",
            "Điều 7. Chánh Văn phòng Tỉnh ủy, các ban đảng, cấp ủy trực thuộc chịu trách nhiệm thi hành Quy định này./.",
            "Điều 8. Hiệu lực\nQuy định có hiệu lực từ ngày ký.",
        ),
        "h",
    )

    assert [(p.path_label(), p.section, p.text) for p in passages] == [
        ("Điều 5", "Điều 5. Phạm vi điều chỉnh", "Điều 5. Phạm vi điều chỉnh\nQuy định này quy định về đánh giá cán bộ."),
        ("Điều 6", "Điều 6", "Điều 6. Trách nhiệm thi hành. Các sở, ngành chịu trách nhiệm thi hành."),
        (
            "Điều 7", "Điều 7",
            "Điều 7. Chánh Văn phòng Tỉnh ủy, các ban đảng, cấp ủy trực thuộc chịu trách nhiệm thi hành Quy định này./.",
        ),
        ("Điều 8", "Điều 8. Hiệu lực", "Điều 8. Hiệu lực\nQuy định có hiệu lực từ ngày ký."),
    ]


def test_chapter_and_its_name_on_the_next_line_make_one_division():
    _, passages = build_document(
        parsed(
            "Quy định về công tác cán bộ của tỉnh",
            "Chương I",
            "QUY ĐỊNH CHUNG",
            "Quy định này áp dụng trong toàn Đảng bộ.",
            "Chương 2\nTỔ CHỨC THỰC HIỆN",
            "Các cấp ủy tổ chức thực hiện.",
            "Mục 1",
            "Cấp tỉnh thực hiện trước.",
        ),
        "h",
    )

    assert [(p.path_label(), p.section) for p in passages] == [
        ("Chương I", "Chương I. Quy định chung"),
        ("Chương 2", "Chương 2. Tổ chức thực hiện"),
        ("Chương 2 › Mục 1", "Chương 2. Tổ chức thực hiện"),  # a section filed under its own chapter, not the one before
    ]
    assert passages[2].text == "Mục 1\nCấp tỉnh thực hiện trước."


def test_an_article_opening_a_block_after_its_chapter_is_filed_under_its_own_number():
    _, passages = build_document(
        parsed(
            "Quy định về chế độ học tập của cán bộ",
            "Điều 3. Đối tượng\nCán bộ, đảng viên trong tỉnh phải học tập đầy đủ.",
            "Chương II\nĐiều 4. Thời gian học\nMỗi năm học ít nhất 40 giờ lý luận chính trị.\n1. Cán bộ chủ chốt học tập trung.",
        ),
        "h",
    )

    assert [(p.path_label(), p.section) for p in passages] == [("Điều 3", "Điều 3. Đối tượng"), ("Chương II › Điều 4", "Điều 4. Thời gian học")]
    assert "40 giờ" in passages[1].text and "Cán bộ chủ chốt" in passages[1].text


def test_heading_blocks_and_roman_numbered_lines_set_sections_and_are_not_passages():
    _, passages = build_document(
        parsed(
            "Báo cáo kết quả công tác năm 2023 của tỉnh",
            Block("Kết quả đạt được", heading=True),
            "Hoàn thành các chỉ tiêu.",
            "II. Nhiệm vụ năm 2024",
            "Tiếp tục đổi mới.",
        ),
        "h",
    )

    assert [(p.section, p.text) for p in passages] == [
        ("Kết quả đạt được", "Hoàn thành các chỉ tiêu."),
        ("II. Nhiệm vụ năm 2024", "Tiếp tục đổi mới."),
    ]


def test_a_sentence_mentioning_an_article_is_an_ordinary_paragraph():
    _, passages = build_document(parsed("Tiêu đề của bài viết này", "Điều 5 của Luật quy định rõ trách nhiệm."), "h")

    assert [(p.section, p.text) for p in passages] == [(None, "Điều 5 của Luật quy định rõ trách nhiệm.")]


# --------------------------------------------------------------------------- splitting long paragraphs


def test_short_paragraphs_are_kept_whole_and_never_merged():
    _, passages = build_document(parsed("Tiêu đề của bài viết này", "Một.", "Hai.", "Ba."), "h")

    assert texts(passages) == ["Một.", "Hai.", "Ba."]


def test_long_paragraph_is_cut_after_sentences_into_pieces_within_the_limit():
    sentence = "Ban Thường vụ Tỉnh ủy đã chỉ đạo thực hiện tốt nhiệm vụ số {}."
    paragraph = " ".join(sentence.format(i) for i in range(1, 21))

    pieces = split_paragraph(paragraph, max_chars=200)

    assert len(pieces) > 1
    assert all(len(piece) <= 200 for piece in pieces)
    assert all(piece.endswith(".") for piece in pieces)
    assert " ".join(pieces) == paragraph


def test_semicolon_before_a_capital_is_a_sentence_boundary_and_abbreviations_are_not():
    paragraph = "Đoàn công tác tới TP. Hồ Chí Minh làm việc; Tiếp theo là Hà Nội. 2024 là năm bản lề."

    assert split_paragraph(paragraph, max_chars=45) == [
        "Đoàn công tác tới TP. Hồ Chí Minh làm việc;",
        "Tiếp theo là Hà Nội. 2024 là năm bản lề.",
    ]
    assert split_paragraph(paragraph, max_chars=25)[-2:] == ["Tiếp theo là Hà Nội.", "2024 là năm bản lề."]


def test_monster_sentence_falls_back_to_semicolons_then_commas():
    clauses = "; ".join(f"nâng cao chất lượng đội ngũ cán bộ cấp {i}, nhất là cán bộ chủ chốt" for i in range(12))
    paragraph = f"Chỉ đạo {clauses}."

    pieces = split_paragraph(paragraph, max_chars=150)

    assert all(len(piece) <= 150 for piece in pieces)
    assert all(piece.endswith((";", ".")) for piece in pieces)
    assert " ".join(pieces) == paragraph

    no_semicolons = paragraph.replace(";", ",")
    pieces = split_paragraph(no_semicolons, max_chars=150)
    assert all(len(piece) <= 150 and piece.endswith((",", ".")) for piece in pieces)
    assert " ".join(pieces) == no_semicolons


def test_text_without_any_space_is_cut_hard_at_the_limit():
    pieces = split_paragraph("x" * 250, max_chars=100)

    assert pieces == ["x" * 100, "x" * 100, "x" * 50]


def test_pieces_of_a_split_paragraph_share_its_section_and_its_number():
    long_paragraph = " ".join(f"Câu thứ {i} nói về công tác xây dựng Đảng." for i in range(1, 30))
    _, passages = build_document(
        parsed("Tiêu đề của bài viết này", "MỘT PHẦN LỚN", long_paragraph, "Đoạn cuối."), "h", max_chars=300
    )

    assert len(passages) > 3
    assert {p.section for p in passages} == {"MỘT PHẦN LỚN"}
    assert [p.paragraph for p in passages] == [1] * (len(passages) - 1) + [2]
    assert passages[-1].text == "Đoạn cuối."
