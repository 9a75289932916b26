"""The admin store's writes are all or nothing: a failure half-way through leaves no trace (real SQLite)."""

from __future__ import annotations

import sqlite3

import pytest

from bot.admin_store import DB_NAME, AdminStore

CHATS = [-1001, -1002, -1003]
REFUSING_CHAT = -1003


def refuse_deliveries_to(path, chat_id: int) -> None:
    """A trigger that makes queueing for one chat fail, as a full disk or a constraint would, mid-statement."""
    connection = sqlite3.connect(path)
    connection.execute(
        f"CREATE TRIGGER refuse BEFORE INSERT ON deliveries WHEN NEW.chat_id = {chat_id}"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    connection.commit()
    connection.close()


def allow_deliveries(path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("DROP TRIGGER refuse")
    connection.commit()
    connection.close()


@pytest.fixture
def store(tmp_path):
    store = AdminStore(tmp_path / DB_NAME)
    for chat in CHATS:
        store.subscribe(chat, f"Nhóm {chat}")
    yield store
    store.close()


def test_a_confirm_that_fails_half_way_queues_nothing_and_can_be_pressed_again(store):
    broadcast_id = store.draft("Họp chi bộ")
    refuse_deliveries_to(store.path, REFUSING_CHAT)
    with pytest.raises(sqlite3.IntegrityError):
        store.confirm(broadcast_id)
    assert store.pending() == [] and store.counts(broadcast_id) == {"pending": 0, "sent": 0, "failed": 0}
    allow_deliveries(store.path)
    assert store.confirm(broadcast_id) == len(CHATS)  # still a draft: the failed press marked nothing confirmed
    assert store.confirm(broadcast_id) is None


def test_an_announcement_that_fails_leaves_no_draft_behind(store):
    refuse_deliveries_to(store.path, REFUSING_CHAT)
    with pytest.raises(sqlite3.IntegrityError):
        store.announce("Tài liệu mới")
    allow_deliveries(store.path)
    assert store.confirm(1) is None and store.pending() == []
    assert store.announce("Tài liệu mới") == 1  # the failed one left no row: its id was never taken
    assert len(store.pending()) == len(CHATS)


def test_an_unsubscribe_that_fails_keeps_the_subscription_and_its_pending_deliveries(store):
    store.announce("Họp chi bộ")
    connection = sqlite3.connect(store.path)
    connection.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE ON deliveries WHEN NEW.status = 'failed'"
        " BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    connection.commit()
    connection.close()
    with pytest.raises(sqlite3.IntegrityError):
        store.unsubscribe(CHATS[0])
    assert [s.chat_id for s in store.subscriptions()] == sorted(CHATS)
    assert store.counts(1)["pending"] == len(CHATS)
