"""Question -> reply: search the library, log the question, format one page. Shared by bot and console.

Synchronous and thread-safe: handlers run these in a worker thread (`asyncio.to_thread`) so one
user's search never holds up another user's update. `audiences`: what the reader may read, asked by the
handler at that moment (bot/membership.py); None, for the console, is everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.documents import SearchResult
from index.library import Library
from index.search import closest_titles

from bot.keyboards import OUTLINE_PAGE
from bot.replies import (
    format_answer, format_article, format_compact_answer, format_full_passage, format_no_answer, format_outline,
)
from bot.state import BotState

RESULT_LIMIT = 12  # how far "Xem thêm" pages: beyond this the passages rarely answer anything


@dataclass(frozen=True)
class Page:
    """One message of an answer: its HTML and what its buttons need."""

    html: str
    passage_ids: tuple[int, ...] = ()  # the passages shown, in order; empty for "no answer"
    first_number: int = 1
    next_offset: int | None = None
    document_id: int | None = None  # the formal document a question named: «Mục lục» under the answer
    article_passage_id: int | None = None  # a passage of the article shown first: «Cả điều» with ◀ ▶

    @property
    def answered(self) -> bool:
        return bool(self.passage_ids)


def search(library: Library, question: str, audiences: frozenset[str] | None = None) -> SearchResult:
    return library.search(question, top_k=RESULT_LIMIT, audiences=audiences)


def page_of(library: Library, result: SearchResult, offset: int = 0, per_page: int = 3,
            audiences: frozenset[str] | None = None) -> Page:
    """Hits offset..offset+per_page, or the plain "no answer" with the nearest titles when abstaining."""
    if not result.answered:
        return Page(format_no_answer(result.query, closest_titles(library.catalogue(audiences)[0], result)))
    shown = result.hits[offset : offset + per_page]
    more = offset + per_page if offset + per_page < len(result.hits) else None
    html = format_answer(result, start=offset, limit=per_page)
    lead = result.hits[0] if result.hits and result.hits[0].kind in ("document", "division") else None
    return Page(
        html, tuple(hit.passage.id for hit in shown), offset + 1, more,
        document_id=lead.document.id if lead is not None and lead.document.doc_type else None,
        article_passage_id=lead.passage.id if lead is not None and lead.kind == "division" else None,
    )


def compact_page(library: Library, result: SearchResult, audiences: frozenset[str] | None = None) -> Page:
    """For groups: the best passage only, short; the full answer is a private-chat button away."""
    if not result.answered:
        return Page(format_no_answer(result.query, closest_titles(library.catalogue(audiences)[0], result)))
    return Page(format_compact_answer(result), (result.hits[0].passage.id,))


def ask(
    library: Library, state: BotState, user_id: int, chat_type: str, question: str, *, per_page: int = 3,
    compact: bool = False, audiences: frozenset[str] | None = None,
) -> tuple[int, Page]:
    """Answer a new question and log it (answered or not) for the admins' statistics."""
    result = search(library, question, audiences)
    page = compact_page(library, result, audiences) if compact else page_of(library, result, 0, per_page, audiences)
    shown = result.hits[:1] if compact else result.hits[:per_page]
    cited = list({h.document.id: h.document.title for h in shown}.items()) if result.answered else []
    question_id = state.record_question(user_id, chat_type, question, result.answered, cited)
    return question_id, page


def reread(library: Library, question_text: str, offset: int, per_page: int = 3,
           audiences: frozenset[str] | None = None) -> Page:
    """A page of an earlier question, searched again: paging needs no memory, so it survives restarts."""
    return page_of(library, search(library, question_text, audiences), offset, per_page, audiences)


def full_text(library: Library, passage_id: int, audiences: frozenset[str] | None = None) -> str:
    """«Toàn văn»: the passage with its neighbours; DocumentNotFound when it has left the index (or is not for this reader)."""
    document, passages = library.passage_with_neighbours(passage_id, audiences=audiences)
    return format_full_passage(document, passages, passage_id)


def outline_view(library: Library, doc_id: int, page: int,
                 audiences: frozenset[str] | None = None) -> tuple[str, list[tuple[str, int]]]:
    """«Mục lục»: the HTML of one outline page and the (button text, first passage id) of every article."""
    document, outline = library.articles(doc_id, audiences)
    entries = [(f"{a.label}. {a.heading}".strip(" .") if a.heading else a.label or "—", a.first_id) for a in outline]
    return format_outline(document, [text for text, _ in entries], page), entries


def article_view(library: Library, passage_id: int,
                 audiences: frozenset[str] | None = None) -> tuple[str, int, int | None, int | None, int]:
    """One article whole: its HTML, the document id, the previous and next articles' first passages, and
    the outline page listing it."""
    document, outline, position = library.article_of(passage_id, audiences)
    article = outline[position]
    previous = outline[position - 1].first_id if position > 0 else None
    following = outline[position + 1].first_id if position + 1 < len(outline) else None
    html = format_article(document, article.label, article.heading, [p.text for p in article.passages], position + 1, len(outline))
    return html, document.id, previous, following, position // OUTLINE_PAGE  # type: ignore[return-value]
