"""python -m bot --console: the private-chat conversation in a terminal, no token needed.

For trying the bot and for admins checking answers. Reads questions from stdin (a pipe works:
`echo "câu hỏi" | python -m bot --console`), prints the same answer the bot would send as plain
text (bold and underline as ANSI only on a terminal), and exits on EOF or /quit.
"""

from __future__ import annotations

import html
import re
from typing import Iterator, TextIO

from bot.answers import Page, full_text, reread, page_of, search
from bot.config import BotConfig
from bot.replies import format_documents, format_summary
from index.errors import VankienError
from index.library import Library, index_summary

PROMPT = "❓ "
QUIT = {"/quit", "/exit", "/thoat", "/thoát"}
MORE = {"thêm", "them", "more", "/more", "xem thêm", "/them", "/thêm"}
HELP = {"/help", "/start", "/huongdan"}
CONSOLE_HELP = "\n".join([
    "Gõ câu hỏi rồi Enter (có dấu hay không dấu đều được). Các lệnh:",
    "  thêm / more      kết quả tiếp theo của câu hỏi vừa rồi",
    "  /toanvan [số]    toàn văn đoạn số đó (mặc định: kết quả đầu của trang) cùng các đoạn liền kề",
    "  /tailieu         danh sách văn bản đã nạp",
    "  /help            hướng dẫn này",
    "  /quit            thoát (hoặc Ctrl-D)",
])

_ANSI = {"b": ("\x1b[1m", "\x1b[22m"), "strong": ("\x1b[1m", "\x1b[22m"), "u": ("\x1b[4m", "\x1b[24m"),
         "i": ("\x1b[3m", "\x1b[23m"), "em": ("\x1b[3m", "\x1b[23m")}
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>|[^<]+")
QUOTE_BAR = "│ "


def html_to_text(html_text: str, ansi: bool = False) -> str:
    """Telegram HTML as terminal text: entities decoded, tags dropped, quotes barred, ANSI styles if asked."""
    out: list[str] = []
    quote_starts: list[int] = []
    for match in _TOKEN.finditer(html_text):
        closing, tag = match.group(1), (match.group(2) or "").lower()
        if not tag:
            out.append(html.unescape(match.group(0)))
        elif tag == "blockquote":
            if not closing:
                quote_starts.append(len(out))
            elif quote_starts:
                start = quote_starts.pop()
                quoted = "".join(out[start:])
                out[start:] = [QUOTE_BAR + quoted.replace("\n", "\n" + QUOTE_BAR)]
        elif ansi and tag in _ANSI:
            out.append(_ANSI[tag][1 if closing else 0])
    return "".join(out)


class Console:
    """One conversation: remembers the last question and page, like the buttons under an answer."""

    def __init__(self, library: Library, config: BotConfig, out: TextIO, ansi: bool = False) -> None:
        self.library, self.config, self.out, self.ansi = library, config, out, ansi
        self.question: str | None = None
        self.page: Page | None = None
        self.offset = 0

    def handle(self, line: str) -> bool:
        """React to one input line; False when the user wants to leave."""
        text = " ".join(line.split())
        command = text.lower()
        if not text:
            return True
        if command in QUIT:
            return False
        if command in HELP:
            self.show(format_summary(index_summary(self.library)) + "\n\n" + html.escape(CONSOLE_HELP, quote=False))
        elif command == "/tailieu":
            self.show(format_documents(self.library.documents()))
        elif command in MORE:
            self.more()
        elif command.split()[0] in ("/toanvan", "/toànvăn", "/full"):
            self.full(command.split()[1:])
        elif command.startswith("/hoi ") or command.startswith("/ask "):
            self.ask(text.split(" ", 1)[1])
        elif text.startswith("/"):
            self.say("Không có lệnh này. Gõ /help để xem các lệnh.")
        else:
            self.ask(text)
        return True

    def ask(self, question: str) -> None:
        self.question, self.offset = question, 0
        self.page = page_of(self.library, search(self.library, question), 0, self.config.results_per_page)
        self.show(self.page.html)

    def more(self) -> None:
        if self.page is None or self.question is None:
            self.say("Chưa có câu hỏi nào. Hãy gõ một câu hỏi trước.")
        elif self.page.next_offset is None:
            self.say("Không còn kết quả nào khác cho câu hỏi này.")
        else:
            self.offset = self.page.next_offset
            self.page = reread(self.library, self.question, self.offset, self.config.results_per_page)
            self.show(self.page.html)

    def full(self, args: list[str]) -> None:
        if self.page is None or not self.page.answered:
            self.say("Chưa có kết quả nào để xem toàn văn.")
            return
        numbers = range(self.page.first_number, self.page.first_number + len(self.page.passage_ids))
        wanted = int(args[0]) if args and args[0].isdigit() else numbers[0]
        if wanted not in numbers:
            self.say(f"Hãy chọn một kết quả từ {numbers[0]} đến {numbers[-1]}.")
            return
        try:
            self.show(full_text(self.library, self.page.passage_ids[wanted - numbers[0]]))
        except VankienError as error:
            self.say(str(error))

    def show(self, html_text: str) -> None:
        self.say(html_to_text(html_text, self.ansi))

    def say(self, text: str) -> None:
        print(text + "\n", file=self.out, flush=True)


def run_console(library: Library, config: BotConfig, stdin: TextIO, stdout: TextIO) -> int:
    interactive = stdin.isatty()
    console = Console(library, config, stdout, ansi=stdout.isatty())
    if interactive:
        console.show(format_summary(index_summary(library)))
        console.say(CONSOLE_HELP)
    for line in _lines(stdin, interactive):
        if not console.handle(line):
            break
    return 0


def _lines(stdin: TextIO, interactive: bool) -> Iterator[str]:
    """Input lines until EOF; on a terminal through input(), for line editing and history."""
    while True:
        try:
            line = input(PROMPT) if interactive else stdin.readline()
        except EOFError:
            return
        if not interactive and not line:
            return
        yield line
