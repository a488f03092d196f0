"""The webhook delivery queue (the webhooks feature's table, `webhook_deliveries`).

A row is one event for one URL. `heads` gives, for each URL and client, the oldest row still
pending, when it is due: a client's later events never overtake an earlier one, and a client
whose receiver keeps failing holds up no other client."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from atendimento.storage.fields import from_db_datetime, to_db_datetime
from atendimento.storage.tables import Tables

TABLE = "webhook_deliveries"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
_COLUMNS = ("id", "event_id", "url", "client_id", "event_type", "body", "created_at",
            "next_at", "attempts")


@dataclass(frozen=True, slots=True)
class NewDelivery:
    event_id: str
    url: str
    client_id: int
    event_type: str
    body: str


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    event_id: str
    url: str
    client_id: int
    event_type: str
    body: str
    created_at: datetime
    next_at: datetime
    attempts: int


def enqueue(t: Tables, rows: Sequence[NewDelivery], now: datetime) -> int:
    """Add the rows (a row already there for the same event and URL is left as it is: a
    listener run again after a crash writes nothing twice); how many were new."""
    p, stamp, added = t.db.param, to_db_datetime(now), 0
    conflict = "ON CONFLICT (event_id, url) DO NOTHING"
    with t.atomic():
        for row in rows:
            cursor = t.db.execute_sql(
                f"INSERT INTO {TABLE} (event_id, url, client_id, event_type, body, created_at,"
                f" next_at, attempts, state) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, 0, "
                f"'{PENDING}') {conflict}",
                (row.event_id, row.url, row.client_id, row.event_type, row.body, stamp, stamp))
            added += max(0, cursor.rowcount)
    return added


def heads(t: Tables, now: datetime, limit: int = 100, url: str | None = None
          ) -> list[Delivery]:
    """The oldest pending row of each URL (or of `url` only) and client, when it is due,
    oldest first."""
    p = t.db.param
    only, args = (f"AND url = {p} ", (url,)) if url is not None else ("", ())
    cursor = t.db.execute_sql(
        f"SELECT {', '.join(_COLUMNS)} FROM {TABLE} WHERE id IN ("
        f"SELECT MIN(id) FROM {TABLE} WHERE state = '{PENDING}' {only}"
        f"GROUP BY url, client_id) AND next_at <= {p} ORDER BY id LIMIT {p}",
        (*args, to_db_datetime(now), limit))
    return [Delivery(*row[:6], from_db_datetime(row[6]), from_db_datetime(row[7]), row[8])
            for row in cursor.fetchall()]


def _settle(t: Tables, delivery_id: int, state: str, error: str | None,
            now: datetime) -> None:
    # The body goes with the settling: what the client wrote is kept only as long as it
    # waits to be delivered (design.md §4.1: the database holds the map, not messages).
    p = t.db.param
    t.db.execute_sql(f"UPDATE {TABLE} SET state = {p}, last_error = {p}, settled_at = {p}, "
                     f"attempts = attempts + 1, body = '' WHERE id = {p}",
                     (state, error, to_db_datetime(now), delivery_id))


def delivered(t: Tables, delivery_id: int, now: datetime) -> None:
    _settle(t, delivery_id, DELIVERED, None, now)


def failed(t: Tables, delivery_id: int, error: str, now: datetime) -> None:
    """Given up (tried for the whole retry period): the client's next event may go."""
    _settle(t, delivery_id, FAILED, error[:500], now)


def retry(t: Tables, delivery_id: int, next_at: datetime, error: str) -> None:
    p = t.db.param
    t.db.execute_sql(f"UPDATE {TABLE} SET attempts = attempts + 1, next_at = {p}, "
                     f"last_error = {p} WHERE id = {p}",
                     (to_db_datetime(next_at), error[:500], delivery_id))


def depth(t: Tables) -> tuple[int, datetime | None]:
    """How many rows wait, and since when the oldest (for /metrics)."""
    count, oldest = t.db.execute_sql(
        f"SELECT COUNT(*), MIN(created_at) FROM {TABLE} WHERE state = '{PENDING}'").fetchone()
    return int(count or 0), None if oldest is None else from_db_datetime(oldest)


def states(t: Tables) -> dict[str, int]:
    rows = t.db.execute_sql(f"SELECT state, COUNT(*) FROM {TABLE} GROUP BY state").fetchall()
    return {state: int(count) for state, count in rows}


def prune(t: Tables, before: datetime) -> int:
    """Forget rows delivered or given up before `before`."""
    p = t.db.param
    cursor = t.db.execute_sql(f"DELETE FROM {TABLE} WHERE state <> '{PENDING}' AND "
                              f"settled_at < {p}", (to_db_datetime(before),))
    return max(0, cursor.rowcount)
