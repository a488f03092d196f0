"""The satisfaction ratings (the csat feature's table): one row per atendimento whose client was
asked, with the rating, and the comment the client may add in their next message.

The row is written in the transaction that decides the question's send, so asking is
idempotent by atendimento id: a listener run again after a crash finds the row and sends
nothing. Plain SQL through the `Tables` database, portable between SQLite and PostgreSQL
(`INSERT ... ON CONFLICT DO NOTHING` exists in both); timestamps are written as the core's
columns are (naive UTC, fixed width), so they sort and compare the same on both.

The comment is the client's own words, kept because the self-hoster asked for them: an
exception to "no message bodies", like saved replies, and cut to `COMMENT_LIMIT`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from atendimento.storage.fields import from_db_datetime, to_db_datetime
from atendimento.storage.tables import Tables

TABLE = "csat_ratings"
COMMENT_LIMIT = 1000  # characters kept of a comment
RATINGS = range(1, 6)

_COLUMNS = ("atendimento_id", "client_id", "asked_at", "message_id", "rating", "rated_at",
            "comment", "commented_at", "comment_until", "comment_message_id")
_TIMES = frozenset({"asked_at", "rated_at", "commented_at", "comment_until"})


@dataclass(frozen=True, slots=True)
class Rating:
    """One atendimento's question and answer. `comment_until`: while set, the client's next
    private message is taken as their comment until then; `comment_message_id`: the message
    that was taken (a replayed update finds it, and is not relayed after all)."""

    atendimento_id: int
    client_id: int
    asked_at: datetime
    message_id: int | None = None  # the question's message in the client's chat, once sent
    rating: int | None = None
    rated_at: datetime | None = None
    comment: str | None = None
    commented_at: datetime | None = None
    comment_until: datetime | None = None
    comment_message_id: int | None = None

    @property
    def rated(self) -> bool:
        return self.rating is not None


def _row(values: tuple[Any, ...]) -> Rating:
    fields = {name: (from_db_datetime(value) if name in _TIMES and value is not None
                     else value)
              for name, value in zip(_COLUMNS, values, strict=True)}
    return Rating(**fields)


def _select(t: Tables, where: str, params: tuple[Any, ...], order: str = "") -> list[Rating]:
    sql = f"SELECT {', '.join(_COLUMNS)} FROM {TABLE} WHERE {where} {order}"
    return [_row(values) for values in t.db.execute_sql(sql, params).fetchall()]


def _change(t: Tables, sql: str, params: tuple[Any, ...]) -> int:
    return t.db.execute_sql(sql, params).rowcount


def ask(t: Tables, atendimento_id: int, client_id: int, *, now: datetime) -> bool:
    """Record that the client is asked about `atendimento_id`; False when they were already
    (the caller then sends nothing)."""
    p = t.db.param
    return _change(t, f"INSERT INTO {TABLE} (atendimento_id, client_id, asked_at) "
                      f"VALUES ({p}, {p}, {p}) ON CONFLICT (atendimento_id) DO NOTHING",
                   (atendimento_id, client_id, to_db_datetime(now))) == 1


def get(t: Tables, atendimento_id: int) -> Rating | None:
    found = _select(t, f"atendimento_id = {t.db.param}", (atendimento_id,))
    return found[0] if found else None


def of_client(t: Tables, client_id: int) -> list[Rating]:
    """Every question the client was asked, newest first."""
    return _select(t, f"client_id = {t.db.param}", (client_id,),
                   "ORDER BY asked_at DESC, atendimento_id DESC")


def set_message(t: Tables, atendimento_id: int, message_id: int) -> None:
    """The question's message id, recorded when its send settles."""
    p = t.db.param
    _change(t, f"UPDATE {TABLE} SET message_id = {p} WHERE atendimento_id = {p}",
            (message_id, atendimento_id))


def rate(t: Tables, atendimento_id: int, client_id: int, rating: int, *, now: datetime,
         comment_until: datetime | None) -> bool:
    """Keep the rating, once: False when the atendimento was rated already (or never asked).
    Any comment window the client had for an earlier rating closes: their next message can
    only be the comment on this one."""
    if rating not in RATINGS:
        raise ValueError(f"a rating is 1 to 5; got {rating!r}")
    p = t.db.param
    rated = _change(t, f"UPDATE {TABLE} SET rating = {p}, rated_at = {p}, comment_until = {p} "
                       f"WHERE atendimento_id = {p} AND rating IS NULL",
                    (rating, to_db_datetime(now),
                     None if comment_until is None else to_db_datetime(comment_until),
                     atendimento_id)) == 1
    if rated:
        _change(t, f"UPDATE {TABLE} SET comment_until = NULL WHERE client_id = {p} "
                   f"AND atendimento_id <> {p} AND comment_until IS NOT NULL",
                (client_id, atendimento_id))
    return rated


def awaiting_comment(t: Tables, client_id: int, message_id: int) -> Rating | None:
    """The rating whose comment the client's message `message_id` may be: the one with an
    open window, or the one that already took this very message (a replayed update)."""
    p = t.db.param
    found = _select(t, f"client_id = {p} AND (comment_until IS NOT NULL "
                       f"OR comment_message_id = {p})", (client_id, message_id),
                    "ORDER BY rated_at DESC")
    return found[0] if found else None


def take_comment(t: Tables, atendimento_id: int, comment: str, message_id: int, *,
                 now: datetime) -> bool:
    """The comment, kept (cut to COMMENT_LIMIT) and the window closed; False when the window
    had closed meanwhile."""
    p = t.db.param
    return _change(t, f"UPDATE {TABLE} SET comment = {p}, commented_at = {p}, "
                      f"comment_message_id = {p}, comment_until = NULL "
                      f"WHERE atendimento_id = {p} AND comment_until IS NOT NULL",
                   (comment[:COMMENT_LIMIT], to_db_datetime(now), message_id,
                    atendimento_id)) == 1


def clients_who_may_comment(t: Tables, since: datetime) -> set[int]:
    """The clients with a comment window open, or whose comment was taken since `since` (an
    update replayed after a crash finds it taken)."""
    p = t.db.param
    rows = t.db.execute_sql(f"SELECT DISTINCT client_id FROM {TABLE} WHERE comment_until IS "
                            f"NOT NULL OR commented_at >= {p}", (to_db_datetime(since),))
    return {client_id for (client_id,) in rows.fetchall()}


def close_comment(t: Tables, client_id: int) -> int:
    """No comment is awaited from the client any more (they sent something else, the team
    wrote to them, the window passed); how many windows were open."""
    return _change(t, f"UPDATE {TABLE} SET comment_until = NULL "
                      f"WHERE client_id = {t.db.param} AND comment_until IS NOT NULL",
                   (client_id,))
