"""The notes feature's table: albums kept from the client as notes (their later items arrive
one by one, after the first has been judged)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from atendimento.storage.fields import to_db_datetime


def album_is_note(t: Any, chat_id: int, media_group_id: str) -> bool:
    p = t.db.param
    cursor = t.db.execute_sql(f"SELECT 1 FROM note_albums WHERE chat_id = {p} AND "
                              f"media_group_id = {p}", (chat_id, media_group_id))
    return cursor.fetchone() is not None


def remember_album(t: Any, chat_id: int, media_group_id: str, now: datetime) -> None:
    p = t.db.param
    t.db.execute_sql(f"INSERT INTO note_albums (chat_id, media_group_id, created_at) VALUES "
                     f"({p}, {p}, {p}) ON CONFLICT DO NOTHING",
                     (chat_id, media_group_id, to_db_datetime(now)))


def forget_albums(t: Any, before: datetime) -> None:
    t.db.execute_sql(f"DELETE FROM note_albums WHERE created_at < {t.db.param}",
                     (to_db_datetime(before),))
