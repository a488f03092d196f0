"""Value fidelity on every backend: big Telegram ids, unicode, aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from atendimento.storage import Tables, clients, links, team, threads

from .conftest import CHANNEL_ID, NOW

BIGGEST = 2**63 - 1  # the BIGINT ceiling; Telegram ids stay far below it, but well above 2**31


@pytest.mark.parametrize("user_id", [2**31, 2**32 + 7, 9_007_199_254_740_991, BIGGEST])
def test_big_user_ids_round_trip(tables: Tables, user_id: int) -> None:
    clients.upsert(tables, user_id=user_id, first_name="Big", now=NOW)
    team.upsert(tables, user_id=user_id, first_name="Big", now=NOW)
    thread = threads.create(tables, client_id=user_id, now=NOW)

    assert clients.get(tables, user_id).user_id == user_id
    assert team.get(tables, user_id).user_id == user_id
    assert threads.get_by_client(tables, user_id).id == thread.id


def test_channel_ids_and_message_ids_round_trip(tables: Tables) -> None:
    user_id = 6_000_000_001
    clients.upsert(tables, user_id=user_id, first_name="A", now=NOW)
    thread = threads.create(tables, client_id=user_id, now=NOW)
    threads.set_card(tables, thread.id, 2**40, now=NOW)
    threads.set_root(tables, thread.id, 2**33 + 1, now=NOW)
    opened = threads.open_atendimento(tables, thread.id, now=NOW)
    threads.end_atendimento(tables, opened.id, now=NOW, ended_by=BIGGEST)

    link = links.add(
        tables,
        atendimento_id=opened.id,
        direction="to_client",
        client_chat_id=user_id,
        client_message_id=2**31 + 5,
        group_chat_id=CHANNEL_ID,
        group_message_id=2**35,
        now=NOW,
    )

    assert links.find_by_group_message(tables, CHANNEL_ID, 2**35) == link
    assert links.find_by_client_message(tables, user_id, 2**31 + 5).group_chat_id == CHANNEL_ID
    assert threads.get_by_card(tables, 2**40).thread_root_id == 2**33 + 1
    assert threads.get_atendimento(tables, opened.id).ended_by == BIGGEST


@pytest.mark.parametrize(
    "name",
    [
        "João Ação",
        "Ана Сузанова",
        "محمد",
        "张伟",
        "👩🏽‍💻 Dev",
        "e\u0301 combining",
        "quote ' and \" and \\ backslash",
    ],
)
def test_unicode_names_round_trip(tables: Tables, name: str) -> None:
    clients.upsert(tables, user_id=1, first_name=name, last_name=name[::-1], now=NOW)
    team.upsert(tables, user_id=1, first_name=name, now=NOW)

    stored = clients.get(tables, 1)
    assert (stored.first_name, stored.last_name) == (name, name[::-1])
    assert team.get(tables, 1).first_name == name


@pytest.mark.parametrize(
    "moment",
    [
        NOW,
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_utc_datetimes_round_trip_aware(tables: Tables, moment: datetime) -> None:
    stored = clients.upsert(tables, user_id=1, first_name="A", now=moment)
    again = clients.get(tables, 1)

    assert again.created_at == moment
    assert again.created_at.utcoffset() == timedelta(0)
    assert stored == again


def test_other_timezones_are_stored_as_utc(tables: Tables) -> None:
    sao_paulo = timezone(timedelta(hours=-3))
    local = datetime(2026, 3, 14, 12, 0, 0, 250000, tzinfo=sao_paulo)

    stored = clients.upsert(tables, user_id=1, first_name="A", now=local)

    assert stored.created_at == local
    assert stored.created_at.tzinfo == UTC
    assert stored.created_at.hour == 15


def test_naive_datetimes_are_refused(tables: Tables) -> None:
    with pytest.raises(ValueError, match="naive"):
        clients.upsert(tables, user_id=1, first_name="A", now=datetime(2026, 1, 1))


def test_datetimes_order_and_compare_in_sql(tables: Tables) -> None:
    # Whole seconds next to fractions: text storage must still sort in time order.
    moments = [NOW + timedelta(seconds=s) for s in (2, 0.5, 1, 0, 1.000001)]
    for user_id, moment in enumerate(moments, start=1):
        clients.upsert(tables, user_id=user_id, first_name="A", now=moment)
        thread = threads.create(tables, client_id=user_id, now=moment)
        threads.open_atendimento(tables, thread.id, now=moment)

    opened = [a.opened_at for a in threads.list_open_atendimentos(tables)]
    assert opened == sorted(moments)

    c = tables.clients
    cutoff = NOW + timedelta(seconds=1)
    earlier = c.select(c.user_id).where(c.created_at < cutoff).order_by(c.user_id)
    assert [row.user_id for row in earlier] == [2, 4]
