"""Version 1 of the test feature: its table."""

from __future__ import annotations

from peewee import Database


def apply(db: Database) -> None:
    db.execute_sql("CREATE TABLE pkg_notes (id INTEGER PRIMARY KEY, body VARCHAR(100) NOT NULL)")
