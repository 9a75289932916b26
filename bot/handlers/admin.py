"""Admin commands: upload a document or a photo of one, list (/tailieu, /docs), remove (/xoa, /remove), /reindex, /thongke.

Admins are the user ids in VANKIEN_ADMIN_IDS (bot/permissions.py); anyone else gets REFUSAL and nothing
changes. app.py registers these handlers before the members' catch-alls, so they see admin commands first.
Heavy work (parsing, embedding, removing) runs in a thread so members' questions keep being answered.
"""

from __future__ import annotations

import asyncio
import html
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.admin_store import PENDING
from bot.keyboards import ADMIN_CALLBACK_PATTERN, CANCEL, PAGE, REMOVE, UNDO, audience_row
from bot.membership import notice_chats
from bot.permissions import actor, admin_only, from_admins
from bot.replies import format_date
from bot.stats import collect_stats, format_stats
from bot.text_fitting import clip
from index.audience import LABELS
from index.audit import ANNOUNCED, REMOVED, document_subject, record_outcomes
from index.documents import Document
from index.errors import DocumentNotFound, VankienError
from index.isolation import parse_options
from index.library import AddOutcome, index_summary
from index.readers import display_name
from index.writer_lock import writer_waiting

log = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API refuses getFile above this
PAGE_SIZE = 10
PREVIEW_PASSAGES = 2
PREVIEW_CHARS = 300
PROGRESS_EVERY = 2.0  # seconds between status edits while embedding
WAITING_FOR_WRITER = "Đang chờ tiến trình khác ghi xong…"  # e.g. `python -m index add` on the same data directory
# Callback data, all well under Telegram's 64 bytes


# ---------------------------------------------------------------- pure formatting


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def format_too_large(name: str, size: int) -> str:
    return (f"Tệp {html.escape(name)} quá lớn ({_megabytes(size)}): Telegram chỉ cho bot tải tệp tối đa 20 MB. "
            "Hãy chia nhỏ tệp hoặc nạp bằng dòng lệnh: python -m index add &lt;tệp&gt;")


def format_document_line(document: Document) -> str:
    date = html.escape(format_date(document.date) or "không rõ ngày")
    return (f"<b>{document.id}</b> · {html.escape(clip(document.title, 120))} · {date} · "
            f"{document.passage_count} đoạn · {LABELS.get(document.audience, document.audience)}")


def format_outcome(outcome: AddOutcome) -> str:
    """What was indexed: title, date, passages, codes, the first passages; or that it was already there."""
    document = outcome.document
    if outcome.status == "unchanged":
        return (f"Tài liệu này đã có (mã {document.id}): «{html.escape(clip(document.title, 200))}», "
                f"{document.passage_count} đoạn. Không nạp lại.")
    lines = ["✅ Đã nạp tài liệu" if outcome.status == "added" else "♻️ Đã nạp phiên bản mới"]
    if outcome.replaced is not None:
        lines.append(f"Thay thế bản cũ (mã {outcome.replaced.id}, {outcome.replaced.passage_count} đoạn).")
    lines += [
        f"<b>{html.escape(clip(document.title, 200))}</b>",
        f"Mã tài liệu: {document.id} · Ngày: {html.escape(format_date(document.date) or 'không rõ')} · "
        f"Số đoạn: {len(outcome.passages) or document.passage_count}",
        f"Số hiệu: {html.escape(', '.join(document.codes)) if document.codes else 'không tìm thấy'}",
        f"Đối tượng đọc: {LABELS.get(document.audience, document.audience)} (bấm bên dưới để đổi)",
    ]
    for passage in outcome.passages[:PREVIEW_PASSAGES]:
        lines.append(f"\n<i>Đoạn {passage.paragraph}:</i> {html.escape(clip(passage.text, PREVIEW_CHARS))}")
    return "\n".join(lines)


def format_document_page(documents: list[Document], page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Newest first, PAGE_SIZE a page, with ‹ › buttons."""
    ordered = sorted(documents, key=lambda d: (d.date or "", d.id or 0), reverse=True)
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = ordered[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    if not shown:
        return "Chưa có tài liệu nào.", None
    header = f"<b>Tài liệu</b> ({len(ordered)}; trang {page + 1}/{pages}) — mã · tiêu đề · ngày · số đoạn · đối tượng"
    text = "\n".join([header, *map(format_document_line, shown)])
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("‹", callback_data=f"{PAGE}:{page - 1}"))
    if page < pages - 1:
        row.append(InlineKeyboardButton("›", callback_data=f"{PAGE}:{page + 1}"))
    return text, InlineKeyboardMarkup([row]) if row else None


def upload_keyboard(document: Document) -> InlineKeyboardMarkup:
    """Undo, and who may read it (bot/handlers/access.py sets the audience pressed)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("↩️ Hoàn tác", callback_data=f"{UNDO}:{document.id}")],
                                 audience_row(document.id, document.audience)])


