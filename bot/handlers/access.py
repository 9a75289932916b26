"""Who may read what, the admins' side: /capquyen and /thuquyen (grant, revoke), /doituong and the buttons
under an upload (a document's audience), /nhatky (the audit trail); and chat_member updates, which make a
user who joined or left a member chat be asked about again at once.
"""

from __future__ import annotations

import asyncio
import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, ChatMemberHandler, CommandHandler, filters

from bot.context import BotContext
from bot.keyboards import AUDIENCE, AUDIENCE_PATTERN, AUDIT_PAGE, AUDIT_PATTERN, audience_row, parse_audience_callback
from bot.permissions import actor, admin_only
from bot.state import Grant
from bot.text_fitting import clip
from index.audience import LABELS, parse_audience
from index.audit import ACTION_LABELS, AUDIENCE as AUDIENCE_CHANGED, GRANTED, REVOKED, AuditEntry, document_subject
from index.documents import Document
from index.errors import DocumentNotFound, VankienError

AUDIT_PAGE_SIZE = 10
_USER_ID = re.compile(r"[1-9][0-9]{0,17}")
GRANT_USAGE = ("Cách dùng: <code>/capquyen &lt;mã Telegram&gt; [tên]</code> cấp quyền đọc tài liệu đảng viên; "
               "<code>/thuquyen &lt;mã Telegram&gt;</code> thu lại. Người chưa có quyền thấy mã của mình khi nhắn cho bot.")
AUDIENCE_USAGE = ("Cách dùng: <code>/doituong &lt;mã tài liệu&gt; public|members|admins</code> "
                  "(công khai, đảng viên, quản trị viên; xem mã bằng /tailieu).")


# ---------------------------------------------------------------- pure formatting


def format_grants(grants: list[Grant]) -> str:
    if not grants:
        return "Chưa cấp quyền cho ai (thành viên các nhóm của tổ chức đọc được mà không cần cấp)."
    lines = [f"<b>Đã cấp quyền</b> ({len(grants)})"]
    lines += [f"{g.user_id}{f' · {html.escape(clip(g.name, 60))}' if g.name else ''} · {g.granted_at[:10]}" for g in grants]
    return "\n".join(lines)


def format_audience_set(document: Document) -> str:
    return f"Tài liệu {document.id} «{html.escape(clip(document.title, 200))}»: đối tượng {LABELS[document.audience]}."


