"""Version 7: a message link may also be `from_bot`: a message another system sent from the
bot to a client (the desk attached in parallel mode), linked to its copy in the thread, so
replies and edits find it. The CHECK constraint of `direction` is widened; SQLite cannot alter
a constraint, so there the table is rebuilt with the same columns, rows and indexes."""

from __future__ import annotations

import re

from peewee import Database

from atendimento.storage.db import is_postgres

DIRECTIONS = "('to_team', 'to_client', 'from_bot')"


def apply(db: Database) -> None:
    if is_postgres(db):
        checks = db.execute_sql(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'message_links'::regclass "
            "AND contype = 'c' AND position('direction' IN pg_get_constraintdef(oid)) > 0"
        ).fetchall()
        for (name,) in checks:
            db.execute_sql(f'ALTER TABLE message_links DROP CONSTRAINT "{name}"')
        db.execute_sql("ALTER TABLE message_links ADD CONSTRAINT message_links_direction_check "
                       f"CHECK (direction IN {DIRECTIONS})")
        return
    (create,), = db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'message_links'"
    ).fetchall()
    indexes = [sql for (sql,) in db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'message_links' "
        "AND sql IS NOT NULL").fetchall()]
    widened, count = re.subn(r"\(\s*'to_team'\s*,\s*'to_client'\s*\)", DIRECTIONS, create)
    if count != 1:
        raise RuntimeError(f"message_links has an unexpected definition: {create}")
    renamed = re.sub(r'^CREATE TABLE\s+"?message_links"?', 'CREATE TABLE "message_links_v7"',
                     widened)
    db.execute_sql(renamed)
    db.execute_sql("INSERT INTO message_links_v7 SELECT * FROM message_links")
    db.execute_sql("DROP TABLE message_links")
    db.execute_sql("ALTER TABLE message_links_v7 RENAME TO message_links")
    for sql in indexes:
        db.execute_sql(sql)
