"""Saved replies: the rows in the database, and in memory an index that answers inline searches
without a query per keystroke. Every change goes to the database first, then to the index.

Use is counted when a result is chosen. Telegram says so when inline feedback is on at
@BotFather (maybe for a sample of choices only); the desk also sees the message arrive through
the bot when it lands in a chat the bot is in. Both signals can come for one choice, so each
(team member, reply) pair counts the larger of the two tallies, never their sum.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from atendimento.desk.context import DeskContext
from atendimento.desk.ports import Content
from atendimento.domain.search import ReplyIndex, Searchable
from atendimento.domain.text import cut, storable, without_format
from atendimento.domain.words import fold
from atendimento.ready import ReadyAnswer
from atendimento.storage import replies as reply_rows
from atendimento.storage.records import SavedReply

log = logging.getLogger("atendimento.features.replies")

SAVEABLE_KINDS = frozenset({"text", "photo", "video", "document", "audio", "voice", "animation",
                            "sticker"})
TITLE_LIMIT = 200
KEYWORD_LIMIT = 64  # characters of one keyword
KEYWORDS_KEPT = 30
INLINE_PAGE = 50  # Telegram shows at most 50 results per answer
FEEDBACK, MESSAGE = 0, 1  # the two ways a use is seen
REMEMBERED_PER_USER = 200
REMEMBERED_PAIRS = 10_000


class ReplyError(Exception):
    """Why a saved reply cannot be saved or changed: `reason` names the line to show."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


NOT_SAVEABLE, NO_TITLE, FROM_FILE, GONE = "not_saveable", "no_title", "from_file", "gone"


@dataclass(frozen=True)
class Synced:
    added: int
    changed: int
    removed: int


def split_keywords(argument: str) -> tuple[str, ...]:
    """"entrega, prazo de envio" → two keywords; without commas, each word is one."""
    parts = argument.split(",") if "," in argument else argument.split()
    kept = (cut(storable(p).strip(), KEYWORD_LIMIT, unit="chars") for p in parts)
    return tuple(dict.fromkeys(k for k in kept if k))[:KEYWORDS_KEPT]


def searchable(reply: SavedReply) -> Searchable:
    used = reply.last_used_at or reply.created_at
    return Searchable(id=reply.id, title=reply.title, keywords=reply.keywords,
                      body=reply.text or reply.caption or "", uses=reply.uses,
                      recency=used.timestamp())


