"""The Bot API's parse modes (HTML, MarkdownV2 and legacy Markdown) turned into text and raw
message entities, with offsets and lengths in UTF-16 code units as Telegram counts them.

The rules are those of core.telegram.org/bots/api#formatting-options; errors answer
"can't parse entities: ..." like the Bot API (the wording after the colon is the sandbox's).
"""

from __future__ import annotations

from html.parser import HTMLParser

from pyrogram import raw

from .errors import bad_request

T = raw.types
RESERVED_V2 = frozenset("_*[]()~`>#+-=|{}.!")
SIMPLE = {
    "bold": T.MessageEntityBold,
    "italic": T.MessageEntityItalic,
    "underline": T.MessageEntityUnderline,
    "strikethrough": T.MessageEntityStrike,
    "spoiler": T.MessageEntitySpoiler,
    "code": T.MessageEntityCode,
}
HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "code": "code", "pre": "pre", "a": "text_link",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
NAMES = {"bold": "Bold", "italic": "Italic", "underline": "Underline",
         "strikethrough": "Strikethrough", "spoiler": "Spoiler", "text_link": "TextUrl",
         "code": "Code", "pre": "Pre"}


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def make(kind: str, offset: int, length: int, **extra) -> raw.base.MessageEntity:
    """A raw entity of a Bot API entity type, with the extra fields that type has."""
    if kind in SIMPLE:
        return SIMPLE[kind](offset=offset, length=length)
    if kind == "pre":
        return T.MessageEntityPre(offset=offset, length=length,
                                  language=extra.get("language") or "")
    if kind == "text_link":
        url = extra.get("url") or ""
        user_id = _user_link(url)
        if user_id is not None:
            return T.MessageEntityMentionName(offset=offset, length=length, user_id=user_id)
        return T.MessageEntityTextUrl(offset=offset, length=length, url=url)
    if kind == "text_mention":
        return T.MessageEntityMentionName(offset=offset, length=length,
                                          user_id=int(extra["user_id"]))
    if kind == "custom_emoji":
        return T.MessageEntityCustomEmoji(offset=offset, length=length,
                                          document_id=int(extra.get("custom_emoji_id") or 0))
    if kind in ("blockquote", "expandable_blockquote"):
        return T.MessageEntityBlockquote(offset=offset, length=length,
                                         collapsed=kind == "expandable_blockquote" or None)
    others = {"url": T.MessageEntityUrl, "mention": T.MessageEntityMention,
              "hashtag": T.MessageEntityHashtag, "cashtag": T.MessageEntityCashtag,
              "bot_command": T.MessageEntityBotCommand, "email": T.MessageEntityEmail,
              "phone_number": T.MessageEntityPhone}
    if kind not in others:
        raise bad_request(f"can't parse entities: unsupported entity type \"{kind}\"")
    return others[kind](offset=offset, length=length)


def _user_link(url: str) -> int | None:
    prefix = "tg://user?id="
    if url.startswith(prefix) and url[len(prefix):].isdigit():
        return int(url[len(prefix):])
    return None


