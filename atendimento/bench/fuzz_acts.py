"""The fuzz bench's people and their acts: each act is planned (who, what, whether it must run
alone), then run through the people API, and what it wrote goes into the oracle's ledger.

Clients' acts are here; the team's and outsiders' are in `fuzz_team.py`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from atendimento.bench import fuzz_texts as texts
from atendimento.bench.fuzz_oracle import (
    CLIENT,
    NOTHING,
    RELAY,
    Ledger,
    Observer,
    Written,
    is_client_special,
    signature,
)
from atendimento.sandbox import Sandbox
from atendimento.sandbox.people import Person
from atendimento.sandbox.views import Seen, seen
from atendimento.sandbox.world import Channel

MEDIA_KINDS = ("photo", "video", "document", "voice", "video_note", "audio", "sticker",
               "animation")
ALBUMS = (("photo", "photo"), ("photo", "video", "photo"), ("document", "document"),
          ("audio", "audio", "audio"), ("video",) * 4)
LANGUAGES = ("pt-br", "pt-br", "en", "es", "fr")


@dataclass
class Act:
    """One planned act: ``run`` does it; an ``isolated`` act runs alone between two settles,
    and with ``guarded`` set, any change it makes to a card or a client's chat is a
    violation (an outsider's or a non-admin's act)."""

    label: str
    run: Callable[[], object]
    actor: str
    isolated: bool = False
    guarded: bool = False


@dataclass
class Population:
    clients: list[Person]
    admins: list[Person]
    members: list[Person]  # team members who are not admins
    outsiders: list[Person]
    channels: dict[int, Channel] = field(default_factory=dict)  # owner id -> their channel

    @classmethod
    def make(cls, sandbox: Sandbox, rng: random.Random, clients: int = 12) -> Population:
        made = cls(
            clients=[sandbox.client(f"Client {i}", username=f"client{i}" if i % 3 else None,
                                    language=rng.choice(LANGUAGES)) for i in range(clients)],
            admins=[sandbox.admin(f"Admin {n}", anonymous=True) for n in "AB"],
            members=[sandbox.team_member(f"Member {n}") for n in "CD"],
            outsiders=[sandbox.client(f"Outsider {n}") for n in "EFG"])
        shop, own = made.outsiders[0], made.members[0]
        made.channels[shop.id] = sandbox.foreign_channel("Loja Falsa", owner=shop,
                                                         username="loja_falsa")
        made.channels[own.id] = sandbox.foreign_channel(f"Canal de {own.name}", owner=own)
        return made

    @property
    def team(self) -> list[Person]:
        return self.admins + self.members


def short(text: str) -> str:
    """A text for a label: its start, and its length when cut."""
    shown = repr(text[:40])
    return shown if len(text) <= 40 else f"{shown}…({len(text)} chars)"


class Acts:
    """What the people of one run can do; `fuzz_team.TeamActs` adds the team and outsiders."""

    def __init__(self, sandbox: Sandbox, rng: random.Random, people: Population,
                 ledger: Ledger, observer: Observer) -> None:
        self.sandbox, self.rng, self.people = sandbox, rng, people
        self.ledger, self.observer = ledger, observer
        self.act = 0  # the number of the act being planned
        self.serial = 0  # counts within the act
        self.mine: dict[int, list[tuple[Seen, Written | None]]] = {}  # person -> their writes
        self.bot_username = sandbox.world.bot.username or ""
        self.questions: list[str] = []  # with --faq: what clients ask the ready answers

    # ----- helpers -----------------------------------------------------------------------
    def tag(self, *, short_text: bool = False) -> str:
        return texts.tagged(self.rng, self.serial_tag(), short=short_text)

    def serial_tag(self) -> str:
        """Unique in the run: the act's number and a count within the act."""
        self.serial += 1
        return f"{self.act}.{self.serial}"

    def record(self, who: str, author: Person, client: Person, made: Seen, expect: str,
               label: str) -> Written:
        item = Written(self.act, who, author, client, made.id, [signature(made.raw)], expect,
                       label, made.grouped_id)
        self.ledger.written.append(item)
        self.mine.setdefault(author.id, []).append((made, item))
        return item

    def keep(self, author: Person, made: Seen) -> None:
        """A write with no expectation, kept so its author can edit or delete it later."""
        self.mine.setdefault(author.id, []).append((made, None))

    def existing(self, person: Person) -> list[tuple[Seen, Written | None]]:
        world = self.sandbox.world
        kept = []
        for made, item in self.mine.get(person.id, ())[-30:]:
            store = made.chat.messages if isinstance(made.chat, Channel) else world.private
            if made.id in store:
                kept.append((made, item))
        return kept

    def private_seen(self, person: Person, ident: int) -> Seen | None:
        message = self.sandbox.world.private.get(ident)
        return None if message is None else seen(self.sandbox.world, person.account, message)

    def group_seen(self, ident: int) -> Seen | None:
        message = self.sandbox.group.messages.get(ident)
        return None if message is None else seen(self.sandbox.world, self.sandbox.group,
                                                 message)

    def edit_of(self, person: Person, made: Seen, item: Written | None) -> Act | None:
        """Change a text, a caption, or a photo (with a new caption)."""
        if made.kind not in ("text", "photo", "video", "document", "audio", "animation",
                             "voice"):
            return None
        new_media = "photo" if made.kind == "photo" and self.rng.random() < 0.3 else None
        new = self.tag(short_text=made.kind != "text")

        def run() -> None:
            after = person.edit(made, new, media=new_media)
            if item is not None:
                item.versions.append(signature(after.raw))
        return Act(f"{person.name}: edit({made.kind} {made.id}, {short(new)}"
                   f"{', media=' + repr(new_media) if new_media else ''})", run,
                   actor=CLIENT)

    # ----- clients ------------------------------------------------------------------------
    def client(self) -> Act | None:
        rng = self.rng
        person = rng.choice(self.people.clients)
        if person.account.blocked:
            if rng.random() < 0.6:
                return Act(f"{person.name}: unblock_bot()", person.unblock_bot, CLIENT)
            return None
        plans = ((22, self.client_text), (12, self.client_media), (3, self.client_place),
                 (2, self.client_poll), (1, self.client_dice), (3, self.client_album),
                 (5, self.client_reply), (5, self.client_edit), (2, self.client_delete),
                 (3, self.client_start), (4, self.client_command), (1, self.client_block),
                 (1, self.client_inline), (1, self.client_forged))
        plan = rng.choices([p for _, p in plans], [w for w, _ in plans])[0]
        return plan(person)

    def _relay(self, person: Person, label: str, write: Callable[[], Seen | list[Seen]]) -> Act:
        """A client's message: relayed unless it is one the desk answers itself, or the
        client is banned (as the card showed at the last settle)."""
        banned = person.id in self.observer.banned

        def run() -> None:
            made = write()
            for one in made if isinstance(made, list) else [made]:
                special = one.kind == "text" and is_client_special(one.text, self.bot_username)
                expect = NOTHING if special or banned else RELAY
                self.record(CLIENT, person, person, one, expect, label)
        return Act(label, run, CLIENT)

    def client_text(self, person: Person) -> Act:
        if self.questions and self.rng.random() < 0.5:
            text = self.rng.choice(self.questions)
        else:
            text = self.tag()
        entities = None
        if self.rng.random() < 0.2:
            entities = [("bold", 0, len(text.encode("utf-16-le")) // 2)]
        return self._relay(person, f"{person.name}: send({short(text)})",
                           lambda: person.send(text, entities=entities))

    def client_media(self, person: Person) -> Act:
        kind = self.rng.choice(MEDIA_KINDS)
        caption = self.tag(short_text=True) if self.rng.random() < 0.6 else ""
        if kind in ("video_note", "sticker"):
            caption = ""
            write = getattr(person, f"send_{kind}")
        else:
            def write() -> Seen:
                return getattr(person, f"send_{kind}")(caption)
        return self._relay(person, f"{person.name}: send_{kind}({short(caption)})", write)

    def client_place(self, person: Person) -> Act:
        serial, act = self.serial_tag(), self.act
        kind = self.rng.choice(("contact", "location", "venue"))
        if kind == "contact":
            return self._relay(person, f"{person.name}: send_contact(...)", lambda: (
                person.send_contact(f"+5511{act:09d}", "Fulano", serial)))
        if kind == "location":
            return self._relay(person, f"{person.name}: send_location(...)", lambda: (
                person.send_location(-23.5 + act / 1e6, -46.6)))
        return self._relay(person, f"{person.name}: send_venue(...)", lambda: (
            person.send_venue(-23.5, -46.6, f"Loja {serial}", "Rua Augusta, 1")))

    def client_poll(self, person: Person) -> Act:
        question, choices = self.tag(short_text=True)[:200] + "?", texts.options(self.rng)
        return self._relay(person, f"{person.name}: send_poll({short(question)}, {choices})",
                           lambda: person.send_poll(question, choices,
                                                    multiple=self.rng.random() < 0.3))

    def client_dice(self, person: Person) -> Act:
        emoticon = self.rng.choice(("🎲", "🎯", "🏀"))
        return self._relay(person, f"{person.name}: send_dice({emoticon!r})",
                           lambda: person.send_dice(emoticon))

    def client_album(self, person: Person) -> Act:
        kinds = self.rng.choice(ALBUMS)
        captions = tuple(self.tag(short_text=True) for _ in kinds[: self.rng.randint(0, 2)])
        return self._relay(person, f"{person.name}: send_album({kinds}, {len(captions)} "
                           "captions)", lambda: person.send_album(kinds, captions))

    def client_reply(self, person: Person) -> Act | None:
        answers = self.observer.bot_private.get(person.id)
        target = self.private_seen(person, self.rng.choice(answers[-10:])) if answers else None
        if target is None:
            return None
        text = self.tag()
        return self._relay(person, f"{person.name}: reply(answer {target.id}, {short(text)})",
                           lambda: person.reply(target, text))

    def client_edit(self, person: Person) -> Act | None:
        mine = self.existing(person)
        if not mine:
            return None
        made, item = self.rng.choice(mine)
        return self.edit_of(person, made, item)

    def client_delete(self, person: Person) -> Act | None:
        mine = self.existing(person)
        if not mine:
            return None
        made, _ = self.rng.choice(mine)
        return Act(f"{person.name}: delete({made.kind} {made.id})",
                   lambda: person.delete(made), CLIENT)

    def client_start(self, person: Person) -> Act:
        param = self.rng.choice(texts.DEEP_LINKS) or None
        return self._relay(person, f"{person.name}: start({param!r})",
                           lambda: person.start(param))

    def client_command(self, person: Person) -> Act:
        text = texts.client_command(self.rng)
        return self._relay(person, f"{person.name}: send({text!r})", lambda: person.send(text))

    def client_block(self, person: Person) -> Act:
        return Act(f"{person.name}: block_bot()", person.block_bot, CLIENT)

    def client_inline(self, person: Person) -> Act:
        query = self.rng.choice(("", "prazo", "horário", "kw1", "a"))

        def run() -> None:
            self.ledger.inline.append((self.act, person, False, person.inline(query)))
        return Act(f"{person.name}: inline({query!r})", run, CLIENT)

    def client_forged(self, person: Person) -> Act | None:
        answers = self.observer.bot_private.get(person.id)
        target = self.private_seen(person, self.rng.choice(answers[-10:])) if answers else None
        if target is None:
            return None
        data = self.forged()
        return Act(f"{person.name}: press_data(answer {target.id}, {data!r})",
                   lambda: person.press_data(target, data), CLIENT, isolated=True,
                   guarded=True)

    def forged(self) -> bytes:
        return texts.forged_data(self.rng, self.observer.thread_numbers,
                                 self.observer.reply_numbers)
