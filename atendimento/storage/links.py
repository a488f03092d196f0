"""Message links: (client chat, message id) <-> (group chat, message id), ids only, no bodies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from peewee import IntegrityError

from atendimento.storage.compiled import first
from atendimento.storage.errors import DuplicateLinkError, NotFoundError, StorageError
from atendimento.storage.fields import to_db_datetime
from atendimento.storage.records import DIRECTIONS, Link
from atendimento.storage.tables import Tables, is_unique_violation, to_record


def add(
    t: Tables,
    *,
    atendimento_id: int,
    direction: str,
    client_chat_id: int,
    client_message_id: int,
    group_chat_id: int,
    group_message_id: int,
    now: datetime,
    media_group_id: str | None = None,
) -> Link:
    """Links a message to its copy; DuplicateLinkError if either side is already linked."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}; got {direction!r}")
    try:
        # A savepoint: on PostgreSQL the failed insert must not abort the caller's transaction.
        with t.atomic():
            link_id = t.links.insert(
                atendimento=atendimento_id,
                direction=direction,
                client_chat_id=client_chat_id,
                client_message_id=client_message_id,
                group_chat_id=group_chat_id,
                group_message_id=group_message_id,
                media_group_id=media_group_id,
                created_at=now,
            ).execute()
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise StorageError(f"cannot store the link: {exc}") from exc
        # Only now look up which side clashed, so the common path stays one statement.
        if _find(t, "client", client_chat_id, client_message_id) is not None:
            where = f"client chat {client_chat_id}"
            message_id = client_message_id
        else:
            where = f"group chat {group_chat_id}"
            message_id = group_message_id
        raise DuplicateLinkError(f"message {message_id} in {where} is already linked") from exc
    # Built rather than read back: links are written for every relayed message.
    return Link(
        id=link_id,
        atendimento_id=atendimento_id,
        direction=direction,
        client_chat_id=client_chat_id,
        client_message_id=client_message_id,
        group_chat_id=group_chat_id,
        group_message_id=group_message_id,
        media_group_id=media_group_id,
        deleted_by_client_at=None,
        created_at=now.astimezone(UTC),
    )


def record(t: Tables, *, atendimento_id: int, direction: str, client_chat_id: int,
           group_chat_id: int, pairs: Sequence[tuple[int, int]], now: datetime,
           media_group_id: str | None = None, sent_at: datetime | None = None) -> int:
    """Links each (client message id, group message id) of `pairs`, skipping a pair whose
    message is linked already (the same send settled twice); how many were new. Written out
    rather than built by peewee: every relayed message is recorded here."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}; got {direction!r}")
    if not pairs:
        return 0
    p, when = t.db.param, to_db_datetime(now)
    sent = None if sent_at is None else to_db_datetime(sent_at)
    values = f"({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
    cursor = t.db.execute_sql(
        "INSERT INTO message_links (atendimento_id, direction, client_chat_id, "
        "client_message_id, group_chat_id, group_message_id, media_group_id, created_at, "
        f"sent_at) VALUES {', '.join([values] * len(pairs))} ON CONFLICT DO NOTHING",
        [value for client_id, group_id in pairs for value in (
            atendimento_id, direction, client_chat_id, client_id, group_chat_id, group_id,
            media_group_id, when, sent)])
    return cursor.rowcount


def find_by_client_message(t: Tables, chat_id: int, message_id: int) -> Link | None:
    """The link of a message in the client's private chat."""
    return _find(t, "client", chat_id, message_id)


def find_by_group_message(t: Tables, chat_id: int, message_id: int) -> Link | None:
    """The link of a message in the discussion group."""
    return _find(t, "group", chat_id, message_id)


def list_media_group(t: Tables, media_group_id: str) -> list[Link]:
    """The links of one album, in the order they were stored."""
    lk = t.links
    rows = lk.select().where(lk.media_group_id == media_group_id).order_by(lk.id)
    return [to_record(Link, row) for row in rows]


def list_for_atendimento(t: Tables, atendimento_id: int) -> list[Link]:
    lk = t.links
    rows = lk.select().where(lk.atendimento == atendimento_id).order_by(lk.id)
    return [to_record(Link, row) for row in rows]


def mark_deleted_by_client(t: Tables, link_id: int, *, now: datetime) -> Link:
    """Notes that the client deleted their side; the link itself stays."""
    lk = t.links
    count = lk.update(deleted_by_client_at=now).where(lk.id == link_id).execute()
    if count == 0:
        raise NotFoundError(f"no link with id {link_id}")
    return _require(t, link_id)


def find_by_client_message_ids(t: Tables, message_ids: list[int]) -> list[Link]:
    """Links of these private-chat message ids, whatever the chat (ids come from one counter)."""
    lk = t.links
    rows = lk.select().where(lk.client_message_id.in_(list(message_ids))).order_by(lk.id)
    return [to_record(Link, row) for row in rows]


def _find(t: Tables, side: str, chat_id: int, message_id: int) -> Link | None:
    if side == "client":
        return first(t, t.links, Link, client_chat_id=chat_id, client_message_id=message_id)
    return first(t, t.links, Link, group_chat_id=chat_id, group_message_id=message_id)


def _require(t: Tables, link_id: int) -> Link:
    link = first(t, t.links, Link, id=link_id)
    if link is None:
        raise NotFoundError(f"no link with id {link_id}")
    return link
