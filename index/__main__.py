"""python -m index build|add|remove|audience|audit|reindex|check|list|search — a thin CLI over index.library."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from contextlib import closing
from dataclasses import asdict
from pathlib import Path

from tqdm import tqdm

from index.audience import LABELS, UnknownAudience, parse_audience
from index.audit import ACTION_LABELS, AUDIENCE, REMOVED, cli_actor, document_subject, record_outcomes
from index.audit_trails import open_audit_trail
from index.documents import SearchResult
from index.errors import VankienError
from index.integrity import check
from index.isolation import parse_options
from index.library import AddReport, Library, build_library
from index.documents import Document
from index.search import as_json
from index.search import document_json as search_document_json
from index.settings import IndexSettings, read_environment
from index.writer_lock import writer_waiting

log = logging.getLogger("index")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m index", description="Index and search Vietnamese documents.")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--data-dir", help="index folder (default: $VANKIEN_DATA_DIR or data/index)")
        return sub

    for name, help_text in [("build", "a fresh index from files and folders"), ("add", "add files and folders to the index")]:
        sub = command(name, help_text)
        sub.add_argument("paths", nargs="+", type=Path)
        sub.add_argument("--audience", type=_audience, help="who may read them: public, members or admins "
                         "(default: a new version keeps the old one's; else members if VANKIEN_ACCESS=members, public otherwise)")
    command("remove", "remove a document by id").add_argument("doc_id", type=int)
    audience = command("audience", "change who may read a document: public, members or admins")
    audience.add_argument("doc_id", type=int)
    audience.add_argument("audience", type=_audience)
    audit = command("audit", "who added, replaced, removed, re-audienced documents, granted access, announced; newest first")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--json", action="store_true")
    command("reindex", "re-embed and re-tokenise every passage (e.g. after changing VANKIEN_EMBEDDER)")
    command("check", "check that SQLite, FAISS and BM25 agree; exit 1 if not")
    command("list", "list indexed documents").add_argument("--json", action="store_true")
    search = command("search", "answer questions with cited passages")
    search.add_argument("query", nargs="?")
    search.add_argument("--top-k", type=int, default=3)
    search.add_argument("--json", action="store_true")
    search.add_argument("--queries", type=Path, help="file with one question a line; prints JSON Lines")
    return parser


def _audience(text: str) -> str:
    try:
        return parse_audience(text)
    except UnknownAudience as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _progress_bar() -> tuple[tqdm, callable]:
    bar = tqdm(total=0, unit="đoạn", desc="Đang nhúng", file=sys.stderr, disable=None)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def _page_progress(done: int, total: int) -> None:
    """OCR of a scan or photo, page by page, above the embedding bar."""
    if done:
        tqdm.write(f"Đang nhận dạng trang {done}/{total}…", file=sys.stderr)


def _waiting_line() -> None:
    """Another process is writing to the same data directory: this write waits for it (index/writer_lock.py)."""
    tqdm.write("đang chờ tiến trình khác ghi xong…", file=sys.stderr)


def _report(report: AddReport) -> int:
    for outcome in report.outcomes:
        document = outcome.document
        verb = {"added": "đã thêm", "unchanged": "không đổi (đã có)", "replaced": "đã thay bản cũ"}[outcome.status]
        print(f"[{document.id}] {document.title} — {document.passage_count} đoạn — {verb}")
    for name, error in report.errors:
        print(f"lỗi: {name}: {error}", file=sys.stderr)
    return 1 if report.errors else 0


def _print_result(result: SearchResult) -> None:
    for name in result.missing:
        print(f"{name} chưa có trong thư viện; các đoạn nhắc đến văn bản này:")
    if not result.answered:
        print(f"Không tìm thấy đoạn văn nào trả lời: {result.query}")
        return
    for hit in result.hits:
        document = hit.document
        where = hit.passage.path_label() or hit.passage.section
        details = [document.issuer if document.doc_type else None, document.date, where,
                   None if hit.passage.path else f"đoạn {hit.passage.paragraph}"]
        if document.text_source == "ocr":
            details.append("bản quét, nhận dạng tự động")
        print(f"{hit.rank}. {document.title} ({', '.join(x for x in details if x)}) [{hit.score:.3f}]")
        if hit.status:
            print(f"   ⚠ Văn bản này {hit.status}.")
        print(f"   {hit.passage.text}\n")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = IndexSettings.from_env(read_environment(), args.data_dir)
    except ValueError as error:
        print(f"lỗi: {error}", file=sys.stderr)
        return 2
    if args.command == "check":
        try:
            return _check(settings)
        except VankienError as error:  # VANKIEN_DATABASE_URL without the postgres extra
            print(f"lỗi: {error}", file=sys.stderr)
            return 2
    if args.command == "audit":
        try:
            return _audit(settings, args)
        except VankienError as error:  # VANKIEN_DATABASE_URL without the postgres extra
            print(f"lỗi: {error}", file=sys.stderr)
            return 2
    try:
        embedder = settings.load_embedder()
        if args.command == "build":
            bar, update = _progress_bar()
            with bar, parse_options(settings.ocr, _page_progress), writer_waiting(_waiting_line):
                library, report = build_library(settings.data_dir, embedder, args.paths, update, settings.max_file_bytes,
                                                args.audience, settings.default_audience, settings.write_wait_seconds,
                                                settings.database_url, settings.database_read_url)
            with closing(open_audit_trail(settings)) as trail:
                record_outcomes(trail, cli_actor(), report.outcomes)
            return _report(report) or (0 if report.outcomes else 1)
        if args.command == "reindex":  # the point may be to leave the embedder the index was built with
            library = Library(settings.data_dir, embedder, check_embedder=False, max_file_bytes=settings.max_file_bytes,
                              write_wait_seconds=settings.write_wait_seconds, database_url=settings.database_url,
                              database_read_url=settings.database_read_url)
            bar, update = _progress_bar()
            with bar, writer_waiting(_waiting_line):
                library.reindex(progress=update)
            print(f"Đã lập lại chỉ mục: {library.passage_count()} đoạn, bộ nhúng {embedder.name}")
            return 0
        library = Library(settings.data_dir, embedder, max_file_bytes=settings.max_file_bytes,
                          default_audience=settings.default_audience, write_wait_seconds=settings.write_wait_seconds,
                          database_url=settings.database_url, database_read_url=settings.database_read_url)
        if args.command == "add":
            bar, update = _progress_bar()
            with bar, parse_options(settings.ocr, _page_progress), writer_waiting(_waiting_line):
                report = library.add_files(args.paths, update, args.audience)
            with closing(open_audit_trail(settings)) as trail:
                record_outcomes(trail, cli_actor(), report.outcomes)
            return _report(report)
        if args.command == "remove":
            with writer_waiting(_waiting_line):
                document = library.remove(args.doc_id)
            with closing(open_audit_trail(settings)) as trail:
                trail.record(cli_actor(), REMOVED, document_subject(document))
            print(f"Đã xoá [{document.id}] {document.title}")
            return 0
        if args.command == "audience":
            document = library.set_audience(args.doc_id, args.audience)
            detail = f"đối tượng: {LABELS[document.audience]}"
            with closing(open_audit_trail(settings)) as trail:
                trail.record(cli_actor(), AUDIENCE, document_subject(document), detail)
            print(f"[{document.id}] {document.title} — {detail}")
            return 0
        if args.command == "list":
            documents = library.documents()
            if args.json:
                _, status_of = library.catalogue()
                print(json.dumps([document_json(d, status_of[d.id].label() if d.id in status_of else None) for d in documents],
                                 ensure_ascii=False, indent=2))
            for d in [] if args.json else documents:
                print(f"[{d.id}] {d.date or '—'}  {d.title}  ({d.passage_count} đoạn, {d.source}, {LABELS[d.audience]})")
            return 0
        return _search(library, args)
    except VankienError as error:
        print(f"lỗi: {error}", file=sys.stderr)
        return 2


def _check(settings: IndexSettings) -> int:
    problems = check(settings.data_dir, settings.database_url)
    for problem in problems:
        print(f"lỗi: {problem}", file=sys.stderr)
    if not problems:
        where = "trong PostgreSQL" if settings.database_url else f"ở {settings.data_dir}"
        print(f"Chỉ mục {where} nhất quán.")
    return 1 if problems else 0


def _audit(settings: IndexSettings, args: argparse.Namespace) -> int:
    with closing(open_audit_trail(settings)) as trail:
        entries = trail.entries(limit=args.limit)
    for entry in entries:
        if args.json:
            print(json.dumps(asdict(entry), ensure_ascii=False))
        else:
            detail = f" — {entry.detail}" if entry.detail else ""
            print(f"{entry.at}  {entry.actor}  {ACTION_LABELS.get(entry.action, entry.action)}  {entry.subject}{detail}")
    return 0


def document_json(document: Document, status: str | None = None) -> dict:
    """The search results' document fields, plus what a listing needs."""
    return {
        **search_document_json(document, status), "codes": list(document.codes), "passages": document.passage_count,
        "added_at": document.added_at, "content_hash": document.content_hash, "audience": document.audience,
    }


def _search(library: Library, args: argparse.Namespace) -> int:
    if library.passage_count() == 0:
        print(f"lỗi: chỉ mục ở {library.data_dir} đang trống; hãy chạy: python -m index build data/corpus", file=sys.stderr)
        return 1
    if args.queries:
        try:
            lines = [line.strip() for line in args.queries.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as error:
            print(f"lỗi: không đọc được {args.queries}: {error}", file=sys.stderr)
            return 1
        for line in lines:
            print(json.dumps(as_json(library.search(line, top_k=args.top_k)), ensure_ascii=False), flush=True)
        return 0
    if not args.query:
        print("lỗi: cần một câu hỏi hoặc --queries FILE", file=sys.stderr)
        return 1
    result = library.search(args.query, top_k=args.top_k)
    if args.json:
        print(json.dumps(as_json(result), ensure_ascii=False))
    else:
        _print_result(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
