"""Every setting of the bot, read once from the environment (and .env) by `python -m bot`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlsplit

from index.audience import ACCESS_MEMBERS
from index.settings import IndexSettings

DEFAULT_API_ROOT = "https://api.telegram.org"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and is shown as one line."""


class MissingToken(ConfigError):
    """TELEGRAM_BOT_TOKEN is not set (only the console mode can do without it)."""


@dataclass(frozen=True)
class BotConfig:
    index: IndexSettings = field(default_factory=IndexSettings)
    token: str | None = None
    api_root: str = DEFAULT_API_ROOT  # the bot calls <root>/bot<token>/... and <root>/file/bot<token>/...
    webhook_url: str | None = None  # webhook mode when set, polling otherwise
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = None  # defaults to one derived from the token, see `secret_token`
    admin_ids: frozenset[int] = frozenset()
    questions_per_window: int = 5  # per user; beyond it a friendly "slow down"
    window_seconds: float = 10.0
    results_per_page: int = 3
    member_chats: frozenset[int] = frozenset()  # groups and channels whose users are members (bot/membership.py)
    member_cache_seconds: float = 300.0  # a member chat's answer about a user is asked again after this
    # PostgreSQL only: how long a bot process that died holds the broadcast deliveries it claimed before another
    # process sends them (a live one renews its claims every third of it; bot/postgres_admin_store.py)
    delivery_lease_seconds: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "BotConfig":
        """Does not require the token: `require_token()` does, so the console runs without one."""
        try:
            index = IndexSettings.from_env(env)
        except ValueError as error:
            raise ConfigError(f"cấu hình chỉ mục không hợp lệ: {error}") from None
        return cls(
            index=index,
            token=(env.get("TELEGRAM_BOT_TOKEN") or "").strip() or None,
            api_root=(env.get("TELEGRAM_API_ROOT") or DEFAULT_API_ROOT).strip().rstrip("/"),
            webhook_url=(env.get("VANKIEN_WEBHOOK_URL") or "").strip() or None,
            webhook_listen=env.get("VANKIEN_WEBHOOK_LISTEN") or "0.0.0.0",
            webhook_port=_number(env, "VANKIEN_WEBHOOK_PORT", 8443, int, minimum=1),
            webhook_secret=(env.get("VANKIEN_WEBHOOK_SECRET") or "").strip() or None,
            admin_ids=_ids(env.get("VANKIEN_ADMIN_IDS") or "", "VANKIEN_ADMIN_IDS", "id Telegram"),
            questions_per_window=_number(env, "VANKIEN_RATE_LIMIT", 5, int, minimum=1),
            window_seconds=_number(env, "VANKIEN_RATE_WINDOW", 10.0, float, minimum=0.1),
            results_per_page=_number(env, "VANKIEN_RESULTS_PER_PAGE", 3, int, minimum=1),
            member_chats=_ids(env.get("VANKIEN_MEMBER_CHATS") or "", "VANKIEN_MEMBER_CHATS", "id nhóm hoặc kênh"),
            member_cache_seconds=_number(env, "VANKIEN_MEMBER_CACHE_SECONDS", 300.0, float, minimum=0.0),
            delivery_lease_seconds=_number(env, "VANKIEN_DELIVERY_LEASE_SECONDS", 30.0, float, minimum=1.0),
        )

    @property
    def members_only(self) -> bool:
        """VANKIEN_ACCESS=members: someone who is not a member reads nothing (index/audience.py)."""
        return self.index.access == ACCESS_MEMBERS

    def require_token(self) -> str:
        if not self.token:
            raise MissingToken(
                "TELEGRAM_BOT_TOKEN chưa được đặt: thêm nó vào môi trường hoặc tệp .env "
                "(hoặc chạy thử không cần token: python -m bot --console)"
            )
        return self.token

    @property
    def base_url(self) -> str:
        return f"{self.api_root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_root}/file/bot"

    @property
    def webhook_path(self) -> str:
        """The path the local server listens on: the webhook URL's path (a proxy may sit in front)."""
        return urlsplit(self.webhook_url or "").path.strip("/")

    @property
    def secret_token(self) -> str:
        """Telegram sends it with every webhook call; without it anyone could post fake updates."""
        if self.webhook_secret:
            return self.webhook_secret
        return hashlib.sha256(f"vankien-webhook:{self.require_token()}".encode()).hexdigest()


def _number(env: Mapping[str, str], name: str, default, kind, minimum):
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} không phải là số hợp lệ") from None
    if value < minimum:
        raise ConfigError(f"{name} phải lớn hơn hoặc bằng {minimum}, không phải {raw}")
    return value


def _ids(raw: str, name: str, what: str) -> frozenset[int]:
    """Telegram user or chat ids separated by commas or spaces."""
    parts = [p for p in re.split(r"[\s,;]+", raw.strip()) if p]
    if bad := [p for p in parts if not re.fullmatch(r"-?\d{1,20}", p)]:
        raise ConfigError(f"{name} chỉ gồm các số {what}, ngăn bằng dấu phẩy; không hiểu: {bad[0]!r}")
    return frozenset(int(p) for p in parts)
