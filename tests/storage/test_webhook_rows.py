"""The webhook delivery queue: one row per event and URL, the due head of each URL and client,
settling, the queue's depth and pruning; the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.features import webhooks
from atendimento.storage import bind_tables, migrate
from atendimento.storage import webhooks as rows

from .conftest import BIG_USER_ID, NOW

A, B = "https://crm.example/hook?key=1", "https://other.example/events"
OTHER_CLIENT = BIG_USER_ID + 1


@pytest.fixture
def tables(empty_db):
    migrate(empty_db, features=[webhooks.migrations()])
    return bind_tables(empty_db)


def new(event_id: str, url: str = A, client_id: int = BIG_USER_ID,
        body: str = '{"type":"message.received"}') -> rows.NewDelivery:
    return rows.NewDelivery(event_id, url, client_id, "message.received", body)


def row(tables, delivery_id: int) -> dict:
    cursor = tables.db.execute_sql(
        "SELECT state, attempts, last_error, settled_at, next_at FROM webhook_deliveries "
        f"WHERE id = {tables.db.param}", (delivery_id,))
    found = cursor.fetchone()
    return dict(zip(("state", "attempts", "last_error", "settled_at", "next_at"), found,
                    strict=True)) if found else {}


def ids(deliveries) -> list[str]:
    return [d.event_id for d in deliveries]


def test_rows_come_back_as_written(tables):
    body = '{"data":{"text":"olá \U0001f600 \\"aspas\\""}}'
    assert rows.enqueue(tables, [new("e1", body=body)], NOW) == 1
    (head,) = rows.heads(tables, NOW)
    assert (head.event_id, head.url, head.client_id, head.event_type, head.body) == (
        "e1", A, BIG_USER_ID, "message.received", body)
    assert (head.created_at, head.next_at, head.attempts) == (NOW, NOW, 0)
    assert head.created_at.utcoffset() == timedelta(0)


def test_an_event_is_queued_once_per_url_however_often_it_is_written(tables):
    assert rows.enqueue(tables, [new("e1", A), new("e1", B), new("e1", A)], NOW) == 2
    # A listener run again after a crash writes the same rows: nothing new, first body kept.
    assert rows.enqueue(tables, [new("e1", A, body="{}"), new("e1", B)], NOW) == 0
    assert rows.enqueue(tables, [new("e1", A), new("e2", A)], NOW) == 1
    assert sorted((d.event_id, d.url, d.body) for d in rows.heads(tables, NOW)) == [
        ("e1", A, '{"type":"message.received"}'), ("e1", B, '{"type":"message.received"}')]
    assert rows.depth(tables) == (3, NOW)
    assert rows.enqueue(tables, [], NOW) == 0


def test_heads_are_the_oldest_pending_row_of_each_url_and_client(tables):
    rows.enqueue(tables, [new("a1"), new("b1", client_id=OTHER_CLIENT), new("a2"),
                          new("a1", B), new("b2", client_id=OTHER_CLIENT)], NOW)
    heads = rows.heads(tables, NOW)
    assert [(d.event_id, d.url) for d in heads] == [("a1", A), ("b1", A), ("a1", B)]
    assert ids(rows.heads(tables, NOW, limit=2)) == ["a1", "b1"]
    rows.delivered(tables, heads[0].id, NOW)
    assert [(d.event_id, d.url) for d in rows.heads(tables, NOW)] == [
        ("b1", A), ("a2", A), ("a1", B)]


def test_a_head_waiting_for_its_retry_holds_back_only_its_own_client_and_url(tables):
    rows.enqueue(tables, [new("a1"), new("a2"), new("b1", client_id=OTHER_CLIENT),
                          new("a1", B)], NOW)
    first = rows.heads(tables, NOW)[0]
    later = NOW + timedelta(seconds=10)
    rows.retry(tables, first.id, later, "HTTP 500")
    # a2 is due, but never goes before a1: the client waits, the others do not.
    assert [(d.event_id, d.url) for d in rows.heads(tables, NOW)] == [("b1", A), ("a1", B)]
    assert row(tables, first.id)["attempts"] == 1
    assert row(tables, first.id)["last_error"] == "HTTP 500"
    assert rows.heads(tables, later - timedelta(microseconds=1))[0].event_id == "b1"
    again = rows.heads(tables, later)
    assert [(d.event_id, d.url, d.attempts) for d in again][:1] == [("a1", A, 1)]
    assert again[0].next_at == later


def test_a_failed_head_lets_the_next_row_go(tables):
    rows.enqueue(tables, [new("a1"), new("a2")], NOW)
    first = rows.heads(tables, NOW)[0]
    rows.retry(tables, first.id, NOW + timedelta(hours=1), "timeout")
    assert rows.heads(tables, NOW) == []
    gave_up = NOW + timedelta(hours=24)
    rows.failed(tables, first.id, "x" * 2000, gave_up)
    assert ids(rows.heads(tables, gave_up)) == ["a2"]
    settled = row(tables, first.id)
    assert (settled["state"], settled["attempts"]) == (rows.FAILED, 2)
    assert 0 < len(settled["last_error"]) <= 500
    assert rows.states(tables) == {rows.FAILED: 1, rows.PENDING: 1}


def test_delivered_rows_are_settled_and_leave_the_queue(tables):
    rows.enqueue(tables, [new("a1"), new("b1", client_id=OTHER_CLIENT)], NOW)
    first, second = rows.heads(tables, NOW)
    later = NOW + timedelta(seconds=3)
    rows.delivered(tables, first.id, later)
    settled = row(tables, first.id)
    assert (settled["state"], settled["attempts"], settled["last_error"]) == (
        rows.DELIVERED, 1, None)
    assert settled["settled_at"] is not None
    assert ids(rows.heads(tables, later)) == ["b1"]
    assert rows.depth(tables) == (1, NOW)
    rows.delivered(tables, second.id, later)
    assert rows.heads(tables, later) == []
    assert rows.depth(tables) == (0, None)


def test_depth_counts_pending_rows_and_the_oldest_time(tables):
    assert rows.depth(tables) == (0, None)
    rows.enqueue(tables, [new("old")], NOW)
    rows.enqueue(tables, [new("new", B)], NOW + timedelta(minutes=5))
    count, oldest = rows.depth(tables)
    assert (count, oldest) == (2, NOW)
    assert oldest.utcoffset() == timedelta(0)


def test_prune_forgets_only_rows_settled_before_the_limit(tables):
    rows.enqueue(tables, [new("delivered"), new("failed", B), new("recent", client_id=7),
                          new("pending", client_id=8)], NOW)
    by_id = {d.event_id: d.id for d in rows.heads(tables, NOW)}
    rows.delivered(tables, by_id["delivered"], NOW)
    rows.failed(tables, by_id["failed"], "HTTP 410", NOW)
    rows.delivered(tables, by_id["recent"], NOW + timedelta(days=2))
    assert rows.prune(tables, NOW + timedelta(days=1)) == 2
    assert rows.states(tables) == {rows.DELIVERED: 1, rows.PENDING: 1}
    assert ids(rows.heads(tables, NOW)) == ["pending"]
    # Pending rows are never pruned, however old.
    assert rows.prune(tables, NOW + timedelta(days=365)) == 1
    assert rows.states(tables) == {rows.PENDING: 1}


def test_the_order_is_the_order_written_also_across_calls(tables):
    for n in range(5):
        rows.enqueue(tables, [new(f"e{n}")], NOW - timedelta(seconds=n))  # clock went back
    seen = []
    while heads := rows.heads(tables, NOW):
        (head,) = heads
        seen.append(head.event_id)
        rows.delivered(tables, head.id, NOW)
    assert seen == ["e0", "e1", "e2", "e3", "e4"]
