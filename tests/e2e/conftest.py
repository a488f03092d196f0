"""The real desk (App) running in the sandbox, and a `settle` that waits for all of its work."""

from __future__ import annotations

from pathlib import Path

import pytest

from atendimento.app import App
from atendimento.sandbox import Sandbox
from atendimento.sandboxed import sandbox_app, sandbox_config, settle

ROOT = Path(__file__).parents[2]


class RunningDesk:
    """Starts, stops and restarts the desk against one sandbox, session and database."""

    def __init__(self, sandbox: Sandbox, tmp_path: Path, database_url: str, *,
                 features=None, **settings) -> None:
        self.sandbox = sandbox
        self.options = {} if features is None else {"features": features}
        self.session_dir = tmp_path / "session"
        self.session_dir.mkdir(exist_ok=True)
        settings = {"DATABASE_URL": database_url, "TEXTS_DIR": str(ROOT / "respostas"),
                    "TIMEZONE": "America/Sao_Paulo", **settings}
        self.config = sandbox_config(sandbox, tmp_path / "data", **settings)
        self.app: App | None = None

    async def start(self) -> App:
        self.app = sandbox_app(self.sandbox, self.config, self.session_dir, **self.options)
        await self.app.start()
        await self.settle()
        return self.app

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def settle(self) -> None:
        await settle(self.sandbox, self.app)


@pytest.fixture
async def desk(sandbox, tmp_path, database_url):
    running = RunningDesk(sandbox, tmp_path, database_url)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def english_desk(sandbox, tmp_path, database_url):
    """The desk with LANGUAGE=en: the team's lines read as their English msgids."""
    running = RunningDesk(sandbox, tmp_path, database_url, LANGUAGE="en")
    await running.start()
    yield running
    await running.stop()


async def opened(sandbox: Sandbox, desk: RunningDesk, name: str = "Ana Souza",
                 language: str = "pt-br"):
    """A client who wrote once, and their card."""
    client = sandbox.client(name, language=language)
    client.send("Oi")
    await desk.settle()
    return client, card_of(sandbox, client)


def card_of(sandbox: Sandbox, person):
    """The client's card (the channel post tagged #c<id>)."""
    cards = [p for p in sandbox.posts() if f"#c{person.id}" in p.text]
    assert len(cards) == 1, f"expected one card for {person}, found {len(cards)}"
    return cards[0]


def thread_texts(sandbox: Sandbox, person) -> list[str]:
    """The texts of the client's thread, after its root."""
    return [m.text for m in sandbox.thread(card_of(sandbox, person))[1:]]


def bot_said(person) -> list[str]:
    return [m.text for m in person.chat() if m.from_bot]
