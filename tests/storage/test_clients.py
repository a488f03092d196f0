"""Clients: upsert from Telegram data, pending origin, ban bookkeeping, blocked-bot flag."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.storage import NotFoundError, Tables, clients, threads

from .conftest import BIG_USER_ID, NOW

LATER = NOW + timedelta(minutes=5)


def test_upsert_creates_then_refreshes_the_profile(tables: Tables) -> None:
    created = clients.upsert(
        tables,
        user_id=BIG_USER_ID,
        first_name="Ana",
        last_name="Souza",
        username="ana_souza",
        language_code="pt-br",
        now=NOW,
    )
    assert created.first_name == "Ana" and created.username == "ana_souza"
    assert created.created_at == created.updated_at == NOW
    assert not created.banned and not created.blocked_bot
    assert created.messages_while_banned == 0 and created.pending_origin is None

    updated = clients.upsert(
        tables, user_id=BIG_USER_ID, first_name="Ana Maria", last_name=None, now=LATER
    )

    assert updated.first_name == "Ana Maria"
    assert updated.last_name is None and updated.username is None  # Telegram says they are gone
    assert updated.language_code == "pt-br"  # not sent this time: kept
    assert updated.created_at == NOW and updated.updated_at == LATER
    assert tables.clients.select().count() == 1


def test_upsert_keeps_ban_and_origin(tables: Tables) -> None:
    clients.upsert(tables, user_id=1, first_name="A", now=NOW)
    clients.set_pending_origin(tables, 1, "promo", now=NOW)
    clients.ban(tables, 1, reason="spam", now=NOW)

    again = clients.upsert(tables, user_id=1, first_name="A", language_code="en", now=LATER)

    assert again.banned and again.ban_reason == "spam" and again.pending_origin == "promo"
    assert again.language_code == "en"


def test_get_and_find_by_username(tables: Tables) -> None:
    assert clients.get(tables, BIG_USER_ID) is None
    clients.upsert(tables, user_id=BIG_USER_ID, first_name="Ana", username="Ana_Souza", now=NOW)

    assert clients.get(tables, BIG_USER_ID).user_id == BIG_USER_ID
    assert clients.find_by_username(tables, "@ana_souza").user_id == BIG_USER_ID
    assert clients.find_by_username(tables, "ANA_SOUZA").user_id == BIG_USER_ID
    assert clients.find_by_username(tables, "nobody") is None


def test_pending_origin_is_taken_once(tables: Tables) -> None:
    clients.upsert(tables, user_id=1, first_name="A", now=NOW)
    clients.set_pending_origin(tables, 1, "instagram", now=NOW)

    assert clients.take_pending_origin(tables, 1, now=LATER) == "instagram"
    assert clients.take_pending_origin(tables, 1, now=LATER) is None


def test_ban_counts_messages_and_notice_then_unban_resets(tables: Tables) -> None:
    clients.upsert(tables, user_id=1, first_name="A", now=NOW)

    banned = clients.ban(tables, 1, reason="abuse", now=NOW)
    assert banned.banned and banned.ban_reason == "abuse" and banned.banned_at == NOW
    assert not banned.ban_notice_sent

    clients.mark_ban_notice_sent(tables, 1, now=LATER)
    assert clients.count_message_while_banned(tables, 1, now=LATER) == 1
    assert clients.count_message_while_banned(tables, 1, now=LATER) == 2
    state = clients.get(tables, 1)
    assert state.ban_notice_sent and state.messages_while_banned == 2

    unbanned = clients.unban(tables, 1, now=LATER)
    assert not unbanned.banned and unbanned.ban_reason is None and unbanned.banned_at is None
    assert not unbanned.ban_notice_sent and unbanned.messages_while_banned == 0


def test_blocked_bot_flag(tables: Tables) -> None:
    clients.upsert(tables, user_id=1, first_name="A", now=NOW)
    clients.set_blocked_bot(tables, 1, True, now=LATER)
    assert clients.get(tables, 1).blocked_bot
    clients.set_blocked_bot(tables, 1, False, now=LATER)
    assert not clients.get(tables, 1).blocked_bot


def test_updates_of_an_unknown_client_raise_not_found(tables: Tables) -> None:
    with pytest.raises(NotFoundError):
        clients.ban(tables, 404, reason=None, now=NOW)
    with pytest.raises(NotFoundError):
        clients.set_blocked_bot(tables, 404, True, now=NOW)


def test_with_thread_reads_the_client_their_thread_and_its_open_atendimento(
        tables: Tables) -> None:
    assert clients.with_thread(tables, BIG_USER_ID) == (None, None, None)
    client = clients.upsert(tables, user_id=BIG_USER_ID, first_name="Ana", now=NOW)
    assert clients.with_thread(tables, BIG_USER_ID) == (client, None, None)
    thread = threads.create(tables, client_id=BIG_USER_ID, now=NOW)
    assert clients.with_thread(tables, BIG_USER_ID) == (client, thread, None)
    first = threads.open_atendimento(tables, thread.id, now=NOW, origin="site")
    assert clients.with_thread(tables, BIG_USER_ID) == (client, thread, first)
    assert clients.with_thread(tables, BIG_USER_ID) == (
        clients.get(tables, BIG_USER_ID), threads.get_by_client(tables, BIG_USER_ID),
        threads.current_atendimento(tables, thread.id))
    threads.end_atendimento(tables, first.id, now=LATER, ended_by=1)
    second = threads.open_atendimento(tables, thread.id, now=LATER)
    assert clients.with_thread(tables, BIG_USER_ID)[2] == second
    threads.end_atendimento(tables, second.id, now=LATER, ended_by=1)
    assert clients.with_thread(tables, BIG_USER_ID)[2] is None
