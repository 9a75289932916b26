"""Inline keyboards under an answer, and the compact callback data behind their buttons.

Callback data is "<action>:<query_id>:<arguments>", e.g. "m:42:3". It comes back from the client
and can be forged, so `parse_callback` accepts only the exact form `Callback.encode` produces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

MORE = "m"  # m:<query_id>:<offset>      next page of results
FULL = "f"  # f:<query_id>:<passage_id>  full text around a passage
VOTE = "v"  # v:<query_id>:<passage_id>:1 or 0  feedback on the page starting with that passage
_ARITY = {MORE: 2, FULL: 2, VOTE: 3}
MAX_CALLBACK_BYTES = 64  # Telegram's limit
_NUMBER = re.compile(r"0|[1-9][0-9]{0,17}")  # canonical non-negative integer, fits in int64
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")


@dataclass(frozen=True)
class Callback:
    """What a pressed button asks for: an action from MORE/FULL/VOTE and its integer arguments."""

    action: str
    args: tuple[int, ...]

    @property
    def query_id(self) -> int:
        return self.args[0]

    def encode(self) -> str:
        data = ":".join([self.action, *map(str, self.args)])
        if parse_callback(data) != self:
            raise ValueError(f"not a valid callback: {self!r}")
        return data


def parse_callback(data: str) -> Callback:
    """The Callback in `data`; ValueError for anything `Callback.encode` would not have produced."""
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError("callback data longer than 64 bytes")
    action, *args = data.split(":")
    if action not in _ARITY:
        raise ValueError(f"unknown callback action {action!r}")
    if len(args) != _ARITY[action]:
        raise ValueError(f"callback {action!r} takes {_ARITY[action]} arguments, got {len(args)}")
    if not all(_NUMBER.fullmatch(arg) for arg in args):
        raise ValueError("callback arguments must be non-negative integers")
    callback = Callback(action, tuple(int(arg) for arg in args))
    if action == VOTE and callback.args[2] not in (0, 1):
        raise ValueError("a vote is 1 (helpful) or 0 (not helpful)")
    return callback


def answer_keyboard(
    query_id: int, next_offset: int | None, passage_ids: Sequence[int], first_number: int = 1
) -> InlineKeyboardMarkup:
    """"Toàn văn" for each passage shown, numbered like the results (so a shortened passage is one tap
    from its full text); below, 👍 / 👎 on this page and "Xem thêm" when there is a next page."""
    if not passage_ids:
        raise ValueError("an answer keyboard needs the passages shown")
    full = [
        InlineKeyboardButton(
            f"📄 Toàn văn {number}" if i == 0 else f"📄 {number}",
            callback_data=Callback(FULL, (query_id, passage_id)).encode(),
        )
        for i, (number, passage_id) in enumerate(enumerate(passage_ids, start=first_number))
    ]
    top = passage_ids[0]
    votes = [
        InlineKeyboardButton("👍", callback_data=Callback(VOTE, (query_id, top, 1)).encode()),
        InlineKeyboardButton("👎", callback_data=Callback(VOTE, (query_id, top, 0)).encode()),
    ]
    if next_offset is not None:
        votes.append(InlineKeyboardButton("Xem thêm ▶", callback_data=Callback(MORE, (query_id, next_offset)).encode()))
    return InlineKeyboardMarkup([full, votes])


def group_answer_keyboard(bot_username: str, deep_link_payload: str) -> InlineKeyboardMarkup:
    """One URL button opening the full answer in a private chat: https://t.me/<bot>?start=<payload>."""
    username = bot_username.removeprefix("@")
    if not _USERNAME.fullmatch(username):
        raise ValueError(f"not a bot username: {bot_username!r}")
    if not _PAYLOAD.fullmatch(deep_link_payload):
        raise ValueError("deep-link payload must be 1-64 characters of A-Z, a-z, 0-9, _ and -")
    url = create_deep_linked_url(username, deep_link_payload)
    return InlineKeyboardMarkup([[InlineKeyboardButton("📖 Xem đầy đủ trong tin nhắn riêng", url=url)]])
