"""Who may do what: bot admins are the user ids in VANKIEN_ADMIN_IDS; everyone else is a member.

Admins upload, list with ids, remove, reindex, read the statistics and announce. A group's or channel's
own admins (and bot admins) subscribe it to announcements: that check asks Telegram, in handlers/announce.py.
"""

from __future__ import annotations

from functools import wraps
from typing import Awaitable, Callable

from telegram import Update
from telegram.ext import filters

from bot.context import BotContext

REFUSAL = "Chỉ quản trị viên mới dùng được lệnh này."

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


def from_admins(admin_ids: frozenset[int]) -> filters.BaseFilter:
    """A handler filter for a command admins and members both have, each answered by their own handler (/tailieu)."""
    return filters.User(user_id=admin_ids)
