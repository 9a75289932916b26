"""Inline mode: "@bot câu hỏi" in any chat lists the top passages; choosing one posts it, cited."""

from __future__ import annotations

import asyncio

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, InlineQueryHandler

from bot.answers import search
from bot.context import BotContext
from bot.permissions import reader_audiences, refuse_reader
from bot.replies import format_inline_passage, hit_title, snippet
from index.documents import SearchResult

INLINE_RESULTS = 5
MIN_QUERY = 3  # shorter queries are a user still typing
ASK_IN_PRIVATE = InlineQueryResultsButton("Không thấy câu trả lời? Hỏi trực tiếp bot", start_parameter="inline")


async def inline_query(update: Update, context: BotContext) -> None:
    """Answer an inline query with cited passages; nothing (never an unrelated passage) when abstaining.

    Results are personal (is_personal): Telegram must not show one asker's results to another, who may read less."""
    query = update.inline_query
    text = " ".join(query.query.split())
    audiences = await reader_audiences(update, context)
    if not audiences:
        await refuse_reader(update, context)
        return
    if len(text) < MIN_QUERY or not await asyncio.to_thread(context.services.inline.allow, query.from_user.id):
        await query.answer([], cache_time=5, is_personal=True, button=ASK_IN_PRIVATE)
        return
    result = await asyncio.to_thread(search, context.library, text, audiences)
    articles = inline_results(result)
    await query.answer(articles, cache_time=60, is_personal=True, button=None if articles else ASK_IN_PRIVATE)


def inline_results(result: SearchResult, limit: int = INLINE_RESULTS) -> list[InlineQueryResultArticle]:
    """One article per top passage: title and sentence to pick from, the cited passage as the message."""
    if not result.answered:
        return []
    return [
        InlineQueryResultArticle(
            id=str(hit.passage.id),
            title=hit_title(hit),
            description=snippet(hit),
            input_message_content=InputTextMessageContent(format_inline_passage(result.query, hit), parse_mode=ParseMode.HTML),
        )
        for hit in result.hits[:limit]
    ]


def handlers() -> list[BaseHandler]:
    return [InlineQueryHandler(inline_query)]
