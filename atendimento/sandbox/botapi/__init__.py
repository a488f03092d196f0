"""A Bot API HTTP endpoint for the sandbox's bot (issue 18): a real Bot API library runs as
another session of the bot the desk logs in as over MTProto. ``await sandbox.bot_api()``."""

from __future__ import annotations

from .server import BotApi, default_token

__all__ = ["BotApi", "default_token"]
