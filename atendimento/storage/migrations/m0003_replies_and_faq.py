"""Version 3: saved replies and the FAQ.

- The language of a ready answer (from `respostas/<lang>/prontas/`); replies saved from
  Telegram have none and serve every language.
- Why automatic answers stopped in an atendimento: "team" (a team member answered) or
  "client" (the client asked for a person); NULL while the FAQ may still answer.
"""

from __future__ import annotations

from peewee import Database


def apply(db: Database) -> None:
    db.execute_sql("ALTER TABLE saved_replies ADD COLUMN language VARCHAR(16) NULL")
    db.execute_sql("ALTER TABLE atendimentos ADD COLUMN autoanswer_off VARCHAR(8) NULL")
