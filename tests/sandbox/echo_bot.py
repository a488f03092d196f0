"""A minimal bot for the subprocess seam test: echoes private texts back with a prefix."""

from __future__ import annotations

import asyncio
import sys

from pyrogram import filters
from pyrogram.handlers import MessageHandler

from atendimento.sandbox.client import SandboxClient
from atendimento.sandbox.process import run_until_terminated


async def echo(client, message):
    await message.answer(f"echo: {message.text}")


async def main(workdir: str) -> None:
    client = SandboxClient("echo", workdir=workdir, skip_updates=False)
    client.add_handler(
        MessageHandler(
            echo, filters.private & filters.incoming & filters.text & ~filters.regex("^/")
        )
    )
    await run_until_terminated(client)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
