"""Buttons under an answer: «Xem thêm» (next page), «Toàn văn» (passage and neighbours), 👍 / 👎.

Everything a button needs is in its data and in SQLite, so buttons keep working after a restart.
Data that does not parse, or names a question the presser may not see, gets "Nút không hợp lệ" only.
Data is not signed: what the presser may read is asked at every press (bot/membership.py), so a forged or
old button reaches nothing the presser may not read now (a passage of such a document is "not found").
"""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.answers import article_view, full_text, outline_view, reread
from bot.context import BotContext
from bot.handlers.ask import page_keyboard
from bot.keyboards import ARTICLE, FULL, MORE, OUTLINE, VOTE, Callback, article_keyboard, outline_keyboard, parse_callback
from bot.permissions import reader_audiences, refuse_reader
from bot.replies import INVALID_BUTTON
from bot.state import Question
from index.errors import DocumentNotFound

THANKS = "Cảm ơn bạn đã góp ý!"


async def button(update: Update, context: BotContext) -> None:
    """Any button press: check the data and the presser, then page, show the full text or vote."""
    query = update.callback_query
    try:
        callback = parse_callback(query.data or "")
    except ValueError:
        await query.answer(INVALID_BUTTON)
        return
    question = await asyncio.to_thread(context.state.question_for, callback.query_id, query.from_user.id)
    if question is None or query.message is None:
        await query.answer(INVALID_BUTTON)
        return
    audiences = await reader_audiences(update, context)
    if not audiences:
        await refuse_reader(update, context)
        return
    handler = {MORE: more, FULL: full, VOTE: vote, OUTLINE: outline, ARTICLE: article}[callback.action]
    await handler(query, context, question, callback, audiences)


async def more(query: CallbackQuery, context: BotContext, question: Question, callback: Callback, audiences: frozenset[str]) -> None:
    """The next page replaces the answer in place."""
    page = await asyncio.to_thread(reread, context.library, question.text, callback.args[1], context.config.results_per_page, audiences)
    await query.answer()
    try:
        await query.edit_message_text(page.html, parse_mode=ParseMode.HTML, reply_markup=page_keyboard(question.id, page))
    except BadRequest as error:
        if "not modified" not in error.message.lower():  # a double tap asks for the page already shown
            raise


async def full(query: CallbackQuery, context: BotContext, question: Question, callback: Callback, audiences: frozenset[str]) -> None:
    """The passage with its neighbours, as a new message replying to the answer."""
    try:
        html = await asyncio.to_thread(full_text, context.library, callback.args[1], audiences)
    except DocumentNotFound as error:
        await query.answer(str(error)[:200], show_alert=True)
        return
    await query.answer()
    await context.bot.send_message(
        query.message.chat.id, html, parse_mode=ParseMode.HTML,
        reply_parameters=ReplyParameters(query.message.message_id, allow_sending_without_reply=True),
    )


async def vote(query: CallbackQuery, context: BotContext, question: Question, callback: Callback, audiences: frozenset[str]) -> None:
    """👍 / 👎, stored with the question and the first passage of the page."""
    _, passage_id, helpful = callback.args
    await asyncio.to_thread(context.state.record_vote, question.id, passage_id, query.from_user.id, bool(helpful))
    await query.answer(THANKS)


async def outline(query: CallbackQuery, context: BotContext, question: Question, callback: Callback, audiences: frozenset[str]) -> None:
    """«Mục lục»: a page of the document's articles, one button each; a new message the first time, then in place."""
    _, doc_id, page = callback.args
    try:
        html, entries = await asyncio.to_thread(outline_view, context.library, doc_id, page, audiences)
    except DocumentNotFound as error:
        await query.answer(str(error)[:200], show_alert=True)
        return
    await query.answer()
    keyboard = outline_keyboard(question.id, doc_id, entries, page)
    await _show(query, context, html, keyboard, in_place=query.message.text is not None and query.message.text.startswith("📑"))


async def article(query: CallbackQuery, context: BotContext, question: Question, callback: Callback, audiences: frozenset[str]) -> None:
    """One article whole, with ◀ / ▶ to its neighbours (in place) and the outline page it is on."""
    _, passage_id, in_place = callback.args
    try:
        html, doc_id, previous, following, page = await asyncio.to_thread(article_view, context.library, passage_id, audiences)
    except DocumentNotFound as error:
        await query.answer(str(error)[:200], show_alert=True)
        return
    await query.answer()
    await _show(query, context, html, article_keyboard(question.id, doc_id, previous, following, page), in_place=bool(in_place))


async def _show(query: CallbackQuery, context: BotContext, html: str, keyboard, in_place: bool) -> None:
    if in_place:
        try:
            await query.edit_message_text(html, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise
        return
    await context.bot.send_message(
        query.message.chat.id, html, parse_mode=ParseMode.HTML, reply_markup=keyboard,
        reply_parameters=ReplyParameters(query.message.message_id, allow_sending_without_reply=True),
    )


def handlers() -> list[BaseHandler]:
    """Every button press the admin handlers before it did not claim (invalid data is answered here)."""
    return [CallbackQueryHandler(button)]
