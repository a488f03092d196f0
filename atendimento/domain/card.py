"""The card: the channel post that shows a client, their state by colour, and hashtags."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from atendimento.domain.priority import COLOURS, Priority
from atendimento.domain.text import RichText, without_bidi

ENDED_COLOUR = "⚪"
BANNED_COLOUR = "⛔"


@dataclass(frozen=True)
class CardFacts:
    user_id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    is_open: bool
    priority: Priority
    banned: bool = False
    blocked_bot: bool = False
    ignored_while_banned: int = 0


@dataclass(frozen=True)
class CardWords:
    """The card's words, already in the team's language."""

    open: str
    ended: str
    banned: str
    priorities: Mapping[Priority, str]
    blocked_bot: str  # a note shown while the client has blocked the bot
    ignored: str  # "{n} messages ignored while banned", already formatted


def colour(facts: CardFacts) -> str:
    if facts.banned:
        return BANNED_COLOUR
    return COLOURS[facts.priority] if facts.is_open else ENDED_COLOUR


def hashtag(word: str) -> str:
    """A word as a hashtag Telegram recognises: letters, digits and underscores only."""
    return "#" + re.sub(r"\W+", "_", word.strip().casefold(), flags=re.UNICODE).strip("_")


def full_name(first_name: str, last_name: str | None) -> str:
    return " ".join(part for part in (first_name, last_name) if part) or "?"


def shown_name(first_name: str, last_name: str | None) -> str:
    """The client's name as the card shows it: the card's hashtags are the team's search, so
    a "#" or "@" in a name starts no hashtag or mention there (a word joiner after it); no
    direction control is kept."""
    name = without_bidi(full_name(first_name, last_name))
    return name.replace("#", "#\u2060").replace("@", "@\u2060")


def render_card(facts: CardFacts, words: CardWords) -> RichText:
    """Three lines (plus notes): colour and name; handle, id, language; hashtags."""
    card = RichText().add(colour(facts) + " ").add(
        shown_name(facts.first_name, facts.last_name), "bold")
    details = [f"@{facts.username}"] if facts.username else []
    details.append(f"id {facts.user_id}")
    if facts.language_code:
        details.append(facts.language_code)
    card.add("\n" + " · ".join(details))
    state = words.banned if facts.banned else words.open if facts.is_open else words.ended
    tags = [hashtag(state), hashtag(words.priorities[facts.priority]), f"#c{facts.user_id}"]
    card.add("\n" + " ".join(tags))
    if facts.blocked_bot:
        card.add("\n").add(words.blocked_bot, "italic")
    if facts.banned and facts.ignored_while_banned:
        card.add("\n").add(words.ignored, "italic")
    return card
