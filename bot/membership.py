"""Who is a member, and so what each update's sender may read (index/audience.py).

Admins (VANKIEN_ADMIN_IDS) read everything. Members read public and members documents: the users of the
member chats (VANKIEN_MEMBER_CHATS, asked with getChatMember and remembered for `member_cache_seconds`, so a
user who left loses access once that time is up, or at once when Telegram tells us with a chat_member update)
and the users admins granted access (bot.sqlite3, kept here in memory: only this process grants; in PostgreSQL,
where other bot processes grant and revoke too, asked of the shared state at each check, so a grant or a
revocation holds on every process at once). Anyone else reads public documents, or nothing when
VANKIEN_ACCESS=members.

A group is answered for what all of its users may read: a member chat's members documents, another group's
public ones only (nothing when the library is for members only), whoever asks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import Callable, Iterable

from telegram import Bot
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.config import BotConfig
from index.audience import ADMINS, EVERYONE, MEMBERS, MEMBERS_READ, NOTHING, PUBLIC_READ

log = logging.getLogger(__name__)

MEMBER_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
CACHE_LIMIT = 10_000  # users remembered; the oldest answer is dropped first


class Membership:
    """Used from the event loop only (no locks): each handler asks it before it reads the library."""

    def __init__(self, config: BotConfig, granted: Iterable[int], clock: Callable[[], float] = time.monotonic,
                 is_granted: Callable[[int], bool] | None = None) -> None:
        """`granted`: the users with a grant, kept here from now on. `is_granted`: instead, ask the state at each
        check (run on a worker thread; the state is shared with other processes)."""
        self.admin_ids = config.admin_ids
        self.member_chats = config.member_chats
        self.cache_seconds = config.member_cache_seconds
        self.outsiders = NOTHING if config.members_only else PUBLIC_READ  # what someone who is not a member reads
        self._granted = set(granted)
        self._is_granted = is_granted
        self._clock = clock
        self._answers: OrderedDict[int, tuple[bool, float]] = OrderedDict()  # user id -> (member, valid until)

    async def audiences(self, bot: Bot, user_id: int | None, chat_type: str | None, chat_id: int | None) -> frozenset[str]:
        """What may be shown to this user in this chat (None chat: a private reply or an inline query), asked now."""
        room = self.room(chat_type, chat_id)
        if room is not None and room <= self.outsiders:  # no wider than what anyone reads: who asks does not matter
            return room
        reader = await self.reader(bot, user_id)
        return reader if room is None else reader & room

    def room(self, chat_type: str | None, chat_id: int | None) -> frozenset[str] | None:
        """What a group or channel may be shown, whoever is in it; None for a private chat (the reader decides)."""
        if chat_type in (None, ChatType.PRIVATE, ChatType.SENDER):
            return None
        return MEMBERS_READ if chat_id in self.member_chats else self.outsiders

    async def reader(self, bot: Bot, user_id: int | None) -> frozenset[str]:
        if user_id is not None and user_id in self.admin_ids:
            return EVERYONE
        if user_id is not None and await self.is_member(bot, user_id):
            return MEMBERS_READ
        return self.outsiders

    async def is_member(self, bot: Bot, user_id: int) -> bool:
        """Granted, or in a member chat as far as Telegram said within the last `cache_seconds`."""
        if user_id in self.admin_ids or await self._has_grant(user_id):
            return True
        if not self.member_chats:
            return False
        now = self._clock()
        remembered = self._answers.get(user_id)
        if remembered is not None and remembered[1] > now:
            return remembered[0]
        member, certain = await self._ask(bot, user_id)
        if certain:
            self._answers[user_id] = (member, now + self.cache_seconds)
            self._answers.move_to_end(user_id)
            while len(self._answers) > CACHE_LIMIT:
                self._answers.popitem(last=False)
        return member

    async def _has_grant(self, user_id: int) -> bool:
        if self._is_granted is None:
            return user_id in self._granted
        return await asyncio.to_thread(self._is_granted, user_id)

    async def _ask(self, bot: Bot, user_id: int) -> tuple[bool, bool]:
        """(member of some member chat, every chat answered): a network failure is not remembered as "no"."""
        certain = True
        for chat_id in sorted(self.member_chats):
            try:
                member = await bot.get_chat_member(chat_id, user_id)
            except (BadRequest, Forbidden) as error:  # not a user of it, or the bot is not in that chat
                log.debug("getChatMember %s: %s", chat_id, error.message)
                continue
            except TelegramError as error:
                log.warning("Không hỏi được Telegram ai là thành viên nhóm %s: %s", chat_id, error)
                certain = False
                continue
            if member.status in MEMBER_STATUSES or (member.status == ChatMemberStatus.RESTRICTED and getattr(member, "is_member", False)):
                return True, True
        return False, certain

    def forget(self, user_id: int) -> None:
        """Ask Telegram again next time (the user joined or left a member chat)."""
        self._answers.pop(user_id, None)

    def grant(self, user_id: int) -> None:
        self._granted.add(user_id)

    def revoke(self, user_id: int) -> None:
        self._granted.discard(user_id)
        self.forget(user_id)


def notice_chats(audience: str, member_chats: frozenset[int]) -> frozenset[int] | None:
    """Which subscribed chats hear of a new document: all (None) for a public one, the member chats for a
    members one, none for an admins one."""
    if audience == MEMBERS:
        return member_chats
    if audience == ADMINS:
        return frozenset()
    return None
