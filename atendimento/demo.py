"""`atendimento sandbox`: try the desk without a Telegram account.

The real desk runs against the sandbox (a simulated Telegram, in this process); you write as
clients and as the team, and see what each side sees. The same little language drives the
interactive prompt and `--script FILE`:

    ana = client "Ana Souza" pt-br      # people: client, member (of the team), admin
    eva = member "Eva Lima"
    ana: /start site                    # ana writes to the bot
    ana: Olá, meu pedido atrasou
    eva > ana: Vou verificar            # eva comments in ana's thread
    eva > ana: /p urgente               # commands go in the thread too
    ana presses "Preços"                # a button under the bot's latest message with it
    wait 2h                             # time passes (durations in service lines)
    show ana | show thread ana | show channel

After each step the transcript shows what changed: messages in private chats, in threads,
and the cards.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from atendimento.app import App
from atendimento.errors import StartupError
from atendimento.sandbox import Sandbox
from atendimento.sandbox.botapi.example_bot import ExampleBot
from atendimento.sandbox.callbacks import buttons
from atendimento.sandbox.people import Person
from atendimento.sandboxed import sandbox_app, sandbox_config, settle

PROMPT = "atendimento> "
DURATION = re.compile(r"(\d+)\s*([smhd])")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ScriptError(ValueError):
    """A line the demo does not understand; the message says how to write it."""


class Demo:
    def __init__(self, sandbox: Sandbox, app: App, out: TextIO,
                 other_bot: bool = False) -> None:
        self.sandbox = sandbox
        self.app = app
        self.out = out
        self.other_bot = other_bot  # --parallel: an existing bot answers over the Bot API
        self.people: dict[str, Person] = {}
        self.seen: dict[tuple, str] = {}

    def say(self, text: str) -> None:
        print(text, file=self.out)

    async def settle(self) -> None:
        await settle(self.sandbox, self.app)
        if not self.other_bot:
            return
        # The existing bot answers in its own time, over HTTP: until nothing changes for a
        # few polls (at most a second).
        before, calm = list(self.views()), 0
        for _ in range(50):
            await asyncio.sleep(0.02)
            await settle(self.sandbox, self.app)
            now = list(self.views())
            calm = calm + 1 if now == before else 0
            if calm == 3:
                return
            before = now

    async def run_line(self, line: str) -> None:
        line = line.strip()
        if not line or line.startswith("#"):
            return
        self.say(f"> {line}")
        self.act(line)
        await self.settle()
        self.report_changes()

    def act(self, line: str) -> None:
        if match := re.fullmatch(r"(\w+)\s*=\s*(client|member|admin)\s+(.+)", line):
            name, role, rest = match.groups()
            words = shlex.split(rest)
            full, language = words[0], (words[1] if len(words) > 1 else "pt-br")
            make = {"client": self.sandbox.client, "member": self.sandbox.team_member,
                    "admin": self.sandbox.admin}[role]
            self.people[name] = make(full, language=language)
        elif match := re.fullmatch(r"(\w+)\s*>\s*(\w+)\s*:\s*(.*)", line):
            author, client, text = match.groups()
            self.person(author).comment(self.card(client), text)
        elif match := re.fullmatch(r"(\w+)\s+presses\s+(.+)", line):
            self.press(self.person(match.group(1)), match.group(2).strip().strip('"'))
        elif match := re.fullmatch(r"(\w+)\s*:\s*(.*)", line):
            name, text = match.groups()
            person = self.person(name)
            if text.startswith("/start"):
                person.start(text.removeprefix("/start").strip() or None)
            else:
                person.send(text)
        elif match := re.fullmatch(r"wait\s+(.+)", line):
            self.sandbox.clock.advance(parse_duration(match.group(1)))
        elif match := re.fullmatch(r"show\s+(.+)", line):
            self.show(match.group(1).split())
        else:
            raise ScriptError(f"cannot read {line!r}: write `ana: text`, `eva > ana: text`, "
                              "`ana = client \"Ana Souza\" pt-br`, `ana presses \"Preços\"`, "
                              "`wait 2h` or `show ana`")

    def press(self, person: Person, label: str) -> None:
        """The latest message in the person's chat with a button `label` is pressed."""
        for message in reversed(person.chat()):
            if any(text == label for text, _data in buttons(message)):
                person.press(message, label)
                return
        raise ScriptError(f"no button {label!r} in that chat")

    def person(self, name: str) -> Person:
        if name not in self.people:
            raise ScriptError(f"who is {name}? introduce them first: {name} = client \"Name\"")
        return self.people[name]

    def card(self, client: str):
        person = self.person(client)
        cards = [p for p in self.sandbox.posts() if f"#c{person.id}" in p.text]
        if not cards:
            raise ScriptError(f"{client} has no card yet: {client} must write first")
        return cards[0]

    # --- what people see ---------------------------------------------------------------------

    def views(self) -> Iterable[tuple[tuple, str]]:
        names = {p.id: n for n, p in self.people.items()}
        for name, person in self.people.items():
            for m in person.chat():
                who = "🤖 bot" if m.from_bot else name
                yield ("chat", person.id, m.id), f"[{name}'s chat] {who}: {m.text or m.kind}"
        for post in self.sandbox.posts():
            pin = "📌 " if post.pinned else ""
            yield ("card", post.id), f"[channel] {pin}card:\n" + post.text
            for m in self.sandbox.thread(post)[1:]:
                who = "🤖 bot" if m.from_bot else names.get(m.sender_id, "anonymous")
                owner = next((n for n, p in self.people.items() if f"#c{p.id}" in post.text),
                             "?")
                yield ("thread", m.id), f"[{owner}'s thread] {who}: {m.text or m.kind}"

    def report_changes(self) -> None:
        for key, text in self.views():
            if self.seen.get(key) != text:
                self.say(("  ✎ " if key in self.seen else "  ") + indent(text))
                self.seen[key] = text

    def show(self, what: list[str]) -> None:
        if what == ["channel"]:
            keys = [("card",)]
        elif len(what) == 2 and what[0] == "thread":
            keys = [("thread",)]
            self.card(what[1])
        elif len(what) == 1:
            keys = [("chat", self.person(what[0]).id)]
        else:
            raise ScriptError("show what? `show ana`, `show thread ana` or `show channel`")
        for key, text in self.views():
            if any(key[:len(k)] == k for k in keys):
                self.say("  " + indent(text))