class _Text:
    """Text being built, with entities at UTF-16 offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.entities: list = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += utf16(text)

    def mark(self, kind: str, start: int, **extra) -> None:
        if self.length > start:
            self.entities.append(make(kind, start, self.length - start, **extra))

    def result(self) -> tuple[str, list]:
        self.entities.sort(key=lambda e: (e.offset, -e.length))
        return "".join(self.parts), self.entities


def parse(text: str, mode: str | None) -> tuple[str, list]:
    """``text`` in parse mode ``mode`` (None: plain) as (plain text, raw entities)."""
    if not mode:
        return text, []
    name = mode.lower()
    if name == "html":
        return _Html(text).run()
    if name in ("markdownv2", "markdown"):
        return _markdown(text, v2=name == "markdownv2")
    raise bad_request(f"unsupported parse_mode \"{mode}\"")


def _error(what: str) -> Exception:
    return bad_request(f"can't parse entities: {what}")


class _Html(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.out = _Text()
        self.open: list[tuple[str, str | None, int, dict]] = []

    def run(self) -> tuple[str, list]:
        self.feed(self.source)
        self.close()
        if self.open:
            raise _error(f"Can't find end tag corresponding to start tag \"{self.open[-1][0]}\"")
        return self.out.result()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        kind = HTML_TAGS.get(tag)
        values = {k: v or "" for k, v in attrs}
        if tag == "span" and values.get("class") == "tg-spoiler":
            kind = "spoiler"
        if kind is None:
            raise _error(f"Unsupported start tag \"{tag}\"")
        extra: dict = {}
        if kind == "text_link":
            extra["url"] = values.get("href", "")
        elif kind == "custom_emoji":
            extra["custom_emoji_id"] = values.get("emoji-id", "0")
        elif kind == "blockquote" and "expandable" in values:
            kind = "expandable_blockquote"
        elif kind == "code" and self.open and self.open[-1][1] == "pre":
            # <pre><code class="language-x">: one pre entity with a language.
            language = values.get("class", "").removeprefix("language-")
            self.open[-1][3]["language"] = language
            kind = None
        self.open.append((tag, kind, self.out.length, extra))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            expected = f", expected \"</{self.open[-1][0]}>\"" if self.open else ""
            raise _error(f"Unmatched end tag \"</{tag}>\"{expected}")
        _, kind, start, extra = self.open.pop()
        if kind is not None:
            self.out.mark(kind, start, **extra)

    def handle_data(self, data: str) -> None:
        self.out.add(data)


def _markdown(source: str, *, v2: bool) -> tuple[str, list]:
    out = _Text()
    open_: list[tuple[str, int, int]] = []  # (kind, start offset, position in source)
    quote: int | None = None
    i, n, line_start = 0, len(source), True
    escapable = None if v2 else "_*`["

    def at(pos: int) -> int:
        return len(source[:pos].encode())

    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n and (escapable is None or source[i + 1] in escapable):
            out.add(source[i + 1])
            i, line_start = i + 2, False
            continue
        if v2 and line_start and char == ">":
            quote = out.length if quote is None else quote
            i, line_start = i + 1, False
            continue
        if char == "\n":
            if quote is not None and not (v2 and source.startswith(">", i + 1)):
                out.mark("blockquote", quote)
                quote = None
            out.add("\n")
            i, line_start = i + 1, True
            continue
        line_start = False
        if char == "`":
            i = _code(source, i, out, v2, at)
            continue
        if char == "[":
            open_.append(("text_link", out.length, i))
            i += 1
            continue
        if char == "]" and open_ and open_[-1][0] == "text_link":
            if not source.startswith("(", i + 1):
                raise _error(f"Can't find end of TextUrl entity at byte offset {at(i)}")
            end, url = _until(source, i + 2, ")", v2)
            if end < 0:
                raise _error(f"Can't find end of TextUrl entity at byte offset {at(i)}")
            _, start, _ = open_.pop()
            out.mark("text_link", start, url=url)
            i = end + 1
            continue
        marker, kind = _marker(source, i, v2)
        if kind is not None:
            if open_ and open_[-1][0] == kind:
                _, start, _ = open_.pop()
                out.mark(kind, start)
            elif any(entry[0] == kind for entry in open_) or (open_ and not v2):
                raise _error(f"Can't find end of {NAMES[open_[-1][0]]} entity at byte offset "
                             f"{at(open_[-1][2])}")
            else:
                open_.append((kind, out.length, i))
            i += len(marker)
            continue
        if v2 and char in RESERVED_V2:
            raise _error(f"Character '{char}' is reserved and must be escaped with the "
                         "preceding '\\'")
        out.add(char)
        i += 1
    if open_:
        kind, _, pos = open_[-1]
        raise _error(f"Can't find end of {NAMES[kind]} entity at byte offset {at(pos)}")
    if quote is not None:
        out.mark("blockquote", quote)
    return out.result()


def _marker(source: str, i: int, v2: bool) -> tuple[str, str | None]:
    char = source[i]
    if char == "*":
        return "*", "bold"
    if char == "_":
        if v2 and source.startswith("__", i):
            return "__", "underline"
        return "_", "italic"
    if v2 and char == "~":
        return "~", "strikethrough"
    if v2 and source.startswith("||", i):
        return "||", "spoiler"
    return char, None


def _until(source: str, i: int, stop: str, v2: bool) -> tuple[int, str]:
    """(index of the unescaped ``stop`` from ``i``, the text before it unescaped), -1 if none."""
    found: list[str] = []
    while i < len(source):
        char = source[i]
        if v2 and char == "\\" and i + 1 < len(source):
            found.append(source[i + 1])
            i += 2
            continue
        if source.startswith(stop, i):
            return i, "".join(found)
        found.append(char)
        i += 1
    return -1, ""


def _code(source: str, i: int, out: _Text, v2: bool, at) -> int:
    """A `code` or ```pre``` span at ``i``; the index after it."""
    if source.startswith("```", i):
        end, body = _until(source, i + 3, "```", v2)
        if end < 0:
            raise _error(f"Can't find end of Pre entity at byte offset {at(i)}")
        language, newline, rest = body.partition("\n")
        if newline and language and " " not in language:
            body = rest
        else:
            language = ""
        start = out.length
        out.add(body)
        out.mark("pre", start, language=language)
        return end + 3
    end, body = _until(source, i + 1, "`", v2)
    if end < 0:
        raise _error(f"Can't find end of Code entity at byte offset {at(i)}")
    start = out.length
    out.add(body)
    out.mark("code", start)
    return end + 1
