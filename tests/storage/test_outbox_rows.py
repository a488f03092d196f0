"""The outbox rows: insert-or-get by key, settling, what is pending."""

from __future__ import annotations

from atendimento.storage import Tables
from atendimento.storage import outbox as rows

from .conftest import GROUP_ID, NOW


def new(key: str, random_id: int, text: str = "oi") -> rows.NewItem:
    return rows.NewItem(key, GROUP_ID, "text", {"text": text, "spans": [["bold", 0, 2]]},
                        random_id)


def test_put_writes_rows_in_order_and_hands_them_back(tables: Tables) -> None:
    made = rows.put(tables, [new("a", 11), new("b", 12, "olá")], NOW)
    assert [(i.key, i.random_id, i.state, i.result) for i in made] == [
        ("a", 11, rows.PENDING, None), ("b", 12, rows.PENDING, None)]
    assert made[0].id != made[1].id
    assert rows.pending(tables) == made


def test_a_decision_taken_again_gets_the_first_rows(tables: Tables) -> None:
    first = rows.put(tables, [new("a", 11)], NOW)
    again = rows.put(tables, [new("b", 22), new("a", 99, "other")], NOW)
    assert again[1] == first[0]  # the first random id and payload, not the new ones
    assert again[0].key == "b" and again[0].random_id == 22
    assert [i.key for i in rows.pending(tables)] == ["a", "b"]


def test_a_key_twice_in_one_put_is_one_row(tables: Tables) -> None:
    made = rows.put(tables, [new("album", 5), new("album", 6)], NOW)
    assert made[0] == made[1] and made[0].random_id == 5
    assert len(rows.pending(tables)) == 1


def test_settled_rows_are_no_longer_pending_and_keep_their_result(tables: Tables) -> None:
    sent, failed, waiting = rows.put(tables, [new("s", 1), new("f", 2), new("w", 3)], NOW)
    rows.settle(tables, sent.id, rows.SENT, [[7, 70]], NOW)
    rows.settle(tables, failed.id, rows.FAILED, ["blocked", "USER_IS_BLOCKED"], NOW)
    assert rows.pending(tables) == [waiting]
    again = rows.put(tables, [new("s", 9), new("f", 9)], NOW)
    assert [(i.state, i.result) for i in again] == [
        (rows.SENT, [[7, 70]]), (rows.FAILED, ["blocked", "USER_IS_BLOCKED"])]