def confirm_remove_keyboard(doc_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("🗑 Xoá", callback_data=f"{REMOVE}:{doc_id}"),
        InlineKeyboardButton("Huỷ", callback_data=CANCEL),
    ]])


def format_ocr_progress(done: int, total: int) -> str:
    """ "Đang nhận dạng trang 3/12…": the page being read (pages before it are done)."""
    return f"Đang nhận dạng trang {min(done + 1, total)}/{total}…"


def new_document_notice(document: Document) -> str:
    date = html.escape(format_date(document.date) or "")
    return (f"📄 Đã có tài liệu mới: <b>{html.escape(clip(document.title, 200))}</b>"
            f"{f' ({date})' if date else ''}. Hỏi tôi về tài liệu này bằng /hoi.")


# ---------------------------------------------------------------- upload


async def _edit(message: Message, text: str, **kwargs) -> None:
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML, **kwargs)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


def _waiting_notice(status: Message, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """For writer_waiting: called from the writing thread when another process holds the index; tells the admin."""
    def notify() -> None:
        asyncio.run_coroutine_threadsafe(_edit(status, WAITING_FOR_WRITER), loop)

    return notify


@admin_only
async def upload(update: Update, context: BotContext) -> None:
    """A file from an admin in private chat: size check, download, index in a thread, report with an undo button."""
    document = update.effective_message.document
    name = display_name(document.file_name or "tai-lieu.txt")[:200]
    await _index_upload(update, context, document.file_id, name, document.file_size)


@admin_only
async def upload_photo(update: Update, context: BotContext) -> None:
    """A photo (not a file) from an admin in private chat: its largest size, OCR'd and indexed like a file."""
    photo = update.effective_message.photo[-1]
    await _index_upload(update, context, photo.file_id, f"anh-{photo.file_unique_id}.jpg", photo.file_size)


async def _index_upload(update: Update, context: BotContext, file_id: str, name: str, size: int | None) -> None:
    message = update.effective_message
    if size and size > MAX_DOWNLOAD_BYTES:
        await message.reply_html(format_too_large(name, size))
        return
    status = await message.reply_text("Đang tải tệp…")
    loop = asyncio.get_running_loop()
    last_edit = [0.0]

    def progress(done: int, total: int) -> None:
        """Called from the indexing thread; edits the status at most every PROGRESS_EVERY seconds."""
        if time.monotonic() - last_edit[0] >= PROGRESS_EVERY and done < total:
            last_edit[0] = time.monotonic()
            asyncio.run_coroutine_threadsafe(_edit(status, f"Đang xử lý… {done}/{total} đoạn"), loop)

    def pages(done: int, total: int) -> None:
        """OCR progress from the parsing child: the page being read, shown at once and then every PROGRESS_EVERY s."""
        if done < total and (done == 0 or time.monotonic() - last_edit[0] >= PROGRESS_EVERY):
            last_edit[0] = time.monotonic()
            asyncio.run_coroutine_threadsafe(_edit(status, format_ocr_progress(done, total)), loop)

    with tempfile.TemporaryDirectory(prefix="vankien-upload-") as folder:
        path = Path(folder) / name
        telegram_file = await context.bot.get_file(file_id)
        await telegram_file.download_to_drive(path)
        await _edit(status, "Đang xử lý…")
        last_edit[0] = time.monotonic()
        try:
            with parse_options(context.config.index.ocr, pages), writer_waiting(_waiting_notice(status, loop)):
                outcome = await asyncio.to_thread(context.library.add_file, path, progress)  # with these options
        except VankienError as error:
            await _edit(status, f"❌ {html.escape(str(error))}")
            return
    await asyncio.to_thread(record_outcomes, context.services.audit, actor(update.effective_user), [outcome])
    keyboard = upload_keyboard(outcome.document) if outcome.status != "unchanged" else None
    await _edit(status, format_outcome(outcome), reply_markup=keyboard)
    if outcome.status != "unchanged":
        await _announce_new(update, context, outcome.document)


async def _announce_new(update: Update, context: BotContext, document: Document) -> None:
    """The new-document notice, to the subscribed chats that may read it: all, the member chats, or none."""
    chats = notice_chats(document.audience, context.config.member_chats)
    if chats is not None and not chats:
        return
    services = context.services
    broadcast_id = await asyncio.to_thread(services.admin_store.announce, new_document_notice(document), chats)
    queued = (await asyncio.to_thread(services.admin_store.counts, broadcast_id))[PENDING]
    if queued:
        await asyncio.to_thread(services.audit.record, actor(update.effective_user), ANNOUNCED, document_subject(document),
                                f"tài liệu mới, tới {queued} nhóm")
        services.broadcaster.kick()


# ---------------------------------------------------------------- list, remove, reindex, stats


@admin_only
async def documents(update: Update, context: BotContext) -> None:
    """/docs, and /tailieu from an admin: the paged list with ids (members' /tailieu is start.documents)."""
    found = await asyncio.to_thread(context.library.documents)
    text, keyboard = format_document_page(found, 0)
    await update.effective_message.reply_html(text, reply_markup=keyboard)


@admin_only
async def remove_command(update: Update, context: BotContext) -> None:
    """/xoa <id>: asks for confirmation with a button."""
    if len(context.args) != 1 or not context.args[0].isdigit():
        await update.effective_message.reply_html("Cách dùng: <code>/xoa &lt;mã tài liệu&gt;</code> (xem mã bằng /tailieu).")
        return
    try:
        document = await asyncio.to_thread(context.library.document, int(context.args[0]))
    except DocumentNotFound:
        await update.effective_message.reply_text(f"Không có tài liệu mã {context.args[0]}. Xem danh sách bằng /tailieu.")
        return
    await update.effective_message.reply_html(
        f"Xoá tài liệu {document.id}: «{html.escape(clip(document.title, 200))}» ({document.passage_count} đoạn)?",
        reply_markup=confirm_remove_keyboard(document.id),
    )


@admin_only
async def reindex(update: Update, context: BotContext) -> None:
    """/reindex: rebuild in the background; questions are answered from the old generation until the switch."""
    if context.services.reindexing.locked():
        await update.effective_message.reply_text("Đang lập lại chỉ mục, vui lòng đợi.")
        return
    status = await update.effective_message.reply_text("Đang lập lại chỉ mục… (vẫn trả lời câu hỏi bằng chỉ mục cũ)")
    context.application.create_task(_reindex(context, status))


async def _reindex(context: BotContext, status: Message) -> None:
    async with context.services.reindexing:
        started = time.monotonic()
        try:
            with writer_waiting(_waiting_notice(status, asyncio.get_running_loop())):
                await asyncio.to_thread(context.library.reindex)
        except VankienError as error:
            await _edit(status, f"❌ {html.escape(str(error))}")
            return
        summary = await asyncio.to_thread(index_summary, context.library)
        await _edit(status, f"✅ Đã lập lại chỉ mục: {summary['documents']} tài liệu, {summary['passages']} đoạn "
                            f"({time.monotonic() - started:.1f} giây).")


@admin_only
async def stats(update: Update, context: BotContext) -> None:
    """/thongke: questions per day, most asked, unanswered, feedback."""
    found = await asyncio.to_thread(collect_stats, context.state)
    await update.effective_message.reply_html(format_stats(found))


# ---------------------------------------------------------------- buttons


@admin_only
async def button(update: Update, context: BotContext) -> None:
    """Undo an upload, turn a list page, confirm or cancel a removal."""
    query = update.callback_query
    action, _, argument = (query.data or "").partition(":")
    if action == PAGE:
        found = await asyncio.to_thread(context.library.documents)
        text, keyboard = format_document_page(found, int(argument))
        await query.answer()
        await _edit(query.message, text, reply_markup=keyboard)
    elif action in (UNDO, REMOVE):
        try:
            with writer_waiting(_waiting_notice(query.message, asyncio.get_running_loop())):
                removed = await asyncio.to_thread(context.library.remove, int(argument))
        except DocumentNotFound:
            await query.answer(f"Tài liệu mã {argument} không còn trong chỉ mục.", show_alert=True)
            await _edit(query.message, query.message.text_html or "…", reply_markup=None)
            return
        except VankienError as error:  # another process kept the index too long (WriterBusy)
            await query.answer()
            await _edit(query.message, f"❌ {html.escape(str(error))}")
            return
        await asyncio.to_thread(context.services.audit.record, actor(query.from_user), REMOVED, document_subject(removed),
                                "hoàn tác việc nạp" if action == UNDO else "")
        await query.answer("Đã hoàn tác" if action == UNDO else "Đã xoá")
        verb = "Đã hoàn tác: đã xoá" if action == UNDO else "Đã xoá"
        await _edit(query.message, f"{verb} tài liệu {removed.id}: «{html.escape(clip(removed.title, 200))}».")
    else:
        await query.answer("Đã huỷ")
        await _edit(query.message, "Đã huỷ.")


# ---------------------------------------------------------------- wiring


def handlers(admin_ids: frozenset[int]) -> list[BaseHandler]:
    """Uploads in private chats, the admin commands and their buttons; app.py puts them before the members'.

    What shows every document (the list, a removal's title, the statistics) answers in private chats only: in a
    group an admin's /tailieu is anyone's, for what the group may read (start.documents)."""
    new = filters.UpdateType.MESSAGE  # an edited command is not run again
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(new & private & filters.Document.ALL, upload),
        MessageHandler(new & private & filters.PHOTO, upload_photo),
        CommandHandler("tailieu", documents, filters=new & private & from_admins(admin_ids)),
        CommandHandler("docs", documents, filters=new & private),
        CommandHandler(["xoa", "remove"], remove_command, filters=new & private),
        CommandHandler("reindex", reindex, filters=new),
        CommandHandler(["thongke", "stats"], stats, filters=new & private),
        CallbackQueryHandler(button, pattern=ADMIN_CALLBACK_PATTERN),
    ]
