"""The language a client chose with /idioma: kept across profile refreshes, read with the row."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.storage import NotFoundError, Tables, clients

from .conftest import BIG_USER_ID, NOW

LATER = NOW + timedelta(minutes=5)


def test_a_chosen_language_is_kept_and_can_be_cleared(tables: Tables) -> None:
    created = clients.upsert(tables, user_id=BIG_USER_ID, first_name="Ana",
                             language_code="ru", now=NOW)
    assert created.language is None
    clients.set_language(tables, BIG_USER_ID, "it", now=LATER)
    chosen = clients.require(tables, BIG_USER_ID)
    assert chosen.language == "it" and chosen.language_code == "ru"
    assert chosen.updated_at == LATER
    # A new profile from Telegram (another app language) does not undo the choice.
    clients.upsert(tables, user_id=BIG_USER_ID, first_name="Ana", language_code="es", now=LATER)
    assert clients.require(tables, BIG_USER_ID).language == "it"
    assert clients.with_thread(tables, BIG_USER_ID)[0].language == "it"
    clients.set_language(tables, BIG_USER_ID, None, now=LATER)
    assert clients.get(tables, BIG_USER_ID).language is None


def test_choosing_needs_the_client(tables: Tables) -> None:
    with pytest.raises(NotFoundError):
        clients.set_language(tables, BIG_USER_ID, "it", now=NOW)
