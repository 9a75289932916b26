"""Parse an untrusted file in a child process with memory and time limits, so a hostile file costs only itself.

A small server process (`python -m index.isolation`, started on first use, one per indexing process) imports
the readers once and forks one child per file, so a parse costs a fork (milliseconds), not an interpreter
start. The child caps its address space (RLIMIT_AS) and CPU time (RLIMIT_CPU); the server kills it when
the wall-clock timeout runs out. Our own server rather than multiprocessing: the children never re-import
the caller's main script, whatever it is.
"""

from __future__ import annotations

import atexit
import hashlib
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
from pathlib import Path

from index.cleaning import build_document
from index.documents import Document, Passage
from index.errors import CorruptFile, VankienError
from index.readers import display_name, read_file

log = logging.getLogger(__name__)

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent
_HEADER = struct.Struct("!cQ")  # kind, payload length
_RESULT, _TIMEOUT, _DIED = b"R", b"T", b"D"
_SERVER_MARGIN_S = 30  # how long past a parse's own timeout the server may take to answer before we give up on it


def parse_isolated(
    path: Path, max_bytes: int, timeout_s: float = 60, memory_mb: int = 1024
) -> tuple[Document, list[Passage]]:
    """read_file + build_document (content hash: the file's SHA-256) in a child limited in memory and time.

    `memory_mb` caps the child's whole address space (the interpreter and the readers take under 100 MB of it).
    The child's VankienError is raised here unchanged; a child that runs out of time or memory, or dies,
    becomes CorruptFile ("too complex or too large"); an unexpected exception in it becomes CorruptFile too.
    """
    path = Path(path)
    name = display_name(path.name)
    kind, payload = _server().parse((str(path.absolute()), max_bytes, timeout_s, memory_mb))
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

    def parse(self, request: tuple[str, int, float, int]) -> tuple[bytes, bytes]:
        with self._lock:
            process = self._running()
            data = pickle.dumps(request)
            try:
                _write_all(process.stdin.fileno(), _HEADER.pack(_RESULT, len(data)) + data)
                return _read_frame(process.stdout.fileno(), time.monotonic() + request[2] + _SERVER_MARGIN_S)
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
            kind, payload = _parse_in_child(pickle.loads(request), close_in_child=(requests, responses))
            _write_all(responses, _HEADER.pack(kind, len(payload)) + payload)
        except (EOFError, BrokenPipeError):
            return


def _parse_in_child(request: tuple[str, int, float, int], close_in_child: tuple[int, ...]) -> tuple[bytes, bytes]:
    """Fork, parse in the child under limits, and return what it sent; kill it at the deadline."""
    path, max_bytes, timeout_s, memory_mb = request
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        for fd in (read_end, *close_in_child):  # so the caller sees end of file as soon as the server is gone
            os.close(fd)
        code = 1
        try:
            _limit(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
            _limit(resource.RLIMIT_CPU, math.ceil(timeout_s) + 1)
            _write_all(write_end, _parse(Path(path), max_bytes))
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        _, output = _read_frame(read_end, time.monotonic() + timeout_s, framed=False)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return _TIMEOUT, b""
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if status != 0 or not output:
        cause = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit code {os.waitstatus_to_exitcode(status)}"
        return _DIED, cause.encode()
    return _RESULT, output


def _parse(path: Path, max_bytes: int) -> bytes:
    """The pickled ("ok", (document, passages)) / ("error", VankienError) / ("limit" | "bug", detail)."""
    try:
        message: tuple = ("ok", build_document(read_file(path, max_bytes), _sha256(path)))
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


def _sha256(path: Path) -> str:
    """As index.library.file_hash, without importing the library (and FAISS) here."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _limit(kind: int, value: int) -> None:
    """Lower a soft limit, never above the hard limit we were given."""
    _, hard = resource.getrlimit(kind)
    resource.setrlimit(kind, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))


# ------------------------------------------------------------------------------------ pipes
def _read_frame(fd: int, deadline: float | None, framed: bool = True) -> tuple[bytes, bytes]:
    """(kind, payload) of one framed message, or everything until end of file when not framed.

    EOFError if the writer is gone before a frame is complete; TimeoutError at the deadline.
    """
    if not framed:
        return _RESULT, _read(fd, None, deadline)
    kind, length = _HEADER.unpack(_read(fd, _HEADER.size, deadline))
    return kind, _read(fd, length, deadline)


def _read(fd: int, size: int | None, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    received = 0
    while size is None or received < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
        chunk = os.read(fd, 1 << 20 if size is None else min(1 << 20, size - received))
        if not chunk:
            if size is None:
                break
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
