"""Saved replies: text + entities or media by file id, from Telegram or from `respostas/` files."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from atendimento.storage.errors import NotFoundError
from atendimento.storage.records import REPLY_SOURCES, SavedReply
from atendimento.storage.tables import Tables, conflicts_as, to_record

_EDITABLE = frozenset(
    {"title", "keywords", "text", "entities", "media_type", "file_id", "caption"}
)


def add(
    t: Tables,
    *,
    title: str,
    now: datetime,
    keywords: Iterable[str] = (),
    text: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    media_type: str | None = None,
    file_id: str | None = None,
    caption: str | None = None,
    created_by: int | None = None,
    source: str = "telegram",
    file_path: str | None = None,
    language: str | None = None,
) -> SavedReply:
    """Stores a reply: either `text` (+ entities) or `media_type` + `file_id` (+ caption)."""
    if source not in REPLY_SOURCES:
        raise ValueError(f"source must be one of {', '.join(REPLY_SOURCES)}; got {source!r}")
    if (source == "file") != (file_path is not None):
        raise ValueError("file_path is required for source 'file' and only for it")
    _check_content(text=text, media_type=media_type, file_id=file_id, caption=caption)
    with conflicts_as(t, f"a saved reply already comes from {file_path!r}"):
        reply_id = t.replies.insert(
            title=title,
            keywords=list(keywords),
            text=text,
            entities=entities,
            media_type=media_type,
            file_id=file_id,
            caption=caption,
            created_by=created_by,
            uses=0,
            source=source,
            file_path=file_path,
            language=language,
            created_at=now,
            updated_at=now,
        ).execute()
    return require(t, reply_id)


def get(t: Tables, reply_id: int) -> SavedReply | None:
    row = t.replies.get_or_none(t.replies.id == reply_id)
    return None if row is None else _record(row)


def require(t: Tables, reply_id: int) -> SavedReply:
    reply = get(t, reply_id)
    if reply is None:
        raise NotFoundError(f"no saved reply with id {reply_id}")
    return reply


def get_by_file_path(t: Tables, file_path: str) -> SavedReply | None:
    row = t.replies.get_or_none(t.replies.file_path == file_path)
    return None if row is None else _record(row)


def list_all(t: Tables, *, source: str | None = None) -> list[SavedReply]:
    """Every saved reply (or those of one source), oldest first; ranking is the domain's job."""
    r = t.replies
    query = r.select().order_by(r.id)
    if source is not None:
        query = query.where(r.source == source)
    return [_record(row) for row in query]


def update(t: Tables, reply_id: int, *, now: datetime, **changes: Any) -> SavedReply:
    """Changes some of title, keywords, text, entities, media_type, file_id, caption."""
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise TypeError(f"cannot update {', '.join(sorted(unknown))} of a saved reply")
    if "keywords" in changes:
        changes["keywords"] = list(changes["keywords"])
    with t.atomic():
        merged = dataclasses.replace(require(t, reply_id), **changes)
        _check_content(
            text=merged.text,
            media_type=merged.media_type,
            file_id=merged.file_id,
            caption=merged.caption,
        )
        r = t.replies
        r.update(updated_at=now, **changes).where(r.id == reply_id).execute()
    return require(t, reply_id)


def upsert_from_file(
    t: Tables,
    *,
    file_path: str,
    title: str,
    text: str,
    now: datetime,
    keywords: Iterable[str] = (),
    entities: list[dict[str, Any]] | None = None,
    language: str | None = None,
) -> SavedReply:
    """Loads a ready answer from `respostas/`: updates the one from that path, keeping its uses
    (and writes nothing when the file says what the row already holds)."""
    keywords = tuple(keywords)
    with t.atomic():
        existing = get_by_file_path(t, file_path)
        if existing is None:
            return add(
                t,
                title=title,
                now=now,
                keywords=keywords,
                text=text,
                entities=entities,
                source="file",
                file_path=file_path,
                language=language,
            )
        if (existing.title, existing.keywords, existing.text, existing.entities,
                existing.language) == (title, keywords, text, entities, language):
            return existing
        t.replies.update(language=language).where(t.replies.id == existing.id).execute()
        return update(
            t, existing.id, now=now, title=title, keywords=keywords, text=text, entities=entities
        )


def delete_files_except(t: Tables, file_paths: Iterable[str]) -> list[int]:
    """Removes the ready answers whose file is gone; returns their ids."""
    r = t.replies
    keep = set(file_paths)
    gone = [row.id for row in r.select(r.id, r.file_path).where(r.source == "file")
            if row.file_path not in keep]
    if gone:
        r.delete().where(r.id.in_(gone)).execute()
    return gone


def delete(t: Tables, reply_id: int) -> bool:
    """False if there was no such reply."""
    return t.replies.delete().where(t.replies.id == reply_id).execute() > 0


def record_use(t: Tables, reply_id: int, *, now: datetime) -> SavedReply:
    """Counts one use (in SQL, so concurrent uses are not lost) and notes when."""
    r = t.replies
    count = r.update(uses=r.uses + 1, last_used_at=now).where(r.id == reply_id).execute()
    if count == 0:
        raise NotFoundError(f"no saved reply with id {reply_id}")
    return require(t, reply_id)


def _record(row: Any) -> SavedReply:
    return to_record(SavedReply, row, keywords=tuple(row.keywords or ()))


def _check_content(
    *, text: str | None, media_type: str | None, file_id: str | None, caption: str | None
) -> None:
    if file_id is None:
        if not text:
            raise ValueError("a saved reply needs a text or a media file id")
        if media_type is not None or caption is not None:
            raise ValueError("media_type and caption need a file_id")
    else:
        if text is not None:
            raise ValueError("a media reply carries a caption, not a text")
        if not media_type:
            raise ValueError("a media reply needs its media_type")
