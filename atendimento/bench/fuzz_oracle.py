"""The fuzz bench's oracle: what every act wrote (the ledger), what Telegram shows afterwards
(read from the sandbox's world, never from the desk), and the counts of what went wrong.

The definitions are in `fuzz.py`'s docstring; this module implements them.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pyrogram import raw

from atendimento.domain.placeholders import NAMES as PLACEHOLDER_NAMES
from atendimento.domain.text import visible_start
from atendimento.sandbox import Sandbox
from atendimento.sandbox.people import Inline, Person

T = raw.types
# Who wrote something, as the oracle sees it.
CLIENT, MEMBER, ADMIN, OUTSIDER, FOREIGN, ANONYMOUS = (
    "client", "member", "admin", "outsider", "foreign channel", "anonymous")
# What must become of it.
RELAY, NOTHING, TEAM_ONLY, REFUSE = "relay", "nothing", "team only", "refuse"
WHY_MARKS = ("⚠️", "❔")  # the desk's service lines saying something did not go through
UNCOPYABLE = frozenset({"dice", "other"})  # kinds a bot cannot send as its own
CARD_TAG = re.compile(r"#c(\d+)\b")
TELLING = re.compile(r"#\d|/\w")
FAQ_ANSWERED = "🤖"  # the thread's line saying the FAQ answered; the answer's copy comes next
ACT_SHAPE = re.compile(r": (\w+)\(")  # "act 3: Ana: send_photo('…')" -> send_photo
# A command to a bot, as Telegram's apps mark it (a bot_command entity at offset 0).
COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@(\w+))?(?=\s|$)")
# What a team message may hold for the client's copy to fill in (their name, handle).
PLACEHOLDER = re.compile(r"(\{(?:" + "|".join(PLACEHOLDER_NAMES) + r")\})")
CLIENT_SPECIAL = frozenset({"start", "notificacoes", "notificações", "notifications", "resposta",
                            "salvar", "save", "respostas", "replies"})


def signature(message: Any) -> tuple:
    """A message's content: its text or caption, and which file, contact, place or poll."""
    media, text = getattr(message, "media", None), getattr(message, "message", "") or ""
    if media is None:
        return ("text", text)
    if isinstance(media, T.MessageMediaPhoto):
        return ("photo", media.photo.id, text)
    if isinstance(media, T.MessageMediaDocument):
        return ("document", media.document.id, text)
    if isinstance(media, T.MessageMediaContact):
        return ("contact", media.phone_number, media.first_name, media.last_name)
    if isinstance(media, T.MessageMediaVenue):
        return ("venue", media.title, media.address)
    if isinstance(media, T.MessageMediaGeo):
        return ("location", round(media.geo.lat, 6), round(media.geo.long, 6))
    if isinstance(media, T.MessageMediaPoll):
        poll = media.poll
        return ("poll", poll.question.text, tuple(a.text.text for a in poll.answers))
    if isinstance(media, T.MessageMediaDice):
        return ("dice", media.emoticon)
    return ("other", type(media).__name__)


def is_team_command(text: str) -> bool:
    """A comment that is a command, to this bot or another one (or a caption written as
    one): never for the client."""
    return COMMAND.match(visible_start(text)) is not None


def is_note(text: str) -> bool:
    """An internal note (the notes feature): never for the client."""
    return visible_start(text).startswith("//")


def is_caption_note(caption: str, bot_username: str) -> bool:
    """A caption that makes its message an internal note: it starts with //, or with /n,
    /nota or /note (a caption is never a command to Telegram; the notes feature reads it)."""
    caption = visible_start(caption)
    found = re.match(r"/(?:n|nota|note)(?:@(\w+))?(?=\s|$)", caption, re.IGNORECASE)
    return is_note(caption) or (found is not None and (
        found[1] is None or found[1].casefold() == bot_username.casefold()))


def is_client_special(text: str, bot_username: str) -> bool:
    """A client's command the desk answers itself (/start, /notificacoes, saved replies), read
    generously (any first word) so that no relayed message is taken for one."""
    text = visible_start(text)
    if not text.startswith("/"):
        return False
    head = text[1:].split(maxsplit=1)[0] if text[1:].strip() else ""
    name, _, addressee = head.partition("@")
    if addressee and addressee.casefold() != bot_username.casefold():
        return False
    return name.casefold() in CLIENT_SPECIAL


