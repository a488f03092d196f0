"""Version 6: the language a client chose with /idioma (a locale name such as ``it`` or
``pt_BR``); NULL while they have not chosen, and Telegram's language code decides."""

from __future__ import annotations

from peewee import Database


def apply(db: Database) -> None:
    db.execute_sql("ALTER TABLE clients ADD COLUMN language VARCHAR(16) NULL")
