"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests with the real PTB.

Point PTB at it with `.base_url(fake.base_url).base_file_url(fake.base_file_url)`. It long-polls
getUpdates, records every call, validates what Telegram validates (HTML markup, text length,
callback data) and can answer 429 or drop the connection on demand. Stricter than Telegram in
two places, on purpose: a bare `&` and entities nested against the documented rules are errors.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from telegram import Bot

TOKEN = "123456789:TEST-fake-token-vankien"
BOT_ID = 123456789
BOT_USERNAME = "vankien_test_bot"
USER_ID = 1001  # the default human in queued updates
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Văn kiện", "username": BOT_USERNAME}
MAX_TEXT_LENGTH = 4096
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024  # getFile refuses bigger files

# --- Telegram HTML, as the server parses it -------------------------------------------------


class TelegramHTMLError(ValueError):
    """The text would make Telegram answer "can't parse entities"."""


_TAG_ENTITY = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "a": "text_link", "code": "code", "pre": "pre", "span": "spoiler", "tg-spoiler": "spoiler",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_ATTR = r"""([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
_START_TAG = re.compile(rf"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+{_ATTR})*)\s*>")
_END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_telegram_html(text: str) -> str:
    """The text Telegram would show for `text` sent with parse_mode HTML; raises TelegramHTMLError."""
    return _parse_html(text)[0]


def _decode_entities(text: str, base: int, where: str) -> str:
    out, i = [], 0
    while (amp := text.find("&", i)) >= 0:
        out.append(text[i:amp])
        m = _ENTITY.match(text, amp)
        if not m:
            raise TelegramHTMLError(f"Unescaped '&' at byte offset {_byte_offset(where, base + amp)}")
        code = int(m[2]) if m[2] else int(m[3], 16) if m[3] else None
        if code is not None and not 0 < code <= 0x10FFFF:
            raise TelegramHTMLError(f"Invalid character entity at byte offset {_byte_offset(where, base + amp)}")
        out.append(_NAMED_ENTITIES[m[1]] if m[1] else chr(code))
        i = m.end()
    out.append(text[i:])
    return "".join(out)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and message entities (offsets in UTF-16 units), or TelegramHTMLError."""
    visible: list[str] = []
    units = 0
    stack: list[tuple[str, dict[str, Any] | None, int]] = []  # (tag, entity, start in units)
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(text):
        lt = text.find("<", i)
        chunk = _decode_entities(text[i:] if lt < 0 else text[i:lt], i, text)
        visible.append(chunk)
        units += utf16_len(chunk)
        if lt < 0:
            break
        if end := _END_TAG.match(text, lt):
            name = end[1].lower()
            if not stack:
                raise TelegramHTMLError(f'Unexpected end tag "</{name}>" at byte offset {_byte_offset(text, lt)}')
            opened, entity, start = stack.pop()
            if opened != name:
                raise TelegramHTMLError(
                    f'Unmatched end tag at byte offset {_byte_offset(text, lt)}, '
                    f'expected "</{opened}>", found "</{name}>"'
                )
            if entity is not None and units > start:
                entities.append({**entity, "offset": start, "length": units - start})
            i = end.end()
            continue
        start_tag = _START_TAG.match(text, lt)
        if not start_tag:
            raise TelegramHTMLError(f"Unescaped '<' at byte offset {_byte_offset(text, lt)}")
        name = start_tag[1].lower()
        try:
            attrs = {
                m[1].lower(): _decode_entities(next((g for g in m.groups()[1:] if g is not None), ""), 0, "")
                for m in re.finditer(_ATTR, start_tag[2])
            }
        except TelegramHTMLError:
            raise TelegramHTMLError(f"Unescaped '&' in an attribute at byte offset {_byte_offset(text, lt)}") from None
        stack.append((name, _open_tag(name, attrs, stack, _byte_offset(text, lt)), units))
        i = start_tag.end()
    if stack:
        raise TelegramHTMLError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(visible), entities


