"""Clients: who writes to the bot, their pending deep-link origin, ban and blocked-bot flags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from peewee import JOIN, fn

from atendimento.storage.compiled import first, joined
from atendimento.storage.errors import NotFoundError
from atendimento.storage.records import Atendimento, Client, Thread
from atendimento.storage.tables import Tables, to_record


def get(t: Tables, user_id: int) -> Client | None:
    return first(t, t.clients, Client, user_id=user_id)


def with_thread(t: Tables, user_id: int
                ) -> tuple[Client | None, Thread | None, Atendimento | None]:
    """The client, their thread and its open atendimento, in one statement (read for every
    message a client sends)."""
    c, th, a = t.clients, t.threads, t.atendimentos

    def build(fields: list[Any]) -> Any:
        return (c.select(*fields)
                .join(th, JOIN.LEFT_OUTER, on=(th.client == c.user_id))
                .join(a, JOIN.LEFT_OUTER, on=((a.thread == th.id) & a.ended_at.is_null()))
                .where(c.user_id == 0))

    found = joined(t, "clients.with_thread", ((c, Client), (th, Thread), (a, Atendimento)),
                   build, user_id)
    return found[0] if found else (None, None, None)


def require(t: Tables, user_id: int) -> Client:
    client = get(t, user_id)
    if client is None:
        raise NotFoundError(f"no client with user id {user_id}")
    return client


def find_by_username(t: Tables, username: str) -> Client | None:
    """Case-insensitive, with or without the leading @."""
    name = username.removeprefix("@").lower()
    # A username moves between accounts; `upsert` keeps it on the one Telegram showed it on
    # last, and the newest row wins should two still hold it (rows from before that rule).
    row = (t.clients.select().where(fn.LOWER(t.clients.username) == name)
           .order_by(t.clients.updated_at.desc(), t.clients.user_id.desc()).first())
    return None if row is None else to_record(Client, row)


def upsert(
    t: Tables,
    *,
    user_id: int,
    first_name: str,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
    now: datetime,
) -> Client:
    """Creates the client or refreshes the profile Telegram just showed us.

    Names and username follow Telegram (None clears them); a missing language code keeps the
    one we knew, since Telegram only sometimes sends it.
    """
    c = t.clients
    update: dict[Any, Any] = {
        c.first_name: first_name,
        c.last_name: last_name,
        c.username: username,
        c.updated_at: now,
    }
    if language_code is not None:
        update[c.language_code] = language_code
    with t.atomic():
        if username:
            # Telegram shows a username on one account at a time: whoever held it before
            # has let it go, so /novo @name never reaches them by a stale row.
            c.update(username=None).where(
                (fn.LOWER(c.username) == username.lower()) & (c.user_id != user_id)).execute()
        c.insert(
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            created_at=now,
            updated_at=now,
        ).on_conflict(conflict_target=[c.user_id], update=update).execute()
        return require(t, user_id)


def set_pending_origin(t: Tables, user_id: int, origin: str | None, *, now: datetime) -> None:
    """Remembers the deep-link parameter until the next atendimento opens."""
    _update(t, user_id, now, pending_origin=origin)


def take_pending_origin(t: Tables, user_id: int, *, now: datetime) -> str | None:
    """Returns the pending origin and clears it, in one transaction."""
    with t.atomic():
        origin = require(t, user_id).pending_origin
        if origin is not None:
            _update(t, user_id, now, pending_origin=None)
        return origin


def ban(t: Tables, user_id: int, *, reason: str | None, now: datetime) -> Client:
    """Bans the client; the ban notice and the ignored-message count start over."""
    _update(
        t,
        user_id,
        now,
        banned=True,
        ban_reason=reason,
        banned_at=now,
        ban_notice_sent=False,
        messages_while_banned=0,
    )
    return require(t, user_id)


def unban(t: Tables, user_id: int, *, now: datetime) -> Client:
    _update(
        t,
        user_id,
        now,
        banned=False,
        ban_reason=None,
        banned_at=None,
        ban_notice_sent=False,
        messages_while_banned=0,
    )
    return require(t, user_id)


def mark_ban_notice_sent(t: Tables, user_id: int, *, now: datetime) -> None:
    _update(t, user_id, now, ban_notice_sent=True)


def count_message_while_banned(t: Tables, user_id: int, *, now: datetime) -> int:
    """Adds one to the messages received while banned; returns the new count."""
    c = t.clients
    with t.atomic():
        _update(t, user_id, now, messages_while_banned=c.messages_while_banned + 1)
        return require(t, user_id).messages_while_banned


def set_language(t: Tables, user_id: int, language: str | None, *, now: datetime) -> None:
    """Records the language the client chose (None: back to Telegram's language code)."""
    _update(t, user_id, now, language=language)


def set_blocked_bot(t: Tables, user_id: int, blocked: bool, *, now: datetime) -> None:
    """Records that the client blocked (or unblocked) the bot."""
    _update(t, user_id, now, blocked_bot=blocked)


def _update(t: Tables, user_id: int, now: datetime, **values: Any) -> None:
    c = t.clients
    count = c.update(updated_at=now, **values).where(c.user_id == user_id).execute()
    if count == 0:
        raise NotFoundError(f"no client with user id {user_id}")