class ErrorLog(logging.Handler):
    """Counts records at ERROR and above from any logger; keeps the first distinct ones."""

    def __init__(self, keep: int = 5) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.keep = keep
        self.distinct: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        message = f"{record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message += f" [{type(error).__name__}: {str(error)[:160]}]"
        key = message[:300]
        if key in self.distinct or len(self.distinct) < self.keep:
            self.distinct[key] = self.distinct.get(key, 0) + 1


@dataclass
class Written:
    """Something a person wrote, and what must become of it."""

    act: int
    who: str
    author: Person
    client: Person  # whose conversation it belongs to
    message_id: int
    versions: list[tuple]
    expect: str
    label: str
    album: int | None = None  # the grouped id of the album it was sent in


@dataclass
class Tally:
    """One count with its first examples (what happened, for a story to reproduce it)."""

    count: int = 0
    examples: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)
    _shapes: Counter = field(default_factory=Counter)

    def add(self, kind: str, example: str, n: int = 1) -> None:
        if n <= 0:
            return
        self.count += n
        self.kinds[kind] += n
        # Varied examples: at most two of each kind of act (what the label says was done).
        shape = ACT_SHAPE.search(example)
        key = (kind, shape[1] if shape else example)
        if len(self.examples) < 10 and self._shapes[key] < 2:
            self._shapes[key] += 1
            self.examples.append(example)


class Observer:
    """What Telegram shows, read from the world after each settle (only what is new)."""

    def __init__(self, sandbox: Sandbox, clients: list[Person]) -> None:
        self.sandbox = sandbox
        self.by_id = {c.id: c for c in clients}
        self.card: dict[int, int] = {}  # client id -> post id
        self.client_of_root: dict[int, int] = {}
        self.root_of: dict[int, int] = {}  # group message id -> its thread root
        self.thread_ids: dict[int, list[int]] = defaultdict(list)  # client -> group ids
        self.buttons: dict[int, list[int]] = defaultdict(list)  # client -> ids with buttons
        self.bot_private: dict[int, list[int]] = defaultdict(list)  # user -> bot message ids
        self.private_buttons: dict[int, list[int]] = defaultdict(list)  # ... with buttons
        self.banned: set[int] = set()
        # Ids read from the data of the desk's buttons, for forged presses that look right.
        self.thread_numbers: list[int] = []
        self.reply_numbers: list[int] = []
        self._posts = self._group = self._private = 0

    def _learn(self, message: Any) -> bool:
        """Remember the ids in the data of a bot message's buttons; True if it has some."""
        markup = getattr(message, "reply_markup", None)
        if not getattr(message, "out", None) or not isinstance(markup, T.ReplyInlineMarkup):
            return False
        found = False
        for row in markup.rows:
            for button in row.buttons:
                data = getattr(button.type, "data", None)
                if not isinstance(data, bytes):
                    continue
                found = True
                parts = data.decode(errors="replace").split(":")
                numbers = [int(p) for p in parts[1:] if p.isascii() and p.isdigit()]
                if numbers and parts[0] == "p" and numbers[0] not in self.thread_numbers:
                    self.thread_numbers.append(numbers[0])
                elif numbers and parts[0] == "r" and numbers[0] not in self.reply_numbers:
                    self.reply_numbers.append(numbers[0])
        return found

    def refresh(self) -> None:
        world, channel, group = self.sandbox.world, self.sandbox.channel, self.sandbox.group
        for ident in _newer(channel.messages, self._posts):
            found = CARD_TAG.search(getattr(channel.messages[ident], "message", "") or "")
            if found and int(found[1]) in self.by_id and int(found[1]) not in self.card:
                self.card[int(found[1])] = ident
            self._posts = max(self._posts, ident)
        roots = {f: p for f, p in group.forward_of.items()}
        post_client = {p: c for c, p in self.card.items()}
        for ident in _newer(group.messages, self._group):
            self._group = max(self._group, ident)
            if ident in roots:
                if roots[ident] in post_client:
                    self.client_of_root[ident] = post_client[roots[ident]]
                self.root_of[ident] = ident
                continue
            message = group.messages[ident]
            header = getattr(message, "reply_to", None)
            parent = header and (header.reply_to_top_id or header.reply_to_msg_id)
            root = self.root_of.get(parent) if parent else None
            if root is None:
                continue
            self.root_of[ident] = root
            client = self.client_of_root.get(root)
            if client is None:
                continue
            self.thread_ids[client].append(ident)
            if self._learn(message):
                self.buttons[client].append(ident)
        for ident in _newer(world.private, self._private):
            self._private = max(self._private, ident)
            message = world.private[ident]
            if getattr(message, "out", None) and isinstance(message, T.Message):
                self.bot_private[message.peer_id.user_id].append(ident)
                if self._learn(message):
                    self.private_buttons[message.peer_id.user_id].append(ident)
        for client, post in self.card.items():
            text = getattr(channel.messages.get(post), "message", "") or ""
            (self.banned.add if text.startswith("⛔") else self.banned.discard)(client)

    def root(self, client: Person) -> int | None:
        post = self.card.get(client.id)
        return None if post is None else self.sandbox.channel.forward_of.get(post)

    def snapshot(self) -> tuple:
        """The cards (text, pinned) and how many bot messages each private chat has."""
        channel = self.sandbox.channel
        cards = tuple(sorted((c, getattr(channel.messages.get(p), "message", None),
                              bool(getattr(channel.messages.get(p), "pinned", None)))
                             for c, p in self.card.items()))
        return cards, self._private


