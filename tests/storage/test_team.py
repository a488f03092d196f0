"""Team members: upsert, admin flag, notification opt-in, language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from atendimento.storage import NotFoundError, Tables, team

from .conftest import NOW

LATER = NOW + timedelta(days=1)


def add(tables: Tables, user_id: int, **extra):
    return team.upsert(tables, user_id=user_id, first_name=f"member {user_id}", now=NOW, **extra)


def test_upsert_creates_with_notifications_off(tables: Tables) -> None:
    member = add(tables, 5_555_555_555, username="joao", language="pt-BR", is_admin=True)

    assert member.is_admin and not member.notifications
    assert (member.username, member.language) == ("joao", "pt-BR")
    assert team.get(tables, 5_555_555_555) == member


def test_upsert_refreshes_names_and_keeps_unspecified_choices(tables: Tables) -> None:
    add(tables, 1, language="es", is_admin=True)
    team.set_notifications(tables, 1, True, now=NOW)

    again = team.upsert(tables, user_id=1, first_name="Renamed", now=LATER)

    assert again.first_name == "Renamed" and again.updated_at == LATER
    assert (again.language, again.is_admin, again.notifications) == ("es", True, True)
    demoted = team.upsert(tables, user_id=1, first_name="R", is_admin=False, now=LATER)
    assert demoted.is_admin is False


def test_admins_and_who_gets_notices(tables: Tables) -> None:
    add(tables, 1, is_admin=True)
    add(tables, 2, is_admin=True)
    add(tables, 3)
    team.set_notifications(tables, 2, True, now=NOW)
    team.set_notifications(tables, 3, True, now=NOW)  # opted in but not an admin

    assert [m.user_id for m in team.list_members(tables)] == [1, 2, 3]
    assert [m.user_id for m in team.list_admins(tables)] == [1, 2]
    assert [m.user_id for m in team.list_admins_to_notify(tables)] == [2]

    team.set_admin(tables, 3, True, now=LATER)
    assert [m.user_id for m in team.list_admins_to_notify(tables)] == [2, 3]


def test_language_and_removal(tables: Tables) -> None:
    add(tables, 1)
    assert team.set_language(tables, 1, "en", now=LATER).language == "en"

    assert team.remove(tables, 1) is True
    assert team.remove(tables, 1) is False
    assert team.get(tables, 1) is None
    with pytest.raises(NotFoundError):
        team.set_admin(tables, 1, True, now=LATER)



def test_first_start_is_recorded_once(tables: Tables) -> None:
    add(tables, 5_000_000_001, is_admin=True)
    assert team.get(tables, 5_000_000_001).started_at is None
    assert team.mark_started(tables, 5_000_000_001, now=NOW) is True
    assert team.mark_started(tables, 5_000_000_001, now=LATER) is False
    assert team.get(tables, 5_000_000_001).started_at == NOW
    with pytest.raises(NotFoundError):
        team.mark_started(tables, 404, now=NOW)
