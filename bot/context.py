"""What every handler gets besides the update: the library, the bot's state, the config, the limits, who
is a member, and the admin side (announcement store, broadcaster, audit trail, the one-reindex-at-a-time lock)."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot

from bot.admin_store import AdminStore
from bot.broadcast import Broadcaster
from bot.config import BotConfig
from bot.ratelimit import SlidingWindowLimiter
from bot.membership import Membership
from bot.state import BotState
from index.audit import AuditTrail
from index.library import Library

if TYPE_CHECKING:  # the PostgreSQL twins, same methods (bot/storage.py picks one or the other)
    from bot.postgres_admin_store import PostgresAdminStore
    from bot.postgres_ratelimit import PostgresLimiter
    from bot.postgres_state import PostgresBotState
    from index.postgres.audit import PostgresAuditTrail

_KEY = "vankien"


@dataclass(frozen=True)
class Services:
    config: BotConfig
    library: Library
    state: BotState | PostgresBotState
    questions: SlidingWindowLimiter | PostgresLimiter  # per user: private questions, /hoi, mentions
    inline: SlidingWindowLimiter | PostgresLimiter  # per user, looser: inline queries arrive as the user types
    admin_store: AdminStore | PostgresAdminStore  # subscribed chats and broadcast deliveries (admin.sqlite3)
    broadcaster: Broadcaster  # delivers what admin_store has pending
    membership: Membership  # who may read what (bot/membership.py)
    audit: AuditTrail | PostgresAuditTrail  # who changed documents and access, and when (shared with the CLI)
    reindexing: asyncio.Lock = field(default_factory=asyncio.Lock)  # held while /reindex rebuilds
    _chat_locks: weakref.WeakValueDictionary = field(default_factory=weakref.WeakValueDictionary)

    def chat_lock(self, chat_id: int) -> asyncio.Lock:
        """One FIFO lock per chat: updates are handled concurrently, but one chat's answers keep its order."""
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._chat_locks[chat_id] = lock
        return lock

    def attach(self, application: Application) -> None:
        application.bot_data[_KEY] = self

    @staticmethod
    def of(application: Application) -> Services:
        """The services `attach` gave the application (for post_init, post_shutdown and tests)."""
        return application.bot_data[_KEY]


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """`context` in our handlers (registered with ContextTypes(context=BotContext) in app.py)."""

    @property
    def services(self) -> Services:
        return self.bot_data[_KEY]

    @property
    def library(self) -> Library:
        return self.services.library

    @property
    def state(self) -> BotState | PostgresBotState:
        return self.services.state

    @property
    def config(self) -> BotConfig:
        return self.services.config
