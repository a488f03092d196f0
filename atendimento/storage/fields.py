"""Column types the models share: aware UTC timestamps and JSON kept as text, on both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from peewee import DateTimeField, TextField

# Fixed width with microseconds: on SQLite the text sorts in time order, and PostgreSQL reads
# the same literal into a TIMESTAMP column.
_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def to_db_datetime(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: storage takes timezone-aware datetimes")
    return value.astimezone(UTC).strftime(_FORMAT)


def from_db_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"cannot read a datetime from {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UtcDateTimeField(DateTimeField):
    """Aware datetime in Python, naive UTC in the database (TIMESTAMP / ISO text)."""

    def db_value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return to_db_datetime(value)
        return value

    def python_value(self, value: Any) -> Any:
        if value is None:
            return None
        return from_db_datetime(value)


class JsonTextField(TextField):
    """A JSON document stored as TEXT: we never query inside it, so the plain type is portable."""

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def python_value(self, value: Any) -> Any:
        if value is None:
            return None
        return json.loads(value)
