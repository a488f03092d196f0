"""Version 5: messages of a client that the desk could not place yet (their thread could not be
opened: the card refused, no comment thread). Only ids are kept, never the message itself; the
message is copied from the client's chat once the thread exists."""

from __future__ import annotations

from peewee import Database

from atendimento.storage.db import is_postgres


def apply(db: Database) -> None:
    postgres = is_postgres(db)
    ident = "BIGSERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
    timestamp = "TIMESTAMP" if postgres else "DATETIME"
    db.execute_sql(
        f"""CREATE TABLE parked (
            id {ident},
            client_id BIGINT NOT NULL,
            chat_id BIGINT NOT NULL,
            message_id BIGINT NOT NULL,
            kind VARCHAR(16) NOT NULL,
            media_group_id VARCHAR(64) NULL,
            reply_to_id BIGINT NULL,
            reason VARCHAR(200) NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at {timestamp} NOT NULL,
            UNIQUE (chat_id, message_id)
        )"""
    )
    db.execute_sql("CREATE INDEX parked_client ON parked (client_id, id)")
