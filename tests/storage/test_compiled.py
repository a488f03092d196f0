"""`compiled.select`/`first`: the same rows and types as peewee's own queries, one statement
per shape, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.storage import Tables, clients, compiled, links, threads
from atendimento.storage.records import TO_TEAM, Atendimento, Client, Link, Thread
from atendimento.storage.tables import to_record
from tests.storage.conftest import BIG_USER_ID, GROUP_ID, NOW


def test_a_row_reads_as_peewee_reads_it(tables: Tables, atendimento: Atendimento) -> None:
    clients.ban(tables, BIG_USER_ID, reason="spam", now=NOW)
    expected = to_record(Client, tables.clients.get(tables.clients.user_id == BIG_USER_ID))
    found = compiled.first(tables, tables.clients, Client, user_id=BIG_USER_ID)
    assert found == expected
    assert found.banned is True and found.created_at == NOW  # converted, aware UTC
    assert found.created_at.tzinfo is not None
    assert compiled.first(tables, tables.clients, Client, user_id=1) is None


def test_null_conditions_order_and_limit(tables: Tables, thread: Thread) -> None:
    first = threads.open_atendimento(tables, thread.id, now=NOW)
    threads.end_atendimento(tables, first.id, now=NOW + timedelta(minutes=1), ended_by=5)
    second = threads.open_atendimento(tables, thread.id, now=NOW + timedelta(minutes=2))
    table = tables.atendimentos
    assert compiled.first(tables, table, Atendimento, thread_id=thread.id,
                          ended_at=None) == second
    newest_first = compiled.select(tables, table, Atendimento, thread_id=thread.id,
                                   order_by=["-number"])
    assert [a.number for a in newest_first] == [2, 1]
    assert newest_first[1].ended_by == 5
    assert compiled.select(tables, table, Atendimento, thread_id=thread.id,
                           order_by=["number"], limit=1) == [newest_first[1]]


def test_one_statement_per_shape(tables: Tables, atendimento: Atendimento) -> None:
    for message_id in (10, 11, 12):
        links.add(tables, atendimento_id=atendimento.id, direction=TO_TEAM,
                  client_chat_id=BIG_USER_ID, client_message_id=message_id,
                  group_chat_id=GROUP_ID, group_message_id=message_id + 100, now=NOW)
    tables.compiled.clear()
    found = [compiled.first(tables, tables.links, Link, client_chat_id=BIG_USER_ID,
                            client_message_id=m) for m in (10, 11, 12, 13)]
    assert [lk.group_message_id if lk else None for lk in found] == [110, 111, 112, None]
    assert len(tables.compiled) == 1
    compiled.first(tables, tables.links, Link, group_chat_id=GROUP_ID, group_message_id=110)
    assert len(tables.compiled) == 2


def test_an_unknown_column_is_refused(tables: Tables) -> None:
    with pytest.raises(ValueError, match="no column"):
        compiled.first(tables, tables.threads, Thread, owner=1)
