"""/thongke numbers, read from the bot's question log (bot.sqlite3, written by bot/state.py) read-only."""

from __future__ import annotations

import html
import sqlite3
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

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


def collect_stats(db_path: Path, today: date | None = None) -> Stats:
    today = today or datetime.now(timezone.utc).date()
    days = [(today - timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
    conn = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
    try:
        counted = {
            row[0]: (row[1], row[2]) for row in conn.execute(
                "SELECT substr(created_at, 1, 10) AS day, COUNT(*), SUM(answered) FROM questions"
                " WHERE created_at >= ? GROUP BY day", (days[0],),
            )
        }
        recent = conn.execute(
            "SELECT text, answered FROM questions ORDER BY id DESC LIMIT ?", (HISTORY,)
        ).fetchall()
        votes = dict(conn.execute("SELECT helpful, COUNT(*) FROM feedback GROUP BY helpful").fetchall())
        cited = conn.execute(
            "SELECT MAX(title), COUNT(*) AS n FROM citations GROUP BY doc_id ORDER BY n DESC, doc_id LIMIT ?", (TOP,)
        ).fetchall()
    finally:
        conn.close()
    per_day = [(day, *counted.get(day, (0, 0))) for day in days]
    return Stats(per_day, _most_common(recent), _most_common([r for r in recent if not r[1]]),
                 votes.get(1, 0), votes.get(0, 0), [(title, n) for title, n in cited])


def _most_common(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Questions counted case- and space-insensitively in Python (SQLite's lower() leaves "Đ" alone)."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for text, _ in rows:
        key = " ".join(unicodedata.normalize("NFC", text).casefold().split())
        counts[key] += 1
        shown.setdefault(key, text.strip())
    return [(shown[key], n) for key, n in counts.most_common(TOP)]


def _clip(text: str, limit: int = 100) -> str:
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")


def format_stats(stats: Stats) -> str:
    lines = ["<b>Câu hỏi 7 ngày qua</b> (ngày: số câu / có trả lời)"]
    lines += [f"{day[8:10]}/{day[5:7]}: {asked} / {answered}" for day, asked, answered in stats.per_day]
    lines.append("\n<b>Hỏi nhiều nhất</b>")
    lines += [f"{n}× {_clip(text)}" for text, n in stats.top] or ["(chưa có)"]
    lines.append("\n<b>Không tìm được câu trả lời</b>")
    lines += [f"{n}× {_clip(text)}" for text, n in stats.unanswered] or ["(không có)"]
    lines.append(f"\n<b>Góp ý</b>: 👍 {stats.helpful} · 👎 {stats.not_helpful}")
    lines.append("\n<b>Tài liệu được trích dẫn nhiều nhất</b>")
    lines += [f"{n}× {_clip(title)}" for title, n in stats.cited] or ["(chưa có)"]
    return "\n".join(lines)
