"""The self-hoster's question (pyrogram Markdown, respostas/) as a text with spans, so it can
carry the rating buttons: the Telegram port sends Markdown without buttons and text with
buttons without Markdown (desk/ports.py). The adapter knows bold, italic and code spans;
other formatting keeps its words and loses its look (a link shows its address).

Once the port sends Markdown with buttons, this module can go.
"""

from __future__ import annotations

import re
from typing import Final

from atendimento.domain.text import RichText, Span, utf16_len

# Code first (it hides what is inside), then links, then the paired delimiters.
_TOKENS: Final = re.compile(
    r"```[\w+#.-]*[ \t]*\n?(?P<block>.*?)```"
    r"|`(?P<code>[^`]*)`"
    r"|\[(?P<label>[^\]\n]+?)\]\((?P<address>[^)\s]+)\)"
    r"|\*\*|__|--|~~|\|\|", re.DOTALL)
_KINDS: Final = {"**": "bold", "__": "italic"}


def _unquoted(markdown: str) -> str:
    """Lines without their quote markers (`>`, and `**>` opening an expandable quote)."""
    lines = markdown.split("\n")
    return "\n".join(line[3:] if line.startswith("**>") else line[1:]
                     if line.startswith(">") else line for line in lines)


def rich_from_markdown(markdown: str) -> RichText:
    """`markdown` as plain text and spans (a delimiter never closed is dropped, its text
    kept: the texts are checked at start, so that is only ever a corner of a corner)."""
    text = _unquoted(markdown)
    pieces: list[str] = []
    spans: list[Span] = []
    opened: dict[str, int] = {}
    length = 0
    position = 0

    def emit(piece: str) -> None:
        nonlocal length
        pieces.append(piece)
        length += utf16_len(piece)

    for match in _TOKENS.finditer(text):
        emit(text[position:match.start()])
        position = match.end()
        token = match.group(0)
        code = match.group("block") if match.group("block") is not None else match.group("code")
        if code is not None:
            start = length
            emit(code)
            if code:
                spans.append(Span("code", start, length - start))
        elif match.group("label") is not None:
            label, address = match.group("label"), match.group("address")
            emit(label if address.startswith("tg://") else f"{label} ({address})")
        elif token in _KINDS:
            start = opened.pop(token, None)
            if start is None:
                opened[token] = length
            elif length > start:
                spans.append(Span(_KINDS[token], start, length - start))
        # Underline, strike-through and spoiler delimiters are dropped.
    emit(text[position:])
    return RichText("".join(pieces), sorted(spans, key=lambda s: (s.offset, -s.length)))