def format_audit_page(entries: list[AuditEntry], page: int, total: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Newest first, AUDIT_PAGE_SIZE a page, with ‹ › buttons."""
    if not entries:
        return "Nhật ký chưa có gì.", None
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    lines = [f"<b>Nhật ký</b> ({total}; trang {page + 1}/{pages}) — giờ UTC · ai · việc · gì"]
    for entry in entries:
        detail = f" ({html.escape(clip(entry.detail, 80))})" if entry.detail else ""
        lines.append(f"{entry.at[:16].replace('T', ' ')} · {html.escape(clip(entry.actor, 60))} · "
                     f"{ACTION_LABELS.get(entry.action, entry.action)} · {html.escape(clip(entry.subject, 120))}{detail}")
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("‹", callback_data=f"{AUDIT_PAGE}:{page - 1}"))
    if page < pages - 1:
        row.append(InlineKeyboardButton("›", callback_data=f"{AUDIT_PAGE}:{page + 1}"))
    return "\n".join(lines), InlineKeyboardMarkup([row]) if row else None


# ---------------------------------------------------------------- grants


@admin_only
async def grant(update: Update, context: BotContext) -> None:
    """/capquyen <user id> [name]: that user reads members documents, until /thuquyen."""
    args = context.args or []
    if not args or not _USER_ID.fullmatch(args[0]):
        grants = await asyncio.to_thread(context.state.grants)
        await update.effective_message.reply_html(f"{GRANT_USAGE}\n\n{format_grants(grants)}")
        return
    user_id, name = int(args[0]), clip(" ".join(args[1:]), 100)
    services = context.services
    new = await asyncio.to_thread(context.state.grant, user_id, name, update.effective_user.id)
    services.membership.grant(user_id)
    if new:
        subject = f"người dùng {user_id}" + (f" ({name})" if name else "")
        await asyncio.to_thread(services.audit.record, actor(update.effective_user), GRANTED, subject)
    await update.effective_message.reply_text(
        f"Đã cấp quyền đọc tài liệu đảng viên cho {user_id}." if new else f"{user_id} đã có quyền rồi."
    )


@admin_only
async def revoke(update: Update, context: BotContext) -> None:
    """/thuquyen <user id>: the grant is gone (a user of a member chat still reads as a member)."""
    args = context.args or []
    if len(args) != 1 or not _USER_ID.fullmatch(args[0]):
        await update.effective_message.reply_html(GRANT_USAGE)
        return
    user_id = int(args[0])
    services = context.services
    had = await asyncio.to_thread(context.state.revoke, user_id)
    services.membership.revoke(user_id)
    if had:
        await asyncio.to_thread(services.audit.record, actor(update.effective_user), REVOKED, f"người dùng {user_id}")
    await update.effective_message.reply_text(
        f"Đã thu quyền của {user_id} (nếu còn ở trong nhóm của tổ chức, người này vẫn đọc được)." if had
        else f"{user_id} không được cấp quyền riêng."
    )


# ---------------------------------------------------------------- audiences


async def _set_audience(update: Update, context: BotContext, doc_id: int, audience: str) -> Document:
    """Set it and write the audit trail; DocumentNotFound, or another VankienError (the index busy elsewhere)."""
    document = await asyncio.to_thread(context.library.set_audience, doc_id, audience)
    await asyncio.to_thread(context.services.audit.record, actor(update.effective_user), AUDIENCE_CHANGED,
                            document_subject(document), f"đối tượng: {LABELS[audience]}")
    return document


@admin_only
async def audience_command(update: Update, context: BotContext) -> None:
    """/doituong <doc id> <public|members|admins>."""
    args = context.args or []
    if len(args) < 2 or not args[0].isdigit():
        await update.effective_message.reply_html(AUDIENCE_USAGE)
        return
    try:
        document = await _set_audience(update, context, int(args[0]), parse_audience(" ".join(args[1:])))
    except VankienError as error:  # UnknownAudience, DocumentNotFound, the index busy in another process
        await update.effective_message.reply_text(str(error))
        return
    await update.effective_message.reply_html(format_audience_set(document))


@admin_only
async def audience_button(update: Update, context: BotContext) -> None:
    """One of the audience buttons under an upload: set it, tick it."""
    query = update.callback_query
    doc_id, audience = parse_audience_callback(query.data)
    try:
        document = await _set_audience(update, context, doc_id, audience)
    except DocumentNotFound:
        await query.answer(f"Tài liệu mã {doc_id} không còn trong chỉ mục.", show_alert=True)
        return
    except VankienError as error:
        await query.answer(str(error)[:200], show_alert=True)
        return
    await query.answer(f"Đối tượng: {LABELS[audience]}")
    rows = [row for row in (query.message.reply_markup.inline_keyboard if query.message.reply_markup else ())
            if not any((b.callback_data or "").startswith(f"{AUDIENCE}:") for b in row)]
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup([*rows, audience_row(doc_id, document.audience)]))
    except BadRequest as error:
        if "not modified" not in error.message.lower():  # pressed the audience it already had
            raise


# ---------------------------------------------------------------- audit trail


@admin_only
async def audit(update: Update, context: BotContext) -> None:
    """/nhatky: the audit trail, newest first, paged."""
    text, keyboard = await asyncio.to_thread(_audit_page, context, 0)
    await update.effective_message.reply_html(text, reply_markup=keyboard)


@admin_only
async def audit_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    text, keyboard = await asyncio.to_thread(_audit_page, context, int(query.data.partition(":")[2]))
    await query.answer()
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


def _audit_page(context: BotContext, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    trail = context.services.audit
    total = trail.count()
    page = min(page, max(0, -(-total // AUDIT_PAGE_SIZE) - 1))
    return format_audit_page(trail.entries(AUDIT_PAGE_SIZE, page * AUDIT_PAGE_SIZE), page, total)


# ---------------------------------------------------------------- chat members


async def member_changed(update: Update, context: BotContext) -> None:
    """Someone joined or left (or was removed from) a member chat: ask Telegram about them at their next update."""
    change = update.chat_member
    if change.chat.id in context.config.member_chats:
        context.services.membership.forget(change.new_chat_member.user.id)


def handlers() -> list[BaseHandler]:
    """The admins' access commands and buttons; app.py puts them before the members' catch-alls."""
    private = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE  # they name documents and users: never in a group
    return [
        CommandHandler(["capquyen", "grant"], grant, filters=private),
        CommandHandler(["thuquyen", "revoke"], revoke, filters=private),
        CommandHandler(["doituong", "audience"], audience_command, filters=private),
        CommandHandler(["nhatky", "audit"], audit, filters=private),
        CallbackQueryHandler(audience_button, pattern=AUDIENCE_PATTERN),
        CallbackQueryHandler(audit_page, pattern=AUDIT_PATTERN),
        ChatMemberHandler(member_changed, ChatMemberHandler.CHAT_MEMBER),
    ]
