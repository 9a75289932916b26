"""Questions: any text in a private chat; in groups only a mention of the bot, a reply to it, or /hoi."""

from __future__ import annotations

import asyncio
import re
from contextlib import suppress

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.answers import Page, ask, reread
from bot.context import BotContext
from bot.delivery import send_answer
from bot.keyboards import answer_keyboard, group_answer_keyboard
from bot.permissions import reader_audiences, refuse_reader
from bot.replies import ASK_USAGE, MENTION_USAGE, QUESTION_GONE, format_rate_limited

_LEADING_PUNCTUATION = " \t\n,.:;!?-–—"


async def private_text(update: Update, context: BotContext) -> None:
    """Any text in a private chat is a question."""
    await answer(update, context, update.effective_message.text)


async def ask_command(update: Update, context: BotContext) -> None:
    """/hoi <câu hỏi> (or /ask) in any chat."""
    question = " ".join(context.args or [])
    if not question:
        await update.effective_message.reply_html(ASK_USAGE)
        return
    await answer(update, context, question)


async def group_text(update: Update, context: BotContext) -> None:
    """A group message mentioning the bot or replying to it is a question; other chatter is ignored."""
    question = group_question(update.effective_message, context.bot.username, context.bot.id)
    if question is None:
        return
    if not question:
        await update.effective_message.reply_html(MENTION_USAGE)
        return
    await answer(update, context, question)


async def answer(update: Update, context: BotContext, question: str) -> None:
    """Search, log and reply: the full answer with buttons in private, a compact one in groups; for what the
    sender may read here, or the sentence saying how to get access."""
    message, user = update.effective_message, update.effective_user
    audiences = await reader_audiences(update, context)
    if not audiences:
        await refuse_reader(update, context)
        return
    limiter = context.services.questions
    if not await asyncio.to_thread(limiter.allow, user.id):  # a round trip when the limits are in PostgreSQL
        await message.reply_text(format_rate_limited(await asyncio.to_thread(limiter.retry_after, user.id)))
        return
    private = message.chat.type == ChatType.PRIVATE
    async with context.services.chat_lock(message.chat_id):  # answers in the order the chat asked
        typing = asyncio.create_task(_typing(message)) if private else None
        question_id, page = await asyncio.to_thread(
            ask, context.library, context.state, user.id, message.chat.type, question,
            per_page=context.config.results_per_page, compact=not private, audiences=audiences,
        )
        if typing:
            await typing
        keyboard = page_keyboard(question_id, page) if private else _group_keyboard(context, question_id, page)
        await send_answer(lambda: message.reply_html(page.html, reply_markup=keyboard))


async def show_question(update: Update, context: BotContext, question_id: int) -> None:
    """The full answer to an earlier question (a group answer's "Xem đầy đủ" deep link)."""
    message = update.effective_message
    audiences = await reader_audiences(update, context)
    if not audiences:
        await refuse_reader(update, context)
        return
    question = await asyncio.to_thread(context.state.question_for, question_id, update.effective_user.id)
    if question is None:
        await message.reply_text(QUESTION_GONE)
        return
    page = await asyncio.to_thread(reread, context.library, question.text, 0, context.config.results_per_page, audiences)
    await send_answer(lambda: message.reply_html(page.html, reply_markup=page_keyboard(question_id, page)))


def page_keyboard(question_id: int, page: Page) -> InlineKeyboardMarkup | None:
    """The buttons under a private answer; none under "no answer"."""
    if not page.answered:
        return None
    return answer_keyboard(question_id, page.next_offset, page.passage_ids, page.first_number,
                           page.document_id, page.article_passage_id)


def _group_keyboard(context: BotContext, question_id: int, page: Page) -> InlineKeyboardMarkup | None:
    return group_answer_keyboard(context.bot.username, f"q{question_id}") if page.answered else None


async def _typing(message: Message) -> None:
    """"typing…" while we search; a failure here must not cost the user the answer."""
    with suppress(TelegramError):
        await message.reply_chat_action(ChatAction.TYPING)


def group_question(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question a group message asks the bot, "" when it addresses the bot without one, None when
    it does not address the bot at all.

    Addressing: an @mention of the bot (the question is the rest of the text, or else the text of the
    message it replies to), or a reply to one of the bot's messages. In forum topics every message
    "replies" to the topic's opening service message; that does not count.
    """
    text = message.text or ""
    mention = f"@{bot_username}".lower()
    mentioned = any(
        value.lower() == mention for value in message.parse_entities([MessageEntity.MENTION]).values()
    )
    replied = message.reply_to_message
    if replied is not None and replied.forum_topic_created is not None:
        replied = None
    if mentioned:
        question = re.sub(rf"(?<![\w@]){re.escape(mention)}\b[\s,.:;!?–—-]*", " ", text, flags=re.IGNORECASE)
        question = " ".join(question.split()).lstrip(_LEADING_PUNCTUATION)
        if not question and replied is not None and replied.from_user and replied.from_user.id != bot_id:
            question = " ".join((replied.text or replied.caption or "").split())
        return question
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return " ".join(text.split())
    return None


def handlers() -> list[BaseHandler]:
    """/hoi (or /ask) anywhere, any text in private, a mention of the bot or a reply to it in groups."""
    new = filters.UpdateType.MESSAGE  # an edited question is not asked again
    text = new & filters.TEXT & ~filters.COMMAND
    return [
        CommandHandler(["hoi", "ask"], ask_command, filters=new),
        MessageHandler(text & filters.ChatType.PRIVATE, private_text),
        MessageHandler(text & filters.ChatType.GROUPS & (filters.Entity("mention") | filters.REPLY), group_text),
    ]
