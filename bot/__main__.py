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
from bot.storage import open_state
from index.errors import VankienError
from index.library import DB_NAME, AddReport, Library, build_library, index_summary
from index.settings import SHIPPED_CORPUS, IndexSettings, read_environment

log = logging.getLogger("bot")


def open_library(settings: IndexSettings) -> Library:
    """The library in the data dir, or in PostgreSQL when VANKIEN_DATABASE_URL is set; on the very first start (no
    index file in the data dir; in PostgreSQL, no generation ever written) the shipped corpus is indexed."""
    embedder = settings.load_embedder()
    options = dict(max_file_bytes=settings.max_file_bytes, write_wait_seconds=settings.write_wait_seconds,
                   default_audience=settings.default_audience)
    if settings.database_url:
        library = Library(settings.data_dir, embedder, database_url=settings.database_url,
                          database_read_url=settings.database_read_url, **options)
        if library.generation > 0:  # written before, if only to remove every document: an admin's choice to keep
            return library
        # Added, not built: processes starting together on an empty database take turns on the writer lock,
        # and those that come second find the corpus there already (unchanged), rather than build it again.
        log.info("Cơ sở dữ liệu chưa có chỉ mục: đang lập chỉ mục kho văn bản mẫu %s", SHIPPED_CORPUS)
        _log_indexed(library, library.add_files([SHIPPED_CORPUS]))
        return library
    if (settings.data_dir / DB_NAME).exists():
        return Library(settings.data_dir, embedder, **options)
    log.info("Chưa có chỉ mục ở %s: đang lập chỉ mục kho văn bản mẫu %s", settings.data_dir, SHIPPED_CORPUS)
    library, report = build_library(settings.data_dir, embedder, [SHIPPED_CORPUS], **options)
    _log_indexed(library, report)
    return library


def _log_indexed(library: Library, report: AddReport) -> None:
    for name, error in report.errors:
        log.warning("Bỏ qua %s: %s", name, error)
    summary = index_summary(library)
    if report.outcomes and all(outcome.status == "unchanged" for outcome in report.outcomes):
        log.info("Một tiến trình khác đã lập chỉ mục kho văn bản mẫu: %d văn bản, %d đoạn",
                 summary["documents"], summary["passages"])
        return
    log.info("Đã lập chỉ mục %d văn bản, %d đoạn", summary["documents"], summary["passages"])


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
        try:
            state = open_state(config)
        except VankienError as error:  # VANKIEN_DATABASE_URL without the postgres extra
            print(f"lỗi: {error}", file=sys.stderr)
            return 2
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