def default_texts() -> Path:
    """./respostas when there is one, else the texts of the clone this package runs from."""
    here = Path("respostas")
    return here if here.is_dir() else Path(__file__).resolve().parents[1] / "respostas"


def indent(text: str) -> str:
    """Continuation lines under the first, so a long message reads as one item."""
    return text.replace("\n", "\n    ")


def parse_duration(text: str) -> int:
    parts = DURATION.findall(text)
    if not parts:
        raise ScriptError(f"cannot read the duration {text!r}: write e.g. 30m, 2h or 1d 3h")
    return sum(int(n) * SECONDS[unit] for n, unit in parts)


async def play(lines: Iterable[str] | None, out: TextIO, environ: dict[str, str],
               parallel: bool = False) -> int:
    """Run the desk in a fresh sandbox and play `lines` (None: read them from the prompt).
    `parallel`: the desk in parallel mode beside an existing bot (botapi/example_bot.py) that
    answers clients over the sandbox's Bot API."""
    with tempfile.TemporaryDirectory(prefix="atendimento-sandbox-") as directory:
        sandbox = Sandbox(strict=True)
        sandbox.world.limits.enabled = False  # a demo need not wait out Telegram's limits
        await sandbox.start()
        own = {k: v for k, v in environ.items() if k in ("LANGUAGE", "TIMEZONE", "TEXTS_DIR")}
        own.setdefault("TEXTS_DIR", str(default_texts()))
        other_bot = None
        if parallel:
            api = await sandbox.bot_api()
            own.update(MODE="parallel", BOT_TOKEN=api.token)
            other_bot = ExampleBot(api.base_url, api.token)
        config = sandbox_config(sandbox, Path(directory), **own)
        app = sandbox_app(sandbox, config, Path(directory))
        try:
            try:
                await app.start()
            except StartupError as error:
                print(error, file=out)
                return error.exit_status
            if other_bot is not None:
                await other_bot.start()
                print("parallel mode: the shop's existing bot answers clients; the desk "
                      "records both sides in the threads", file=out)
            demo = Demo(sandbox, app, out, other_bot=other_bot is not None)
            if lines is None:
                await _interactive(demo, out)
                return 0
            for number, line in enumerate(lines, 1):
                try:
                    await demo.run_line(line)
                except ScriptError as error:
                    print(f"line {number}: {error}", file=out)
                    return 2
            return 0
        finally:
            if other_bot is not None:
                await other_bot.stop()
            await app.stop()
            await sandbox.close()


async def _interactive(demo: Demo, out: TextIO) -> None:
    print(__doc__.split("\n\n", 1)[1], file=out)
    while True:
        try:
            line = await asyncio.to_thread(input, PROMPT)
        except EOFError:
            return
        if line.strip() in ("quit", "exit"):
            return
        try:
            await demo.run_line(line)
        except ScriptError as error:
            print(error, file=out)

