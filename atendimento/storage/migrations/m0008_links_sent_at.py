"""Version 8: when a client sent a message, as Telegram dated it (`sent_at`, on the links of
their messages; NULL for the rest and for links made before): the first answer's wait counts
from then, through a downtime or a long catch-up, not from when the copy reached the
thread."""

from __future__ import annotations

from peewee import Database

from atendimento.storage.db import is_postgres


def apply(db: Database) -> None:
    kind = "TIMESTAMP" if is_postgres(db) else "DATETIME"
    db.execute_sql(f"ALTER TABLE message_links ADD COLUMN sent_at {kind} NULL")
