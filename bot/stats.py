"""/thongke numbers: computed from what BotState reads out of the question log, and formatted for Telegram."""

from __future__ import annotations

import html
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from bot.state import BotState
from bot.text_fitting import clip

TOP = 5
HISTORY = 10_000  # most asked / unanswered are counted over the latest questions


@dataclass(frozen=True)
class Stats:
    per_day: list[tuple[str, int, int]]  # (YYYY-MM-DD, questions, answered), the last 7 days, oldest first
    top: list[tuple[str, int]]  # most asked questions (case-insensitive), with counts
    unanswered: list[tuple[str, int]]
    helpful: int
    not_helpful: int
    cited: list[tuple[str, int]]  # documents most cited in answers: (title, answers citing it)


def collect_stats(state: BotState, today: date | None = None) -> Stats:
    """Questions per day over the seven days (UTC) up to `today`; most asked and unanswered over the latest HISTORY."""
    today = today or datetime.now(timezone.utc).date()
    days = [(today - timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
    counted = state.questions_per_day(since=days[0])
    recent = state.recent_questions(HISTORY)
    helpful, not_helpful = state.vote_totals()
    per_day = [(day, *counted.get(day, (0, 0))) for day in days]
    return Stats(per_day, _most_common(recent), _most_common([r for r in recent if not r[1]]),
                 helpful, not_helpful, state.most_cited(TOP))


def _most_common(rows: list[tuple[str, bool]]) -> list[tuple[str, int]]:
    """Questions counted case- and space-insensitively in Python (SQLite's lower() leaves "Đ" alone)."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for text, _ in rows:
        key = " ".join(unicodedata.normalize("NFC", text).casefold().split())
        counts[key] += 1
        shown.setdefault(key, text.strip())
    return [(shown[key], n) for key, n in counts.most_common(TOP)]


def format_stats(stats: Stats) -> str:
    lines = ["<b>Câu hỏi 7 ngày qua</b> (ngày: số câu / có trả lời)"]
    lines += [f"{day[8:10]}/{day[5:7]}: {asked} / {answered}" for day, asked, answered in stats.per_day]
    lines.append("\n<b>Hỏi nhiều nhất</b>")
    lines += [f"{n}× {html.escape(clip(text, 100))}" for text, n in stats.top] or ["(chưa có)"]
    lines.append("\n<b>Không tìm được câu trả lời</b>")
    lines += [f"{n}× {html.escape(clip(text, 100))}" for text, n in stats.unanswered] or ["(không có)"]
    lines.append(f"\n<b>Góp ý</b>: 👍 {stats.helpful} · 👎 {stats.not_helpful}")
    lines.append("\n<b>Tài liệu được trích dẫn nhiều nhất</b>")
    lines += [f"{n}× {html.escape(clip(title, 100))}" for title, n in stats.cited] or ["(chưa có)"]
    return "\n".join(lines)
