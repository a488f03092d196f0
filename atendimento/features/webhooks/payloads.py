"""The desk's events as webhook bodies: `{"id", "type", "created_at", "client_id", "data"}`,
serialised once and stored, so every attempt posts the same bytes.

`id` is a digest of the cause the listener runs under (stable when it runs again after a
crash), the event and the webhook type: a receiver de-duplicates on it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime
from typing import Any

from atendimento.domain.happenings import (
    AtendimentoEnded,
    AtendimentoOpened,
    ClientBanned,
    ClientMessageRelayed,
    CsatReceived,
    HandoverEnded,
    HandoverStarted,
    PriorityChanged,
    TagsChanged,
    TeamAnswerSent,
    TeamTookOver,
)

KINDS: tuple[type, ...] = (AtendimentoOpened, AtendimentoEnded, ClientMessageRelayed,
                           TeamAnswerSent, PriorityChanged, TagsChanged, CsatReceived,
                           HandoverStarted, HandoverEnded, ClientBanned, TeamTookOver)


def _opened(e: AtendimentoOpened) -> list[tuple[str, dict[str, Any]]]:
    data = {"atendimento": e.number, "resumed": e.resumed, "name": e.client_name,
            "origin": e.origin}
    created = [("client.created", {"name": e.client_name, "origin": e.origin})
               ] if e.number == 1 and not e.resumed else []
    return [*created, ("atendimento.opened", data)]


def events_of(event: Any) -> list[tuple[str, dict[str, Any]]]:
    """The webhook (type, data) pairs one desk event makes (none for those not sent)."""
    match event:
        case AtendimentoOpened():
            return _opened(event)
        case AtendimentoEnded():
            return [("atendimento.ended", {"atendimento": event.number,
                                           "by": None if event.automatic else event.by_id,
                                           "automatic": event.automatic})]
        case ClientMessageRelayed():
            return [("message.received", {"text": event.text,
                                          "thread_message_id": event.copy_id})]
        case TeamAnswerSent():
            return [("message.sent", {"by": event.author_id, "via": event.via})]
        case PriorityChanged():
            return [("priority.changed", {"priority": event.priority, "by": event.by_id})]
        case TagsChanged():
            return [("tags.changed", {"added": list(event.added),
                                      "removed": list(event.removed),
                                      "tags": list(event.tags), "by": event.by_id})]
        case CsatReceived():
            return [("csat.received", {"atendimento": event.number,
                                       "rating": event.rating})]
        case HandoverStarted():
            return [("handover.started", {"atendimento": event.number,
                                          "reason": event.reason, "summary": event.summary})]
        case HandoverEnded():
            return [("handover.ended", {"atendimento": event.number,
                                        "automatic": event.automatic})]
        case TeamTookOver():
            return [("team.took_over", {"atendimento": event.number, "by": event.author_id})]
        case ClientBanned():
            return [("client.banned", {"banned": event.banned, "by": event.by_id})]
    return []


def event_id(cause: str, event: Any, kind: str) -> str:
    fields = json.dumps(dataclasses.asdict(event), sort_keys=True, ensure_ascii=False,
                        default=str)
    digest = hashlib.blake2b(f"{cause}\n{type(event).__name__}\n{fields}\n{kind}".encode(),
                             digest_size=16)
    return digest.hexdigest()


def body(identifier: str, kind: str, client_id: int, data: dict[str, Any],
         now: datetime) -> str:
    return json.dumps({"id": identifier, "type": kind,
                       "created_at": now.isoformat().replace("+00:00", "Z"),
                       "client_id": client_id, "data": data},
                      ensure_ascii=False, separators=(",", ":"))
