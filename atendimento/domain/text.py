"""Text with formatting spans measured the way Telegram measures them (UTF-16 code units)."""

from __future__ import annotations

from dataclasses import dataclass, field


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


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