def _open_tag(name: str, attrs: dict[str, str], stack: list, offset: int) -> dict[str, Any] | None:
    """Check a start tag against Telegram's rules; the entity it opens (None for <code> in <pre>)."""
    if name not in _TAG_ENTITY:
        raise TelegramHTMLError(f'Unsupported start tag "{name}" at byte offset {offset}')
    open_tags = [tag for tag, _, _ in stack]
    if "pre" in open_tags or "code" in open_tags:
        if not (name == "code" and open_tags[-1] == "pre"):
            raise TelegramHTMLError(f'Tag "{name}" can\'t be nested inside "pre" or "code" (byte offset {offset})')
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][1]["language"] = language.removeprefix("language-")
        return None
    if name in ("a", "blockquote") and name in open_tags:
        raise TelegramHTMLError(f'Tag "{name}" can\'t be nested in itself (byte offset {offset})')
    entity: dict[str, Any] = {"type": _TAG_ENTITY[name]}
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise TelegramHTMLError('Tag "span" must have class "tg-spoiler"')
    if name == "a":
        entity["url"] = attrs.get("href", "")
    if name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    if name == "tg-emoji":
        if not attrs.get("emoji-id", "").isdigit():
            raise TelegramHTMLError('Tag "tg-emoji" must have a numeric "emoji-id" attribute')
        entity["custom_emoji_id"] = attrs["emoji-id"]
    return entity


# --- the Bot API -----------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, code: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.response = {"ok": False, "error_code": code, "description": description}
        if parameters:
            self.response["parameters"] = parameters


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request", 403: "Forbidden: bot was blocked by the user", 409: "Conflict",
    500: "Internal Server Error", 502: "Bad Gateway",
}
# Form fields PTB sends as raw strings; every other form field is JSON ("5", "true", "{...}").
_STRING_FIELDS = {
    "text", "parse_mode", "caption", "callback_query_id", "inline_query_id", "file_id", "url",
    "next_offset", "action", "language_code", "inline_message_id", "description", "short_description",
    "name", "title", "query", "switch_pm_text", "switch_pm_parameter", "emoji", "secret_token",
}


@dataclass
class Call:
    """One request the bot made, and what the fake answered (None: the connection was dropped)."""

    method: str
    params: dict[str, Any]
    response: dict[str, Any] | None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response["ok"])

    @property
    def result(self) -> Any:
        return self.response.get("result") if self.response else None


