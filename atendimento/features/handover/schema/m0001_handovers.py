"""Version 1 of the hand-over feature: who handed which atendimento over to a person, and
when it ended (a client has at most one going on: the unique partial index); and the
atendimentos a person of the team has answered in (not the API), which is what tells another
system that a person is handling the client."""

from __future__ import annotations

from typing import Any

from atendimento.storage.db import is_postgres


def apply(db: Any) -> None:
    postgres = is_postgres(db)
    ident = "BIGSERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
    timestamp = "TIMESTAMP" if postgres else "DATETIME"
    db.execute_sql(
        f"""CREATE TABLE handovers (
            id {ident},
            client_id BIGINT NOT NULL REFERENCES clients (user_id) ON DELETE CASCADE,
            atendimento_id INTEGER NOT NULL REFERENCES atendimentos (id) ON DELETE CASCADE,
            reason TEXT NOT NULL,
            summary TEXT NULL,
            started_at {timestamp} NOT NULL,
            ended_at {timestamp} NULL
        )"""
    )
    db.execute_sql("CREATE UNIQUE INDEX handovers_going_on ON handovers (client_id) "
                   "WHERE ended_at IS NULL")
    db.execute_sql("CREATE INDEX handovers_of_atendimento ON handovers (atendimento_id)")
    db.execute_sql(
        f"""CREATE TABLE person_answers (
            atendimento_id INTEGER PRIMARY KEY REFERENCES atendimentos (id) ON DELETE CASCADE,
            client_id BIGINT NOT NULL,
            first_at {timestamp} NOT NULL
        )"""
    )
