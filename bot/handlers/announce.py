"""Announcements: /subscribe and /unsubscribe in a group or channel (by its admins), /announce <text> by a bot admin."""

from __future__ import annotations

import asyncio
import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.keyboards import CANCEL, CONFIRM, CONFIRM_PATTERN
from bot.permissions import actor, admin_only, is_admin
from bot.text_fitting import clip
from index.audit import ANNOUNCED

CHAT_ADMINS = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}
GROUP_ONLY = "Lệnh này dùng trong nhóm hoặc kênh muốn nhận thông báo."
CHAT_ADMIN_ONLY = "Chỉ quản trị viên của nhóm mới đăng ký hoặc huỷ nhận thông báo được."


async def _may_manage(update: Update, context: BotContext) -> bool:
    """A channel post, an anonymous admin (sent as the chat), a bot admin, or a chat admin per getChatMember."""
    message, chat = update.effective_message, update.effective_chat
    if chat.type == ChatType.CHANNEL or (message.sender_chat and message.sender_chat.id == chat.id):
        return True
    user = update.effective_user
    if user is None:
        return False
    if is_admin(context, user.id):
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in CHAT_ADMINS


async def subscribe(update: Update, context: BotContext) -> None:
    """/subscribe: this group or channel receives announcements and new-document notices."""
    await _toggle(update, context, on=True)


async def unsubscribe(update: Update, context: BotContext) -> None:
    """/unsubscribe: stop them."""
    await _toggle(update, context, on=False)


async def _toggle(update: Update, context: BotContext, on: bool) -> None:
    message, chat = update.effective_message, update.effective_chat
    if chat.type == ChatType.PRIVATE:
        await message.reply_text(GROUP_ONLY)
    elif not await _may_manage(update, context):
        await message.reply_text(CHAT_ADMIN_ONLY)
    else:
        store = context.services.admin_store
        if on:
            changed = await asyncio.to_thread(store.subscribe, chat.id, chat.title or str(chat.id))
            text = "Đã đăng ký nhận thông báo." if changed else "Nhóm này đã đăng ký nhận thông báo rồi."
        else:
            changed = await asyncio.to_thread(store.unsubscribe, chat.id)
            text = "Đã huỷ nhận thông báo." if changed else "Nhóm này chưa đăng ký nhận thông báo."
        await message.reply_text(text)


@admin_only
async def announce(update: Update, context: BotContext) -> None:
    """/announce <text>: a preview and a confirm button; nothing is sent before the press."""
    text = update.effective_message.text.partition(" ")[2].strip()
    if not text:
        await update.effective_message.reply_html("Cách dùng: <code>/announce nội dung thông báo</code>")
        return
    store = context.services.admin_store
    broadcast_id = await asyncio.to_thread(store.draft, html.escape(text))
    chats = len(await asyncio.to_thread(store.subscriptions))
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(f"📣 Gửi tới {chats} nhóm", callback_data=f"{CONFIRM}:{broadcast_id}"),
        InlineKeyboardButton("Huỷ", callback_data=CANCEL),  # admin.button answers it, as under /xoa
    ]])
    await update.effective_message.reply_html(f"Gửi thông báo này?\n\n{html.escape(text)}", reply_markup=keyboard)


@admin_only
async def confirm(update: Update, context: BotContext) -> None:
    """The confirm button: queue a delivery per subscribed chat (once, however often it is pressed) and start."""
    query = update.callback_query
    services = context.services
    queued = await asyncio.to_thread(services.admin_store.confirm, int(query.data.partition(":")[2]))
    if queued is None:
        await query.answer("Thông báo này đã được gửi.")
        return
    await query.answer()
    services.broadcaster.kick()
    announced = clip((query.message.text or "").partition("\n\n")[2], 80)  # the preview holds the text
    await asyncio.to_thread(services.audit.record, actor(query.from_user), ANNOUNCED,
                            f"thông báo {query.data.partition(':')[2]}: {announced}", f"tới {queued} nhóm")
    await query.edit_message_text(f"{query.message.text_html}\n\n<i>Đang gửi tới {queued} nhóm.</i>", parse_mode=ParseMode.HTML)


def handlers() -> list[BaseHandler]:
    """/subscribe and /unsubscribe in groups and channels, /announce and its confirm button."""
    anywhere = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
    return [
        CommandHandler("subscribe", subscribe, filters=anywhere),
        CommandHandler("unsubscribe", unsubscribe, filters=anywhere),
        CommandHandler("announce", announce, filters=filters.UpdateType.MESSAGE),
        CallbackQueryHandler(confirm, pattern=CONFIRM_PATTERN),
    ]
