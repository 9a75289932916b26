"""/start, /help, /tailieu: what the bot knows and how to ask; /start q<id> opens an earlier answer."""

from __future__ import annotations

import asyncio
import re

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import BotContext
from bot.handlers.ask import show_question
from bot.permissions import reader_audiences, refuse_reader
from bot.replies import format_documents, format_help
from index.library import index_summary

_QUESTION_LINK = re.compile(r"q([1-9][0-9]{0,17})")  # the payload group answers put in their button


async def start(update: Update, context: BotContext) -> None:
    """/start: the help, or with a "q<id>" payload (from a group answer) that question's full answer
    (each says how to get access to someone the library is not open to)."""
    link = _QUESTION_LINK.fullmatch(context.args[0]) if context.args else None
    if link and update.effective_chat.type == ChatType.PRIVATE:
        await show_question(update, context, int(link[1]))
        return
    await help_command(update, context)


async def help_command(update: Update, context: BotContext) -> None:
    """/help: documents indexed (those the sender may read here), newest date, how to ask in each kind of chat, examples."""
    audiences = await reader_audiences(update, context)
    if not audiences:
        await refuse_reader(update, context)
        return
    summary = await asyncio.to_thread(index_summary, context.library, audiences)
    await update.effective_message.reply_html(format_help(summary, context.bot.username))


async def documents(update: Update, context: BotContext) -> None:
    """/tailieu: the documents the sender may read here, newest first (an admin's /tailieu is admin.documents, with ids)."""
    audiences = await reader_audiences(update, context)
    if not audiences:
        await refuse_reader(update, context)
        return
    found = await asyncio.to_thread(context.library.documents, audiences)
    await update.effective_message.reply_html(format_documents(found))


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command we do not have, in a private chat."""
    await update.effective_message.reply_html("Tôi không có lệnh này. Gõ /help để xem cách hỏi.")


def handlers() -> list[BaseHandler]:
    """/start, /help, /tailieu. The unknown-command reply is registered last, in app.py."""
    new = filters.UpdateType.MESSAGE  # an edited command is not run again
    return [
        CommandHandler("start", start, filters=new),
        CommandHandler("help", help_command, filters=new),
        CommandHandler("tailieu", documents, filters=new),
    ]
