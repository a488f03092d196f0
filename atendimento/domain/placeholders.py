"""The client placeholders (`{nome}` …) in a team message, filled for the client's copy while
the thread keeps them as written; formatting spans move with the text they cover."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from atendimento.domain.text import utf16_len

NAMES = ("nome", "nome_completo", "usuario")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(NAMES) + r")\}")


def has_placeholders(text: str | None) -> bool:
    return bool(text) and _PLACEHOLDER.search(text) is not None


def fill_plain(text: str, values: Mapping[str, str],
               transform: Callable[[str], str] = str) -> str:
    """`text` with each known placeholder replaced by `transform(value)`."""
    return _PLACEHOLDER.sub(lambda m: transform(values.get(m.group(1), m.group(0))), text)


def fill(text: str, spans: Sequence[tuple[int, int]], values: Mapping[str, str]
         ) -> tuple[str, list[tuple[int, int]]]:
    """`text` filled, and each (offset, length) span — in UTF-16 units, as Telegram counts —
    moved so it covers the same words; a span that covers a placeholder covers its value."""
    pieces: list[str] = []
    moves: list[tuple[int, int, int]] = []  # (start, end, new length) of each placeholder
    position = consumed = 0
    for match in _PLACEHOLDER.finditer(text):
        value = values.get(match.group(1))
        if value is None:
            continue
        before = text[position:match.start()]
        consumed += utf16_len(before)
        length = utf16_len(match.group(0))
        moves.append((consumed, consumed + length, utf16_len(value)))
        consumed += length
        pieces += [before, value]
        position = match.end()
    pieces.append(text[position:])

    def move(point: int, is_end: bool) -> int:
        shift = 0
        for start, end, new in moves:
            if point >= end:
                shift += new - (end - start)
            elif point > start:  # inside a placeholder: snap to the value's edge
                return start + shift + (new if is_end else 0)
            else:
                break
        return point + shift

    moved = []
    for offset, length in spans:
        start, end = move(offset, False), move(offset + length, True)
        moved.append((start, max(0, end - start)))
    return "".join(pieces), moved
