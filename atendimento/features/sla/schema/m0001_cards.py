"""Version 1 of the sla feature: what each open card's SLA line last showed."""

from __future__ import annotations

from typing import Any

from atendimento.storage.db import is_postgres


def apply(db: Any) -> None:
    timestamp = "TIMESTAMP" if is_postgres(db) else "DATETIME"
    db.execute_sql(
        f"""CREATE TABLE sla_cards (
            thread_id BIGINT NOT NULL PRIMARY KEY,
            atendimento_id BIGINT NOT NULL,
            shown VARCHAR(32) NOT NULL,
            shown_at {timestamp} NOT NULL
        )"""
    )
