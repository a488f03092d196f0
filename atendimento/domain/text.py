"""Text measured the way Telegram measures it (UTF-16 code units): lengths, safe cuts of what
people wrote, and formatting spans.

Every cut of a person's text goes through `cut` (or `quote`, for a value shown inside a line
the desk writes): it never splits a surrogate pair, and it keeps a character together with what
joins it (a combining mark, a variation selector, an emoji modifier, a ZWJ sequence, a flag).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Unit = Literal["utf16", "chars"]

ELLIPSIS = "…"
QUOTE_LIMIT = 64  # a value typed by someone, quoted in a service line or an answer
ZWJ = "\u200d"


def visible_start(text: str) -> str:
    """`text` from its first visible character: leading whitespace and invisible format
    characters (a zero-width space, a direction mark, a byte-order mark) dropped, as the
    reader of the message sees it start."""
    for index, char in enumerate(text):
        if not (char.isspace() or unicodedata.category(char) == "Cf"):
            return text[index:]
    return ""


def without_format(text: str) -> str:
    """`text` without invisible format characters (for a word typed as an argument, not for
    a message: ZWJ, one of them, joins emoji)."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def one_line(text: str) -> str:
    """`text` as one line: every run of whitespace (line breaks too) one space, control and
    invisible format characters dropped, the ends stripped."""
    kept = "".join(" " if char.isspace() else char for char in text
                   if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf"))
    return " ".join(kept.split())


def first_word(text: str) -> tuple[str, str]:
    """(the first word, the rest stripped) of `text`: the word ends at whitespace of any kind
    (a new line, a tab), and invisible format characters in it are ignored."""
    text = visible_start(text)
    end = next((i for i, char in enumerate(text) if char.isspace()), len(text))
    return without_format(text[:end]), text[end:].strip()


def utf16_len(text: str) -> int:
    # surrogatepass: a lone surrogate (never in Telegram's text) counts as the one unit it is
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def size(text: str, unit: Unit = "utf16") -> int:
    """The length of `text` in `unit`: UTF-16 code units (Telegram's) or code points."""
    return utf16_len(text) if unit == "utf16" else len(text)


def cut(text: str, limit: int, *, unit: Unit = "utf16", ellipsis: str = "") -> str:
    """`text` whole when it fits in `limit` units; else its longest start that fits, followed
    by `ellipsis` (counted in the limit, left out when even it does not fit).

    A pyrogram `Str` (whose slices count UTF-16 units and break on a split emoji) is read as the
    plain `str` it is. The cut never falls inside a surrogate pair, and backs off to the start
    of a character's cluster (see `joins_previous`), unless the cluster alone is longer than the
    room: then it is cut between code points rather than lost.
    """
    text = str(text)
    limit = max(limit, 0)
    if size(text, unit) <= limit:
        return text
    if size(ellipsis, unit) > limit:
        ellipsis = ""
    room = limit - size(ellipsis, unit)
    end = _fitting(text, room, unit)
    safe = end
    while 0 < safe < len(text) and not _boundary(text, safe):
        safe -= 1
    if safe == 0:
        safe = end
        while 0 < safe < len(text) and _splits_pair(text, safe):
            safe -= 1
    return text[:safe] + ellipsis


def storable(text: str) -> str:
    """`text` without NUL characters, which PostgreSQL's text columns refuse (a person can
    type them in a command's argument; Telegram passes them on)."""
    return str(text).replace("\x00", "")


def quote(value: str, limit: int = QUOTE_LIMIT) -> str:
    """A value someone typed, shortened (with `…`) to be shown inside a line the desk writes,
    so that the line stays short whatever was typed, and without direction controls (an
    override left open in a name would show the rest of the line mirrored)."""
    return cut(without_bidi(value), limit, ellipsis=ELLIPSIS)


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def without_bidi(text: str) -> str:
    """`text` without the characters that force a direction on what follows them (the
    embeddings, overrides and isolates; the marks, which only hint, stay)."""
    return "".join(char for char in text if char not in _BIDI_CONTROLS)


def _fitting(text: str, room: int, unit: Unit) -> int:
    """How many code points of `text` fit in `room` units."""
    if unit == "chars":
        return min(room, len(text))
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > room:
            return index
    return len(text)


def _splits_pair(text: str, index: int) -> bool:
    return "\ud800" <= text[index - 1] <= "\udbff" and "\udc00" <= text[index] <= "\udfff"


def joins_previous(char: str) -> bool:
    """Whether `char` belongs with the character before it: a combining mark (accents,
    variation selectors, the keycap), ZWJ, an emoji skin-tone modifier or an emoji tag."""
    return (unicodedata.category(char) in ("Mn", "Mc", "Me") or char == ZWJ
            or "\U0001f3fb" <= char <= "\U0001f3ff" or "\U000e0020" <= char <= "\U000e007f")


def _regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _boundary(text: str, index: int) -> bool:
    """Whether `text` may be cut before `text[index]` (0 < index < len(text))."""
    before, after = text[index - 1], text[index]
    if joins_previous(after) or before == ZWJ or _splits_pair(text, index):
        return False
    if _regional(before) and _regional(after):
        # Flags are pairs of regional indicators: cut after an even number of them only.
        run = 0
        while index - run > 0 and _regional(text[index - run - 1]):
            run += 1
        return run % 2 == 0
    return True


@dataclass(frozen=True)
class Span:
    kind: str  # "bold", "italic", "code" — mapped to Telegram entities by the adapter
    offset: int  # UTF-16 code units
    length: int


@dataclass
class RichText:
    """Plain text plus spans, built piece by piece so user-supplied text is never parsed."""

    text: str = ""
    spans: list[Span] = field(default_factory=list)

    def add(self, piece: str, kind: str | None = None) -> RichText:
        if kind and piece:
            self.spans.append(Span(kind, utf16_len(self.text), utf16_len(piece)))
        self.text += piece
        return self
