"""python -m bot --console: the same answers in a terminal, without a token."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import BotConfig
from bot.console import Console, html_to_text
from index.settings import IndexSettings
from tests.conftest import LONG_SENTENCE

PROJECT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "html_text, plain",
    [
        ("<b>Điều 5.</b> a &lt; b &amp; c", "Điều 5. a < b & c"),
        ("<i>x</i> <u>y</u> <code>z</code>", "x y z"),
        ("<b>Đầu</b>\n<blockquote>dòng 1\ndòng 2</blockquote>\nSau", "Đầu\n│ dòng 1\n│ dòng 2\nSau"),
        ('<a href="https://t.me/x?a=1&amp;b=2">liên kết</a>', "liên kết"),
        ("&lt;script&gt;alert('x')&lt;/script&gt;", "<script>alert('x')</script>"),
    ],
)
def test_reply_html_becomes_plain_terminal_text(html_text, plain):
    assert html_to_text(html_text) == plain


def test_bold_and_underline_become_ansi_styles_on_a_terminal():
    assert html_to_text("<b>đậm <u>gạch</u></b> thường", ansi=True) == "\x1b[1mđậm \x1b[4mgạch\x1b[24m\x1b[22m thường"


def converse(library, *lines: str) -> str:
    out = io.StringIO()
    console = Console(library, BotConfig(index=IndexSettings(data_dir=library.data_dir)), out)
    for line in lines:
        if not console.handle(line):
            out.write("[thoát]\n")
            break
    return out.getvalue()


def test_question_more_and_full_text_in_the_console(bot_library):
    text = converse(bot_library, "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?", "thêm", "/toanvan 4")
    first, second, full = text.split("🔎 Câu hỏi:")[1], text.split("🔎 Câu hỏi:")[2], text.split("📄 ")[1]
    assert "Kết quả 1–3" in first and "đoạn 19" in first and "Quy định 22-QĐ/TW, ngày 28/7/2021" in first
    assert "Kết quả 4–6" in second and "\n4. " in second
    assert "▶ Đoạn" in full and "│ " in full
    assert "<b>" not in text and "\x1b[" not in text  # plain text when not on a terminal


def test_console_commands(bot_library):
    text = converse(bot_library, "/help", "/tailieu", "thêm", "/khongco", "Cách nấu phở bò ngon", "/toanvan", "/quit", "bị bỏ qua")
    assert "Đang có 3 văn bản" in text and "/toanvan" in text  # help: what it knows and the commands
    assert "3 văn bản đã nạp" in text and "Báo cáo <dài> & đặc biệt về chuyển đổi số" in text
    assert "Chưa có câu hỏi nào" in text and "Không có lệnh này" in text
    assert "Không tìm thấy đoạn văn bản nào" in text and "Chưa có kết quả nào để xem toàn văn" in text
    assert text.endswith("[thoát]\n")


def test_long_marked_up_passage_is_shortened_in_the_console_too(bot_library):
    text = converse(bot_library, "chuyển đổi số trong quản lý đảng viên là nhiệm vụ trọng tâm")
    assert LONG_SENTENCE in text and "<cơ sở dữ liệu>" in text and "rút gọn" in text


def test_piped_question_is_answered_and_the_console_exits_at_end_of_input(bot_data_dir):
    environment = {"PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT), "VANKIEN_DATA_DIR": str(bot_data_dir)}
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "--console"], input="tiep cong dan cua nguoi dung dau cap uy\n",
        capture_output=True, text=True, env=environment, cwd=bot_data_dir, timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    assert "Chỉ đạo thực hiện nghiêm túc việc tiếp công dân của người đứng đầu cấp ủy" in finished.stdout
    assert "02/12/2021 · NHỮNG KẾT QUẢ THIẾT THỰC VỀ CÔNG TÁC XÂY DỰNG ĐẢNG · đoạn 19" in finished.stdout
    assert "Traceback" not in finished.stderr and not (bot_data_dir / "bot.sqlite3").exists()
