"""What a tag may be, read from what a team member typed after /marcar (plain rules, no I/O).

A tag is one word that Telegram turns into a hashtag on the card, so its own search finds
it: letters of any script (accents included), digits and `_`, with at least one letter
(Telegram does not link a hashtag of digits only: tdlib's match_hashtags wants a letter).
Marks that combine with a letter (the vowel signs of Devanagari, an accent typed apart) are
part of the word; the text is NFC-normalised first, so an accent typed apart joins its
letter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from atendimento.domain.card import hashtag
from atendimento.storage.tags import fold, invisible

TAG_LIMIT = 32  # characters of one tag
TAGS_PER_CLIENT = 20
WORDS_READ = 30  # of one command: what a line can answer word by word within 4096 units

# Why a word is not a tag.
TOO_LONG, BAD_CHARACTERS, NO_LETTER, THE_DESKS = "too_long", "bad", "no_letter", "the_desks"

ZWNJ = "\u200c"  # joins Persian words; Telegram keeps it inside a hashtag
_SEPARATORS = re.compile(r"[\s,;]+")
_REMOVE = ("-", "\u2212")  # a hyphen, or the minus sign some keyboards put instead
_CLIENT_TAG = re.compile(r"c\d+")  # the card's own #c<id>


@dataclass(frozen=True)
class Word:
    typed: str  # as typed, for the answer
    tag: str  # without "#", "-" or "+", NFC
    remove: bool
    problem: str | None = None


def parse(arguments: str, reserved: Iterable[str]) -> tuple[list[Word], int]:
    """The words of a /marcar command (at most WORDS_READ) and how many more were left."""
    pieces = [piece for piece in _SEPARATORS.split(arguments) if piece]
    taken = set(reserved)
    return [_word(piece, taken) for piece in pieces[:WORDS_READ]], max(
        0, len(pieces) - WORDS_READ)


def _word(typed: str, reserved: set[str]) -> Word:
    text = unicodedata.normalize("NFC", typed)
    remove = text.startswith(_REMOVE)
    if remove:
        text = text[1:]
    elif text.startswith("+"):
        text = text[1:]
    text = text.removeprefix("#")
    found = problem(text, reserved)
    if remove and found != BAD_CHARACTERS:
        found = None  # a word that cannot be a tag is simply not there to remove
    return Word(typed, text, remove, found)


def problem(tag: str, reserved: set[str]) -> str | None:
    """Why `tag` cannot be a tag (one of the reasons above), or None."""
    if not tag or not _first_allowed(tag[0]) or not all(
            _allowed(tag, i) for i in range(1, len(tag))):
        return BAD_CHARACTERS
    if len(tag) > TAG_LIMIT:
        return TOO_LONG
    if not any(char.isalpha() for char in tag):
        return NO_LETTER
    key = fold(tag)
    if key in reserved or _CLIENT_TAG.fullmatch(key):
        return THE_DESKS
    return None


def _first_allowed(char: str) -> bool:
    return char.isalpha() or char.isdecimal() or char == "_"


def _allowed(tag: str, index: int) -> bool:
    """A letter, digit or _, a mark on one (an accent), or ZWNJ between two letters (Persian
    writes with it); never a character that shows nothing of its own (a variation selector,
    the grapheme joiner), which would make a tag look like another."""
    char = tag[index]
    if char == ZWNJ:
        return tag[index - 1].isalpha() and index + 1 < len(tag) and tag[index + 1].isalpha()
    if invisible(char):
        return False
    return _first_allowed(char) or unicodedata.category(char).startswith("M")


def reserved_keys(words: Iterable[str]) -> set[str]:
    """The folded keys of the card's own hashtags made of `words` (states, priorities, in
    every language the desk speaks: the team's language may change)."""
    return {fold(hashtag(word)) for word in words if word.strip()}
