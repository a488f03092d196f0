"""Message links: found from either side, unique per side, ids only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.storage import DuplicateLinkError, NotFoundError, StorageError, Tables, links
from atendimento.storage.records import Atendimento

from .conftest import BIG_USER_ID, GROUP_ID, NOW


def link(tables: Tables, atendimento: Atendimento, client_msg: int, group_msg: int, **extra):
    values = {
        "atendimento_id": atendimento.id,
        "direction": "to_team",
        "client_chat_id": BIG_USER_ID,
        "client_message_id": client_msg,
        "group_chat_id": GROUP_ID,
        "group_message_id": group_msg,
        "now": NOW,
    }
    return links.add(tables, **(values | extra))


def test_link_is_found_from_both_sides(tables: Tables, atendimento: Atendimento) -> None:
    added = link(tables, atendimento, 10, 2_147_483_700, direction="to_client")

    assert links.find_by_client_message(tables, BIG_USER_ID, 10) == added
    assert links.find_by_group_message(tables, GROUP_ID, 2_147_483_700) == added
    assert added.direction == "to_client" and added.atendimento_id == atendimento.id
    assert links.find_by_client_message(tables, BIG_USER_ID, 2_147_483_700) is None
    assert links.find_by_group_message(tables, BIG_USER_ID, 10) is None


def test_each_side_is_unique(tables: Tables, atendimento: Atendimento) -> None:
    link(tables, atendimento, 10, 20)

    with pytest.raises(DuplicateLinkError, match=f"message 10 in client chat {BIG_USER_ID}"):
        link(tables, atendimento, 10, 21)
    with pytest.raises(DuplicateLinkError, match=f"message 20 in group chat {GROUP_ID}"):
        link(tables, atendimento, 11, 20)
    # Same message ids in other chats are other messages.
    link(tables, atendimento, 20, 10)
    link(tables, atendimento, 10, 20, client_chat_id=BIG_USER_ID + 1, group_chat_id=GROUP_ID - 1)
    assert len(links.list_for_atendimento(tables, atendimento.id)) == 3


def test_duplicate_inside_a_transaction_leaves_it_usable(
    tables: Tables, atendimento: Atendimento
) -> None:
    with tables.atomic():
        link(tables, atendimento, 10, 20)
        with pytest.raises(DuplicateLinkError):
            link(tables, atendimento, 10, 21)
        link(tables, atendimento, 11, 21)
    assert len(links.list_for_atendimento(tables, atendimento.id)) == 2


def test_link_to_unknown_atendimento_is_refused(tables: Tables) -> None:
    with pytest.raises(StorageError) as caught:
        links.add(
            tables,
            atendimento_id=404,
            direction="to_team",
            client_chat_id=1,
            client_message_id=1,
            group_chat_id=GROUP_ID,
            group_message_id=1,
            now=NOW,
        )
    assert not isinstance(caught.value, DuplicateLinkError)


def test_bad_direction_is_a_value_error(tables: Tables, atendimento: Atendimento) -> None:
    with pytest.raises(ValueError, match="direction"):
        link(tables, atendimento, 1, 1, direction="sideways")


def test_album_links_and_client_deletion(tables: Tables, atendimento: Atendimento) -> None:
    album = "13579246801357924"
    first = link(tables, atendimento, 1, 101, media_group_id=album)
    second = link(tables, atendimento, 2, 102, media_group_id=album)
    link(tables, atendimento, 3, 103)

    assert links.list_media_group(tables, album) == [first, second]

    later = NOW + timedelta(minutes=1)
    deleted = links.mark_deleted_by_client(tables, first.id, now=later)
    assert deleted.deleted_by_client_at == later
    assert links.find_by_client_message(tables, BIG_USER_ID, 1) == deleted
    with pytest.raises(NotFoundError):
        links.mark_deleted_by_client(tables, 404, now=later)


def test_links_table_holds_no_message_bodies(db) -> None:
    columns = {c.name for c in db.get_columns("message_links")}
    assert not columns & {"text", "caption", "body", "content", "entities"}


def test_links_found_by_client_message_ids_alone(tables: Tables, atendimento: Atendimento) -> None:
    # Private-chat deletions come without a chat: the message id alone must find the link.
    first = link(tables, atendimento, 7, 107)
    link(tables, atendimento, 8, 108)
    assert links.find_by_client_message_ids(tables, [7, 999]) == [first]
    assert links.find_by_client_message_ids(tables, []) == []
    indexed = {column for index in tables.db.get_indexes("message_links")
               for column in index.columns if len(index.columns) == 1}
    assert "client_message_id" in indexed


def test_record_links_an_album_once_however_often_it_is_settled(
    tables: Tables, atendimento: Atendimento
) -> None:
    def record(pairs: list[tuple[int, int]]) -> int:
        with tables.atomic():
            return links.record(tables, atendimento_id=atendimento.id, direction="to_team",
                                client_chat_id=BIG_USER_ID, group_chat_id=GROUP_ID,
                                pairs=pairs, now=NOW, media_group_id="alb")

    assert record([(20, 3_000_000_001), (21, 3_000_000_002)]) == 2
    assert record([(20, 3_000_000_001), (21, 3_000_000_002), (22, 3_000_000_003)]) == 1
    assert record([]) == 0
    album = links.list_media_group(tables, "alb")
    assert [(lk.client_message_id, lk.group_message_id) for lk in album] == [
        (20, 3_000_000_001), (21, 3_000_000_002), (22, 3_000_000_003)]
    assert album[0] == links.find_by_group_message(tables, GROUP_ID, 3_000_000_001)
    assert album[0].created_at == NOW
    with pytest.raises(ValueError):
        links.record(tables, atendimento_id=atendimento.id, direction="sideways",
                     client_chat_id=BIG_USER_ID, group_chat_id=GROUP_ID, pairs=[(1, 2)], now=NOW)
