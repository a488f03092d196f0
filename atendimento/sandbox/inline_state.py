"""An inline query a person typed and what the bot answered to it (telegram.md §4)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class InlineQuery:
    query_id: int
    user_id: int
    query: str
    chat_id: int | None
    answered: bool = False
    results: list = field(default_factory=list)  # raw BotInlineResult / BotInlineMediaResult
    next_offset: str | None = None
    cache_time: int = 0
    private: bool = False
