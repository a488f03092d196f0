"""/marcar: the team tags a client (`/marcar vip atacado`, `/marcar -vip`, `/marcar` alone to
list them). The card shows the tags as hashtags on a line of their own, so Telegram's own
search finds every client with one; broadcasts and exports select on them
(`storage.tags.clients_with`).

A change is one transaction: the tags, the card's redraw and the service line saying what
changed and who changed it. Words that cannot be tags are answered one by one, and the valid
ones of the same command still apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atendimento.desk.contract import TEAM, THREAD, Command, Feature, ThreadCall
from atendimento.desk.core import Core
from atendimento.domain.card import full_name
from atendimento.domain.events import Person
from atendimento.domain.happenings import TagsChanged
from atendimento.domain.priority import ORDER
from atendimento.domain.text import cut
from atendimento.features.tags import words as tag_words
from atendimento.features.tags.wording import TagWording
from atendimento.i18n import N_
from atendimento.storage import FeatureMigrations
from atendimento.storage import clients as client_rows
from atendimento.storage import tags as tag_rows
from atendimento.storage.migrator import discover_package
from atendimento.storage.records import Client, Thread

LINE_LIMIT = 4000  # a service line stays under Telegram's 4096


def migrations() -> FeatureMigrations:
    return FeatureMigrations("tags", discover_package(f"{__name__}.schema"))


@dataclass
class Outcome:
    """What one /marcar did: tags added and removed (as shown), and a line per word that
    changed nothing."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # the client's, after the change
    client: Client | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


class Tags:
    def __init__(self, core: Core) -> None:
        self.ctx = core.ctx
        self.threads = core.threads
        self.events = core.events
        self.words = TagWording(core.ctx.wording)

    async def command(self, call: ThreadCall) -> None:
        words, more = tag_words.parse(call.arguments, self._reserved())
        if not words:
            await self._list(call)
            return
        await self.change(call.thread, words, call.author, more, reply_to=call.here)

    async def change(self, thread: Thread, words: list[tag_words.Word], by: Person | None,
                     more: int = 0, reply_to: int | None = None) -> Outcome:
        """Apply `words` (from `parse`) to the thread's client, as one transaction with the
        card's redraw and the thread's line; `by` None is the HTTP API."""
        now, by_id = self.ctx.now(), by.id if by else None
        by_name = by.name if by else self.ctx.wording.tr._(self.ctx.wording.team, "the API")

        def change(t: Any) -> Outcome:
            outcome = self._apply(t, thread.client_id, words, by_id, now)
            if more:
                outcome.notes.append(self.words.unread(more))
            return outcome

        def sends(outcome: Outcome) -> list[Any]:
            lines = [self.words.changed(outcome.added, outcome.removed, by_name)
                     ] if outcome.changed else []
            lines += outcome.notes
            if not lines:  # e.g. "vip -vip": nothing to say but where things stand
                name = full_name(outcome.client.first_name, outcome.client.last_name)
                lines = [self.words.listing(name, outcome.tags)]
            line = self.threads.line_send(thread, cut("\n".join(lines), LINE_LIMIT),
                                          reply_to=reply_to)
            if not outcome.changed:
                return [line]
            return [self.threads.redraw(thread), line, *self.events.sends(TagsChanged(
                thread.client_id, tuple(outcome.added), tuple(outcome.removed),
                tuple(outcome.tags), by_id))]

        outcome, _ = await self.ctx.outbox.commit(sends, change)
        return outcome

    def parse(self, text: str) -> tuple[list[tag_words.Word], int]:
        """The words of `text` as /marcar reads them, and how many were left unread."""
        return tag_words.parse(text, self._reserved())

    def _apply(self, t: Any, client_id: int, words: list[tag_words.Word], by: int | None,
               now: Any) -> Outcome:
        """The words applied in the order typed, in memory first (so `vip -vip` is no
        change and the limit counts what stays), then the net change written."""
        outcome = Outcome(client=client_rows.require(t, client_id))
        before = {tag.key: tag.tag for tag in tag_rows.list_tags(t, client_id)}
        after, touched = dict(before), set()
        for word in words:
            key = tag_rows.fold(word.tag)
            if word.problem is not None:
                outcome.notes.append(self.words.refused(word.typed, word.tag, word.problem))
            elif word.remove:
                if after.pop(key, None) is None and key not in touched:
                    outcome.notes.append(self.words.not_there(word.tag))
            elif key in after:
                if key not in touched:
                    outcome.notes.append(self.words.already(after[key]))
            elif len(after) >= tag_words.TAGS_PER_CLIENT:
                outcome.notes.append(self.words.full(word.tag))
            else:
                after[key] = word.tag
            touched.add(key)
        outcome.removed = [tag for key, tag in before.items() if after.get(key) != tag]
        outcome.added = [tag for key, tag in after.items() if before.get(key) != tag]
        for tag in outcome.removed:
            tag_rows.remove(t, client_id, tag)
        for tag in outcome.added:
            tag_rows.add(t, client_id, tag, by=by, now=now)
        outcome.tags = [tag.tag for tag in tag_rows.list_tags(t, client_id)]
        return outcome

    async def _list(self, call: ThreadCall) -> None:
        def read(t: Any) -> tuple[Client, list[str]]:
            client = client_rows.require(t, call.thread.client_id)
            return client, [tag.tag for tag in tag_rows.list_tags(t, client.user_id)]

        client, tags = await self.ctx.storage.run(read)
        await self.threads.line(call.thread, self.words.listing(
            full_name(client.first_name, client.last_name), tags), reply_to=call.here)

    def _reserved(self) -> set[str]:
        """The card's own hashtags (state and priority), in every language."""
        tr, words = self.ctx.wording.tr, self.ctx.wording
        locales = {*tr.locales, words.team}
        states = [tr.pgettext(locale, "state", state) for locale in locales
                  for state in ("open", "ended", "banned")]
        priorities = [words.priority(p, locale) for locale in locales for p in ORDER]
        return tag_words.reserved_keys([*states, *priorities])


def card_lines(t: Any, thread: Thread, client: Client, now: Any) -> list[str]:
    """The client's tags as hashtags, on a line under the card's own."""
    tags = tag_rows.list_tags(t, client.user_id)
    return [" ".join(f"#{tag.tag}" for tag in tags)] if tags else []


def feature(core: Core) -> Feature:
    tags = Tags(core)
    return Feature(
        "tags",
        commands=[Command(("marcar", "tag", "tags"), THREAD, tags.command,
                          summary=N_("Tag the client: /marcar vip, /marcar -vip"),
                          menus=(TEAM,))],
        card=card_lines,
        api=tags)
