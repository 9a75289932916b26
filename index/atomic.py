"""Crash-safe file replacement: write beside the target, fsync, os.replace, fsync the folder."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_write_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `target` atomically, on error it is removed."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        fsync_path(tmp)
        os.replace(tmp, target)
        fsync_path(target.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_write_path(target) as tmp:
        tmp.write_bytes(data)