def _newer(messages: dict, after: int) -> list[int]:
    # Messages are stored in the order of their ids, which only grow: the new ones are last.
    found = []
    for ident in reversed(messages):
        if ident <= after:
            break
        found.append(ident)
    return found[::-1]


@dataclass
class Ledger:
    written: list[Written] = field(default_factory=list)
    inline: list[tuple[int, Person, bool, Inline]] = field(default_factory=list)
    title_tokens: set[str] = field(default_factory=set)  # in /resposta keywords by the team
    outsider_tokens: dict[str, str] = field(default_factory=dict)  # token -> the act's label


@dataclass
class Verdict:
    lost: Tally = field(default_factory=Tally)
    obeyed: Tally = field(default_factory=Tally)
    shown: Tally = field(default_factory=Tally)


def evaluate(sandbox: Sandbox, ledger: Ledger, observer: Observer, verdict: Verdict,
             people: dict[str, list[Person]], notice_marker: str) -> Verdict:
    """Adds the end-of-run counts to `verdict` (whose isolated-act counts are already in)."""
    world, group = sandbox.world, sandbox.group
    names = [p.name for kind in people.values() for p in kind]
    by_client: dict[int, list[Written]] = defaultdict(list)
    for item in ledger.written:
        by_client[item.client.id].append(item)
    service_texts: set[str] = set()
    leftovers: dict[int, list[Any]] = {}
    for client in people[CLIENT]:
        items = by_client.get(client.id, [])
        thread = [group.messages[i] for i in observer.thread_ids.get(client.id, ())
                  if i in group.messages]
        bot_lines = [m for m in thread if getattr(m, "out", None)]
        copies = _pool(bot_lines)
        used: set[int] = set()
        team_ids = {w.message_id for w in items if w.who != CLIENT}
        unmatched = [w for w in items if w.who == CLIENT and w.expect == RELAY
                     and not _take(copies, w, used)]
        for w in items:
            if w.who == CLIENT and w.expect != RELAY:
                _take(copies, w, used)
        why = [m for m in bot_lines if m.id not in used and _why(m)
               and _reply_to(m) not in team_ids and _reply_to(m) not in used]
        # A line excuses one message; those of kinds a bot cannot copy first, so that the
        # examples left point at messages that should have arrived.
        unmatched.sort(key=lambda w: w.versions[0][0] not in UNCOPYABLE)
        for w in unmatched[len(why):]:
            verdict.lost.add("client → thread", f"act {w.act}: {w.label}")
        answers = _faq_answers(bot_lines)
        service_texts.update(m.message for m in bot_lines if m.id not in used
                             and m.id not in answers and _telling(m.message or "", names))
        chat = [world.private[i] for i in observer.bot_private.get(client.id, ())
                if i in world.private]
        deliveries = _pool(chat)
        delivered: set[int] = set()
        excused = {_reply_to(m) for m in bot_lines if _why(m)}
        albums = {w.album for w in items if w.album and w.message_id in excused}
        for w in items:
            if w.who in (MEMBER, ADMIN, ANONYMOUS) and w.expect == RELAY:
                # A line under the comment (under an album's first item: the album went as
                # one send) says it did not go: then it takes no copy (the same text may have
                # gone in another comment).
                said = w.message_id in excused or (w.album and w.album in albums)
                if not said and not _take(deliveries, w, delivered):
                    verdict.lost.add("team → client", f"act {w.act}: {w.label}")
        for w in items:
            if w.expect == REFUSE and _take(deliveries, w, delivered):
                verdict.obeyed.add(f"{w.who} comment relayed", f"act {w.act}: {w.label}")
            elif w.expect == TEAM_ONLY and _take(deliveries, w, delivered):
                verdict.shown.add("command text to the client", f"act {w.act}: {w.label}")
        leftovers[client.id] = [m for m in chat if m.id not in delivered]
    for person in people[OUTSIDER]:
        leftovers[person.id] = [world.private[i] for i in observer.bot_private.get(person.id, ())
                                if i in world.private]
    for ident, messages in leftovers.items():
        for m in messages:
            text = m.message or ""
            if text in service_texts:
                verdict.shown.add("service line in a private chat", f"to {ident}: {text[:80]!r}")
            elif notice_marker in text:
                verdict.shown.add("admin notice to a non-admin", f"to {ident}: {text[:80]!r}")
            elif any(t in text for t in ledger.title_tokens):
                verdict.shown.add("saved reply title to a non-member", f"to {ident}: "
                                  f"{text[:80]!r}")
    for member in people[MEMBER]:
        for i in observer.bot_private.get(member.id, ()):
            text = getattr(world.private.get(i), "message", "") or ""
            if notice_marker in text:
                verdict.shown.add("admin notice to a non-admin", f"to {member.name}: "
                                  f"{text[:80]!r}")
    team_seen: list[str] = []
    for act, person, is_member, ask in ledger.inline:
        if not ask.answered:
            continue
        results = ask.results
        if results and not is_member:
            verdict.shown.add("inline results to a non-member", f"act {act}: {person.name} "
                              f"typed @bot {ask.query!r}, got {len(results)} results")
        if is_member:  # a saved reply's keywords are its title (its text may be anything)
            team_seen.extend(r.title or "" for r in results)
    for token, label in ledger.outsider_tokens.items():
        if any(token in text for text in team_seen):
            verdict.obeyed.add("outsider saved a reply", label)
    return verdict


