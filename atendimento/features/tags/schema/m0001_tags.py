"""Version 1 of the tags feature: a client's tags, keyed by the folded tag, and an index by
tag for the selections broadcasts and exports make ("every client tagged vip")."""

from __future__ import annotations

from typing import Any

from atendimento.storage.db import is_postgres


def apply(db: Any) -> None:
    postgres = is_postgres(db)
    ident = "BIGSERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
    timestamp = "TIMESTAMP" if postgres else "DATETIME"
    # `id` keeps the order tags were added in, also for several added by one command.
    db.execute_sql(
        f"""CREATE TABLE client_tags (
            id {ident},
            client_id BIGINT NOT NULL REFERENCES clients (user_id) ON DELETE CASCADE,
            tag_key TEXT NOT NULL,
            tag TEXT NOT NULL,
            added_by BIGINT NULL,
            added_at {timestamp} NOT NULL,
            UNIQUE (client_id, tag_key)
        )"""
    )
    db.execute_sql("CREATE INDEX client_tags_by_tag ON client_tags (tag_key, client_id)")
