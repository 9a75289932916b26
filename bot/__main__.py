"""python -m bot [--console]: the Telegram bot (polling, or a webhook when VANKIEN_WEBHOOK_URL is set),
or the same conversation in a terminal."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.app import run
from bot.config import BotConfig, ConfigError
from bot.console import run_console
from bot.logs import configure_logging
from bot.state import DB_NAME as STATE_DB_NAME
from bot.state import BotState
from index.errors import VankienError
from index.library import DB_NAME, Library, build_library, index_summary
from index.settings import SHIPPED_CORPUS, IndexSettings, read_environment

log = logging.getLogger("bot")


def open_library(settings: IndexSettings) -> Library:
    """The library in the data dir; on the very first start (no index there yet) the shipped corpus is indexed."""
    embedder = settings.load_embedder()
    if (settings.data_dir / DB_NAME).exists():
        return Library(settings.data_dir, embedder, max_file_bytes=settings.max_file_bytes,
                       write_wait_seconds=settings.write_wait_seconds, default_audience=settings.default_audience)
    log.info("Chưa có chỉ mục ở %s: đang lập chỉ mục kho văn bản mẫu %s", settings.data_dir, SHIPPED_CORPUS)
    library, report = build_library(settings.data_dir, embedder, [SHIPPED_CORPUS], max_file_bytes=settings.max_file_bytes,
                                    write_wait_seconds=settings.write_wait_seconds, default_audience=settings.default_audience)
    for name, error in report.errors:
        log.warning("Bỏ qua %s: %s", name, error)
    summary = index_summary(library)
    log.info("Đã lập chỉ mục %d văn bản, %d đoạn", summary["documents"], summary["passages"])
    return library


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Bot Telegram tra cứu văn kiện.")
    parser.add_argument("--console", action="store_true", help="hỏi đáp ngay trong terminal, không cần token")
    args = parser.parse_args(argv)
    try:
        config = BotConfig.from_env(read_environment())
        if not args.console:
            config.require_token()
    except ConfigError as error:
        print(f"lỗi: {error}", file=sys.stderr)
        return 2
    configure_logging(secrets=[config.token])
    try:
        library = open_library(config.index)
    except (VankienError, ValueError) as error:
        print(f"lỗi: {error}", file=sys.stderr)
        return 2
    summary = index_summary(library)
    log.info("Chỉ mục %s: %d văn bản, %d đoạn, bộ nhúng %s", config.index.data_dir, summary["documents"],
             summary["passages"], summary["embedder"])
    try:
        if args.console:
            return run_console(library, config, sys.stdin, sys.stdout)
        state = BotState(config.index.data_dir / STATE_DB_NAME)
        try:
            run(config, library, state)
        finally:
            state.close()
    except KeyboardInterrupt:
        pass
    finally:
        library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
