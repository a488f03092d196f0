"""Tags on clients: folded for comparison, first spelling kept, selected by tag through an
index, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.features import tags as tags_feature
from atendimento.storage import Tables, clients, migrate_features, tags

from .conftest import BIG_USER_ID, NOW

OTHER = BIG_USER_ID + 1
LATER = NOW + timedelta(minutes=1)


@pytest.fixture
def tagged(tables: Tables) -> Tables:
    """The tables with the tags feature migrated and two clients."""
    migrate_features(tables.db, [tags_feature.migrations()])
    clients.upsert(tables, user_id=BIG_USER_ID, first_name="Ana", now=NOW)
    clients.upsert(tables, user_id=OTHER, first_name="Rui", now=NOW)
    return tables


@pytest.mark.parametrize("spelling, key", [
    ("VIP", "vip"), ("#Atacado", "atacado"), ("atacádo", "atacado"), ("Ｖｉｐ", "vip"),
    ("Straße", "strasse"), ("Ярмарка", "ярмарка"), ("e\u0301xito", "exito"),
])
def test_fold_ignores_case_accents_and_compatibility_forms(spelling, key) -> None:
    assert tags.fold(spelling) == key


def test_add_keeps_the_first_spelling_and_refuses_another(tagged: Tables) -> None:
    assert tags.add(tagged, BIG_USER_ID, "Atacado", by=7, now=NOW)
    assert not tags.add(tagged, BIG_USER_ID, "ATACÁDO", by=8, now=LATER)
    [tag] = tags.list_tags(tagged, BIG_USER_ID)
    assert (tag.tag, tag.key, tag.added_by, tag.added_at) == ("Atacado", "atacado", 7, NOW)
    assert tags.count(tagged, BIG_USER_ID) == 1


def test_list_is_in_the_order_added_and_per_client(tagged: Tables) -> None:
    tags.add(tagged, BIG_USER_ID, "vip", by=None, now=NOW)
    tags.add(tagged, BIG_USER_ID, "atacado", by=None, now=LATER)
    tags.add(tagged, OTHER, "varejo", by=None, now=NOW)
    assert [t.tag for t in tags.list_tags(tagged, BIG_USER_ID)] == ["vip", "atacado"]
    assert [t.tag for t in tags.list_tags(tagged, OTHER)] == ["varejo"]
    assert tags.list_tags(tagged, 42) == [] and tags.count(tagged, 42) == 0


def test_remove_in_any_spelling(tagged: Tables) -> None:
    tags.add(tagged, BIG_USER_ID, "Atacado", by=None, now=NOW)
    assert not tags.remove(tagged, OTHER, "atacado")  # another client's is untouched
    assert tags.remove(tagged, BIG_USER_ID, "#ATACÁDO")
    assert not tags.remove(tagged, BIG_USER_ID, "atacado")
    assert tags.list_tags(tagged, BIG_USER_ID) == []


def test_clients_with_a_tag(tagged: Tables) -> None:
    tags.add(tagged, OTHER, "VIP", by=None, now=NOW)
    tags.add(tagged, BIG_USER_ID, "vip", by=None, now=NOW)
    tags.add(tagged, BIG_USER_ID, "atacado", by=None, now=NOW)
    assert tags.clients_with(tagged, "Vip") == [BIG_USER_ID, OTHER]
    assert tags.clients_with(tagged, "#atacado") == [BIG_USER_ID]
    assert tags.clients_with(tagged, "nenhum") == []


def test_the_selection_by_tag_has_an_index(tagged: Tables) -> None:
    indexes = tagged.db.get_indexes(tags.TABLE)
    assert any(index.columns[:2] == ["tag_key", "client_id"] for index in indexes)


def test_big_ids_and_long_unicode_tags_round_trip(tagged: Tables) -> None:
    long_tag = "ação_" + "ж" * 27  # 32 characters, two bytes and more each in UTF-8
    assert tags.add(tagged, BIG_USER_ID, long_tag, by=BIG_USER_ID, now=NOW)
    [tag] = tags.list_tags(tagged, BIG_USER_ID)
    assert tag.tag == long_tag and tag.added_by == BIG_USER_ID
    assert tags.clients_with(tagged, long_tag.upper()) == [BIG_USER_ID]
