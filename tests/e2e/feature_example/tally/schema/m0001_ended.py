"""Version 1 of the tally feature: one row per ended atendimento."""

from __future__ import annotations

from typing import Any


def apply(db: Any) -> None:
    db.execute_sql("CREATE TABLE tally_ended (client_id BIGINT NOT NULL, "
                   "atendimento_id BIGINT NOT NULL)")
