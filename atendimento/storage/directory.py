"""What the HTTP API reads: pages of clients (by tag, open or not, changed since), one
client with their atendimento, and an atendimento's timeline (message ids and times).

A client counts as changed at the latest of their row's change, their thread's (opened,
ended, re-prioritised, pinned) and their newest relayed message."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN, fn

from atendimento.storage import activity as activity_rows
from atendimento.storage import handovers as handover_rows
from atendimento.storage import tags as tag_rows
from atendimento.storage.activity import Activity
from atendimento.storage.handovers import Handover
from atendimento.storage.records import OPEN, Atendimento, Client, Link, Thread
from atendimento.storage.tables import Tables, to_record


@dataclass(frozen=True)
class Listed:
    client: Client
    thread: Thread | None
    tags: list[str]


@dataclass(frozen=True)
class Card:
    """One client as the API shows them."""

    client: Client
    thread: Thread | None
    atendimento: Atendimento | None  # the open one, else the last
    atendimentos: int
    tags: list[str]
    handover: Handover | None  # going on
    activity: Activity | None  # of `atendimento`
    person_answered: bool  # a person of the team (not the API) answered in `atendimento`


def list_clients(t: Tables, *, tag: str | None = None, is_open: bool | None = None,
                 updated_since: datetime | None = None, after: int | None = None,
                 limit: int = 50) -> list[Listed]:
    """Clients in id order from after `after`, at most `limit`."""
    c, th = t.clients, t.threads
    query = (c.select(c).join(th, JOIN.LEFT_OUTER, on=(th.client == c.user_id))
             .order_by(c.user_id).limit(limit))
    if after is not None:
        query = query.where(c.user_id > after)
    if is_open is True:
        query = query.where(th.state == OPEN)
    elif is_open is False:
        query = query.where(th.state.is_null() | (th.state != OPEN))
    if tag is not None:
        query = query.where(c.user_id.in_(tag_rows.clients_with_query(t, tag)))
    if updated_since is not None:
        a, m = t.atendimentos, t.links
        recent = (m.select(m.id).join(a, on=(m.atendimento == a.id))
                  .where((a.thread == th.id) & (m.created_at >= updated_since)))
        query = query.where((c.updated_at >= updated_since) | (th.updated_at >= updated_since)
                            | fn.EXISTS(recent))
    # Tuples in the records' own field order: building model instances first would cost
    # more than the query (a page is up to 200 clients).
    client_fields = [getattr(c, f.name) for f in dataclasses.fields(Client)]
    clients = [Client(*row) for row in query.select(*client_fields).tuples()]
    ids = [client.user_id for client in clients]
    thread_fields = [th.client if f.name == "client_id" else getattr(th, f.name)
                     for f in dataclasses.fields(Thread)]
    threads = {thread.client_id: thread for thread in (
        Thread(*row) for row in th.select(*thread_fields).where(th.client.in_(ids)).tuples())
    } if ids else {}
    tags = tag_rows.tags_of(t, ids)
    return [Listed(client, threads.get(client.user_id), tags.get(client.user_id, []))
            for client in clients]


def card(t: Tables, client_id: int) -> Card | None:
    c, th = t.clients, t.threads
    client = c.get_or_none(c.user_id == client_id)
    if client is None:
        return None
    thread = th.get_or_none(th.client == client_id)
    atendimento, count, activity, answered = None, 0, None, False
    if thread is not None:
        a = t.atendimentos
        count = a.select().where(a.thread == thread.id).count()
        last = a.select().where(a.thread == thread.id).order_by(a.number.desc()).first()
        if last is not None:
            atendimento = to_record(Atendimento, last)
            activity = activity_rows.get(t, atendimento.id)
            answered = handover_rows.has_person_answered(t, atendimento.id)
    return Card(to_record(Client, client), thread and to_record(Thread, thread), atendimento,
                count, [tag.tag for tag in tag_rows.list_tags(t, client_id)],
                handover_rows.going_on(t, client_id), activity, answered)


def atendimento_of(t: Tables, client_id: int, number: int) -> Atendimento | None:
    a, th = t.atendimentos, t.threads
    row = (a.select(a).join(th, on=(a.thread == th.id))
           .where((th.client == client_id) & (a.number == number)).first())
    return None if row is None else to_record(Atendimento, row)


def timeline(t: Tables, atendimento_id: int) -> list[tuple[Link, datetime]]:
    """The atendimento's relayed messages in the order they were linked, with when."""
    m = t.links
    rows = m.select().where(m.atendimento == atendimento_id).order_by(m.id)
    return [(to_record(Link, row), row.created_at) for row in rows]
