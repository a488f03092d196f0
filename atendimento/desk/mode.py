"""How the desk stands towards the bot's clients: `desk` (it is the bot: it greets, answers
commands, says when an atendimento ends) or `parallel` (it is attached to a bot that another
system runs with the same token: it records that bot's dialogs and lets the team step in, and
says nothing of its own to clients unless the self-hoster asks for it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DESK, PARALLEL = "desk", "parallel"


@dataclass(frozen=True)
class Mode:
    parallel: bool = False
    # The desk's own words to clients (start, restart, end and banned texts, the rating
    # question, "send it again" after a failure, "this kind cannot be relayed") are not sent.
    silent: bool = False
    # Sent to a client's /start in parallel mode, when set (Markdown, like the other texts).
    welcome: str = ""
    # What the other system sends from the bot is copied into the threads (parallel mode).
    intercept: bool = True

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> Mode:
        parallel = settings.get("mode", DESK) == PARALLEL
        silent = settings.get("silent_mode")
        return cls(parallel=parallel, silent=parallel if silent is None else bool(silent),
                   welcome=(settings.get("welcome") or "").strip(),
                   intercept=parallel and settings.get("intercept_external", True))