class FakeBotApi:
    """Use as a context manager; `base_url` and `base_file_url` are what PTB needs."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)  # callback/inline query ids, file ids
        self._message_ids: dict[int, itertools.count] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._files: dict[str, tuple[bytes, int, str]] = {}  # file_id -> (content, size, path)
        self._open_queries: set[str] = set()
        self._faults: dict[str, list[dict[str, Any] | None]] = {}
        self._stopped = False
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self.root = f"http://127.0.0.1:{self._server.server_port}"
        self.base_url = f"{self.root}/bot"
        self.base_file_url = f"{self.root}/file/bot"

    def start(self) -> FakeBotApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()  # wake long polls so shutdown does not wait for them
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def bot(self, token: str = TOKEN) -> Bot:
        return Bot(token, base_url=self.base_url, base_file_url=self.base_file_url)

    # --- what tests call ---

    def queue_message(
        self, chat_id: int, text: str, *, chat_type: str = "private", user_id: int | None = None,
        username: str | None = "tester", reply_to_bot: bool = False, message_thread_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Queue a user's text message; commands and @mentions get entities as Telegram adds them.

        The sender is `user_id`, by default the chat itself in private chats and USER_ID in groups.
        """
        extra: dict[str, Any] = {"text": text, "entities": _auto_entities(text) if entities is None else entities}
        return self._queue_user_message(chat_id, chat_type, user_id, username, extra, reply_to_bot, message_thread_id)

    def queue_document(
        self, chat_id: int, content: bytes, *, file_name: str = "document.txt", mime_type: str = "text/plain",
        file_size: int | None = None, file_id: str | None = None, caption: str | None = None,
        chat_type: str = "private", user_id: int | None = None, username: str | None = "tester",
    ) -> dict[str, Any]:
        """Queue a message with a document, its bytes downloadable through getFile."""
        file_id = self.register_file(content, file_id=file_id, file_size=file_size, file_name=file_name)
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
                    "mime_type": mime_type, "file_size": len(content) if file_size is None else file_size}
        extra: dict[str, Any] = {"document": document}
        if caption is not None:
            extra |= {"caption": caption, "caption_entities": _auto_entities(caption)}
        return self._queue_user_message(chat_id, chat_type, user_id, username, extra, False, None)

    def queue_callback(
        self, chat_id: int, data: str, *, message_id: int | None = None, user_id: int | None = None,
        username: str | None = "tester",
    ) -> dict[str, Any]:
        """Queue a button press on `message_id` (default: the bot's latest message in the chat)."""
        with self._cond:
            message = self._messages.get((chat_id, message_id)) if message_id else self._last_bot_message(chat_id)
            if message is None:
                raise AssertionError(f"no message {message_id or '(bot)'} in chat {chat_id} to press a button on")
            query_id = f"cb{next(self._ids)}"
            self._open_queries.add(query_id)
        user = _user(user_id or (chat_id if chat_id > 0 else USER_ID), username)
        return self._queue("callback_query", {"id": query_id, "from": user, "message": message,
                                              "chat_instance": str(chat_id), "data": data})

    def queue_inline_query(
        self, query: str, *, offset: str = "", user_id: int = USER_ID, username: str | None = "tester",
        chat_type: str = "sender",
    ) -> dict[str, Any]:
        with self._cond:
            query_id = f"iq{next(self._ids)}"
            self._open_queries.add(query_id)
        return self._queue("inline_query", {"id": query_id, "from": _user(user_id, username), "query": query,
                                            "offset": offset, "chat_type": chat_type})

    def register_file(self, content: bytes, *, file_id: str | None = None, file_size: int | None = None,
                      file_name: str = "file.bin") -> str:
        """Make `content` downloadable; `file_size` may claim more than len(content) to test limits."""
        with self._cond:
            number = next(self._ids)
            file_id = file_id or f"file{number}"
            path = f"documents/file_{number}{PurePosixPath(file_name).suffix}"
            self._files[file_id] = (content, len(content) if file_size is None else file_size, path)
        return file_id

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Status getChatMember reports: "creator", "administrator", "member", "left" or "kicked"."""
        with self._cond:
            self._members[(chat_id, user_id)] = status

    def queue_chat_member(self, chat_id: int, user_id: int, status: str) -> dict[str, Any]:
        """The user's status in the chat changes (joined, left, kicked): getChatMember reports it from now on,
        and a chat_member update says so, as Telegram sends it to a bot that is an admin of the chat."""
        with self._cond:
            old = self._members.get((chat_id, user_id), "member")
            self._members[(chat_id, user_id)] = status
            chat = self._chat(chat_id, None if chat_id in self._chats else "supergroup")
        return self._queue("chat_member", {
            "chat": chat, "from": _user(user_id, None), "date": int(time.time()),
            "old_chat_member": _chat_member(user_id, old), "new_chat_member": _chat_member(user_id, status),
        })

    def fail_next(self, method: str, error_code: int = 429, *, retry_after: int | None = None,
                  description: str | None = None, times: int = 1) -> None:
        if error_code == 429:
            retry_after = retry_after or 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        params = {"retry_after": retry_after} if retry_after else {}
        error = ApiError(error_code, description or _DEFAULT_DESCRIPTIONS.get(error_code, "Error"), **params)
        with self._cond:
            self._faults.setdefault(method, []).extend([error.response] * times)

    def drop_next(self, method: str, times: int = 1) -> None:
        """Close the connection without answering the next `times` calls of `method`."""
        with self._cond:
            self._faults.setdefault(method, []).extend([None] * times)

    def calls(self, method: str | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The first `count` calls of `method`, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(found := [c for c in self._calls if c.method == method]) < count:
                if not self._cond.wait(deadline - time.monotonic()) and time.monotonic() >= deadline:
                    seen = [c.method for c in self._calls if c.method != "getUpdates"]
                    raise AssertionError(f"waited {timeout}s for {count} {method} call(s), got {len(found)}; saw {seen}")
            return found[:count]

    async def async_wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """wait_for from inside the event loop the bot runs on, without blocking that loop."""
        return await asyncio.to_thread(self.wait_for, method, count, timeout)

    # --- updates and messages ---

    def _queue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            update = {"update_id": next(self._update_ids), kind: payload}
            self._updates.append(update)
            self._cond.notify_all()
            return update

    def _queue_user_message(self, chat_id, chat_type, user_id, username, extra, reply_to_bot, thread_id):
        with self._cond:
            user = _user(user_id or (chat_id if chat_type == "private" else USER_ID), username)
            chat = self._chat(chat_id, chat_type, user, forum=thread_id is not None)
            if thread_id is not None:
                extra |= {"message_thread_id": thread_id, "is_topic_message": True}
            if reply_to_bot:
                extra["reply_to_message"] = self._last_bot_message(chat_id) or self._new_message(
                    chat_id, BOT_USER, {"text": "…"})
            return self._queue("message", self._new_message(chat["id"], user, extra))

    def _chat(self, chat_id: int, chat_type: str | None = None, user: dict | None = None, forum: bool = False):
        if chat_type is None and chat_id in self._chats:
            return self._chats[chat_id]
        chat_type = chat_type or ("private" if chat_id > 0 else "supergroup")
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": (user or {}).get("first_name", "Người dùng")}
            if user and user.get("username"):
                chat["username"] = user["username"]
        else:
            chat = {"id": chat_id, "type": chat_type, "title": "Nhóm thử nghiệm", "is_forum": forum}
        self._chats[chat_id] = chat
        return chat

    def _new_message(self, chat_id: int, sender: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
        ids = self._message_ids.setdefault(chat_id, itertools.count(1))
        message = {"message_id": next(ids), "date": int(time.time()), "chat": self._chat(chat_id), "from": sender, **extra}
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _last_bot_message(self, chat_id: int) -> dict[str, Any] | None:
        own = [m for (c, _), m in self._messages.items() if c == chat_id and m["from"]["id"] == BOT_ID]
        return max(own, key=lambda m: m["message_id"], default=None)

    # --- dispatch ---

    def _answer(self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> dict | None:
        """Answer one API call; None means drop the connection.

        Each Bot API method is a `_api_<method>` running under the lock; an ApiError it raises
        becomes Telegram's error answer.
        """
        with self._cond:
            faults = self._faults.get(method)
            fault = faults.pop(0) if faults else False
        if fault is not False:
            response = fault
        else:
            api = getattr(self, "_api_" + method, None)
            try:
                if api is None:
                    raise ApiError(404, f"Not Found: the fake Bot API does not implement {method}")
                with self._cond:  # getUpdates releases it while it waits
                    response = {"ok": True, "result": api(params | files)}
            except (KeyError, TypeError, ValueError) as error:  # a missing or malformed parameter
                response = ApiError(400, f"Bad Request: {type(error).__name__}: {error}").response
            except ApiError as error:
                response = error.response
        with self._cond:
            self._calls.append(Call(method, params, response, files))
            self._cond.notify_all()
        return response

    def _api_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset, limit = int(p.get("offset") or 0), int(p.get("limit") or 100)
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        while True:
            if offset < 0:
                self._updates = self._updates[offset:]
            elif offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if self._updates or self._stopped or time.monotonic() >= deadline:
                return self._updates[:limit]
            self._cond.wait(deadline - time.monotonic())

    def _api_getMe(self, p):
        return BOT_USER | {"can_join_groups": True, "can_read_all_group_messages": False,
                           "supports_inline_queries": True}

    def _api_deleteWebhook(self, p):
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_getWebhookInfo(self, p):
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def _trivially_true(self, p):
        return True

    _api_setMyCommands = _api_deleteMyCommands = _api_sendChatAction = _api_close = _api_logOut = _trivially_true
    _api_setMyDescription = _api_setMyShortDescription = _trivially_true
    _api_setWebhook = _trivially_true  # updates are then posted to the bot by the test (see tests/test_bot_postgres.py)

    def _api_sendMessage(self, p):
        chat_id = _chat_id(p)
        extra = _message_content(p.get("text", ""), p.get("parse_mode"), p.get("entities"), p.get("reply_markup"))
        if p.get("message_thread_id"):
            extra |= {"message_thread_id": p["message_thread_id"], "is_topic_message": True}
        reply_to = (p.get("reply_parameters") or {}).get("message_id") or p.get("reply_to_message_id")
        if reply_to:
            replied = self._messages.get((chat_id, reply_to))
            if replied is None and not (p.get("reply_parameters") or {}).get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
            if replied is not None:
                extra["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
        return self._new_message(chat_id, BOT_USER, extra)

    def _api_sendDocument(self, p):
        """Multipart upload; the file's bytes are in the recorded Call's `files`."""
        if "caption" in p:
            caption = _message_content(p["caption"], p.get("parse_mode"), p.get("caption_entities"), None)
            if utf16_len(caption["text"]) > 1024:
                raise ApiError(400, "Bad Request: message caption is too long")
        number, upload = next(self._ids), p.get("document")
        document = {"file_id": f"sent{number}", "file_unique_id": f"usent{number}"}
        if isinstance(upload, tuple):  # (file name, bytes); a string would be a file_id sent again
            document |= {"file_name": upload[0], "file_size": len(upload[1])}
        extra = {"document": document} | _inline_markup(p.get("reply_markup"))
        if "caption" in p:
            extra |= {"caption": caption["text"], "caption_entities": caption.get("entities", [])}
        return self._new_message(_chat_id(p), BOT_USER, extra)

    def _api_editMessageText(self, p):
        content = _message_content(p.get("text", ""), p.get("parse_mode"), p.get("entities"), p.get("reply_markup"))
        return self._edit(p, content)

    def _api_editMessageReplyMarkup(self, p):
        old = self._own_message(p, "edit") if "inline_message_id" not in p else {}
        content = {k: v for k, v in old.items() if k in ("text", "entities")}
        return self._edit(p, content | _inline_markup(p.get("reply_markup")))

    def _edit(self, p, content):
        if "inline_message_id" in p:
            return True
        old = self._own_message(p, "edit")
        if all(old.get(k) == content.get(k) for k in ("text", "entities", "reply_markup")):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and reply "
                                "markup are exactly the same as a current content and reply markup of the message")
        kept = {k: v for k, v in old.items() if k not in ("text", "entities", "reply_markup")}
        new = kept | content | {"edit_date": int(time.time())}
        self._messages[(old["chat"]["id"], old["message_id"])] = new
        return new

    def _own_message(self, p, verb: str) -> dict[str, Any]:
        message = self._messages.get((_chat_id(p), p.get("message_id")))
        if message is None:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        if verb == "edit" and message["from"]["id"] != BOT_ID:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _api_deleteMessage(self, p):
        message = self._own_message(p, "delete")
        del self._messages[(message["chat"]["id"], message["message_id"])]
        return True

    def _take_query(self, query_id: str) -> None:
        if query_id not in self._open_queries:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self._open_queries.discard(query_id)

    def _api_answerCallbackQuery(self, p):
        if len(p.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._take_query(p.get("callback_query_id"))
        return True

    def _api_answerInlineQuery(self, p):
        results = p.get("results") or []
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        if len({r.get("id") for r in results}) != len(results):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        for result in results:
            if not 1 <= len(str(result.get("id", "")).encode()) <= 64:
                raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
            if result.get("type") == "article" and not result.get("title"):
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                try:
                    _message_content(content["message_text"], content.get("parse_mode"), content.get("entities"), None)
                except ApiError as error:
                    if "too long" in error.response["description"]:
                        raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG") from None
                    raise
            _inline_markup(result.get("reply_markup"))
        self._take_query(p.get("inline_query_id"))
        return True

    def _api_getChatMember(self, p):
        chat_id, user_id = _chat_id(p), int(p["user_id"])
        return _chat_member(user_id, self._members.get((chat_id, user_id), "member"))

    def _api_getChat(self, p):
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels")
        return self._chat(_chat_id(p)) | {"accent_color_id": 0, "max_reaction_count": 11,
                                          "accepted_gift_types": dict.fromkeys(gifts, False)}

    def _api_getFile(self, p):
        if p.get("file_id") not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        _, size, path = self._files[p["file_id"]]
        if size > MAX_DOWNLOAD_SIZE:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": p["file_id"], "file_unique_id": f"u{p['file_id']}", "file_size": size, "file_path": path}

    def _file_content(self, path: str) -> bytes | None:
        with self._cond:
            return next((content for content, _, p in self._files.values() if p == path), None)


def _user(user_id: int, username: str | None) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Người dùng", "language_code": "vi"}
    return user | ({"username": username} if username else {})


def _chat_member(user_id: int, status: str) -> dict[str, Any]:
    """A ChatMember object as Telegram sends it for that status."""
    member: dict[str, Any] = {"status": status, "user": _user(user_id, None)}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        rights = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                  "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
                  "can_edit_stories", "can_delete_stories")
        member |= {"can_be_edited": False, "is_anonymous": False} | dict.fromkeys(rights, True)
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _chat_id(p: dict[str, Any]) -> int:
    try:
        return int(p.get("chat_id"))
    except (TypeError, ValueError):
        raise ApiError(400, "Bad Request: chat not found") from None


def _auto_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command and mention entities Telegram attaches to a user's text."""
    entities = []
    if command := re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{5,32})?", text):
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for mention in re.finditer(r"(?<![\w@/])@[A-Za-z0-9_]{5,32}", text):
        entities.append({"type": "mention", "offset": utf16_len(text[: mention.start()]),
                         "length": utf16_len(mention[0])})
    return entities


