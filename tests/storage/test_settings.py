"""Settings: key -> JSON value round trips."""

from __future__ import annotations

import pytest

from atendimento.storage import Tables, settings

from .conftest import NOW

VALUES = [
    None,
    True,
    0,
    -1_001_234_567_890,
    3.25,
    "texto com acentuação e emoji 🎧",
    [],
    [1, "two", None, {"three": [3]}],
    {"auto_close_hours": 24, "colours": {"urgent": "🔴"}, "nested": {"empty": {}}},
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_json_round_trip(tables: Tables, value: object) -> None:
    settings.put(tables, "key", value, now=NOW)
    assert settings.get(tables, "key", default="missing") == value


def test_missing_default_replace_delete(tables: Tables) -> None:
    assert settings.get(tables, "nope") is None
    assert settings.get(tables, "nope", default=7) == 7

    settings.put(tables, "a", 1, now=NOW)
    settings.put(tables, "a", {"b": 2}, now=NOW)
    settings.put(tables, "c", None, now=NOW)

    assert settings.get_all(tables) == {"a": {"b": 2}, "c": None}
    assert settings.delete(tables, "a") is True
    assert settings.delete(tables, "a") is False
    assert settings.get_all(tables) == {"c": None}


def test_key_length_is_checked(tables: Tables) -> None:
    with pytest.raises(ValueError):
        settings.put(tables, "", 1, now=NOW)
    with pytest.raises(ValueError):
        settings.put(tables, "k" * 101, 1, now=NOW)
    with pytest.raises(TypeError):
        settings.put(tables, "not json", object(), now=NOW)
