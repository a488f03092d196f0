"""Version 1 of the notes feature: the albums of the team that are notes. Each item of an
album reaches the desk on its own, and the copy of one item carries the whole album, so the
items after a note's first must be known as the note's too (only ids are kept)."""

from __future__ import annotations

from typing import Any

from atendimento.storage.db import is_postgres


def apply(db: Any) -> None:
    timestamp = "TIMESTAMP" if is_postgres(db) else "DATETIME"
    db.execute_sql(
        f"""CREATE TABLE note_albums (
            chat_id BIGINT NOT NULL,
            media_group_id VARCHAR(64) NOT NULL,
            created_at {timestamp} NOT NULL,
            PRIMARY KEY (chat_id, media_group_id)
        )"""
    )
