"""Tags on clients (the tags feature's table, `client_tags`): one row per client and tag.

A tag is compared folded (case and accents: `fold`), so `VIP`, `vip` and `víp` are one tag,
and shown as first spelled. Broadcasts and exports select clients by tag: `clients_with`
reads the (tag_key, client_id) index the feature's migration creates.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import Table, fn

from atendimento.storage.fields import from_db_datetime, to_db_datetime
from atendimento.storage.tables import Tables

TABLE = "client_tags"
COLUMNS = ("client_id", "tag_key", "tag", "added_by", "added_at")
_ALL = ("id", *COLUMNS)


@dataclass(frozen=True, slots=True)
class Tag:
    client_id: int
    key: str  # folded: what comparisons use
    tag: str  # the spelling it was first added with, without "#"
    added_by: int | None
    added_at: datetime


def invisible(char: str) -> bool:
    """A character that shows nothing of its own: a format character (ZWNJ, a zero-width
    space), a variation selector, the combining grapheme joiner."""
    return (unicodedata.category(char) == "Cf" or char == "\u034f"
            or "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef")


def fold(tag: str) -> str:
    """The comparison key of a tag (a leading "#" ignored): case folded, compatibility forms
    and accents taken away (`Ａtacado`, `ATACADO` and `atacádo` are `atacado`)."""
    text = unicodedata.normalize("NFKD", tag.removeprefix("#")).casefold()
    text = unicodedata.normalize("NFKD", text)  # casefold can compose again (rarely)
    return "".join(char for char in text
                   if not unicodedata.combining(char) and not invisible(char))


def _table(t: Tables) -> Any:
    return Table(TABLE, _ALL).bind(t.db)


def _tag(row: tuple[Any, ...]) -> Tag:
    client_id, key, tag, added_by, added_at = row
    return Tag(client_id, key, tag, added_by, from_db_datetime(added_at))


def add(t: Tables, client_id: int, tag: str, *, by: int | None, now: datetime) -> bool:
    """Give the client `tag`; False when they have it already, in whatever spelling (the
    first one stays)."""
    table = _table(t)
    inserted = (table.insert(client_id=client_id, tag_key=fold(tag), tag=tag, added_by=by,
                             added_at=to_db_datetime(now))
                .on_conflict_ignore().as_rowcount().execute())
    return bool(inserted)


def remove(t: Tables, client_id: int, tag: str) -> bool:
    """Take `tag` (any spelling) from the client; False when they did not have it."""
    table = _table(t)
    removed = table.delete().where((table.client_id == client_id)
                                   & (table.tag_key == fold(tag))).execute()
    return bool(removed)


def list_tags(t: Tables, client_id: int) -> list[Tag]:
    """The client's tags, in the order they were added."""
    table = _table(t)
    rows = (table.select(*(getattr(table, c) for c in COLUMNS))
            .where(table.client_id == client_id)
            .order_by(table.id).tuples())
    return [_tag(row) for row in rows]


def count(t: Tables, client_id: int) -> int:
    table = _table(t)
    return int(table.select(fn.COUNT(table.tag_key)).where(table.client_id == client_id)
               .scalar() or 0)


def clients_with(t: Tables, tag: str) -> list[int]:
    """The ids of the clients having `tag` (any spelling), in id order."""
    table = _table(t)
    rows = (table.select(table.client_id).where(table.tag_key == fold(tag))
            .order_by(table.client_id).tuples())
    return [client_id for (client_id,) in rows]


def clients_with_query(t: Tables, tag: str) -> Any:
    """`clients_with` as a subquery, for a selection to filter on."""
    table = _table(t)
    return table.select(table.client_id).where(table.tag_key == fold(tag))


def tags_of(t: Tables, client_ids: list[int]) -> dict[int, list[str]]:
    """The tags of each of these clients (those with none are left out), in added order."""
    if not client_ids:
        return {}
    table = _table(t)
    rows = (table.select(table.client_id, table.tag).where(table.client_id.in_(client_ids))
            .order_by(table.id).tuples())
    found: dict[int, list[str]] = {}
    for client_id, tag in rows:
        found.setdefault(client_id, []).append(tag)
    return found
