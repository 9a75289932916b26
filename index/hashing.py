"""Stable keys and digests: the 64-bit key of a term, the SHA-256 of a file's bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path


def term_key(term: str) -> int:
    """A stable 64-bit key per term or syllable: vocabularies and pair tables are sorted arrays on disk
    (index/lexical.py, index/restoration.py), not dicts to load. Never change it: segments store these keys.
    Not cached here: the lexical vocabulary (bigrams included) is far larger than any useful cache."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


def file_sha256(path: Path) -> str:
    """A document's content hash: the SHA-256 of the file as uploaded (the same file is never indexed twice)."""
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
