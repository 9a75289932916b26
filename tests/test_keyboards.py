"""Buttons carry short callback data that round-trips, and forged data is refused."""

from __future__ import annotations

import pytest

from bot.keyboards import (
    FULL,
    MORE,
    VOTE,
    Callback,
    answer_keyboard,
    group_answer_keyboard,
    parse_callback,
)


def buttons(markup):
    return [button for row in markup.inline_keyboard for button in row]


def test_answer_keyboard_has_more_full_text_and_feedback():
    markup = answer_keyboard(query_id=42, next_offset=3, passage_id=1234)
    labels = [b.text for b in buttons(markup)]
    assert labels[0].startswith("Xem thêm") and "Toàn văn" in labels[1] and labels[2:] == ["👍", "👎"]
    assert [parse_callback(b.callback_data) for b in buttons(markup)] == [
        Callback(MORE, (42, 3)),
        Callback(FULL, (42, 1234)),
        Callback(VOTE, (42, 1)),
        Callback(VOTE, (42, 0)),
    ]


def test_last_page_has_no_more_button():
    labels = [b.text for b in buttons(answer_keyboard(42, None, 7))]
    assert not any(label.startswith("Xem thêm") for label in labels) and len(labels) == 3


def test_callback_data_fits_64_bytes_even_with_huge_ids():
    biggest = 10**18 - 1
    for button in buttons(answer_keyboard(biggest, biggest, biggest)):
        assert len(button.callback_data.encode()) <= 64
        assert parse_callback(button.callback_data).query_id == biggest


@pytest.mark.parametrize("data, expected", [
    ("m:1:3", Callback(MORE, (1, 3))),
    ("f:0:99", Callback(FULL, (0, 99))),
    ("v:7:0", Callback(VOTE, (7, 0))),
])
def test_well_formed_data_is_parsed(data, expected):
    assert parse_callback(data) == expected
    assert expected.encode() == data


@pytest.mark.parametrize("data", [
    "",                      # empty
    "x:1:2",                 # unknown action
    "m:1",                   # too few arguments
    "m:1:2:3",               # too many
    "m:1:",                  # empty argument
    "m:a:2",                 # not a number
    "m:-1:2",                # negative
    "m:+1:2",                # sign
    "m: 1:2",                # space
    "m:01:2",                # not canonical
    "m:1.0:2",               # not an integer
    "m:١:2",                 # non-ASCII digit that int() would accept
    "m:1_000:2",             # underscore that int() would accept
    "m:1:2\n",               # trailing newline
    "v:1:2",                 # a vote is 0 or 1
    "m:1:" + "9" * 19,       # beyond int64
    "M:1:2",                 # actions are case-sensitive
    "m:1:2" + " " * 60,      # over 64 bytes
])
def test_forged_or_malformed_data_is_refused(data):
    with pytest.raises(ValueError):
        parse_callback(data)


def test_callbacks_that_cannot_be_encoded_are_refused():
    with pytest.raises(ValueError):
        Callback(VOTE, (1, 5)).encode()
    with pytest.raises(ValueError):
        Callback(MORE, (-1, 2)).encode()
    with pytest.raises(ValueError):
        answer_keyboard(-5, None, 1)


def test_group_keyboard_links_to_a_private_chat_with_the_payload():
    [button] = buttons(group_answer_keyboard("@vankien_test_bot", "q42-a_b"))
    assert button.url == "https://t.me/vankien_test_bot?start=q42-a_b"
    assert button.callback_data is None


@pytest.mark.parametrize("payload", ["", "a" * 65, "có dấu", "a b", "a/b", "q42\n", "a=b"])
def test_group_keyboard_refuses_payloads_telegram_would_not_pass(payload):
    with pytest.raises(ValueError):
        group_answer_keyboard("vankien_test_bot", payload)


def test_group_keyboard_refuses_bad_usernames():
    with pytest.raises(ValueError):
        group_answer_keyboard("bad name", "q1")
