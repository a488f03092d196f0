"""The API's request bodies and queries, validated by pydantic: what is wrong comes back as a
400 listing each field and why (web/server.py), never as a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from atendimento.domain.text import utf16_len, without_format

TEXT_LIMIT = 4096  # Telegram's limit for one message
SUMMARY_LIMIT = 3500  # leaves room for the hand-over's own line in the thread message
TAGS_PER_CALL = 20


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("needs a time zone, such as 2026-12-01T09:00:00Z")
    try:
        return None if value is None else value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range") from None


def _visible(value: str) -> str:
    if not without_format(value).strip():
        raise ValueError("has nothing visible (only spaces or invisible characters)")
    return value


def _fits(value: str) -> str:
    _visible(value)
    if utf16_len(value) > TEXT_LIMIT:
        raise ValueError(f"is longer than Telegram takes: {TEXT_LIMIT} UTF-16 units (an "
                         "emoji counts 2)")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                        max_length=TEXT_LIMIT), AfterValidator(_fits)]
TagWord = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SendBody(Strict):
    """A message to the client as the bot; it shows in the thread as the team's."""

    text: Text


class TagsBody(Strict):
    """Tags to add and to take away (as /marcar reads them: letters, digits and _)."""

    add: list[TagWord] = Field(default_factory=list, max_length=TAGS_PER_CALL)
    remove: list[TagWord] = Field(default_factory=list, max_length=TAGS_PER_CALL)


class HandoverBody(Strict):
    """Why the other system hands the client over, and what the person should know."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=200), AfterValidator(_visible)]
    summary: Annotated[str | None, StringConstraints(strip_whitespace=True,
                                                     max_length=SUMMARY_LIMIT)] = None


class ClientsQuery(Strict):
    """The filters of GET /v1/clients."""

    tag: TagWord | None = None
    open: bool | None = None
    updated_since: Annotated[datetime | None, AfterValidator(_aware)] = None
    cursor: Annotated[str | None, StringConstraints(max_length=64)] = None
    limit: int = Field(50, ge=1, le=200)
