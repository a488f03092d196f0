"""The real desk wired to the sandbox: used by the offline demo, the benchmarks and the tests.

The only differences from production are the client (a SandboxClient on the same session
directory) and the time source (the sandbox's clock, so that waits cost nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from atendimento.app import App
from atendimento.config import Config, load_config
from atendimento.sandbox import Sandbox
from atendimento.telegram.client import DESK_PARSING

DUMMY_CREDENTIALS = {"API_ID": "1", "API_HASH": "0" * 32,
                     "BOT_TOKEN": "1000000:" + "sandbox" * 5}


class SandboxTime:
    """The desk's clock reading the sandbox's, so durations follow `clock.advance`."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.sandbox.clock.now(), UTC)


def sandbox_config(sandbox: Sandbox, data_dir: Path, **settings: str) -> Config:
    """A configuration pointing at the sandbox's channel (credentials are not checked there)."""
    environ = {**DUMMY_CREDENTIALS, "CHANNEL": str(sandbox.channel_chat_id),
               "DATA_DIR": str(data_dir), **settings}
    return load_config(environ, env_file=None)


def sandbox_app(sandbox: Sandbox, config: Config, session_dir: Path, **options: Any) -> App:
    """The desk's App with a persistent SandboxClient session in `session_dir`; `options`
    go to App (`features`, say)."""
    def client(_config: Config):
        return sandbox.bot_client("desk", workdir=session_dir, skip_updates=False,
                                  sleep_threshold=0, **DESK_PARSING)
    return App(config, client, clock=SandboxTime(sandbox), sleep=sandbox.clock.sleep,
               monotonic=sandbox.clock.now, **options)


async def settle(sandbox: Sandbox, app: App | None) -> None:
    """Until the sandbox has nothing left for the bot and the desk's lanes are empty."""
    for _ in range(1000):
        await sandbox.settle()
        desk = app.desk if app else None
        if desk is None or desk.busy == 0:
            return
        await desk.idle()
    raise RuntimeError("the desk never settled")
