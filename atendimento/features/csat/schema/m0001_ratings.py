"""Version 1 of the csat feature: one row per atendimento whose client was asked for a rating
(atendimento/storage/csat.py reads and writes it). Portable SQL: TIMESTAMP columns hold naive
UTC, as the core's do; the client index serves the comment lookup every private message
makes."""

from __future__ import annotations

from typing import Any


def apply(db: Any) -> None:
    db.execute_sql(
        "CREATE TABLE csat_ratings ("
        "atendimento_id BIGINT NOT NULL PRIMARY KEY REFERENCES atendimentos (id), "
        "client_id BIGINT NOT NULL, "
        "asked_at TIMESTAMP NOT NULL, "
        "message_id BIGINT NULL, "
        "rating INTEGER NULL CHECK (rating BETWEEN 1 AND 5), "
        "rated_at TIMESTAMP NULL, "
        "comment TEXT NULL, "
        "commented_at TIMESTAMP NULL, "
        "comment_until TIMESTAMP NULL, "
        "comment_message_id BIGINT NULL)")
    db.execute_sql("CREATE INDEX csat_ratings_client ON csat_ratings (client_id)")
