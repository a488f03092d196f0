"""What the API does at the desk, through the same core the Telegram side uses: reads from
the database, and the actions (send, tags, end, hand-over) run in the client's conversation
lane, in order with their messages and the team's comments.

Every answer is a plain JSON-ready dict; a refusal is an ApiError."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import logging
import unicodedata
from datetime import datetime
from typing import Any

from atendimento.desk.core import Core
from atendimento.desk.ports import Undeliverable
from atendimento.desk.threads import Opened, ThreadUnavailable
from atendimento.domain.events import Person
from atendimento.storage import clients as client_rows
from atendimento.storage import directory
from atendimento.storage import threads as thread_rows
from atendimento.storage.handovers import Handover
from atendimento.storage.records import OPEN, TO_CLIENT, Atendimento, Client, Thread
from atendimento.web.errors import ApiError
from atendimento.web.models import ClientsQuery, HandoverBody, SendBody, TagsBody

log = logging.getLogger("atendimento.web.actions")


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def encode_cursor(client_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{client_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        digits = number.removeprefix("-")
        if kind == "after" and digits.isascii() and digits.isdigit() and len(digits) < 19:
            return int(number)  # within a BIGINT, as every id this API gives
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ApiError(400, "bad_cursor", "cursor is not one this API gave (use next_cursor)")


async def _refusing(job: Any) -> Any:
    """`job` as a lane job that returns its ApiError instead of raising it: a refusal is
    the API's answer, not a failure the lane logs as an error."""
    try:
        return await job()
    except ApiError as error:
        return error


