"""Version 4: the outbox, where every send the desk decides is written before it is sent.

The key names the decision (what caused the send and what it is), so a decision taken again
after a crash finds its row instead of adding one; the random id is the one Telegram sees on
every attempt, so a repeated attempt returns the first message instead of sending a second.
Pending rows have a partial index: the sender reads them at start-up.
"""

from __future__ import annotations

from peewee import Database

from atendimento.storage.db import is_postgres


def apply(db: Database) -> None:
    postgres = is_postgres(db)
    ident = "BIGSERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
    timestamp = "TIMESTAMP" if postgres else "DATETIME"
    db.execute_sql(
        f"""CREATE TABLE outbox (
            id {ident},
            key VARCHAR(200) NOT NULL UNIQUE,
            chat_id BIGINT NOT NULL,
            action VARCHAR(16) NOT NULL,
            payload TEXT NOT NULL,
            random_id BIGINT NOT NULL,
            state VARCHAR(8) NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
            result TEXT NULL,
            created_at {timestamp} NOT NULL,
            done_at {timestamp} NULL
        )"""
    )
    db.execute_sql("CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending'")
    db.execute_sql("CREATE INDEX outbox_done_at ON outbox (done_at) WHERE state <> 'pending'")