def _message_content(text: str, parse_mode: str | None, entities: list | None, markup: dict | None) -> dict:
    """The text, entities and keyboard Telegram would store for an outgoing message, or ApiError."""
    if parse_mode is None:
        visible, entities = text, entities or []
    elif parse_mode.lower() == "html":
        try:
            visible, entities = _parse_html(text)
        except TelegramHTMLError as error:
            raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
    else:
        raise ApiError(400, f"Bad Request: the fake Bot API parses only HTML, not {parse_mode}")
    if not visible.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(visible) > MAX_TEXT_LENGTH:
        raise ApiError(400, "Bad Request: message is too long")
    return {"text": visible} | ({"entities": entities} if entities else {}) | _inline_markup(markup)


def _inline_markup(markup: dict | None) -> dict[str, Any]:
    """{"reply_markup": markup} for an inline keyboard (the only kind Telegram echoes), or ApiError."""
    if not markup or "inline_keyboard" not in markup:
        return {}
    for row in markup["inline_keyboard"]:
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
            if "callback_data" in button and not 1 <= len(button["callback_data"].encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if "url" in button and not re.fullmatch(r"(https?|tg)://[^\s]+", button["url"]):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
            if set(button) <= {"text"}:
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    return {"reply_markup": markup}


def _form_value(name: str, value: str) -> Any:
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _decode_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """PTB sends form fields (strings raw, the rest JSON-encoded), multipart with files; others send JSON."""
    if not body:
        return {}, {}
    if content_type.startswith("application/json"):
        return json.loads(body), {}
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        params, files = {}, {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                files[name] = (part.get_filename(), payload)
            else:
                params[name] = _form_value(name, payload.decode("utf-8"))
        return params, files
    pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    return {name: _form_value(name, value) for name, value in pairs}, {}


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up mid-answer (a long poll cancelled at shutdown) is not an error."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    disable_nagle_algorithm = True  # otherwise delayed ACKs add ~40 ms to every call

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        fake: FakeBotApi = self.server.fake  # type: ignore[attr-defined]
        if url.path.startswith("/file/bot"):
            content = fake._file_content(unquote(url.path).removeprefix(f"/file/bot{TOKEN}/"))
            return self._send(200, content, "application/octet-stream") if content is not None else \
                self._send_json({"ok": False, "error_code": 404, "description": "Not Found"})
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", url.path)
        if match is None:
            return self._send_json({"ok": False, "error_code": 404, "description": "Not Found"})
        if match[1] != TOKEN:
            return self._send_json({"ok": False, "error_code": 401, "description": "Unauthorized"})
        params, files = _decode_body(self.headers.get("Content-Type", ""), body)
        params |= {name: _form_value(name, value) for name, value in parse_qsl(url.query)}
        response = fake._answer(match[2], params, files)
        if response is None:
            self.close_connection = True
            return None
        return self._send_json(response)

    do_GET = do_POST

    def _send_json(self, response: dict[str, Any]) -> None:
        status = 200 if response["ok"] else response["error_code"]
        self._send(status, json.dumps(response, ensure_ascii=False).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines carry the token."""


def queue_photo(fake: FakeBotApi, chat_id: int, content: bytes, *, width: int, height: int) -> dict[str, Any]:
    """Queue a photo message (sent as a photo, not a file): a small thumbnail and the full size, largest last."""
    file_id = fake.register_file(content, file_name="photo.jpg")
    sizes = [{"file_id": f"{file_id}-thumb", "file_unique_id": "thumb", "width": 90, "height": 90, "file_size": 1000},
             {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": width, "height": height,
              "file_size": len(content)}]
    return fake._queue_user_message(chat_id, "private", None, "tester", {"photo": sizes}, False, None)
