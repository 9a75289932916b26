"""Crash-safe replacement of a file or a whole folder: write beside the target, fsync, os.replace, fsync the parent."""

from __future__ import annotations

import os
import shutil
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


def staging_folder(target: Path) -> Path:
    """Where atomic_folder builds `target`: a crash can leave it behind, for the owner's garbage collection."""
    return target.with_name(target.name + ".tmp")


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield an empty folder to fill; on success it replaces `target` whole, on error it is removed.

    Every file and folder inside is fsynced before the rename, so after a crash `target` is either absent (or
    as it was) or complete: never a folder with some files missing or empty."""
    staging = staging_folder(target)
    shutil.rmtree(staging, ignore_errors=True)  # left by a write that crashed
    staging.mkdir(parents=True)
    try:
        yield staging
        for path in staging.rglob("*"):
            fsync_path(path)
        fsync_path(staging)
        shutil.rmtree(target, ignore_errors=True)  # os.replace cannot rename onto a folder that has files
        os.replace(staging, target)
        fsync_path(target.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
