"""Version 2 of the test feature: a column added to version 1's table."""

from __future__ import annotations

from peewee import Database


def apply(db: Database) -> None:
    db.execute_sql("ALTER TABLE pkg_notes ADD COLUMN pinned INTEGER NULL")
