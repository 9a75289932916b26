"""Who may do what: bot admins are the user ids in VANKIEN_ADMIN_IDS; who may read what is bot/membership.py.

Admins upload, list with ids, remove, reindex, read the statistics and the audit trail, announce, grant
access and set documents' audiences. A group's or channel's own admins (and bot admins) subscribe it to
announcements: that check asks Telegram, in handlers/announce.py. Every handler that shows library text
asks `reader_audiences` first, at that moment (a button made earlier carries no right of its own).
"""

from __future__ import annotations

from functools import wraps
from typing import Awaitable, Callable

from telegram import InlineQueryResultsButton, Update, User
from telegram.constants import ChatType
from telegram.ext import filters

from bot.context import BotContext

REFUSAL = "Chỉ quản trị viên mới dùng được lệnh này."
MEMBERS_ONLY = ("Thư viện văn kiện này chỉ dành cho đảng viên: hãy tham gia nhóm của chi bộ, hoặc gửi mã Telegram "
                "của bạn ({user_id}) cho quản trị viên để được cấp quyền.")
GROUP_NOT_SERVED = "Tôi chỉ trả lời trong các nhóm của tổ chức; đảng viên có thể hỏi tôi trong tin nhắn riêng."
ACCESS_BUTTON = InlineQueryResultsButton("Chỉ dành cho đảng viên: cách được cấp quyền", start_parameter="access")

Handler = Callable[[Update, BotContext], Awaitable[None]]


def is_admin(context: BotContext, user_id: int | None) -> bool:
    return user_id is not None and user_id in context.config.admin_ids


def admin_only(handler: Handler) -> Handler:
    """Run `handler` for admins; anyone else gets REFUSAL (an alert on a button press, a reply otherwise)."""

    @wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        user = update.effective_user
        if is_admin(context, user.id if user else None):
            await handler(update, context)
        elif update.callback_query:
            await update.callback_query.answer(REFUSAL, show_alert=True)
        elif update.effective_message:
            await update.effective_message.reply_text(REFUSAL)

    return guarded


async def reader_audiences(update: Update, context: BotContext) -> frozenset[str]:
    """The audiences the sender may read in this chat, asked now; empty: nothing (see `refuse_reader`)."""
    user, chat = update.effective_user, update.effective_chat
    return await context.services.membership.audiences(
        context.bot, user.id if user else None, chat.type if chat else None, chat.id if chat else None,
    )


async def refuse_reader(update: Update, context: BotContext) -> None:
    """One polite sentence on how to get access, and nothing from the library: an alert on a button, no inline
    results (a button to the explanation instead), a reply otherwise."""
    user, chat = update.effective_user, update.effective_chat
    in_group = chat is not None and chat.type != ChatType.PRIVATE
    text = GROUP_NOT_SERVED if in_group else MEMBERS_ONLY.format(user_id=user.id if user else "?")
    if update.inline_query:
        await update.inline_query.answer([], cache_time=0, is_personal=True, button=ACCESS_BUTTON)
    elif update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(text)


def actor(user: User | None) -> str:
    """Who did it, for the audit trail (index/audit.py): "7001 Nguyễn Văn A (@nva)"."""
    if user is None:
        return "?"
    return f"{user.id} {user.full_name}" + (f" (@{user.username})" if user.username else "")


def from_admins(admin_ids: frozenset[int]) -> filters.BaseFilter:
    """A handler filter for a command admins and members both have, each answered by their own handler (/tailieu)."""
    return filters.User(user_id=admin_ids)
