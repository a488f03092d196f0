"""Version 2: what the desk looks up while relaying.

- Links by the client's message id alone: Telegram reports a private-chat deletion with message
  ids but no chat, and the ids of the bot's private chats come from one counter.
- When a team member first sent /start to the bot: an admin gets notices from then on, unless
  they turn them off, and a later /start must not turn them back on.
"""

from __future__ import annotations

from peewee import Database

from atendimento.storage.db import is_postgres


def apply(db: Database) -> None:
    db.execute_sql(
        "CREATE INDEX message_links_client_message_id ON message_links (client_message_id)"
    )
    timestamp = "TIMESTAMP" if is_postgres(db) else "DATETIME"
    db.execute_sql(f"ALTER TABLE team_members ADD COLUMN started_at {timestamp} NULL")
