"""A bot in its own process, connected to the sandbox's socket: start, stop cleanly (SIGTERM),
kill (SIGKILL) and start again with the same session file, for crash tests."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence

from .server import Server

READY = "sandbox-bot-ready"


class BotProcess:
    """Runs ``command`` with the sandbox's socket in its environment. The program must print
    ``READY`` on a line of stdout once its client has started (``announce_ready()`` does it),
    and stop its client cleanly on SIGTERM (``run_until_terminated()`` does both)."""

    def __init__(self, server: Server, command: Sequence[str], env: dict[str, str]) -> None:
        self.server = server
        self.command = list(command)
        self.env = {**os.environ, **env}
        self.process: asyncio.subprocess.Process | None = None
        self.output: list[str] = []

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        if self.running:
            raise RuntimeError("the bot process is already running")
        before = len(self.server.sessions)
        self.process = await asyncio.create_subprocess_exec(
            *self.command, env=self.env, stdout=asyncio.subprocess.PIPE
        )
        while True:
            line = await self.process.stdout.readline()
            if not line:
                code = await self.process.wait()
                raise RuntimeError(f"the bot process exited ({code}) before it was ready")
            text = line.decode().rstrip("\n")
            self.output.append(text)
            if text == READY:
                break
        await self.server.wait_sessions(before + 1)

    async def stop(self) -> int:
        """SIGTERM: the bot stops its client (saving its session) and exits."""
        return await self._end(signal.SIGTERM)

    async def kill(self) -> int:
        """SIGKILL: a crash; nothing is saved."""
        return await self._end(signal.SIGKILL)

    async def _end(self, sig: signal.Signals) -> int:
        if not self.running:
            raise RuntimeError("the bot process is not running")
        before = len(self.server.sessions)
        self.process.send_signal(sig)
        rest = await self.process.stdout.read()
        self.output += rest.decode().splitlines()
        code = await self.process.wait()
        await self.server.wait_sessions(before - 1)
        return code


def announce_ready() -> None:
    print(READY, flush=True)


async def run_until_terminated(client) -> None:
    """Start ``client``, announce readiness, and stop it cleanly on SIGTERM."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await client.start()
    announce_ready()
    await stop.wait()
    await client.stop()
    sys.stdout.flush()
