"""Parse an untrusted file in a child process with memory and time limits, so a hostile file costs only itself.

A small server process (`python -m index.isolation`, started on first use, one per indexing process) imports
the readers once and forks one child per file, so a parse costs a fork (milliseconds), not an interpreter
start. The child caps its address space (RLIMIT_AS) and CPU time (RLIMIT_CPU); the server kills it when
the wall-clock timeout runs out. Our own server rather than multiprocessing: the children never re-import
the caller's main script, whatever it is.

While it works, the child may send progress frames (OCR pages done / pages to read) before its result; the
server passes them on at once, and each one moves the deadline to what that many OCR pages may take.
Callers that cannot pass options through (Library.add_files) set them for a block with `parse_options`.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from index.cleaning import build_document
from index.documents import Document, Passage
from index.errors import CorruptFile, VankienError
from index.hashing import file_sha256
from index.readers import OcrSettings, PageProgress, display_name, read_file

log = logging.getLogger(__name__)

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent
_HEADER = struct.Struct("!cQ")  # kind, payload length
_RESULT, _TIMEOUT, _DIED, _PROGRESS = b"R", b"T", b"D", b"P"
_PROGRESS_FORMAT = struct.Struct("!II")  # pages done, pages to read
_SERVER_MARGIN_S = 30  # how long past a parse's own timeout the server may take to answer before we give up on it


@dataclass(frozen=True)
class ParseOptions:
    ocr: OcrSettings = OcrSettings()
    progress: PageProgress | None = None  # called in the caller's thread with (OCR pages done, pages to read)


_options: ContextVar[ParseOptions] = ContextVar("vankien_parse_options", default=ParseOptions())


@contextmanager
def parse_options(ocr: OcrSettings | None = None, progress: PageProgress | None = None) -> Iterator[None]:
    """Options for every parse_isolated in this block (and threads started with its context, e.g. asyncio.to_thread)."""
    token = _options.set(ParseOptions(ocr or OcrSettings(), progress))
    try:
        yield
    finally:
        _options.reset(token)


def parse_timeout(timeout_s: float, ocr: OcrSettings, ocr_pages: int) -> float:
    """The wall-clock budget: `timeout_s` for the file, plus what `ocr_pages` pages of OCR may take."""
    return timeout_s + (ocr.file_seconds(ocr_pages) if ocr_pages else 0)


def parse_isolated(
    path: Path, max_bytes: int, timeout_s: float = 60, memory_mb: int = 1024,
    progress: PageProgress | None = None, ocr: OcrSettings | None = None,
) -> tuple[Document, list[Passage]]:
    """read_file + build_document (content hash: the file's SHA-256) in a child limited in memory and time.

    `memory_mb` caps the child's whole address space (the interpreter and the readers take under 100 MB of it).
    `timeout_s` covers a file without OCR; when pages are OCR'd the limit grows by the OCR settings' time for
    that many pages (at most `ocr.page_limit`). `progress` and `ocr` default to those of `parse_options`.
    The child's VankienError is raised here unchanged; a child that runs out of time or memory, or dies,
    becomes CorruptFile ("too complex or too large"); an unexpected exception in it becomes CorruptFile too.
    """
    path = Path(path)
    name = display_name(path.name)
    options = _options.get()
    ocr = ocr or options.ocr
    progress = progress or options.progress
    kind, payload = _server().parse((str(path.absolute()), max_bytes, timeout_s, memory_mb, ocr), progress)
    if kind == _TIMEOUT:
        log.warning("parsing %s took longer than %s s; stopped", name, timeout_s)
        raise CorruptFile(_too_complex(name))
    if kind == _DIED:
        log.warning("the process parsing %s died (%s; memory limit %s MB)", name, payload.decode(), memory_mb)
        raise CorruptFile(_too_complex(name))
    status, result = pickle.loads(payload)
    if status == "ok":
        return result
    if status == "error":
        raise result
    if status == "limit":
        log.warning("parsing %s ran out of memory or stack (%s MB)", name, memory_mb)
        raise CorruptFile(_too_complex(name))
    log.error("parsing %s failed unexpectedly:\n%s", name, result)
    raise CorruptFile(f"Tệp {name} có cấu trúc bất thường, không đọc được.")


def _too_complex(name: str) -> str:
    return f"Tệp {name} quá phức tạp hoặc quá lớn để đọc (vượt giới hạn thời gian/bộ nhớ)."


# ------------------------------------------------------------------------------------ caller side
class _ServerClient:
    """The caller's end: one request at a time, the server restarted if it has died."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._owner = os.getpid()

    def parse(self, request: tuple, progress: PageProgress | None) -> tuple[bytes, bytes]:
        """The server's answer; progress frames before it go to `progress`, each moving the deadline on."""
        _, _, timeout_s, _, ocr = request
        with self._lock:
            process = self._running()
            data = pickle.dumps(request)
            started = time.monotonic()
            deadline = started + timeout_s + _SERVER_MARGIN_S
            try:
                _write_all(process.stdin.fileno(), _HEADER.pack(_RESULT, len(data)) + data)
                while True:
                    kind, payload = _read_frame(process.stdout.fileno(), deadline)
                    if kind != _PROGRESS:
                        return kind, payload
                    done, total = _PROGRESS_FORMAT.unpack(payload)
                    deadline = started + parse_timeout(timeout_s, ocr, total) + _SERVER_MARGIN_S
                    if progress is not None:
                        _report(progress, done, total)
            except (OSError, EOFError, TimeoutError) as error:
                self.stop()
                return _DIED, f"parse server lost: {error!r}".encode()

    def _running(self) -> subprocess.Popen:
        if self._process is not None and self._process.poll() is None and self._owner == os.getpid():
            return self._process
        self._process = subprocess.Popen(  # run from the folder holding `index`, so it imports whatever our cwd
            [sys.executable, "-m", "index.isolation"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=_PACKAGE_PARENT
        )
        self._owner = os.getpid()
        return self._process

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or self._owner != os.getpid():
            return
        process.stdin.close()  # the server's signal to exit
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def _report(progress: PageProgress, done: int, total: int) -> None:
    try:
        progress(done, total)
    except Exception:  # a failing progress display must not lose the parse
        log.exception("progress callback failed")


_client: _ServerClient | None = None
_client_lock = threading.Lock()


def _server() -> _ServerClient:
    global _client
    with _client_lock:
        if _client is None:
            _client = _ServerClient()
            atexit.register(_client.stop)
        return _client


# ------------------------------------------------------------------------------------ server side
def serve() -> None:
    """Answer parse requests from stdin on stdout until stdin closes (the caller exited)."""
    requests = os.dup(0)
    responses = os.dup(1)
    os.dup2(2, 1)  # a stray print must not corrupt the responses
    while True:
        try:
            _, request = _read_frame(requests, None)

            def relay(frame: bytes) -> None:
                _write_all(responses, _HEADER.pack(_PROGRESS, len(frame)) + frame)

            kind, payload = _parse_in_child(pickle.loads(request), close_in_child=(requests, responses), relay=relay)
            _write_all(responses, _HEADER.pack(kind, len(payload)) + payload)
        except (EOFError, BrokenPipeError):
            return


def _parse_in_child(
    request: tuple, close_in_child: tuple[int, ...], relay: Callable[[bytes], None]
) -> tuple[bytes, bytes]:
    """Fork, parse in the child under limits, relay its progress frames, return its result; kill it at the deadline.

    The deadline starts at `timeout_s` and grows with the OCR pages the child announces (at most the page limit).
    """
    path, max_bytes, timeout_s, memory_mb, ocr = request
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        for fd in (read_end, *close_in_child):  # so the caller sees end of file as soon as the server is gone
            os.close(fd)
        code = 1
        try:
            _limit(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
            _limit(resource.RLIMIT_CPU, math.ceil(parse_timeout(timeout_s, ocr, ocr.page_limit)) + 1)

            def progress(done: int, total: int) -> None:
                frame = _PROGRESS_FORMAT.pack(done, total)
                _write_all(write_end, _HEADER.pack(_PROGRESS, len(frame)) + frame)

            result = _parse(Path(path), max_bytes, ocr, progress)
            _write_all(write_end, _HEADER.pack(_RESULT, len(result)) + result)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    started = time.monotonic()
    deadline = started + timeout_s
    try:
        while True:
            kind, output = _read_frame(read_end, deadline)
            if kind != _PROGRESS:
                break
            total = _PROGRESS_FORMAT.unpack(output)[1]
            deadline = started + parse_timeout(timeout_s, ocr, min(total, ocr.page_limit))
            relay(output)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return _TIMEOUT, b""
    except EOFError:  # the child died before its result
        output = b""
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if status != 0 or not output:
        cause = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit code {os.waitstatus_to_exitcode(status)}"
        return _DIED, cause.encode()
    return _RESULT, output


def _parse(path: Path, max_bytes: int, ocr: OcrSettings, progress: PageProgress) -> bytes:
    """The pickled ("ok", (document, passages)) / ("error", VankienError) / ("limit" | "bug", detail)."""
    try:
        message: tuple = ("ok", build_document(read_file(path, max_bytes, ocr, progress), file_sha256(path)))
    except VankienError as error:
        message = ("error", error)
    except OSError as error:
        message = ("error", CorruptFile(f"Không đọc được tệp {display_name(path.name)}: {error.strerror}"))
    except (MemoryError, RecursionError):
        message = ("limit", None)
    except Exception:
        message = ("bug", traceback.format_exc())
    try:
        return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:  # the result does not fit twice (objects and their pickle) in the limit
        del message
        return pickle.dumps(("limit", None))


def _limit(kind: int, value: int) -> None:
    """Lower a soft limit, never above the hard limit we were given."""
    _, hard = resource.getrlimit(kind)
    resource.setrlimit(kind, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))


# ------------------------------------------------------------------------------------ pipes
def _read_frame(fd: int, deadline: float | None) -> tuple[bytes, bytes]:
    """(kind, payload) of one framed message.

    EOFError if the writer is gone before a frame is complete; TimeoutError at the deadline.
    """
    kind, length = _HEADER.unpack(_read(fd, _HEADER.size, deadline))
    return kind, _read(fd, length, deadline)


def _read(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    received = 0
    while received < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(1 << 20, size - received))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


if __name__ == "__main__":
    serve()
