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

from bot.text_fitting import clip
from index.audience import ADMINS, MEMBERS, PUBLIC

MORE = "m"  # m:<query_id>:<offset>      next page of results
FULL = "f"  # f:<query_id>:<passage_id>  full text around a passage
VOTE = "v"  # v:<query_id>:<passage_id>:1 or 0  feedback on the page starting with that passage
OUTLINE = "o"  # o:<query_id>:<doc_id>:<page>  a formal document's outline, a page of articles
ARTICLE = "a"  # a:<query_id>:<passage_id>:<edit>  the whole article holding a passage (edit: 1 = in place)
_ARITY = {MORE: 2, FULL: 2, VOTE: 3, OUTLINE: 3, ARTICLE: 3}
# Admins' buttons (bot/handlers/admin.py, announce.py), matched by their handlers' patterns:
UNDO, PAGE, REMOVE, CANCEL = "u", "d", "x", "n"  # u:<doc_id> undo an upload, d:<page> documents list, x:<doc_id>, n
ADMIN_CALLBACK_PATTERN = r"^(?:u:\d{1,18}|d:\d{1,6}|x:\d{1,18}|n)$"
CONFIRM = "b"  # b:<broadcast_id>  send a drafted announcement
CONFIRM_PATTERN = rf"^{CONFIRM}:\d{{1,18}}$"
AUDIENCE = "t"  # t:<doc_id>:<p|m|a>  who may read a document (the buttons under an upload)
AUDIENCE_PATTERN = rf"^{AUDIENCE}:\d{{1,18}}:[pma]$"
AUDIT_PAGE = "h"  # h:<page>  a page of the audit trail
AUDIT_PATTERN = rf"^{AUDIT_PAGE}:\d{{1,6}}$"
_AUDIENCE_CODES = {PUBLIC: "p", MEMBERS: "m", ADMINS: "a"}
_AUDIENCE_BUTTONS = {PUBLIC: "🌐 Công khai", MEMBERS: "👥 Đảng viên", ADMINS: "🔒 Quản trị"}
OUTLINE_PAGE = 8  # articles listed per outline message
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
    if action == ARTICLE and callback.args[2] not in (0, 1):
        raise ValueError("an article view is opened (0) or replaced in place (1)")
    return callback


def answer_keyboard(
    query_id: int, next_offset: int | None, passage_ids: Sequence[int], first_number: int = 1,
    document_id: int | None = None, article_passage_id: int | None = None,
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
    rows = [full, votes]
    document_row = []
    if article_passage_id is not None:
        document_row.append(InlineKeyboardButton("📖 Cả điều, mục", callback_data=Callback(ARTICLE, (query_id, article_passage_id, 0)).encode()))
    if document_id is not None:
        document_row.append(InlineKeyboardButton("📑 Mục lục", callback_data=Callback(OUTLINE, (query_id, document_id, 0)).encode()))
    return InlineKeyboardMarkup(rows + ([document_row] if document_row else []))


def outline_keyboard(query_id: int, document_id: int, entries: Sequence[tuple[str, int]], page: int) -> InlineKeyboardMarkup:
    """One button per article of this page (its label and heading), then ◀ / ▶ between pages.
    `entries` are (button text, first passage id) for the whole outline."""
    start = page * OUTLINE_PAGE
    rows = [
        [InlineKeyboardButton(clip(text, 60), callback_data=Callback(ARTICLE, (query_id, passage_id, 0)).encode())]
        for text, passage_id in entries[start : start + OUTLINE_PAGE]
    ]
    navigation = []
    if page > 0:
        navigation.append(InlineKeyboardButton("◀ Trang trước", callback_data=Callback(OUTLINE, (query_id, document_id, page - 1)).encode()))
    if start + OUTLINE_PAGE < len(entries):
        navigation.append(InlineKeyboardButton("Trang sau ▶", callback_data=Callback(OUTLINE, (query_id, document_id, page + 1)).encode()))
    return InlineKeyboardMarkup(rows + ([navigation] if navigation else []))


def article_keyboard(query_id: int, document_id: int, previous_id: int | None, next_id: int | None, page: int) -> InlineKeyboardMarkup:
    """◀ previous article, the outline page it is listed on, next article ▶; the arrows edit in place."""
    row = []
    if previous_id is not None:
        row.append(InlineKeyboardButton("◀ Trước", callback_data=Callback(ARTICLE, (query_id, previous_id, 1)).encode()))
    row.append(InlineKeyboardButton("📑 Mục lục", callback_data=Callback(OUTLINE, (query_id, document_id, page)).encode()))
    if next_id is not None:
        row.append(InlineKeyboardButton("Sau ▶", callback_data=Callback(ARTICLE, (query_id, next_id, 1)).encode()))
    return InlineKeyboardMarkup([row])


def audience_row(doc_id: int, current: str) -> list[InlineKeyboardButton]:
    """One button per audience, the document's own ticked; pressing one sets it (bot/handlers/access.py)."""
    return [
        InlineKeyboardButton(("✓ " if audience == current else "") + label,
                             callback_data=f"{AUDIENCE}:{doc_id}:{_AUDIENCE_CODES[audience]}")
        for audience, label in _AUDIENCE_BUTTONS.items()
    ]


def parse_audience_callback(data: str) -> tuple[int, str]:
    """(document id, audience) of an audience button's data (already matched by AUDIENCE_PATTERN)."""
    _, doc_id, code = data.split(":")
    return int(doc_id), next(audience for audience, c in _AUDIENCE_CODES.items() if c == code)


def group_answer_keyboard(bot_username: str, deep_link_payload: str) -> InlineKeyboardMarkup:
    """One URL button opening the full answer in a private chat: https://t.me/<bot>?start=<payload>."""
    username = bot_username.removeprefix("@")
    if not _USERNAME.fullmatch(username):
        raise ValueError(f"not a bot username: {bot_username!r}")
    if not _PAYLOAD.fullmatch(deep_link_payload):
        raise ValueError("deep-link payload must be 1-64 characters of A-Z, a-z, 0-9, _ and -")
    url = create_deep_linked_url(username, deep_link_payload)
    return InlineKeyboardMarkup([[InlineKeyboardButton("📖 Xem đầy đủ trong tin nhắn riêng", url=url)]])
