"""Version 1 of the parallel feature: the private messages the desk itself sent (so that,
catching up after a restart, it tells its own from the other system's, and a press under one
of its own buttons is its own to answer); and, per atendimento, when the thread was told that
the existing bot still answers by itself, and when the team took over."""

from __future__ import annotations

from typing import Any

from atendimento.storage.db import is_postgres


def apply(db: Any) -> None:
    timestamp = "TIMESTAMP" if is_postgres(db) else "DATETIME"
    db.execute_sql(
        f"""CREATE TABLE own_messages (
            chat_id BIGINT NOT NULL,
            message_id BIGINT NOT NULL,
            sent_at {timestamp} NOT NULL,
            PRIMARY KEY (chat_id, message_id)
        )"""
    )
    db.execute_sql("CREATE INDEX own_messages_sent_at ON own_messages (sent_at)")
    db.execute_sql(
        f"""CREATE TABLE bot_atendimentos (
            atendimento_id INTEGER PRIMARY KEY REFERENCES atendimentos (id) ON DELETE CASCADE,
            client_id BIGINT NOT NULL,
            noted_at {timestamp} NOT NULL,
            taken_at {timestamp} NULL
        )"""
    )
