"""Threads (card, root, state, priority, pin) and their numbered atendimentos."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.storage import ConflictError, NotFoundError, StorageError, Tables, threads
from atendimento.storage.records import Thread

from .conftest import BIG_USER_ID, NOW

LATER = NOW + timedelta(hours=1)


def test_new_thread_is_open_normal_without_card(tables: Tables, thread: Thread) -> None:
    assert thread.client_id == BIG_USER_ID
    assert (thread.state, thread.priority, thread.pinned) == ("open", "normal", False)
    assert thread.card_message_id is None and thread.thread_root_id is None
    assert threads.get_by_client(tables, BIG_USER_ID) == thread


def test_one_thread_per_client(tables: Tables, thread: Thread) -> None:
    with pytest.raises(ConflictError, match="already has a thread"):
        threads.create(tables, client_id=BIG_USER_ID, now=NOW)


def test_thread_for_unknown_client_is_refused(tables: Tables) -> None:
    with pytest.raises(StorageError):
        threads.create(tables, client_id=999, now=NOW)


def test_card_and_root_ids_find_the_thread(tables: Tables, thread: Thread) -> None:
    threads.set_card(tables, thread.id, 1234, now=NOW)
    updated = threads.set_root(tables, thread.id, 5678, now=LATER)

    assert (updated.card_message_id, updated.thread_root_id) == (1234, 5678)
    assert updated.updated_at == LATER
    assert threads.get_by_card(tables, 1234).id == thread.id
    assert threads.get_by_root(tables, 5678).id == thread.id
    assert threads.get_by_card(tables, 5678) is None


def test_card_belongs_to_one_thread(tables: Tables, thread: Thread) -> None:
    from atendimento.storage import clients

    clients.upsert(tables, user_id=2, first_name="B", now=NOW)
    other = threads.create(tables, client_id=2, now=NOW)
    threads.set_card(tables, thread.id, 1234, now=NOW)

    with pytest.raises(ConflictError):
        threads.set_card(tables, other.id, 1234, now=NOW)


def test_state_priority_and_pin(tables: Tables, thread: Thread) -> None:
    ended = threads.set_state(tables, thread.id, "ended", now=LATER, priority="low")
    assert (ended.state, ended.priority) == ("ended", "low")
    assert threads.list_open(tables) == []

    threads.set_state(tables, thread.id, "open", now=LATER)
    urgent = threads.set_priority(tables, thread.id, "urgent", now=LATER)
    assert (urgent.state, urgent.priority) == ("open", "urgent")
    assert threads.set_pinned(tables, thread.id, True, now=LATER).pinned
    assert [t.id for t in threads.list_open(tables)] == [thread.id]


def test_bad_state_or_priority_is_a_value_error(tables: Tables, thread: Thread) -> None:
    with pytest.raises(ValueError, match="priority"):
        threads.set_priority(tables, thread.id, "whenever", now=NOW)
    with pytest.raises(ValueError, match="state"):
        threads.set_state(tables, thread.id, "closed", now=NOW)


def test_updating_a_missing_thread_raises_not_found(tables: Tables) -> None:
    with pytest.raises(NotFoundError):
        threads.set_pinned(tables, 404, True, now=NOW)


def test_atendimentos_are_numbered_within_the_thread(tables: Tables, thread: Thread) -> None:
    first = threads.open_atendimento(tables, thread.id, now=NOW, origin="site")
    assert (first.number, first.origin, first.opened_at, first.is_open) == (1, "site", NOW, True)
    assert threads.current_atendimento(tables, thread.id) == first

    ended = threads.end_atendimento(tables, first.id, now=LATER, ended_by=BIG_USER_ID)
    assert (ended.ended_at, ended.ended_by, ended.is_open) == (LATER, BIG_USER_ID, False)
    assert threads.current_atendimento(tables, thread.id) is None

    second = threads.open_atendimento(tables, thread.id, now=LATER)
    assert (second.number, second.origin) == (2, None)
    assert threads.last_atendimento(tables, thread.id) == second
    assert [a.number for a in threads.list_atendimentos(tables, thread.id)] == [1, 2]
    assert threads.list_open_atendimentos(tables) == [second]


def test_only_one_open_atendimento_per_thread(tables: Tables, thread: Thread) -> None:
    threads.open_atendimento(tables, thread.id, now=NOW)
    with pytest.raises(ConflictError, match="open atendimento"):
        threads.open_atendimento(tables, thread.id, now=NOW)
    assert len(threads.list_atendimentos(tables, thread.id)) == 1


def test_ending_twice_is_a_conflict_and_missing_is_not_found(
    tables: Tables, thread: Thread
) -> None:
    opened = threads.open_atendimento(tables, thread.id, now=NOW)
    threads.end_atendimento(tables, opened.id, now=LATER)  # automatic: nobody ended it
    assert threads.get_atendimento(tables, opened.id).ended_by is None

    with pytest.raises(ConflictError, match="already ended"):
        threads.end_atendimento(tables, opened.id, now=LATER)
    with pytest.raises(NotFoundError):
        threads.end_atendimento(tables, 404, now=LATER)


def test_conflict_inside_a_transaction_leaves_it_usable(tables: Tables, thread: Thread) -> None:
    # On PostgreSQL a failed statement aborts the transaction unless it ran in a savepoint.
    with tables.atomic():
        threads.open_atendimento(tables, thread.id, now=NOW)
        with pytest.raises(ConflictError):
            threads.open_atendimento(tables, thread.id, now=NOW)
        threads.set_priority(tables, thread.id, "high", now=NOW)
    assert threads.get(tables, thread.id).priority == "high"


def test_automatic_answers_stop_once_with_the_first_reason(tables: Tables, thread: Thread) -> None:
    atendimento = threads.open_atendimento(tables, thread.id, now=NOW)
    assert atendimento.autoanswer_off is None

    assert threads.stop_autoanswer(tables, atendimento.id, "client") is True
    assert threads.stop_autoanswer(tables, atendimento.id, "team") is False
    assert threads.require_atendimento(tables, atendimento.id).autoanswer_off == "client"
    with pytest.raises(ValueError):
        threads.stop_autoanswer(tables, atendimento.id, "robot")
    with pytest.raises(NotFoundError):
        threads.stop_autoanswer(tables, 999_999, "team")
