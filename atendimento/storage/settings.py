"""Settings changed at run time: key -> JSON value (None, numbers, strings, lists, dicts)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from atendimento.storage.tables import Tables

MAX_KEY_LENGTH = 100


def get(t: Tables, key: str, default: Any = None) -> Any:
    row = t.settings.get_or_none(t.settings.key == key)
    return default if row is None else json.loads(row.value)


def get_all(t: Tables) -> dict[str, Any]:
    return {row.key: json.loads(row.value) for row in t.settings.select()}


def put(t: Tables, key: str, value: Any, *, now: datetime) -> None:
    """Stores `value` under `key`, replacing what was there; it must be JSON-serialisable."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"setting keys have 1 to {MAX_KEY_LENGTH} characters; got {key!r}")
    # Serialised here (not by a JSON column) so that None is stored as JSON null, not SQL NULL.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    s = t.settings
    s.insert(key=key, value=text, updated_at=now).on_conflict(
        conflict_target=[s.key], update={s.value: text, s.updated_at: now}
    ).execute()


def delete(t: Tables, key: str) -> bool:
    """False if the key was not set."""
    return t.settings.delete().where(t.settings.key == key).execute() > 0
