"""Version 1 of the webhooks feature: the delivery queue. One row per event and URL, written
when the event's listener runs; `id` gives the order, and a client's next row for a URL waits
until the one before it is delivered or given up."""

from __future__ import annotations

from typing import Any

from atendimento.storage.db import is_postgres


def apply(db: Any) -> None:
    postgres = is_postgres(db)
    ident = "BIGSERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
    timestamp = "TIMESTAMP" if postgres else "DATETIME"
    db.execute_sql(
        f"""CREATE TABLE webhook_deliveries (
            id {ident},
            event_id TEXT NOT NULL,
            url TEXT NOT NULL,
            client_id BIGINT NOT NULL,
            event_type TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at {timestamp} NOT NULL,
            next_at {timestamp} NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'pending',
            last_error TEXT NULL,
            settled_at {timestamp} NULL,
            UNIQUE (event_id, url)
        )"""
    )
    db.execute_sql("CREATE INDEX webhook_deliveries_pending ON webhook_deliveries "
                   "(url, client_id, id) WHERE state = 'pending'")
    db.execute_sql("CREATE INDEX webhook_deliveries_settled ON webhook_deliveries "
                   "(settled_at) WHERE state <> 'pending'")
