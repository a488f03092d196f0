"""The csat feature's table: asked once per atendimento, rated once, one comment window per
client; the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.features import csat
from atendimento.storage import bind_tables, migrate
from atendimento.storage import csat as csat_rows
from atendimento.storage import threads as thread_rows

from .conftest import BIG_USER_ID


@pytest.fixture
def tables(empty_db):
    migrate(empty_db, features=[csat.migrations()])
    return bind_tables(empty_db)


def ended(tables, thread, now):
    opened = thread_rows.open_atendimento(tables, thread.id, now=now, origin=None)
    return thread_rows.end_atendimento(tables, opened.id, now=now, ended_by=1)


def test_asking_twice_about_one_atendimento_records_it_once(tables, thread, now):
    first = ended(tables, thread, now)
    assert csat_rows.ask(tables, first.id, BIG_USER_ID, now=now)
    assert not csat_rows.ask(tables, first.id, BIG_USER_ID, now=now + timedelta(hours=1))
    row = csat_rows.get(tables, first.id)
    assert row == csat_rows.Rating(first.id, BIG_USER_ID, now)
    assert not row.rated
    assert csat_rows.get(tables, first.id + 1000) is None


def test_the_question_message_and_a_rating_once(tables, thread, now):
    first = ended(tables, thread, now)
    csat_rows.ask(tables, first.id, BIG_USER_ID, now=now)
    csat_rows.set_message(tables, first.id, 2**40)
    until = now + timedelta(hours=24)
    assert csat_rows.rate(tables, first.id, BIG_USER_ID, 4, now=now, comment_until=until)
    assert not csat_rows.rate(tables, first.id, BIG_USER_ID, 1, now=now, comment_until=until)
    row = csat_rows.get(tables, first.id)
    assert (row.message_id, row.rating, row.rated_at, row.comment_until) == (2**40, 4, now,
                                                                             until)
    with pytest.raises(ValueError):
        csat_rows.rate(tables, first.id, BIG_USER_ID, 6, now=now, comment_until=None)


def test_a_comment_is_taken_once_and_closes_the_window(tables, thread, now):
    first = ended(tables, thread, now)
    csat_rows.ask(tables, first.id, BIG_USER_ID, now=now)
    assert csat_rows.awaiting_comment(tables, BIG_USER_ID, 10) is None  # not rated yet
    csat_rows.rate(tables, first.id, BIG_USER_ID, 5, now=now,
                   comment_until=now + timedelta(hours=24))
    assert csat_rows.awaiting_comment(tables, BIG_USER_ID, 10).atendimento_id == first.id
    long = "ótimo \U0001f929 " * 200
    assert csat_rows.take_comment(tables, first.id, long, 10, now=now)
    assert not csat_rows.take_comment(tables, first.id, "again", 11, now=now)
    row = csat_rows.get(tables, first.id)
    assert row.comment == long[:csat_rows.COMMENT_LIMIT] and row.comment_until is None
    assert (row.comment_message_id, row.commented_at) == (10, now)
    # The message taken is still found (a replayed update); any other is not awaited.
    assert csat_rows.awaiting_comment(tables, BIG_USER_ID, 10).atendimento_id == first.id
    assert csat_rows.awaiting_comment(tables, BIG_USER_ID, 11) is None


def test_a_new_rating_closes_the_window_of_an_earlier_one(tables, thread, now):
    first, second = ended(tables, thread, now), ended(tables, thread, now)
    for atendimento in (first, second):
        csat_rows.ask(tables, atendimento.id, BIG_USER_ID, now=now)
    later = now + timedelta(minutes=5)
    csat_rows.rate(tables, first.id, BIG_USER_ID, 3, now=now,
                   comment_until=now + timedelta(hours=24))
    csat_rows.rate(tables, second.id, BIG_USER_ID, 2, now=later,
                   comment_until=later + timedelta(hours=24))
    assert csat_rows.get(tables, first.id).comment_until is None
    assert csat_rows.awaiting_comment(tables, BIG_USER_ID, 1).atendimento_id == second.id
    assert [r.atendimento_id for r in csat_rows.of_client(tables, BIG_USER_ID)] == [second.id,
                                                                                   first.id]
    assert csat_rows.close_comment(tables, BIG_USER_ID) == 1
    assert csat_rows.close_comment(tables, BIG_USER_ID) == 0
    assert csat_rows.awaiting_comment(tables, BIG_USER_ID, 1) is None