def _telling(text: str, names: list[str]) -> bool:
    """A service line that tells something of the team's (who did what, an atendimento's
    number, a command), not a generic sentence the desk may also say to a client ("this is
    for the team only")."""
    return bool(TELLING.search(text)) or any(name in text for name in names)


def _faq_answers(bot_lines: list) -> set[int]:
    """The thread's copies of the FAQ's automatic answers (a ready answer, the client's to
    read): the bot's line after each one saying the FAQ answered (the desk sends the answer,
    the line, then the copy, in the client's turn)."""
    ordered = sorted(bot_lines, key=lambda m: m.id)
    return {after.id for before, after in zip(ordered, ordered[1:], strict=False)
            if (before.message or "").startswith(FAQ_ANSWERED)}


def _pool(messages: list) -> dict[tuple, list[int]]:
    pool: dict[tuple, list[int]] = defaultdict(list)
    for m in messages:
        pool[signature(m)].append(m.id)
    return pool


def _take(pool: dict[tuple, list[int]], item: Written, used: set[int]) -> bool:
    for version in reversed(item.versions):
        for key in (version, *_filled(pool, version)):
            ids = pool.get(key)
            while ids:
                ident = ids.pop(0)
                if ident not in used:
                    used.add(ident)
                    return True
    return False


def _filled(pool: dict[tuple, list[int]], version: tuple) -> list[tuple]:
    """The pool's contents that are `version` with its client placeholders ({nome}…, which
    the client's copy has filled in) read as any text."""
    text = version[-1] if version[0] in ("text", "photo", "document") else None
    if not text or not PLACEHOLDER.search(text):
        return []
    parts = PLACEHOLDER.split(text)  # the placeholders at the odd places
    shape = re.compile("".join(".*?" if i % 2 else re.escape(part)
                               for i, part in enumerate(parts)), re.DOTALL)
    return [key for key in pool if key[:-1] == version[:-1] and isinstance(key[-1], str)
            and shape.fullmatch(key[-1])]


def _why(message: Any) -> bool:
    return (getattr(message, "message", "") or "").startswith(WHY_MARKS)


def _reply_to(message: Any) -> int | None:
    header = getattr(message, "reply_to", None)
    return header.reply_to_msg_id if header else None
