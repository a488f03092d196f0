"""pyrogram-flavoured Markdown, as the bot sends the self-hoster's texts: what its parser would
get wrong in a template, and how to put a user's value into one without changing its formatting.

The flavour has no escape character, so values are defused instead: an invisible WORD JOINER
(U+2060) follows every markup character so none can pair into a delimiter, and the
one-character tokens become look-alikes (` → ˋ, [ ] → ［ ］).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from atendimento.i18n import N_

TELEGRAM_TEXT_LIMIT: Final = 4096

WORD_JOINER: Final = "\u2060"
_LOOKALIKES: Final = {"`": "\u02cb", "[": "\uff3b", "]": "\uff3d"}
# What can still form a token once the look-alikes are in: paired delimiters and a quote's ">".
_MARKUP_CHARS: Final = frozenset("*_-~|>")
_TOKENS: Final = re.compile(r"```|`|~~|--|__|\*\*|\|\||(!?)\[(.+?)\]\((.+?)\)")
_PRE_LANGUAGE: Final = re.compile(r"[\w+#.-]*\s*")
_PAIRED: Final = re.compile(r"~~|--|__|\*\*|\|\|")
# How much longer than its delimiter each tag pyrogram writes is: (opening, closing).
_TAG_GROWTH: Final = {"**": (1, 2), "__": (1, 2), "--": (1, 2), "~~": (1, 2), "||": (7, 8)}
_CODE_GROWTH: Final = {"`": (5, 6), "```": (14, 3)}  # <code>, </code>; <pre language="…">, </pre>

M_UNCLOSED = N_("{delimiter} is opened here but never closed")
M_OVERLAP = N_(
    "{closing} closes while {inner} from line {line} is still open; close the inner one first"
)
M_CODE_MISMATCH = N_("{opening} from line {line} is closed with {closing}")
M_PRE_LINE = N_("only a language name may follow ``` on its line; put the code on the next lines")
M_QUOTE_UNCLOSED = N_("expandable quote **> is never closed; end its last line with ||")
M_LINK_UNCLOSED = N_("link without its closing parenthesis; write [text](address)")
M_LINK_SPACES = N_("link address contains spaces: {address}")
M_LINK_PLACEHOLDER = N_("a link address cannot contain placeholders")
M_IMAGE = N_("Telegram texts cannot show images; remove the ! to make this a link")
M_LINK_BRACKET = N_("a [ before this link makes it part of the link text")
M_LITERAL_CLASH = N_(
    "the parser would take this literal {delimiter} (in code or a link) for the one on line {line}"
)
M_TOO_LONG = N_("the text has about {length} characters; Telegram allows {limit}")
M_TOO_LONG_FILLED = N_("with the longest names its placeholders can hold, the text has about "
                       "{length} characters; Telegram allows {limit}")


def escape_markdown(value: str) -> str:
    """``value`` as plain text in pyrogram Markdown: it can neither break nor add formatting."""
    out = []
    for index, char in enumerate(" ".join(str(value).splitlines())):
        char = _LOOKALIKES.get(char, char)
        if char in _MARKUP_CHARS:
            # Joiners on both sides of the value keep it from pairing with the template's chars.
            out.append(f"{WORD_JOINER}{char}{WORD_JOINER}" if index == 0 else char + WORD_JOINER)
        else:
            out.append(char)
    return "".join(out)


def check_markdown(
    text: str, placeholder_spans: Iterable[tuple[int, int]] = (), *, reserve: int = 0
) -> list[tuple[int, str, dict[str, object]]]:
    """(offset, message, params) for what pyrogram's Markdown parser would get wrong in ``text``.

    It models that parser: quote markers at line starts, then one pass over the delimiters in
    which code (` or ```) hides everything up to its closing mark.
    """
    found: list[tuple[int, str, dict[str, object]]] = []
    text, quote = _strip_quote_markers(text)
    if quote is not None:
        found.append((quote, M_QUOTE_UNCLOSED, {}))
    spans = list(placeholder_spans)
    stack: list[tuple[str, int]] = []
    code: tuple[str, int] | None = None
    covered: list[tuple[int, int]] = []
    # Pyrogram swaps each delimiter for a tag at the first match after the delimiter's position
    # in the *original* text, so once earlier tags have grown the text, a literal one inside code
    # or a link can be taken instead: track that growth and where such literals have moved to.
    growth = markup = 0
    literals: list[tuple[str, int, int]] = []  # (delimiter, offset, offset after growth)
    delimiters: list[tuple[str, int]] = []
    for match in _TOKENS.finditer(text):
        token, start = match.group(0), match.start()
        if token in _CODE_GROWTH:
            markup += len(token)
            if code is None:
                code, growth = (token, start), growth + _CODE_GROWTH[token][0]
                rest = text[match.end() :].split("\n", 1)[0]
                if token == "```" and not _PRE_LANGUAGE.fullmatch(rest):
                    found.append((start, M_PRE_LINE, {}))
                continue
            if token != code[0]:
                line = text.count("\n", 0, code[1]) + 1
                found.append(
                    (start, M_CODE_MISMATCH, {"opening": code[0], "line": line, "closing": token})
                )
            covered.append((code[1], match.end()))
            for literal in _PAIRED.finditer(text, code[1] + len(code[0]), start):
                literals.append((literal.group(0), literal.start(), literal.start() + growth))
            code, growth = None, growth + _CODE_GROWTH[token][1]
        elif code is not None:
            continue
        elif match.group(3) is not None:
            covered.append(match.span())
            label, address = match.group(2), match.group(3)
            if match.group(1) and not address.startswith(("tg://emoji", "tg://time")):
                found.append((start, M_IMAGE, {}))  # pyrogram leaves it as typed
                continue
            markup += len(token) - len(label)
            if any(match.start(3) <= s < match.end(3) for s, _ in spans):
                found.append((start, M_LINK_PLACEHOLDER, {}))
            elif re.search(r"\s", address):
                found.append((start, M_LINK_SPACES, {"address": address}))
            if "[" in label:
                found.append((start, M_LINK_BRACKET, {}))
            # The tag is <a href="address">label</a>: the address moves in front of the label.
            for literal in _PAIRED.finditer(text, match.start(2), match.end(3)):
                inside = literal.start() - match.start(3)
                moved = (
                    9 + inside
                    if inside >= 0
                    else 11 + len(address) + literal.start() - match.start(2)
                )
                literals.append((literal.group(0), literal.start(), start + growth + moved))
            growth += 11
        else:
            markup += len(token)
            delimiters.append((token, start))
            opened = [i for i, (delimiter, _) in enumerate(stack) if delimiter == token]
            growth += _TAG_GROWTH[token][1 if opened else 0]
            if not opened:
                stack.append((token, start))
                continue
            inner, inner_start = stack[-1]
            if inner != token:
                line = text.count("\n", 0, inner_start) + 1
                found.append((start, M_OVERLAP, {"closing": token, "inner": inner, "line": line}))
            del stack[opened[-1]]
    for token, start in [*stack, *([code] if code else [])]:
        found.append((start, M_UNCLOSED, {"delimiter": token}))
    for token, start, moved in literals:
        later = next(
            (other for kind, other in delimiters if kind == token and other > start), None
        )
        if later is not None and later <= moved:
            line = text.count("\n", 0, later) + 1
            found.append((start, M_LITERAL_CLASH, {"delimiter": token, "line": line}))
    for match in re.finditer(r"\]\(", text):
        if not any(s <= match.start() < e for s, e in covered):
            found.append((match.start(), M_LINK_UNCLOSED, {}))
    length = len(text) - markup
    if length > TELEGRAM_TEXT_LIMIT:
        found.append((0, M_TOO_LONG, {"length": length, "limit": TELEGRAM_TEXT_LIMIT}))
    elif length + reserve > TELEGRAM_TEXT_LIMIT:  # `reserve`: what filled placeholders add
        found.append((0, M_TOO_LONG_FILLED, {"length": length + reserve,
                                             "limit": TELEGRAM_TEXT_LIMIT}))
    return sorted(found, key=lambda item: item[0])


def _strip_quote_markers(text: str) -> tuple[str, int | None]:
    """``text`` with quote markers blanked (same offsets), and where an unclosed ``**>`` starts."""
    lines = text.split("\n")
    expandable: int | None = None
    offset = 0
    for index, line in enumerate(lines):
        if expandable is None and line.startswith("**>"):
            expandable, line = offset, "   " + line[3:]
        elif line.startswith(">"):
            line = " " + line[1:]
        # Like pyrogram, the || that closes an expandable quote is looked for from the next line.
        if expandable is not None and expandable != offset and line.endswith("||"):
            expandable, line = None, line[:-2] + "  "
        lines[index] = line
        offset += len(line) + 1
    return "\n".join(lines), expandable
