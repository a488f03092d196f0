"""The real desk in its own process on the sandbox's socket (crash tests): ``python -m
atendimento.sandbox.desk_process DATA_DIR SESSION_DIR DATABASE_URL TEXTS_DIR CHANNEL_ID
[KEY=VALUE ...]`` (more settings, e.g. ``MODE=parallel``)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from atendimento.app import App
from atendimento.config import Config, load_config
from atendimento.logs import setup_logging
from atendimento.sandbox.client import SandboxClient
from atendimento.sandbox.process import announce_ready
from atendimento.sandboxed import DUMMY_CREDENTIALS
from atendimento.telegram.client import DESK_PARSING

USAGE = ("usage: python -m atendimento.sandbox.desk_process DATA_DIR SESSION_DIR DATABASE_URL "
         "TEXTS_DIR CHANNEL_ID [KEY=VALUE ...]")


def desk_config(data_dir: str, database_url: str, texts_dir: str, channel: str,
                **settings: str) -> Config:
    """What sandboxed.sandbox_config gives, from arguments instead of a Sandbox object."""
    environ = {**DUMMY_CREDENTIALS, "CHANNEL": channel, "DATA_DIR": data_dir,
               "DATABASE_URL": database_url, "TEXTS_DIR": texts_dir,
               "TIMEZONE": "America/Sao_Paulo",
               "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"), **settings}
    return load_config(environ, env_file=None)


def desk_app(config: Config, session_dir: Path) -> App:
    """The desk on a SandboxClient (socket and bot id from the environment) with a persistent
    session, on the real clock: the sandbox's clock lives in the parent process."""
    def client(_config: Config) -> SandboxClient:
        return SandboxClient("desk", workdir=session_dir, skip_updates=False, workers=1,
                             sleep_threshold=0, **DESK_PARSING)
    return App(config, client)


async def run(argv: list[str]) -> None:
    data_dir, session_dir, database_url, texts_dir, channel, *more = argv
    settings = dict(pair.split("=", 1) for pair in more)
    config = desk_config(data_dir, database_url, texts_dir, channel, **settings)
    # stdout carries only the READY line and is not read afterwards: logs go to stderr, lest
    # a full pipe block the desk.
    setup_logging(config.log_level, config.secrets, stream=sys.stderr)
    Path(session_dir).mkdir(parents=True, exist_ok=True)
    app = desk_app(config, Path(session_dir))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await app.start()
    announce_ready()
    await stop.wait()
    await app.stop()
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    if len(argv) < 5 or not all("=" in pair for pair in argv[5:]):
        print(USAGE, file=sys.stderr)
        return 2
    asyncio.run(run(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