class ReplyBook:
    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx
        self.index = ReplyIndex()
        self.replies: dict[int, SavedReply] = {}
        self._shown: dict[int, OrderedDict[str, int]] = {}
        self._tallies: OrderedDict[tuple[int, int], list[int]] = OrderedDict()
        self.changed: list[Callable[[], None]] = []  # called after ready answers change

    async def load(self) -> None:
        for reply in await self.ctx.storage.run(reply_rows.list_all):
            self._keep(reply)

    def _keep(self, reply: SavedReply) -> None:
        self.replies[reply.id] = reply
        self.index.put(searchable(reply))

    def _drop(self, reply_id: int) -> None:
        self.replies.pop(reply_id, None)
        self.index.remove(reply_id)

    def get(self, reply_id: int) -> SavedReply | None:
        return self.replies.get(reply_id)

    def ready(self) -> list[SavedReply]:
        return [r for r in self.replies.values() if r.source == "file"]

    # --- saving and editing ---------------------------------------------------------------

    async def save(self, content: Content, argument: str, author_id: int | None) -> SavedReply:
        title = _title(argument)
        if content.kind not in SAVEABLE_KINDS:
            raise ReplyError(NOT_SAVEABLE, kind=content.kind)
        media = content.file_id is not None
        reply = await self.ctx.storage.run(
            reply_rows.add, title=title, keywords=split_keywords(argument), now=self.ctx.now(),
            text=None if media else content.text, entities=content.entities,
            media_type=content.kind if media else None, file_id=content.file_id,
            caption=content.caption if media else None, created_by=author_id)
        self._keep(reply)
        log.info("saved reply %s (%s) by %s", reply.id, content.kind, author_id)
        return reply

    def same_title(self, reply: SavedReply) -> list[int]:
        """The other replies whose title reads the same (case and accents aside)."""
        title = fold(reply.title)
        return sorted(other.id for other in self.replies.values()
                      if other.id != reply.id and fold(other.title) == title)

    def editable(self, reply_id: int) -> SavedReply:
        reply = self.replies.get(reply_id)
        if reply is None:
            raise ReplyError(GONE)
        if reply.source == "file":
            raise ReplyError(FROM_FILE, path=reply.file_path)
        return reply

    async def rename(self, reply_id: int, title: str) -> SavedReply:
        self.editable(reply_id)
        return await self._update(reply_id, title=_title(title))

    async def set_keywords(self, reply_id: int, argument: str) -> SavedReply:
        self.editable(reply_id)
        return await self._update(reply_id, keywords=split_keywords(argument))

    async def _update(self, reply_id: int, **changes: object) -> SavedReply:
        reply = await self.ctx.storage.run(reply_rows.update, reply_id, now=self.ctx.now(),
                                           **changes)
        self._keep(reply)
        return reply

    async def delete(self, reply_id: int) -> SavedReply:
        reply = self.editable(reply_id)
        await self.ctx.storage.run(reply_rows.delete, reply_id)
        self._drop(reply_id)
        return reply

    # --- finding and using ----------------------------------------------------------------

    def search(self, query: str, offset: int = 0, limit: int = INLINE_PAGE) -> list[SavedReply]:
        ids = (self.index.search(query, limit=limit, offset=offset) if query.strip()
               else self.index.most_used(limit=limit, offset=offset))
        return [self.replies[i] for i in ids]

    def page(self, number: int, size: int) -> tuple[list[SavedReply], int]:
        """One page of the list (most used, then newest, first) and how many pages there are."""
        pages = max(1, -(-len(self.replies) // size))
        number = min(max(number, 0), pages - 1)
        ids = self.index.most_used(limit=size, offset=number * size)
        return [self.replies[i] for i in ids], pages

    def shown(self, user_id: int, replies: Iterable[SavedReply]) -> None:
        """Remember what a team member was offered, to recognise it when it arrives."""
        remembered = self._shown.setdefault(user_id, OrderedDict())
        for reply in replies:
            key = self.ctx.telegram.fingerprint(reply)
            remembered[key] = reply.id
            remembered.move_to_end(key)
        while len(remembered) > REMEMBERED_PER_USER:
            remembered.popitem(last=False)

    async def chosen(self, user_id: int, reply_id: int) -> None:
        """Telegram's inline feedback: `user_id` picked the reply `reply_id`."""
        await self._tally(user_id, reply_id, FEEDBACK)

    async def arrived(self, user_id: int, fingerprint: str) -> int | None:
        """A message `user_id` sent through the bot's inline mode reached a chat the bot sees:
        the saved reply it was picked from, when it is one they were offered."""
        reply_id = self._shown.get(user_id, {}).get(fingerprint)
        if reply_id is not None:
            await self._tally(user_id, reply_id, MESSAGE)
        return reply_id

    async def _tally(self, user_id: int, reply_id: int, way: int) -> None:
        tally = self._tallies.setdefault((user_id, reply_id), [0, 0])
        self._tallies.move_to_end((user_id, reply_id))
        while len(self._tallies) > REMEMBERED_PAIRS:
            self._tallies.popitem(last=False)
        tally[way] += 1
        if tally[way] > tally[1 - way]:
            await self.used(reply_id)

    async def used(self, reply_id: int) -> None:
        if reply_id not in self.replies:
            return  # deleted since it was offered
        reply = await self.ctx.storage.run(reply_rows.record_use, reply_id, now=self.ctx.now())
        self.replies[reply_id] = reply
        self.index.used(reply_id, reply.uses, searchable(reply).recency)

    # --- ready answers --------------------------------------------------------------------

    async def sync_ready(self, answers: list[ReadyAnswer]) -> Synced:
        """Make the ready answers in the database and the index what the files say."""
        run, now = self.ctx.storage.run, self.ctx.now()
        before = {r.file_path: r for r in self.ready()}
        added = changed = 0
        for answer in answers:
            reply = await run(reply_rows.upsert_from_file, file_path=answer.path,
                              title=answer.title, text=answer.body, now=now,
                              keywords=answer.keywords, language=answer.language)
            old = before.get(answer.path)
            if old is None:
                added += 1
            elif old != reply:
                changed += 1
            self._keep(reply)
        removed = await run(reply_rows.delete_files_except, [a.path for a in answers])
        for reply_id in removed:
            self._drop(reply_id)
        for listener in self.changed:
            listener()
        return Synced(added, changed, len(removed))


def _title(argument: str) -> str:
    """The title typed, spaces tidied; ReplyError when nothing visible is left (a zero-width
    space pasted alone)."""
    title = cut(" ".join(storable(argument).split()), TITLE_LIMIT, unit="chars")
    if not without_format(title).strip():
        raise ReplyError(NO_TITLE)
    return title
