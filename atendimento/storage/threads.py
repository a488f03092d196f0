"""Threads (one per client: card post, thread root, state, priority) and their atendimentos."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from peewee import fn

from atendimento.storage.compiled import first
from atendimento.storage.errors import ConflictError, NotFoundError
from atendimento.storage.records import NORMAL, OPEN, PRIORITIES, STATES, Atendimento, Thread
from atendimento.storage.tables import Tables, conflicts_as, to_record


def create(
    t: Tables, *, client_id: int, now: datetime, priority: Any = NORMAL, state: Any = OPEN
) -> Thread:
    """A new thread for the client; ConflictError if the client already has one."""
    th = t.threads
    with conflicts_as(t, f"client {client_id} already has a thread"):
        thread_id = th.insert(
            client=client_id,
            state=_choice(state, STATES, "state"),
            priority=_choice(priority, PRIORITIES, "priority"),
            pinned=False,
            created_at=now,
            updated_at=now,
        ).execute()
    return require(t, thread_id)


def get(t: Tables, thread_id: int) -> Thread | None:
    return first(t, t.threads, Thread, id=thread_id)


def require(t: Tables, thread_id: int) -> Thread:
    thread = get(t, thread_id)
    if thread is None:
        raise NotFoundError(f"no thread with id {thread_id}")
    return thread


def get_by_client(t: Tables, client_id: int) -> Thread | None:
    return first(t, t.threads, Thread, client_id=client_id)


def get_by_card(t: Tables, card_message_id: int) -> Thread | None:
    """The thread whose card is this channel post."""
    return first(t, t.threads, Thread, card_message_id=card_message_id)


def get_by_root(t: Tables, thread_root_id: int) -> Thread | None:
    """The thread whose root (the card's forward in the discussion group) has this id."""
    return first(t, t.threads, Thread, thread_root_id=thread_root_id)


def clients_by_root(t: Tables) -> dict[int, int]:
    """Every thread's root → its client."""
    th = t.threads
    rows = th.select(th.thread_root_id, th.client_id).where(th.thread_root_id.is_null(False))
    return dict(rows.tuples())


def list_open(t: Tables) -> list[Thread]:
    th = t.threads
    rows = th.select().where(th.state == OPEN).order_by(th.id)
    return [to_record(Thread, row) for row in rows]


def set_card(t: Tables, thread_id: int, card_message_id: int, *, now: datetime) -> Thread:
    with conflicts_as(t, f"channel post {card_message_id} is already another thread's card"):
        _update(t, thread_id, now, card_message_id=card_message_id)
    return require(t, thread_id)


def set_root(t: Tables, thread_id: int, thread_root_id: int, *, now: datetime) -> Thread:
    with conflicts_as(t, f"message {thread_root_id} is already another thread's root"):
        _update(t, thread_id, now, thread_root_id=thread_root_id)
    return require(t, thread_id)


def forget_card(t: Tables, thread_id: int, root: int, *, now: datetime) -> int | None:
    """The thread's root `root` was deleted from the group: it has no card and no comment
    thread until a new card is posted (and it is not pinned); the old card's id, or None when
    the thread had moved from that root already."""
    th = t.threads
    row = th.get_or_none((th.id == thread_id) & (th.thread_root_id == root))
    if row is None:
        return None
    _update(t, thread_id, now, card_message_id=None, thread_root_id=None, pinned=False)
    return row.card_message_id


def set_state(
    t: Tables, thread_id: int, state: Any, *, now: datetime, priority: Any = None
) -> Thread:
    """Sets the state, and the priority too when given (both in one statement)."""
    values: dict[str, Any] = {"state": _choice(state, STATES, "state")}
    if priority is not None:
        values["priority"] = _choice(priority, PRIORITIES, "priority")
    _update(t, thread_id, now, **values)
    return require(t, thread_id)


def set_priority(t: Tables, thread_id: int, priority: Any, *, now: datetime) -> Thread:
    _update(t, thread_id, now, priority=_choice(priority, PRIORITIES, "priority"))
    return require(t, thread_id)


def set_pinned(t: Tables, thread_id: int, pinned: bool, *, now: datetime) -> Thread:
    _update(t, thread_id, now, pinned=pinned)
    return require(t, thread_id)


def open_atendimento(
    t: Tables, thread_id: int, *, now: datetime, origin: str | None = None
) -> Atendimento:
    """Opens the thread's next atendimento (numbered 1, 2, ...); ConflictError if one is open."""
    a = t.atendimentos
    with t.atomic():
        last = a.select(fn.MAX(a.number)).where(a.thread == thread_id).scalar()
        with conflicts_as(t, f"thread {thread_id} already has an open atendimento"):
            atendimento_id = a.insert(
                thread=thread_id, number=(last or 0) + 1, origin=origin, opened_at=now
            ).execute()
    return require_atendimento(t, atendimento_id)


def end_atendimento(
    t: Tables, atendimento_id: int, *, now: datetime, ended_by: int | None = None
) -> Atendimento:
    """Ends an open atendimento; `ended_by` is the team member's user id, None for automatic."""
    a = t.atendimentos
    with t.atomic():
        count = (
            a.update(ended_at=now, ended_by=ended_by)
            .where((a.id == atendimento_id) & a.ended_at.is_null())
            .execute()
        )
        if count == 0:
            require_atendimento(t, atendimento_id)
            raise ConflictError(f"atendimento {atendimento_id} has already ended")
    return require_atendimento(t, atendimento_id)


AUTOANSWER_REASONS = ("team", "client", "handover")


def stop_autoanswer(t: Tables, atendimento_id: int, reason: str) -> bool:
    """Automatic answers end for this atendimento; False if they had already ended."""
    if reason not in AUTOANSWER_REASONS:
        raise ValueError(f"reason must be one of {', '.join(AUTOANSWER_REASONS)}; got {reason!r}")
    a = t.atendimentos
    count = (a.update(autoanswer_off=reason)
             .where((a.id == atendimento_id) & a.autoanswer_off.is_null()).execute())
    if count == 0:
        require_atendimento(t, atendimento_id)
    return count > 0


def get_atendimento(t: Tables, atendimento_id: int) -> Atendimento | None:
    return first(t, t.atendimentos, Atendimento, id=atendimento_id)


def require_atendimento(t: Tables, atendimento_id: int) -> Atendimento:
    atendimento = get_atendimento(t, atendimento_id)
    if atendimento is None:
        raise NotFoundError(f"no atendimento with id {atendimento_id}")
    return atendimento


def current_atendimento(t: Tables, thread_id: int) -> Atendimento | None:
    """The thread's open atendimento, if any."""
    return first(t, t.atendimentos, Atendimento, thread_id=thread_id, ended_at=None)


def last_atendimento(t: Tables, thread_id: int) -> Atendimento | None:
    """The thread's most recent atendimento, open or ended."""
    a = t.atendimentos
    row = a.select().where(a.thread == thread_id).order_by(a.number.desc()).first()
    return None if row is None else to_record(Atendimento, row)


def list_atendimentos(t: Tables, thread_id: int) -> list[Atendimento]:
    a = t.atendimentos
    rows = a.select().where(a.thread == thread_id).order_by(a.number)
    return [to_record(Atendimento, row) for row in rows]


def list_open_atendimentos(t: Tables) -> list[Atendimento]:
    """Every open atendimento, oldest first (auto-close jobs are rebuilt from this)."""
    a = t.atendimentos
    rows = a.select().where(a.ended_at.is_null()).order_by(a.opened_at, a.id)
    return [to_record(Atendimento, row) for row in rows]


def count_open_atendimentos(t: Tables) -> int:
    a = t.atendimentos
    return a.select().where(a.ended_at.is_null()).count()


def _update(t: Tables, thread_id: int, now: datetime, **values: Any) -> None:
    th = t.threads
    count = th.update(updated_at=now, **values).where(th.id == thread_id).execute()
    if count == 0:
        raise NotFoundError(f"no thread with id {thread_id}")


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    # Accepts the domain's enums as well as plain strings.
    text = getattr(value, "value", value)
    if text not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return str(text)
