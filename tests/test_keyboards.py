"""Buttons carry short callback data that round-trips, and forged data is refused."""

from __future__ import annotations

import re

import pytest

from bot.keyboards import (
    AUDIENCE_PATTERN,
    FULL,
    MORE,
    VOTE,
    Callback,
    answer_keyboard,
    audience_row,
    group_answer_keyboard,
    parse_audience_callback,
    parse_callback,
)


def buttons(markup):
    return [button for row in markup.inline_keyboard for button in row]


def test_answer_keyboard_has_full_text_per_passage_feedback_and_more():
    markup = answer_keyboard(query_id=42, next_offset=6, passage_ids=[1234, 17, 99], first_number=4)
    full_row, bottom_row = markup.inline_keyboard
    assert [b.text for b in full_row] == ["📄 Toàn văn 4", "📄 5", "📄 6"]
    assert [b.text for b in bottom_row[:2]] == ["👍", "👎"] and bottom_row[2].text.startswith("Xem thêm")
    assert [parse_callback(b.callback_data) for b in buttons(markup)] == [
        Callback(FULL, (42, 1234)),
        Callback(FULL, (42, 17)),
        Callback(FULL, (42, 99)),
        Callback(VOTE, (42, 1234, 1)),
        Callback(VOTE, (42, 1234, 0)),
        Callback(MORE, (42, 6)),
    ]


def test_last_page_has_no_more_button():
    labels = [b.text for b in buttons(answer_keyboard(42, None, [7]))]
    assert labels == ["📄 Toàn văn 1", "👍", "👎"]


def test_a_keyboard_needs_the_passages_shown():
    with pytest.raises(ValueError):
        answer_keyboard(42, None, [])


def test_callback_data_fits_64_bytes_even_with_huge_ids():
    biggest = 10**18 - 1
    for button in buttons(answer_keyboard(biggest, biggest, [biggest] * 3)):
        assert len(button.callback_data.encode()) <= 64
        assert parse_callback(button.callback_data).query_id == biggest


@pytest.mark.parametrize("data, expected", [
    ("m:1:3", Callback(MORE, (1, 3))),
    ("f:0:99", Callback(FULL, (0, 99))),
    ("v:7:12:0", Callback(VOTE, (7, 12, 0))),
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
    "v:1:5:2",               # a vote is 0 or 1
    "v:7:0",                 # a vote names the passage
    "m:1:" + "9" * 19,       # beyond int64
    "M:1:2",                 # actions are case-sensitive
    "m:1:2" + " " * 60,      # over 64 bytes
])
def test_forged_or_malformed_data_is_refused(data):
    with pytest.raises(ValueError):
        parse_callback(data)


def test_callbacks_that_cannot_be_encoded_are_refused():
    with pytest.raises(ValueError):
        Callback(VOTE, (1, 5, 2)).encode()
    with pytest.raises(ValueError):
        Callback(MORE, (-1, 2)).encode()
    with pytest.raises(ValueError):
        answer_keyboard(-5, None, [1])


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


def test_audience_buttons_tick_the_current_one_and_round_trip():
    row = audience_row(123456789012345678, "members")
    assert [b.text for b in row] == ["🌐 Công khai", "✓ 👥 Đảng viên", "🔒 Quản trị"]
    assert all(re.fullmatch(AUDIENCE_PATTERN, b.callback_data) and len(b.callback_data) <= 64 for b in row)
    assert [parse_audience_callback(b.callback_data) for b in row] == [
        (123456789012345678, "public"), (123456789012345678, "members"), (123456789012345678, "admins")]
    assert not re.fullmatch(AUDIENCE_PATTERN, "t:1:x") and not re.fullmatch(AUDIENCE_PATTERN, "t:1:p:2")