class DeskActions:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.ctx = core.ctx
        self.api_person = Person(core.ctx.bot_id, "API")

    # --- reading ----------------------------------------------------------------------------

    async def list_clients(self, query: ClientsQuery) -> dict[str, Any]:
        after = decode_cursor(query.cursor) if query.cursor else None
        listed = await self.ctx.storage.run(
            lambda t: directory.list_clients(t, tag=query.tag, is_open=query.open,
                                             updated_since=query.updated_since, after=after,
                                             limit=query.limit + 1))
        page, more = listed[:query.limit], len(listed) > query.limit
        return {"clients": [self._listed(item) for item in page],
                "next_cursor": encode_cursor(page[-1].client.user_id) if more else None}

    def _listed(self, item: directory.Listed) -> dict[str, Any]:
        return {**self._person(item.client), **self._thread(item.thread), "tags": item.tags}

    @staticmethod
    def _person(client: Client) -> dict[str, Any]:
        return {"id": client.user_id, "first_name": client.first_name,
                "last_name": client.last_name, "username": client.username,
                "language": client.language or client.language_code,
                "banned": client.banned, "blocked_bot": client.blocked_bot,
                "created_at": _time(client.created_at), "updated_at": _time(client.updated_at)}

    def _thread(self, thread: Thread | None) -> dict[str, Any]:
        if thread is None or thread.card_message_id is None:
            return {"open": False, "priority": None, "thread_link": None}
        return {"open": thread.state == OPEN, "priority": thread.priority,
                "thread_link": self.ctx.comment_link(thread.card_message_id)}

    async def client(self, client_id: int) -> dict[str, Any]:
        card = await self.ctx.storage.run(directory.card, client_id)
        if card is None:
            raise self._unknown(client_id)
        handling = card.handover is not None or bool(
            card.atendimento is not None and card.atendimento.is_open
            and card.person_answered)
        return {**self._person(card.client), **self._thread(card.thread), "tags": card.tags,
                "atendimento": self._atendimento(card.atendimento),
                "atendimentos": card.atendimentos, "handover": self._handover(card.handover),
                "person_handling": handling}

    @staticmethod
    def _atendimento(atendimento: Atendimento | None) -> dict[str, Any] | None:
        if atendimento is None:
            return None
        return {"number": atendimento.number, "open": atendimento.is_open,
                "origin": atendimento.origin, "opened_at": _time(atendimento.opened_at),
                "ended_at": _time(atendimento.ended_at)}

    @staticmethod
    def _handover(handover: Handover | None) -> dict[str, Any] | None:
        if handover is None:
            return None
        return {"reason": handover.reason, "started_at": _time(handover.started_at)}

    async def timeline(self, client_id: int, number: int) -> dict[str, Any]:
        def read(t: Any) -> tuple[Atendimento | None, list[Any]]:
            atendimento = directory.atendimento_of(t, client_id, number)
            return atendimento, ([] if atendimento is None
                                 else directory.timeline(t, atendimento.id))
        atendimento, links = await self.ctx.storage.run(read)
        if atendimento is None:
            raise ApiError(404, "no_such_atendimento",
                           f"client {client_id} has no atendimento number {number}")
        return {"client_id": client_id, **self._atendimento(atendimento), "messages": [
            {"from": "team" if link.direction == TO_CLIENT else "client",
             "client_message_id": link.client_message_id,
             "thread_message_id": link.group_message_id, "at": _time(at)}
            for link, at in links]}

    # --- acting -----------------------------------------------------------------------------

    async def send(self, client_id: int, body: SendBody,
                   key: str | None = None) -> dict[str, Any]:
        """With `key` (the Idempotency-Key header), every send this decides is keyed by it:
        a retry with the same key and text finds them decided, sends nothing again and
        answers as the first time did (while the outbox keeps its rows)."""
        client = await self._reachable(client_id)
        cause = None if key is None else f"api:{client_id}:{key}"

        async def job() -> dict[str, Any]:
            if cause is None:
                return await sending()
            with self.ctx.outbox.cause(cause):
                return await sending()

        async def sending() -> dict[str, Any]:
            opened = await self._open(client)
            words = self.ctx.wording
            line = words.tr._(words.team, "✉️ Sent through the API:")
            written = await self.core.write(client, opened, body.text, line, None, via="api")
            if written is None:
                raise ApiError(502, "not_delivered", "Telegram refused the message; the "
                               "thread says why")
            sent, shown = written
            return {"client_message_id": sent, "thread_message_id": shown,
                    "thread_link": self.ctx.comment_link(opened.thread.card_message_id,
                                                         shown)}
        return await self._in_lane(client_id, job)

    async def tags(self, client_id: int, body: TagsBody) -> dict[str, Any]:
        tags = self.core.api("tags")
        if tags is None:
            raise ApiError(404, "feature_off", "the tags feature is not enabled")
        client = await self._known(client_id)
        words, refused = [], []
        for typed, removing in [*((t, False) for t in body.add),
                                *((t, True) for t in body.remove)]:
            # One item is one tag, taken literally: not a /marcar line ("-vip" in `add`
            # would remove it, "a b" would be two tags).
            parsed, more = tags.parse(typed)
            word = parsed[0] if len(parsed) == 1 and not more else None
            literal = unicodedata.normalize("NFC", typed).removeprefix("#")  # as /marcar reads
            if word is None or word.problem is not None or word.tag != literal:
                refused.append(typed)
            else:
                words.append(dataclasses.replace(word, remove=removing))
        if refused:
            raise ApiError(422, "bad_tags", "these cannot be tags (letters, digits and _, "
                           "not the card's own hashtags)", refused)
        if not body.add and not body.remove:
            raise ApiError(422, "nothing_to_do", "give tags to add or remove")

        async def job() -> dict[str, Any]:
            thread = await self._thread_of(client)
            outcome = await tags.change(thread, words, None)
            return {"tags": outcome.tags, "added": outcome.added, "removed": outcome.removed}
        return await self._in_lane(client_id, job)

    async def end(self, client_id: int) -> dict[str, Any]:
        client = await self._known(client_id)

        async def job() -> dict[str, Any]:
            thread = await self._thread_of(client)
            words = self.ctx.wording
            ended = await self.core.end(thread, self.api_person, line=lambda a: words.tr._(
                words.team, "⚪ Atendimento #{number} ended through the API",
                number=a.number))
            if ended is None:
                raise ApiError(409, "not_open", "the client has no open atendimento")
            return {"ended": self._atendimento(ended)}
        return await self._in_lane(client_id, job)

    async def hand_over(self, client_id: int, body: HandoverBody) -> dict[str, Any]:
        handovers = self.core.api("handover")
        if handovers is None:
            raise ApiError(404, "feature_off", "the handover feature is not enabled")
        client = await self._known(client_id)
        if client.banned:
            raise ApiError(409, "banned", "the client is banned: /desbanir in their thread "
                           "first")

        async def job() -> dict[str, Any]:
            try:
                handed = await handovers.hand_over(client, body.reason, body.summary)
            except (Undeliverable, ThreadUnavailable) as error:
                raise self._no_thread(error) from None
            opened = handed.opened
            return {"started": handed.started, "handover": self._handover(handed.handover),
                    "atendimento": self._atendimento(opened.atendimento),
                    "thread_link": self.ctx.comment_link(opened.thread.card_message_id)}
        return await self._in_lane(client_id, job)

    async def _in_lane(self, client_id: int, job: Any) -> Any:
        result = await self.core.in_client_lane(client_id, lambda: _refusing(job))
        if isinstance(result, ApiError):
            raise result
        return result

    # --- checks -----------------------------------------------------------------------------

    async def _known(self, client_id: int) -> Client:
        client = await self.ctx.storage.run(client_rows.get, client_id)
        if client is None or client_id == self.ctx.bot_id:
            raise self._unknown(client_id)
        return client

    async def _reachable(self, client_id: int) -> Client:
        client = await self._known(client_id)
        if client.banned:
            raise ApiError(409, "banned", "the client is banned: /desbanir in their thread "
                           "first")
        if client.blocked_bot:
            raise ApiError(409, "blocked_bot", "the client has blocked the bot: Telegram "
                           "delivers nothing to them until they unblock it")
        return client

    async def _open(self, client: Client) -> Opened:
        try:
            opened, _ = await self.core.threads.ensure_open(client)
        except (Undeliverable, ThreadUnavailable) as error:
            raise self._no_thread(error) from None
        return opened

    async def _thread_of(self, client: Client) -> Thread:
        thread = await self.ctx.storage.run(thread_rows.get_by_client, client.user_id)
        if thread is None or thread.thread_root_id is None:
            raise ApiError(409, "no_thread", "the client has no thread yet")
        return thread

    @staticmethod
    def _no_thread(error: Exception) -> ApiError:
        log.warning("API: thread not opened: %s", error)
        return ApiError(503, "thread_unavailable", "the thread could not be opened: "
                        f"{str(error)[:200]}; “atendimento check” says which right the bot "
                        "is missing")

    @staticmethod
    def _unknown(client_id: int) -> ApiError:
        return ApiError(404, "no_such_client", f"no client {client_id}: they must write to "
                        "the bot first (Telegram does not let a bot write first)")
