"""The wire: TL framing and strict mode, which refuses what would not survive serialisation."""

from __future__ import annotations

import pytest
from pyrogram import raw

from atendimento.sandbox.wire import WireError, decode, decode_call, encode

T = raw.types


def test_strict_decode_refuses_leftover_bytes():
    body = T.PeerUser(user_id=5).write()
    assert decode(body, strict=True) == T.PeerUser(user_id=5)
    with pytest.raises(WireError, match="left over"):
        decode(body + b"\0\0\0\0", strict=True)
    assert decode(body + b"\0\0\0\0", strict=False) == T.PeerUser(user_id=5)


def test_strict_decode_refuses_objects_that_do_not_rewrite():
    # views and forwards share flags.10: setting one alone corrupts the bytes (telegram.md §7.7).
    broken = T.Message(id=1, peer_id=T.PeerUser(user_id=1), date=0, message="x", views=3)
    with pytest.raises(WireError):
        decode(broken.write(), strict=True)


def test_results_encode_bools_and_vectors():
    assert decode(encode(True), strict=True) is True
    users = decode(encode([T.User(id=1, access_hash=2)]), strict=True)
    assert users[0].id == 1 and users[0].restriction_reason == []
    assert list(decode(encode([1, 2, 3]), strict=True)) == [1, 2, 3]


def test_calls_with_a_trailing_vector_of_small_objects_read_back_exactly():
    # pyrogram alone reads these ids back as longs; the server must not.
    call = raw.functions.messages.GetMessages(id=[T.InputMessageID(id=7), T.InputMessageID(id=9)])
    assert decode_call(call.write(), strict=True) == call
    pinned = raw.functions.messages.GetMessages(id=[T.InputMessagePinned()])
    assert decode_call(pinned.write(), strict=True) == pinned
