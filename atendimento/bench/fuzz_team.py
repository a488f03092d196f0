"""The fuzz bench's team and outsiders: comments of every kind, thread commands, button
presses (real and forged), inline queries and picks, comments as a channel; see `fuzz.py`."""

from __future__ import annotations

from collections.abc import Callable

from atendimento.bench import fuzz_texts as texts
from atendimento.bench.fuzz_acts import ALBUMS, Act, Acts, short
from atendimento.bench.fuzz_oracle import (
    ADMIN,
    ANONYMOUS,
    COMMAND,
    FOREIGN,
    MEMBER,
    OUTSIDER,
    REFUSE,
    RELAY,
    TEAM_ONLY,
    is_caption_note,
    is_note,
    is_team_command,
)
from atendimento.sandbox import callbacks, files
from atendimento.sandbox.people import Person
from atendimento.sandbox.views import Seen

ADMIN_COMMANDS = frozenset({"p", "prioridade", "priority", "ban", "banir", "desbanir", "unban"})
BAN_COMMANDS = frozenset({"ban", "banir", "desbanir", "unban"})
SAVE_COMMANDS = frozenset({"resposta", "salvar", "save"})


class TeamActs(Acts):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.asked: dict = {}  # inline queries typed in a thread -> the thread's client

    # ----- choosing ------------------------------------------------------------------------
    def team(self) -> Act | None:
        person = self.rng.choice(self.people.team)
        return self._pick(person, ((18, self.comment), (8, self.comment_media),
                                   (1, self.comment_poll), (1, self.comment_album),
                                   (5, self.reply), (4, self.edit), (1, self.delete),
                                   (10, self.command), (3, self.press), (2, self.forged_press),
                                   (2, self.inline), (2, self.pick), (1, self.anonymous),
                                   (1, self.as_team_channel), (1, self.as_own_channel),
                                   (2, self.workspace)))

    def outsider(self) -> Act | None:
        person = self.rng.choice(self.people.outsiders)
        return self._pick(person, ((6, self.comment), (3, self.comment_media),
                                   (1, self.comment_poll), (2, self.reply), (1, self.edit),
                                   (3, self.as_own_channel), (6, self.command),
                                   (2, self.press), (4, self.forged_press), (2, self.inline),
                                   (2, self.workspace)))

    def _pick(self, person: Person, plans) -> Act | None:
        plan = self.rng.choices([p for _, p in plans], [w for w, _ in plans])[0]
        return plan(person)

    def role(self, person: Person) -> str:
        if person in self.people.admins:
            return ADMIN
        return MEMBER if person in self.people.members else OUTSIDER

    def thread(self) -> tuple[Person, int] | None:
        """A client with a card and its thread's root."""
        cards = [c for c in self.people.clients if self.observer.root(c) is not None]
        if not cards:
            return None
        client = self.rng.choice(cards)
        return client, self.observer.card[client.id]

    def expect(self, person: Person, text: str, via_bot: bool = False,
               caption: bool = False) -> str:
        if self.role(person) == OUTSIDER:
            return REFUSE
        if via_bot:
            return RELAY
        if caption and is_caption_note(text, self.bot_username):
            return TEAM_ONLY
        if is_team_command(text) or (not caption and is_note(text)):
            return TEAM_ONLY
        return RELAY

    def _write(self, person: Person, label: str, write: Callable[[], Seen | list[Seen]],
               client: Person, who: str | None = None, text: str = "",
               caption: bool = False) -> Act:
        def run() -> None:
            made = write()
            for one in made if isinstance(made, list) else [made]:
                expect = REFUSE if who == FOREIGN else self.expect(person, text,
                                                                   caption=caption)
                self.record(who or self.role(person), person, client, one, expect, label)
        return Act(label, run, actor=self.role(person))

    # ----- comments ------------------------------------------------------------------------
    def comment(self, person: Person) -> Act | None:
        if (found := self.thread()) is None:
            return None
        client, card = found
        text = self.tag()
        return self._write(person, f"{person.name}: comment(card of {client.name}, "
                           f"{short(text)})", lambda: person.comment(card, text), client,
                           text=text)

    def comment_media(self, person: Person) -> Act | None:
        if (found := self.thread()) is None:
            return None
        client, card = found
        kind = self.rng.choice(files.KINDS)
        caption = self.tag(short_text=True) if kind in files.CAPTIONED and (
            self.rng.random() < 0.6) else ""
        return self._write(person, f"{person.name}: comment(card of {client.name}, "
                           f"{short(caption)}, media={kind!r})",
                           lambda: person.comment(card, caption, media=kind), client,
                           text=caption, caption=True)

    def comment_poll(self, person: Person) -> Act | None:
        if (found := self.thread()) is None:
            return None
        client, card = found
        question, choices = self.tag(short_text=True)[:200] + "?", texts.options(self.rng)
        return self._write(person, f"{person.name}: comment_poll(card of {client.name}, "
                           f"{short(question)}, {choices})",
                           lambda: person.comment_poll(card, question, choices), client)

    def comment_album(self, person: Person) -> Act | None:
        if (found := self.thread()) is None:
            return None
        client, card = found
        kinds = self.rng.choice(ALBUMS)
        captions = tuple(self.tag(short_text=True) for _ in kinds[: self.rng.randint(0, 2)])
        return self._write(person, f"{person.name}: comment_album(card of {client.name}, "
                           f"{kinds})", lambda: person.comment_album(card, kinds, captions),
                           client, text=captions[0] if captions else "",  # the first decides
                           caption=True)

    def reply(self, person: Person) -> Act | None:
        if (found := self.thread()) is None:
            return None
        client, _card = found
        ids = self.observer.thread_ids.get(client.id)
        target = self.group_seen(self.rng.choice(ids[-15:])) if ids else None
        if target is None:
            return None
        text = self.tag()
        return self._write(person, f"{person.name}: reply(message {target.id} in the thread of "
                           f"{client.name}, {short(text)})", lambda: person.reply(target, text),
                           client, text=text)

    def edit(self, person: Person) -> Act | None:
        mine = [(m, i) for m, i in self.existing(person) if i is None or i.expect != TEAM_ONLY]
        if not mine:
            return None
        act = self.edit_of(person, *self.rng.choice(mine))
        if act is not None:
            act.actor = self.role(person)
        return act

    def delete(self, person: Person) -> Act | None:
        mine = self.existing(person)
        if not mine:
            return None
        made, _ = self.rng.choice(mine)
        return Act(f"{person.name}: delete({made.kind} {made.id} in the group)",
                   lambda: person.delete(made), self.role(person))

    def anonymous(self, person: Person) -> Act | None:
        if person not in self.people.admins or (found := self.thread()) is None:
            return None
        client, card = found
        text = self.tag()
        return self._write(person, f"{person.name}: comment(card of {client.name}, "
                           f"{short(text)}, anonymous=True)",
                           lambda: person.comment(card, text, anonymous=True), client,
                           who=ANONYMOUS, text=text)

    def as_team_channel(self, person: Person) -> Act | None:
        if person not in self.people.admins or (found := self.thread()) is None:
            return None
        client, card = found
        text, channel = self.tag(), self.sandbox.channel
        return self._write(person, f"{person.name}: comment(card of {client.name}, "
                           f"{short(text)}, as_chat=sandbox.channel)",
                           lambda: person.comment(card, text, as_chat=channel), client,
                           who=ANONYMOUS, text=text)

    def as_own_channel(self, person: Person) -> Act | None:
        channel = self.people.channels.get(person.id)
        if channel is None or (found := self.thread()) is None:
            return None
        client, card = found
        text = self.tag()
        kind = self.rng.choice((None, None, "photo", "sticker"))
        text = "" if kind == "sticker" else text
        return self._write(person, f"{person.name}: comment(card of {client.name}, "
                           f"{short(text)}, as_chat={channel.title!r}, media={kind!r})",
                           lambda: person.comment(card, text, as_chat=channel, media=kind),
                           client, who=FOREIGN)

    # ----- commands and buttons --------------------------------------------------------------
    def command(self, person: Person) -> Act | None:
        if (found := self.thread()) is None:
            return None
        client, card = found
        text = texts.team_command(self.rng)
        head = COMMAND.match(text)
        name = head[1].casefold() if head else ""
        if name in SAVE_COMMANDS and " " in text.split("\n")[0]:
            token = f"kw{self.serial_tag().replace('.', 'x')}"
            text = text.split("\n")[0] + f" {token}"
            if self.role(person) == OUTSIDER:
                self.ledger.outsider_tokens[token] = f"act {self.act}: {person.name} saved " \
                                                     f"{token!r}"
            else:
                self.ledger.title_tokens.add(token)
        ids = self.observer.thread_ids.get(client.id)
        target = self.group_seen(self.rng.choice(ids[-15:])) if ids and (
            self.rng.random() < 0.4) else None
        role = self.role(person)
        guarded = role == OUTSIDER or (role == MEMBER and name in ADMIN_COMMANDS)
        isolated = guarded or name in BAN_COMMANDS
        where = f"reply(message {target.id}" if target else f"comment(card of {client.name}"

        def run() -> None:
            made = person.reply(target, text) if target else person.comment(card, text)
            if not guarded:  # a guarded act is checked for any effect instead
                self.record(role, person, client, made, self.expect(person, text),
                            f"{person.name}: {where}, {text!r})")
        return Act(f"{person.name}: {where}, {text!r})", run, role, isolated, guarded)

    def press(self, person: Person) -> Act | None:
        clients = [c for c in self.observer.buttons if self.observer.buttons[c]]
        if not clients:
            return None
        ids = self.observer.buttons[self.rng.choice(clients)]
        target = self.group_seen(self.rng.choice(ids[-5:]))
        if target is None or not (found := callbacks.buttons(target)):
            return None
        label, _data = self.rng.choice(found)
        guarded = person not in self.people.admins
        return Act(f"{person.name}: press(line {target.id} in the thread, {label!r})",
                   lambda: person.press(target, label), self.role(person), guarded, guarded)

    def forged_press(self, person: Person) -> Act | None:
        candidates = [i for ids in self.observer.thread_ids.values() for i in ids[-3:]]
        own = self.observer.bot_private.get(person.id, [])
        if own and self.rng.random() < 0.3:
            target = self.private_seen(person, self.rng.choice(own[-5:]))
        else:
            target = self.group_seen(self.rng.choice(candidates)) if candidates else None
        if target is None:
            return None
        data = self.forged()
        guarded = person not in self.people.admins
        return Act(f"{person.name}: press_data(message {target.id}, {data!r})",
                   lambda: person.press_data(target, data), self.role(person), guarded,
                   guarded)

    # ----- inline mode, and a team member's private chat --------------------------------------
    def inline(self, person: Person) -> Act | None:
        tokens = sorted(self.ledger.title_tokens)
        query = self.rng.choice(["", "prazo", "horário", "a", "😀", *tokens[-3:]])
        found = self.thread() if self.rng.random() < 0.6 else None
        card = found[1] if found else None
        member = self.role(person) != OUTSIDER

        def run() -> None:
            ask = person.inline(query, card=card)
            self.ledger.inline.append((self.act, person, member, ask))
            if card is not None:
                self.asked[ask] = found[0]
        return Act(f"{person.name}: inline({query!r}{', card=' if card else ''}"
                   f"{'card of ' + found[0].name if found else ''})", run, self.role(person))

    def pick(self, person: Person) -> Act | None:
        ready = [(a, c) for a, c in self.asked.items()
                 if a.person is person and a.answered and a.results]
        if not ready:
            return None
        ask, client = self.rng.choice(ready)
        del self.asked[ask]
        result = self.rng.choice(ask.results)

        def run() -> None:
            made = ask.pick(result.id)
            self.record(self.role(person), person, client, made,
                        self.expect(person, made.text, via_bot=True),
                        f"{person.name}: inline({ask.query!r}, card of {client.name})"
                        f".pick({result.id!r})")
        return Act(f"{person.name}: pick inline result {result.id!r} for {client.name}", run,
                   self.role(person))

    def workspace(self, person: Person) -> Act | None:
        """The private chat: /respostas and its buttons, /notificacoes, a stray text."""
        rng = self.rng
        listed = self.observer.private_buttons.get(person.id)
        if listed and rng.random() < 0.5:
            target = self.private_seen(person, listed[-1])
            if target is not None and (found := callbacks.buttons(target)):
                label, _ = rng.choice(found)
                return Act(f"{person.name}: press(own list {target.id}, {label!r})",
                           lambda: person.press(target, label), self.role(person))
        text = rng.choice(("/respostas", "/respostas 2", "/notificacoes on",
                           "/notificacoes off", "/resposta", "/cancelar", "um texto solto"))
        if self.role(person) == OUTSIDER and not text.startswith(("/respostas", "/notif",
                                                                    "/resposta")):
            text = "/respostas"
        return Act(f"{person.name}: send({text!r}) in the private chat",
                   lambda: self.keep(person, person.send(text)), self.role(person))
