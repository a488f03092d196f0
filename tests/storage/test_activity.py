"""Who wrote last in an atendimento, and since when it waits, read from its message links."""

from __future__ import annotations

from datetime import timedelta

from atendimento.storage import activity
from atendimento.storage import links as link_rows
from atendimento.storage import threads as thread_rows
from atendimento.storage.records import TO_CLIENT, TO_TEAM


def link(tables, atendimento, direction, message_id, at):
    link_rows.add(tables, atendimento_id=atendimento.id, direction=direction,
                  client_chat_id=atendimento.thread_id * 1000, client_message_id=message_id,
                  group_chat_id=-100, group_message_id=message_id, now=at)


def test_an_atendimento_without_messages_has_no_activity(tables, atendimento):
    found = activity.get(tables, atendimento.id)
    assert found == activity.Activity(atendimento.id)
    assert not found.answered and not found.answered_last


def test_first_and_last_of_each_side(tables, atendimento, now):
    link(tables, atendimento, TO_TEAM, 1, now)
    link(tables, atendimento, TO_TEAM, 2, now + timedelta(minutes=1))
    assert not activity.get(tables, atendimento.id).answered
    link(tables, atendimento, TO_CLIENT, 3, now + timedelta(minutes=5))
    link(tables, atendimento, TO_CLIENT, 4, now + timedelta(minutes=7))
    found = activity.get(tables, atendimento.id)
    assert (found.first_client_at, found.last_client_at) == (now, now + timedelta(minutes=1))
    assert (found.first_team_at, found.last_team_at) == (now + timedelta(minutes=5),
                                                         now + timedelta(minutes=7))
    assert found.answered and found.answered_last
    link(tables, atendimento, TO_TEAM, 5, now + timedelta(minutes=9))
    assert not activity.get(tables, atendimento.id).answered_last


def test_only_open_atendimentos_are_listed(tables, thread, atendimento, now):
    link(tables, atendimento, TO_TEAM, 1, now)
    assert [(t, a) for t, a, _ in activity.of_open(tables)] == [(thread.id, atendimento.id)]
    thread_rows.end_atendimento(tables, atendimento.id, now=now, ended_by=1)
    assert activity.of_open(tables) == []
