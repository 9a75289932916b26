"""Search results -> Telegram HTML in Vietnamese: escaping, highlighting, the length budget.

Pure functions. Lengths are counted the way Telegram counts them: the visible text after
parsing, in UTF-16 code units (an emoji counts 2). Every piece of document text is escaped.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from itertools import groupby, pairwise

from bot.text_fitting import ELLIPSIS, advance, clip, grapheme_end, retreat, utf16_len, word_end, word_start
from index.documents import Document, Passage, SearchHit, SearchResult
from index.sentences import sentence_gaps

MAX_MESSAGE_LENGTH = 4096
COMPACT_LENGTH = 600
TITLE_LIMIT = 200  # titles, sections and the echoed question are clipped so a citation stays one short line
SECTION_LIMIT = 120
QUERY_LIMIT = 120
MIN_EXCERPT = 12  # below this a shortened passage says nothing; show the citation alone
MIN_NEIGHBOUR = 80  # a neighbouring passage shorter than this is dropped from the full-text view
SHORTENED_NOTE = "<i>✂️ Đoạn trích đã được rút gọn — bấm «Toàn văn» để đọc đầy đủ.</i>"
FULL_TEXT_SHORTENED_NOTE = "<i>✂️ Đã rút gọn cho vừa một tin nhắn Telegram.</i>"
_TAG = re.compile(r"<[^>]*>")


def visible_length(html_text: str) -> int:
    """Length Telegram counts for a message sent with parse_mode HTML (tags removed, entities decoded)."""
    return utf16_len(html.unescape(_TAG.sub("", html_text)))


def format_date(iso: str | None) -> str | None:
    """"2021-12-02" -> "02/12/2021"; "2021-12" -> "12/2021"; anything unrecognised is returned as is."""
    if not iso or not iso.strip():
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?", iso.strip())
    return "/".join(part for part in (m[3], m[2], m[1]) if part) if m else iso.strip()


def format_citation(document: Document, passage: Passage) -> str:
    """One line: bold title (plus codes the title lacks), then date, section and paragraph number."""
    return _citation(document, passage)


def format_answer(result: SearchResult, *, start: int = 0, limit: int = 3, max_length: int = MAX_MESSAGE_LENGTH) -> str:
    """Hits start..start+limit, numbered from start+1, each cited, its best sentence in bold and
    the query words underlined. Passages are cut around that sentence when the message would be too long.
    Does not look at `result.answered`: for an abstention the caller shows format_no_answer instead."""
    hits = result.hits[start : start + limit]
    question = _esc(clip(result.query, QUERY_LIMIT))
    if not hits:
        return f"Không còn kết quả nào khác cho câu hỏi «<i>{question}</i>»."
    last = start + len(hits)
    numbers = f"{start + 1}–{last}" if last > start + 1 else f"{last}"
    missing = "".join(
        f"ℹ️ {_esc(name)} chưa có trong thư viện; dưới đây là các đoạn nhắc đến văn bản này.\n"
        for name in (result.missing if start == 0 else ())
    )
    header = f"🔎 Câu hỏi: <i>{question}</i>\n{missing}Kết quả {numbers} / {len(result.hits)}:"
    pieces = [_hit_piece(hit, start + i + 1) for i, hit in enumerate(hits)]
    return _fit(header, pieces, SHORTENED_NOTE, max_length)


def format_compact_answer(result: SearchResult, *, max_length: int = COMPACT_LENGTH) -> str:
    """For groups: the best hit only, cited and cut short; the full answer is one button away."""
    if not result.hits:
        return "Không tìm thấy đoạn văn bản nào phù hợp với câu hỏi."
    return _fit("", [_hit_piece(result.hits[0], None)], "", max_length)


def format_no_answer(query: str, closest_titles: list[str]) -> str:
    """Say plainly that nothing answers the question, how to ask again, and the nearest documents."""
    question = _esc(clip(query, QUERY_LIMIT))
    lines = [
        f"🤷 Không tìm thấy đoạn văn bản nào trả lời được câu hỏi «<i>{question}</i>».",
        "",
        "Bạn có thể thử:",
        "• ghi số hiệu văn bản, ví dụ <code>22-QĐ/TW</code>;",
        "• chỉ dùng vài từ khoá chính, ví dụ <i>kiểm tra, giám sát đảng viên</i>;",
        "• gõ tiếng Việt có dấu: <i>đảng viên</i> thay vì <i>dang vien</i>.",
    ]
    titles = [title for title in closest_titles if title.strip()][:5]
    if titles:
        lines += ["", "Các văn bản gần nhất:", *(f"• {_esc(clip(title, TITLE_LIMIT))}" for title in titles)]
    return "\n".join(lines)


def format_full_passage(
    document: Document, passages: list[Passage], focus_id: int, max_length: int = MAX_MESSAGE_LENGTH
) -> str:
    """The focused passage in a quote between its neighbours, cited; neighbours give way first when too long."""
    ordered = sorted(passages, key=lambda p: p.paragraph)
    focus = next((p for p in ordered if p.id == focus_id), None)
    if focus is None:
        raise ValueError(f"passage {focus_id} is not among the passages given")
    header = f"📄 {format_citation(document, focus)}"
    while True:
        at = ordered.index(focus)
        pieces = [_neighbour_piece(p, focus, before=i < at) for i, p in enumerate(ordered)]
        pieces[at] = _Piece(f"<b>▶ Đoạn {focus.paragraph}</b>", focus.text, (0, 0), quote=True)
        shares = _shares(header, pieces, FULL_TEXT_SHORTENED_NOTE, max_length, first=at)
        if shares is None or len(ordered) == 1 or min(s for i, s in enumerate(shares) if i != at) >= MIN_NEIGHBOUR:
            return _fit(header, pieces, FULL_TEXT_SHORTENED_NOTE, max_length, first=at)
        ordered.remove(ordered[0] if at > len(ordered) - 1 - at else ordered[-1])  # drop the farthest neighbour


def format_outline(document: Document, entries: list[str], page: int, per_page: int = 8) -> str:
    """A page of a formal document's outline: its title and the articles listed on this page's buttons."""
    start = page * per_page
    shown = entries[start : start + per_page]
    header = f"📑 <b>{_esc(clip(document.title, TITLE_LIMIT))}</b>"
    if not entries:
        return header + "\n<i>Văn bản này không chia thành điều, mục.</i>"
    lines = [f"{start + i + 1}. {_esc(clip(text, SECTION_LIMIT))}" for i, text in enumerate(shown)]
    return "\n".join([header, f"<i>Mục lục, {start + 1}–{start + len(shown)} / {len(entries)}:</i>", *lines])


def format_article(document: Document, label: str, heading: str, texts: list[str], number: int, total: int,
                   max_length: int = MAX_MESSAGE_LENGTH) -> str:
    """One article (or numbered section) whole, cited; cut to one message when it is longer."""
    header = f"📖 <b>{_esc(clip(document.title, TITLE_LIMIT))}</b>\n<i>{_esc(label)}" + (
        f". {_esc(clip(heading, SECTION_LIMIT))}" if heading else "") + f" ({number}/{total})</i>"
    return _fit(header, [_Piece("", "\n".join(texts), (0, 0), quote=True)], FULL_TEXT_SHORTENED_NOTE, max_length)


def format_inline_passage(query: str, hit: SearchHit, max_length: int = MAX_MESSAGE_LENGTH) -> str:
    """What an inline result posts in any chat: the question, then one cited passage (no buttons there)."""
    header = f"🔎 <i>{_esc(clip(query, QUERY_LIMIT))}</i>"
    return _fit(header, [_hit_piece(hit, None)], FULL_TEXT_SHORTENED_NOTE, max_length)


def hit_title(hit: SearchHit) -> str:
    """Plain text "rank. document title", clipped; the title of an inline result."""
    return clip(f"{hit.rank}. {hit.document.title}", TITLE_LIMIT)


def snippet(hit: SearchHit, limit: int = 150) -> str:
    """Plain text: the best-answering sentence (else the passage start), clipped; for inline result lists."""
    span = _span(hit.highlight, len(hit.passage.text))
    return clip(hit.passage.text[span[0] : span[1]] if span else hit.passage.text, limit)


def format_summary(summary: dict) -> str:
    """One line on what the bot knows, from `index.library.index_summary`."""
    if not summary.get("documents"):
        return "📭 Chưa có văn bản nào được nạp."
    line = f"📚 Đang có <b>{summary['documents']}</b> văn bản (<b>{summary['passages']}</b> đoạn)"
    if newest := format_date(summary.get("newest_date")):
        line += f", văn bản mới nhất ngày {_esc(newest)}"
    return line + "."


def format_help(summary: dict, bot_username: str) -> str:
    """/start and /help: what the bot knows, how to ask in each kind of chat, example questions."""
    bot = f"@{_esc(bot_username.removeprefix('@'))}"
    return "\n".join([
        "👋 Xin chào! Tôi tra cứu văn kiện, văn bản của Đảng và trả lời bằng <b>đoạn trích nguyên văn</b>, "
        "kèm nguồn: tên văn bản, ngày, mục và số đoạn.",
        "",
        format_summary(summary) + " Gõ /tailieu để xem danh sách.",
        "",
        "<b>Cách hỏi</b>",
        "• Tin nhắn riêng với tôi: gõ câu hỏi bất kỳ.",
        f"• Trong nhóm: nhắc {bot} kèm câu hỏi, trả lời (reply) tin nhắn của tôi, "
        "hoặc dùng <code>/hoi câu hỏi</code>.",
        f"• Ở mọi cuộc trò chuyện: gõ <code>{bot} câu hỏi</code> rồi chọn đoạn trích để gửi.",
        "",
        "<b>Ví dụ</b>",
        "• Quy định 22-QĐ/TW nói về công tác gì?",
        "• Trách nhiệm nêu gương của người đứng đầu",
        "• tiep cong dan cua nguoi dung dau cap uy <i>(gõ không dấu cũng được)</i>",
        "",
        "Dưới mỗi câu trả lời: «Toàn văn» để đọc cả đoạn và các đoạn liền kề, «Xem thêm» để xem kết quả "
        "tiếp theo, 👍 / 👎 để góp ý.",
    ])


def format_documents(documents: list[Document], max_length: int = MAX_MESSAGE_LENGTH) -> str:
    """/tailieu: the indexed documents, newest first, as many as fit one message."""
    if not documents:
        return "📭 Chưa có văn bản nào được nạp."
    header = f"📚 <b>{len(documents)}</b> văn bản đã nạp (mới nhất trước):"
    lines = []
    for document in documents:
        details = [format_date(document.date), f"{document.passage_count} đoạn"]
        line = f"• <b>{_esc(clip(document.title, TITLE_LIMIT))}</b> · <i>{_esc(' · '.join(d for d in details if d))}</i>"
        rest = len(documents) - len(lines) - 1
        more = f"… và {rest} văn bản khác." if rest else ""
        if visible_length("\n".join([header, *lines, line, more])) > max_length:
            lines.append(f"… và {len(documents) - len(lines)} văn bản khác.")
            break
        lines.append(line)
    return "\n".join([header, *lines])


def format_rate_limited(seconds: float) -> str:
    return f"⏳ Bạn hỏi hơi nhanh. Vui lòng đợi khoảng {max(1, math.ceil(seconds))} giây rồi hỏi tiếp nhé."


ERROR_MESSAGE = "⚠️ Đã có lỗi xảy ra khi trả lời. Bạn vui lòng thử lại sau ít phút."
INVALID_BUTTON = "Nút không hợp lệ"
QUESTION_GONE = "Không tìm thấy câu hỏi này nữa. Bạn hãy hỏi lại nhé."
ASK_USAGE = "Hãy viết câu hỏi ngay sau lệnh, ví dụ: <code>/hoi Quy định 22-QĐ/TW nói về công tác gì?</code>"
MENTION_USAGE = "Bạn muốn hỏi gì? Hãy viết câu hỏi ngay sau tên tôi, hoặc dùng <code>/hoi câu hỏi</code>."


# --- pieces of a message ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """One passage in a message: its citation line and what to keep when it must be shortened."""

    head: str  # HTML line above the passage
    text: str  # plain passage text
    keep: tuple[int, int]  # span kept when shortening: the highlight, or an edge to cut from
    highlight: tuple[int, int] | None = None
    terms: tuple[tuple[int, int], ...] = ()
    quote: bool = False


def _hit_piece(hit: SearchHit, number: int | None) -> _Piece:
    text = hit.passage.text
    highlight = _span(hit.highlight, len(text))
    terms = tuple(s for s in (_span(t, len(text)) for t in hit.matched_terms) if s)
    keep = highlight or (terms[0] if terms else (0, 0))
    head = _citation(hit.document, hit.passage, number)
    if hit.status:
        head += f"\n⚠️ <i>Văn bản này {_esc(clip(hit.status, TITLE_LIMIT))}.</i>"
    return _Piece(head, text, keep, highlight, terms)


def _neighbour_piece(passage: Passage, focus: Passage, *, before: bool) -> _Piece:
    label = f"Đoạn {passage.paragraph}"
    if passage.section and passage.section != focus.section:
        label += f" · {clip(passage.section, SECTION_LIMIT)}"
    edge = len(passage.text) if before else 0  # keep the text nearest the focused passage
    return _Piece(f"<i>{_esc(label)}</i>", passage.text, (edge, edge))


def _citation(document: Document, passage: Passage, number: int | None = None) -> str:
    title = clip(document.title, TITLE_LIMIT)
    line = f"<b>{_esc(f'{number}. ' if number else '')}{_esc(title)}</b>"
    if missing := [code for code in document.codes if code not in document.title]:
        line += f" ({_esc(', '.join(missing))})"
    where = passage.path_label() or passage.section
    details = [document.issuer if document.doc_type else None, format_date(document.date),
               where and clip(where, SECTION_LIMIT)]
    details = [_esc(d) for d in details if d] + ([] if passage.path else [f"đoạn {passage.paragraph}"])
    if document.text_source == "ocr":
        details.append("bản quét, nhận dạng tự động")
    citation = f"{line} · <i>{' · '.join(details)}</i>"
    if document.signer:
        citation += f" · <i>{_esc(clip(document.signer, TITLE_LIMIT))} ký</i>"
    return citation


def _layout(header: str, pieces: list[_Piece], excerpts: list[str], note: str) -> str:
    parts = [header] if header else []
    for piece, excerpt in zip(pieces, excerpts):
        body = f"<blockquote>{excerpt}</blockquote>" if piece.quote and excerpt else excerpt
        parts.append(f"{piece.head}\n{body}" if body else piece.head)
    return "\n\n".join(parts + ([note] if note else []))


def _shares(header: str, pieces: list[_Piece], note: str, max_length: int, first: int | None = None) -> list[int] | None:
    """Visible units each passage may use, or None when everything fits untouched.

    Short passages keep all their text; long ones share the rest equally (`first` is served first).
    """
    whole = [_excerpt(p, (0, len(p.text))) for p in pieces]
    if visible_length(_layout(header, pieces, whole, "")) <= max_length:
        return None
    budget = max_length - visible_length(_layout(header, pieces, [""] * len(pieces), note)) - len(pieces)
    needs = [utf16_len(p.text) for p in pieces]
    shares = [0] * len(pieces)
    if first is not None:
        shares[first] = max(0, min(needs[first], budget))
        budget -= shares[first]
    rest = sorted((i for i in range(len(pieces)) if i != first), key=needs.__getitem__)
    for done, i in enumerate(rest):
        shares[i] = max(0, min(needs[i], budget // (len(rest) - done)))
        budget -= shares[i]
    return shares


def _fit(header: str, pieces: list[_Piece], note: str, max_length: int, first: int | None = None) -> str:
    shares = _shares(header, pieces, note, max_length, first)
    if shares is None:
        return _layout(header, pieces, [_excerpt(p, (0, len(p.text))) for p in pieces], "")
    message = _layout(header, pieces, [_excerpt(p, _window(p.text, p.keep, s)) for p, s in zip(pieces, shares)], note)
    if visible_length(message) <= max_length:
        return message
    # Even the citations do not fit (a tiny max_length): plain text of the first one, clipped.
    return _esc(clip(html.unescape(_TAG.sub("", pieces[0].head if pieces else header)), max_length))


# --- one passage --------------------------------------------------------------------------------


def _excerpt(piece: _Piece, window: tuple[int, int]) -> str:
    """text[window] as HTML: highlight in <b>, matched terms in <u> (nested, never crossing), cuts marked "…"."""
    start, end = window
    if start >= end:
        return ""
    text, highlight = piece.text, piece.highlight
    spans = [s for s in (highlight, *piece.terms) if s]
    cuts = sorted({start, end, *(min(max(p, start), end) for s in spans for p in s)})
    segments = [(_covers(highlight, a, b), any(_covers(t, a, b) for t in piece.terms), a, b) for a, b in pairwise(cuts)]
    out = []
    for bold, run in groupby(segments, key=lambda s: s[0]):
        inner = ""
        for underline, part in groupby(run, key=lambda s: s[1]):
            part = list(part)
            chunk = _esc(text[part[0][2] : part[-1][3]])
            inner += f"<u>{chunk}</u>" if underline else chunk
        out.append(f"<b>{inner}</b>" if bold else inner)
    return (ELLIPSIS if start > 0 else "") + "".join(out) + (ELLIPSIS if end < len(text) else "")


def _window(text: str, keep: tuple[int, int], budget: int) -> tuple[int, int]:
    """The widest span around `keep`, cut at word boundaries, whose visible length with "…" fits `budget`."""
    if utf16_len(text) <= budget:
        return 0, len(text)
    room = budget - 2 * utf16_len(ELLIPSIS)
    if room < MIN_EXCERPT:
        return 0, 0
    a, b = keep
    if utf16_len(text[a:b]) >= room:  # the kept span alone is too long: keep its beginning
        end = advance(text, a, room)
        cut = word_end(text, end, a)
        return a, cut if cut > a else grapheme_end(text, end, a)
    room -= utf16_len(text[a:b])
    left = min(utf16_len(text[:a]), room // 2)
    right = min(utf16_len(text[b:]), room - left)
    left = min(utf16_len(text[:a]), room - right)
    start = word_start(text, retreat(text, a, left), a)
    end = word_end(text, advance(text, b, right), b)
    return _sentence_start(text, start, a), _sentence_end(text, end, b)


def _sentence_start(text: str, start: int, limit: int) -> int:
    """Start at a sentence instead, if one begins in the first half of text[start:limit]."""
    if start == 0:
        return start
    gaps = sentence_gaps(text, start, start + (limit - start) // 2)
    return gaps[0].end() if gaps else start


def _sentence_end(text: str, end: int, limit: int) -> int:
    """End with a sentence instead, if one ends in the second half of text[limit:end]."""
    if end == len(text):
        return end
    gaps = sentence_gaps(text, limit + (end - limit) // 2, end)
    return gaps[-1].start() if gaps else end


def _span(span: tuple[int, int] | None, length: int) -> tuple[int, int] | None:
    """The span clamped into the text; None when it is empty."""
    if span is None:
        return None
    a, b = max(0, min(span[0], length)), max(0, min(span[1], length))
    return (a, b) if a < b else None


def _covers(span: tuple[int, int] | None, a: int, b: int) -> bool:
    return span is not None and span[0] <= a and b <= span[1]


def _esc(text: str) -> str:
    return html.escape(text, quote=False)
