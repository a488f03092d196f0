"""The real desk (App) running in the sandbox, and a `settle` that waits for all of its work."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from atendimento.app import App
from atendimento.config import load_config
from atendimento.sandbox import Sandbox

ROOT = Path(__file__).parents[2]
TOKEN = "123456789:AAEhBP0av28ZnLgTZKrUoVQ7kjQ8z1ZHk0s"


class SandboxTime:
    """The desk's clock reading the sandbox's, so durations follow `clock.advance`."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.sandbox.clock.now(), UTC)


class RunningDesk:
    """Starts, stops and restarts the desk against one sandbox, session and database."""

    def __init__(self, sandbox: Sandbox, tmp_path: Path, database_url: str, **settings) -> None:
        self.sandbox = sandbox
        self.session_dir = tmp_path / "session"
        self.session_dir.mkdir(exist_ok=True)
        environ = {
            "API_ID": "1", "API_HASH": "0" * 32, "BOT_TOKEN": TOKEN,
            "CHANNEL": str(sandbox.channel_chat_id), "DATABASE_URL": database_url,
            "DATA_DIR": str(tmp_path / "data"), "TEXTS_DIR": str(ROOT / "respostas"),
            "TIMEZONE": "America/Sao_Paulo", **settings,
        }
        self.config = load_config(environ, env_file=None)
        self.app: App | None = None

    def _client(self, _config):
        return self.sandbox.bot_client("desk", workdir=self.session_dir, skip_updates=False,
                                       sleep_threshold=0)

    async def start(self) -> App:
        self.app = App(self.config, self._client, clock=SandboxTime(self.sandbox),
                       sleep=self.sandbox.clock.sleep, monotonic=self.sandbox.clock.now)
        await self.app.start()
        await self.settle()
        return self.app

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def settle(self) -> None:
        """Until the sandbox has nothing left for the bot and the desk's lanes are empty."""
        for _ in range(1000):
            await self.sandbox.settle()
            desk = self.app.desk if self.app else None
            if desk is None or desk.lanes.busy == 0:
                return
            await desk.idle()
        raise RuntimeError("the desk never settled")


@pytest.fixture
async def sandbox():
    box = Sandbox(strict=True)
    await box.start()
    yield box
    await box.close()
    assert box.server.unimplemented == [], "the desk called raw methods the sandbox lacks"


@pytest.fixture
async def desk(sandbox, tmp_path, database_url):
    running = RunningDesk(sandbox, tmp_path, database_url)
    await running.start()
    yield running
    await running.stop()


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
