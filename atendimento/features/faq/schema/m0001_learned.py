"""Version 1 of the faq feature: what it learns from the team (only with FAQ_LEARN=on). A row
is a client's question in an atendimento: its words (numbers left out, never the message),
the thread's copy it was asked in, and, once a team member answered it by picking a saved
reply, which one. A question nobody answered that way goes when its atendimento ends."""

from __future__ import annotations

from typing import Any

from atendimento.storage.db import is_postgres


def apply(db: Any) -> None:
    postgres = is_postgres(db)
    ident = "BIGSERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY"
    timestamp = "TIMESTAMP" if postgres else "DATETIME"
    db.execute_sql(
        f"""CREATE TABLE faq_questions (
            id {ident},
            atendimento_id INTEGER NOT NULL REFERENCES atendimentos (id) ON DELETE CASCADE,
            copy_id BIGINT NOT NULL,
            words TEXT NOT NULL,
            asked_at {timestamp} NOT NULL,
            answered_at {timestamp} NULL,
            answer_id INTEGER NULL REFERENCES saved_replies (id) ON DELETE CASCADE,
            answered_by BIGINT NULL
        )"""
    )
    db.execute_sql("CREATE INDEX faq_questions_of_atendimento "
                   "ON faq_questions (atendimento_id, id)")
    db.execute_sql("CREATE INDEX faq_questions_of_answer ON faq_questions (answer_id)")
