"""Team members: channel members known to the bot, their language, admin flag and notice opt-in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from atendimento.storage.compiled import first
from atendimento.storage.errors import NotFoundError
from atendimento.storage.records import TeamMember
from atendimento.storage.tables import Tables, to_record


def get(t: Tables, user_id: int) -> TeamMember | None:
    return first(t, t.team, TeamMember, user_id=user_id)


def require(t: Tables, user_id: int) -> TeamMember:
    member = get(t, user_id)
    if member is None:
        raise NotFoundError(f"no team member with user id {user_id}")
    return member


def upsert(
    t: Tables,
    *,
    user_id: int,
    first_name: str,
    last_name: str | None = None,
    username: str | None = None,
    now: datetime,
    language: str | None = None,
    is_admin: bool | None = None,
) -> TeamMember:
    """Creates the member or refreshes their profile; language and admin change only if given.

    A new member starts with notifications off: notices are opt-in.
    """
    tm = t.team
    update: dict[Any, Any] = {
        tm.first_name: first_name,
        tm.last_name: last_name,
        tm.username: username,
        tm.updated_at: now,
    }
    if language is not None:
        update[tm.language] = language
    if is_admin is not None:
        update[tm.is_admin] = is_admin
    with t.atomic():
        tm.insert(
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language=language,
            is_admin=bool(is_admin),
            notifications=False,
            created_at=now,
            updated_at=now,
        ).on_conflict(conflict_target=[tm.user_id], update=update).execute()
        return require(t, user_id)


def remove(t: Tables, user_id: int) -> bool:
    """Forgets a member who left the channel; False if they were not known."""
    return t.team.delete().where(t.team.user_id == user_id).execute() > 0


def set_admin(t: Tables, user_id: int, is_admin: bool, *, now: datetime) -> TeamMember:
    _update(t, user_id, now, is_admin=is_admin)
    return require(t, user_id)


def set_notifications(t: Tables, user_id: int, enabled: bool, *, now: datetime) -> TeamMember:
    _update(t, user_id, now, notifications=enabled)
    return require(t, user_id)


def mark_started(t: Tables, user_id: int, *, now: datetime) -> bool:
    """Records the member's first /start to the bot; True only the first time."""
    tm = t.team
    count = (tm.update(started_at=now, updated_at=now)
             .where((tm.user_id == user_id) & tm.started_at.is_null()).execute())
    if count == 0:
        require(t, user_id)
    return count > 0


def set_language(t: Tables, user_id: int, language: str | None, *, now: datetime) -> TeamMember:
    _update(t, user_id, now, language=language)
    return require(t, user_id)


def list_members(t: Tables) -> list[TeamMember]:
    return [to_record(TeamMember, row) for row in t.team.select().order_by(t.team.user_id)]


def list_admins(t: Tables) -> list[TeamMember]:
    tm = t.team
    rows = tm.select().where(tm.is_admin == True).order_by(tm.user_id)  # noqa: E712
    return [to_record(TeamMember, row) for row in rows]


def list_admins_to_notify(t: Tables) -> list[TeamMember]:
    """Admins who opted in to the private notice when a thread is created or resumed."""
    tm = t.team
    rows = (
        tm.select()
        .where((tm.is_admin == True) & (tm.notifications == True))  # noqa: E712
        .order_by(tm.user_id)
    )
    return [to_record(TeamMember, row) for row in rows]


def _update(t: Tables, user_id: int, now: datetime, **values: Any) -> None:
    tm = t.team
    count = tm.update(updated_at=now, **values).where(tm.user_id == user_id).execute()
    if count == 0:
        raise NotFoundError(f"no team member with user id {user_id}")
