"""Reading files: the content decides the format, every format yields ordered blocks, bad files fail clearly."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfWriter

from index.documents import Block
from index.errors import CorruptFile, EmptyDocument, FileTooLarge, UnsupportedFile
from index.readers import read_file
from index.readers.pdf import paragraphs
from tests.generated_files import cp1258, docx_bytes, pdf_bytes

# --------------------------------------------------------------------------- building input files


def minimal_pdf(lines: list[str], title: str | None = None) -> bytes:
    """A one-page PDF drawing each line with Helvetica (ASCII only: the standard font has no Vietnamese)."""

    def escaped(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({escaped(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if title:
        objects.append(f"<< /Title ({escaped(title)}) >>")
    return pdf_bytes(objects, extra_trailer=f" /Info {len(objects)} 0 R" if title else "")


def rewrite_zip(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --------------------------------------------------------------------------- text


def test_utf8_text_is_split_into_blocks_on_blank_lines(tmp_path):
    path = write(tmp_path, "bai.txt", "Dòng một của đoạn một\nvẫn đoạn một.\n\n\nĐoạn hai.\n")

    parsed = read_file(path)

    assert parsed.blocks == (Block("Dòng một của đoạn một\nvẫn đoạn một."), Block("Đoạn hai."))
    assert parsed.title is None
    assert parsed.source == "bai.txt"


def test_text_without_blank_lines_has_one_block_per_line(tmp_path):
    path = write(tmp_path, "nghi-quyet.txt", "Điều 1. Phạm vi\r\nQuy định này áp dụng.\r\nĐiều 2. Hiệu lực\r\n")

    assert [b.text for b in read_file(path).blocks] == ["Điều 1. Phạm vi", "Quy định này áp dụng.", "Điều 2. Hiệu lực"]


def test_utf8_with_bom_is_decoded_without_the_bom(tmp_path):
    path = write(tmp_path, "bom.txt", "\ufeffĐảng bộ tỉnh Vĩnh Phúc".encode("utf-8-sig"))

    assert read_file(path).blocks == (Block("Đảng bộ tỉnh Vĩnh Phúc"),)


def test_utf16_text_with_bom_is_decoded(tmp_path):
    path = write(tmp_path, "utf16.txt", "Nghị quyết Đại hội XIII\n\nPhát triển kinh tế - xã hội.".encode("utf-16"))

    assert [b.text for b in read_file(path).blocks] == ["Nghị quyết Đại hội XIII", "Phát triển kinh tế - xã hội."]


def test_windows_1258_text_is_decoded_and_nfc_normalised(tmp_path):
    text = "Tỉnh ủy Vĩnh Phúc lãnh đạo thực hiện nhiệm vụ trọng tâm."
    data = cp1258(text)
    assert data.decode("cp1258") != text  # tone marks really are separate characters in this encoding

    parsed = read_file(write(tmp_path, "cu.txt", data))

    assert parsed.blocks == (Block(text),)
    assert unicodedata.is_normalized("NFC", parsed.blocks[0].text)


# --------------------------------------------------------------------------- markdown


def test_markdown_headings_become_heading_blocks_and_the_first_is_the_title(tmp_path):
    path = write(
        tmp_path,
        "ke-hoach.md",
        "# Kế hoạch số 12-KH/TU\n\n## I. MỤC ĐÍCH\n\nNâng cao **chất lượng** tổ chức _cơ sở_ đảng.\n\n"
        "- Một [liên kết](https://example.org) trong danh sách\n- Mục thứ hai\n",
    )

    parsed = read_file(path)

    assert parsed.title == "Kế hoạch số 12-KH/TU"
    assert parsed.blocks == (
        Block("Kế hoạch số 12-KH/TU", heading=True),
        Block("I. MỤC ĐÍCH", heading=True),
        Block("Nâng cao chất lượng tổ chức cơ sở đảng."),
        Block("- Một liên kết trong danh sách"),
        Block("- Mục thứ hai"),
    )


def test_markdown_keeps_underscores_inside_words_and_footnote_stars(tmp_path):
    path = write(tmp_path, "ghi-chu.md", "Tệp bao_cao_2021 có chú thích (*) và (*) khác.\n")

    assert read_file(path).blocks == (Block("Tệp bao_cao_2021 có chú thích (*) và (*) khác."),)


# --------------------------------------------------------------------------- html


def test_html_keeps_article_text_and_drops_scripts_styles_and_menus(tmp_path):
    html = """<!DOCTYPE html><html><head><title>Tin tức</title>
    <script>var tracker = "KHÔNG ĐƯỢC HIỆN";</script><style>p { color: red }</style></head>
    <body><header>Trang chủ | Giới thiệu</header><nav><a href="/">Mới nhất</a></nav>
    <h1>Hội nghị Tỉnh ủy lần thứ 5</h1>
    <h2>KẾT QUẢ NỔI BẬT</h2>
    <p>Đoạn một có chữ <b>đậm</b> và
       xuống dòng trong mã nguồn.</p>
    <p>Dòng đầu<br>dòng sau</p>
    <div>Chữ nằm thẳng trong div <p>và một đoạn bên trong</p></div>
    <ul><li>Mục một</li><li>Mục hai</li></ul>
    <table><tr><td>Ô thứ nhất</td><td>Ô thứ hai</td></tr></table>
    <blockquote>Lời trích dẫn</blockquote>
    <aside>Quảng cáo</aside><form>Gửi bình luận</form><footer>Bản quyền</footer>
    </body></html>"""

    parsed = read_file(write(tmp_path, "trang.html", html))

    assert parsed.title == "Tin tức"
    assert parsed.blocks == (
        Block("Hội nghị Tỉnh ủy lần thứ 5", heading=True),
        Block("KẾT QUẢ NỔI BẬT", heading=True),
        Block("Đoạn một có chữ đậm và xuống dòng trong mã nguồn."),
        Block("Dòng đầu\ndòng sau"),
        Block("Chữ nằm thẳng trong div"),
        Block("và một đoạn bên trong"),
        Block("Mục một"),
        Block("Mục hai"),
        Block("Ô thứ nhất"),
        Block("Ô thứ hai"),
        Block("Lời trích dẫn"),
    )


def test_html_title_falls_back_to_the_first_h1_and_drops_a_site_suffix(tmp_path):
    without_title = write(tmp_path, "a.html", "<html><body><h1>Tiêu đề bài</h1><p>Nội dung.</p></body></html>")
    with_site_name = write(
        tmp_path, "b.html", "<html><head><title>Tiêu đề bài - Báo Vĩnh Phúc</title></head><body><h1>Tiêu đề bài</h1></body></html>"
    )

    assert read_file(without_title).title == "Tiêu đề bài"
    assert read_file(with_site_name).title == "Tiêu đề bài"


def test_html_header_inside_the_article_is_kept(tmp_path):
    html = "<html><body><header>Menu</header><article><header><h1>Tiêu đề</h1><p>Thứ Năm, 2/12/2021</p></header><p>Nội dung.</p></article></body></html>"

    blocks = read_file(write(tmp_path, "c.html", html)).blocks

    assert [b.text for b in blocks] == ["Tiêu đề", "Thứ Năm, 2/12/2021", "Nội dung."]


# --------------------------------------------------------------------------- docx


def test_docx_paragraphs_headings_tables_and_core_title(tmp_path):
    def build(document):
        document.core_properties.title = "Quy định số 371-QĐ/TU"
        document.add_heading("QUY ĐỊNH", level=0)
        document.add_heading("Chương I", level=1)
        document.add_paragraph("Điều 1. Phạm vi điều chỉnh")
        document.add_paragraph("   ")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Số: 371-QĐ/TU"
        table.cell(0, 1).text = "Vĩnh Phúc, ngày 22 tháng 9 năm 2021"
        merged = table.cell(1, 0).merge(table.cell(1, 1))
        merged.text = "Ô gộp hai cột"
        document.add_paragraph("Sau bảng.")

    parsed = read_file(write(tmp_path, "quy-dinh.docx", docx_bytes(build)))

    assert parsed.title == "Quy định số 371-QĐ/TU"
    assert parsed.blocks == (
        Block("QUY ĐỊNH", heading=True),
        Block("Chương I", heading=True),
        Block("Điều 1. Phạm vi điều chỉnh"),
        Block("Số: 371-QĐ/TU"),
        Block("Vĩnh Phúc, ngày 22 tháng 9 năm 2021"),
        Block("Ô gộp hai cột"),
        Block("Sau bảng."),
    )


def test_docx_without_core_title_has_no_title(tmp_path):
    parsed = read_file(write(tmp_path, "x.docx", docx_bytes(lambda d: d.add_paragraph("Chỉ một đoạn."))))

    assert parsed.title is None
    assert parsed.blocks == (Block("Chỉ một đoạn."),)


def test_truncated_docx_is_corrupt(tmp_path):
    data = docx_bytes(lambda d: d.add_paragraph("Nội dung."))

    with pytest.raises(CorruptFile, match="hong.docx"):
        read_file(write(tmp_path, "hong.docx", data[: len(data) // 2]))


def test_docx_with_broken_xml_is_corrupt(tmp_path):
    data = rewrite_zip(docx_bytes(lambda d: d.add_paragraph("x")), {"word/document.xml": b"<w:document><unclosed>"})

    with pytest.raises(CorruptFile):
        read_file(write(tmp_path, "xml-hong.docx", data))


def test_zip_bomb_docx_is_refused_before_inflating(tmp_path):
    data = docx_bytes(lambda d: d.add_paragraph("Bình thường."))
    bomb = rewrite_zip(data, {}, add={"word/media/filler.bin": b"\0" * (30 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024  # 30 MB of zeros squeezed into a few kilobytes

    with pytest.raises(CorruptFile, match="bom zip"):
        read_file(write(tmp_path, "bom.docx", bomb))


def test_docx_external_entity_does_not_leak_a_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MAT-KHAU-BI-MAT")
    data = docx_bytes(lambda d: d.add_paragraph("Mở đầu văn bản."))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    declaration, rest = xml.split("?>", 1)
    evil = (
        f'{declaration}?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        + rest.replace("Mở đầu văn bản.", "Mở đầu &xxe; văn bản.")
    )
    path = write(tmp_path, "xxe.docx", rewrite_zip(data, {"word/document.xml": evil.encode()}))

    try:
        text = " ".join(block.text for block in read_file(path).blocks)
    except CorruptFile:
        text = ""

    assert "MAT-KHAU-BI-MAT" not in text


# --------------------------------------------------------------------------- pdf


def test_pdf_lines_are_reflowed_into_paragraphs_and_metadata_title_is_read(tmp_path):
    pdf = minimal_pdf(
        [
            "The first paragraph is wrapped",
            "over two lines.",
            "The second one is short.",
            "A hyphen-",
            "ated word and COVID-",
            "19 stay whole.",
            "3",
        ],
        title="Party report",
    )

    parsed = read_file(write(tmp_path, "bao-cao.pdf", pdf))

    assert parsed.title == "Party report"  # page number "3" is dropped too
    assert [b.text for b in parsed.blocks] == [
        "The first paragraph is wrapped over two lines.",
        "The second one is short.",
        "A hyphenated word and COVID-19 stay whole.",
    ]


def test_pdf_text_is_split_on_blank_lines_when_present_and_headings_keep_their_own_line():
    page = "Quy định này áp dụng\ncho mọi tổ chức.\nĐoạn vẫn tiếp tục.\n\nĐiều 1. Phạm vi\nĐoạn tiếp theo.\n\n- 2 -\n"

    assert paragraphs([page]) == [
        "Quy định này áp dụng cho mọi tổ chức. Đoạn vẫn tiếp tục.",
        "Điều 1. Phạm vi",
        "Đoạn tiếp theo.",
    ]


def test_vietnamese_article_and_bullet_lines_start_paragraphs_in_pdf_text():
    page = "Điều 5. Trách nhiệm thi hành\nCác sở, ngành thực hiện\ntheo Điều 4 của Quy định.\n- Tăng cường kinh tế\n- xã hội bền vững."

    assert paragraphs([page]) == [
        "Điều 5. Trách nhiệm thi hành",
        "Các sở, ngành thực hiện theo Điều 4 của Quy định.",
        "- Tăng cường kinh tế - xã hội bền vững.",
    ]


def test_password_protected_pdf_is_refused_with_a_message_saying_so(tmp_path):
    writer = PdfWriter(clone_from=io.BytesIO(minimal_pdf(["Secret text."])))
    writer.encrypt("mat-khau")
    buffer = io.BytesIO()
    writer.write(buffer)

    with pytest.raises(CorruptFile, match="mật khẩu") as raised:
        read_file(write(tmp_path, "mat.pdf", buffer.getvalue()))
    assert "mat.pdf" in str(raised.value)


def test_pdf_encrypted_with_an_empty_user_password_is_read(tmp_path):
    writer = PdfWriter(clone_from=io.BytesIO(minimal_pdf(["Open to everyone."])))
    writer.encrypt("", owner_password="chu-so-huu")
    buffer = io.BytesIO()
    writer.write(buffer)

    assert read_file(write(tmp_path, "mo.pdf", buffer.getvalue())).blocks == (Block("Open to everyone."),)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.4\n" + bytes(range(32, 127)) * 40, id="garbage after the header"),
        pytest.param(minimal_pdf(["Cut short."])[:200], id="truncated"),
    ],
)
def test_damaged_pdf_is_corrupt_and_the_message_names_the_file(tmp_path, data):
    with pytest.raises(CorruptFile) as raised:
        read_file(write(tmp_path, "bao-cao.pdf", data))

    assert str(raised.value) == "Tệp bao-cao.pdf bị hỏng hoặc bị mã hoá, không đọc được."


def test_pdf_without_any_text_is_empty(tmp_path):
    with pytest.raises(EmptyDocument, match="quét"):
        read_file(write(tmp_path, "scan.pdf", minimal_pdf([])))


# --------------------------------------------------------------------------- detection by content


def test_pdf_named_txt_is_read_as_pdf(tmp_path):
    parsed = read_file(write(tmp_path, "that-ra-la-pdf.txt", minimal_pdf(["Hello from a PDF."])))

    assert parsed.blocks == (Block("Hello from a PDF."),)


def test_docx_named_pdf_is_read_as_docx(tmp_path):
    parsed = read_file(write(tmp_path, "nham.pdf", docx_bytes(lambda d: d.add_paragraph("Thật ra là Word."))))

    assert parsed.blocks == (Block("Thật ra là Word."),)


def test_html_named_txt_is_read_as_html(tmp_path):
    parsed = read_file(write(tmp_path, "luu-trang.txt", "<!doctype html><html><body><p>Đoạn văn.</p><script>x()</script></body></html>"))

    assert parsed.blocks == (Block("Đoạn văn."),)


def test_markdown_syntax_in_a_txt_file_is_left_alone(tmp_path):
    parsed = read_file(write(tmp_path, "ghi-chu.txt", "# Không phải tiêu đề\n\n**đậm**"))

    assert parsed.blocks == (Block("# Không phải tiêu đề"), Block("**đậm**"))
    assert parsed.title is None


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(bytes((i * 7919 + 13) % 256 for i in range(4096)), id="with NUL bytes"),
        pytest.param(bytes((i * 7919 + 13) % 255 + 1 for i in range(4096)), id="control characters, no NUL"),
    ],
)
def test_binary_garbage_named_txt_is_unsupported(tmp_path, garbage):
    with pytest.raises(UnsupportedFile, match="rac.txt"):
        read_file(write(tmp_path, "rac.txt", garbage))


def test_broken_png_named_docx_is_read_as_an_image_and_refused_as_damaged(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))

    with pytest.raises(CorruptFile, match="Ảnh anh.docx bị hỏng"):
        read_file(write(tmp_path, "anh.docx", png))


def test_gif_named_docx_is_unsupported_and_says_what_it_is(tmp_path):
    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(range(256))

    with pytest.raises(UnsupportedFile, match=r"\.gif"):
        read_file(write(tmp_path, "anh.docx", gif))


def test_zip_that_is_not_a_docx_is_unsupported(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bang-tinh.csv", "a,b\n1,2\n")

    with pytest.raises(UnsupportedFile, match="zip"):
        read_file(write(tmp_path, "nen.docx", buffer.getvalue()))


def test_ole_file_that_is_not_a_word_document_is_unsupported_with_advice_to_save_as_docx(tmp_path):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504

    with pytest.raises(UnsupportedFile, match=r"\.docx"):
        read_file(write(tmp_path, "cu.doc", ole2))


def test_empty_file_is_an_empty_document(tmp_path):
    with pytest.raises(EmptyDocument, match="trong-rong.txt"):
        read_file(write(tmp_path, "trong-rong.txt", b""))


def test_whitespace_only_file_is_an_empty_document(tmp_path):
    with pytest.raises(EmptyDocument):
        read_file(write(tmp_path, "trang.md", "  \n\n\t \n"))


def test_oversized_file_is_refused_from_its_size_before_reading(tmp_path):
    path = tmp_path / "lon.pdf"
    with path.open("wb") as file:
        file.truncate(60 * 1024 * 1024)  # sparse: 60 MB on paper, nothing to read

    with pytest.raises(FileTooLarge, match="lon.pdf"):
        read_file(path)


def test_size_limit_is_configurable(tmp_path):
    path = write(tmp_path, "vua.txt", "x" * 2000)

    with pytest.raises(FileTooLarge):
        read_file(path, max_bytes=1000)
    assert read_file(path, max_bytes=2000).blocks == (Block("x" * 2000),)


# --------------------------------------------------------------------------- the source name


def test_source_is_the_bare_file_name_without_directories(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    path = write(folder, "bao-cao.txt", "Nội dung.")

    assert read_file(tmp_path / "sub" / ".." / "sub" / "bao-cao.txt").source == "bao-cao.txt"
    assert read_file(path).source == "bao-cao.txt"


def test_source_drops_control_characters_and_backslash_directories(tmp_path):
    path = write(tmp_path, "..\\..\\evil\x1b[31m\u202e.txt", "Nội dung.")

    assert read_file(path).source == "evil[31m.txt"


def test_source_is_nfc_even_when_the_file_system_name_is_decomposed(tmp_path):
    path = write(tmp_path, unicodedata.normalize("NFD", "báo-cáo.txt"), "Nội dung.")

    assert read_file(path).source == "báo-cáo.txt"
