"""The texts the self-hoster owns (``respostas/``): checked at start-up, rendered per client.

Texts are pyrogram-flavoured Markdown (sent with ``ParseMode.MARKDOWN``) with ``{placeholders}``.
That flavour has no escape character, so values from users are defused instead: an invisible
WORD JOINER (U+2060) follows every markup character so none can pair into a delimiter, and the
one-character tokens become look-alikes (` → ˋ, [ ] → ［ ］). See respostas/README.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from atendimento.i18n import N_, LanguageTag, Translator, best_match

FALLBACK_LANGUAGE: Final = "pt_BR"
TELEGRAM_TEXT_LIMIT: Final = 4096

CLIENT_PLACEHOLDERS: Final = frozenset({"nome", "nome_completo", "usuario"})


@dataclass(frozen=True, slots=True)
class TextKind:
    """A text the desk sends: the name code asks for, its file, the placeholders it may use."""

    name: str
    filename: str
    placeholders: frozenset[str]


#: Every text the desk sends. To add one, add it here and to respostas/pt_BR (the last fallback).
TEXT_KINDS: Final = (
    TextKind("start", "inicio.md", CLIENT_PLACEHOLDERS),
    TextKind("restart", "recomeco.md", CLIENT_PLACEHOLDERS | {"numero"}),
    TextKind("end", "fim.md", CLIENT_PLACEHOLDERS | {"numero"}),
    TextKind("banned", "banido.md", CLIENT_PLACEHOLDERS),
)
ALL_PLACEHOLDERS: Final = frozenset().union(*(kind.placeholders for kind in TEXT_KINDS))

WORD_JOINER: Final = "\u2060"
_LOOKALIKES: Final = {"`": "\u02cb", "[": "\uff3b", "]": "\uff3d"}
# What can still form a token once the look-alikes are in: paired delimiters and a quote's ">".
_MARKUP_CHARS: Final = frozenset("*_-~|>")
_LANGUAGE_FOLDER: Final = re.compile(r"[a-z]{2,3}(?:_(?:[A-Z]{2}|[0-9]{3}))?")
_BRACES: Final = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")
_TOKENS: Final = re.compile(r"```|`|~~|--|__|\*\*|\|\||(!?)\[(.+?)\]\((.+?)\)")
_PRE_LANGUAGE: Final = re.compile(r"[\w+#.-]*\s*")
_PAIRED: Final = re.compile(r"~~|--|__|\*\*|\|\|")
# How much longer than its delimiter each tag pyrogram writes is: (opening, closing).
_TAG_GROWTH: Final = {"**": (1, 2), "__": (1, 2), "--": (1, 2), "~~": (1, 2), "||": (7, 8)}
_CODE_GROWTH: Final = {"`": (5, 6), "```": (14, 3)}  # <code>, </code>; <pre language="…">, </pre>

# Problems are English msgids with fields, so the same problem can be shown in any language.
M_NO_DIRECTORY = N_("the texts directory does not exist")
M_BAD_TEAM_LANGUAGE = N_("{value} is not a language code (use one like pt_BR, en or es)")
M_BAD_FOLDER = N_("not a language folder: name it with a language code such as pt_BR, en or es")
M_UNKNOWN_FILE = N_("unknown text file (known: {known})")
M_MISSING = N_("missing: {language} is the last fallback, so it needs every text")
M_UNREADABLE = N_("cannot read the file: {error}")
M_NOT_UTF8 = N_("not valid UTF-8 (byte {byte}): save the file as UTF-8")
M_EMPTY = N_("the file is empty")
M_UNKNOWN_PLACEHOLDER = N_("unknown placeholder {placeholder} (known: {known})")
M_UNAVAILABLE = N_("placeholder {placeholder} is not available in {file} (available: {known})")
M_FORMATTED = N_("placeholder {placeholder} cannot have a format or conversion; write {plain}")
M_NOT_PLACEHOLDER = N_("{text} is not a placeholder; write {braces} for literal braces")
M_LONE_BRACE = N_("lone {brace}; write {double} for a literal brace")
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


@dataclass(frozen=True, slots=True)
class TextsProblem:
    """One problem in the texts, located as ``file:line``; ``message`` is an English msgid."""

    path: str
    line: int | None
    message: str
    params: tuple[tuple[str, str], ...] = ()

    def _where(self) -> str:
        return f"{self.path}:{self.line}: " if self.line else f"{self.path}: "

    def __str__(self) -> str:
        return self._where() + self.message.format(**dict(self.params))

    def describe(self, translator: Translator, locale: str | None) -> str:
        return self._where() + translator.gettext(locale, self.message, **dict(self.params))


class TextsError(Exception):
    """The texts cannot be used; ``problems`` lists every one found, not just the first."""

    def __init__(self, problems: Iterable[TextsProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    def describe(self, translator: Translator, locale: str | None) -> str:
        n = len(self.problems)
        lines = [
            translator.ngettext(
                locale, "{n} problem in the texts:", "{n} problems in the texts:", n
            )
        ]
        lines += [f"  {problem.describe(translator, locale)}" for problem in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Placeholder:
    name: str


@dataclass(frozen=True, slots=True)
class Template:
    """A checked text: literal Markdown pieces and placeholders, in order."""

    path: str
    pieces: tuple[str | Placeholder, ...]
    fields: frozenset[str]


def client_values(
    first_name: str, last_name: str | None = None, username: str | None = None
) -> dict[str, str]:
    """The client placeholders for a Telegram user (``usuario`` falls back to the full name)."""
    full_name = " ".join(part for part in (first_name, last_name) if part)
    return {
        "nome": first_name,
        "nome_completo": full_name,
        "usuario": f"@{username}" if username else full_name,
    }


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


class Texts:
    """Every language's texts, with the fallback client language → team language → pt_BR."""

    def __init__(
        self,
        templates: Mapping[str, Mapping[str, Template]],
        team_language: str = FALLBACK_LANGUAGE,
    ) -> None:
        self._templates = MappingProxyType(
            {language: MappingProxyType(dict(texts)) for language, texts in templates.items()}
        )
        self.team_language = team_language

    @classmethod
    def load(
        cls, directory: str | os.PathLike[str], team_language: str = FALLBACK_LANGUAGE
    ) -> Texts:
        """Read and check every language folder; raise ``TextsError`` listing all problems."""
        root = Path(directory)
        problems: list[TextsProblem] = []
        if LanguageTag.parse(team_language) is None:
            problems.append(_problem("LANGUAGE", None, M_BAD_TEAM_LANGUAGE, value=team_language))
        if not root.is_dir():
            raise TextsError([*problems, _problem(str(root), None, M_NO_DIRECTORY)])
        templates: dict[str, dict[str, Template]] = {}
        for folder in sorted(root.iterdir()):
            if folder.name.startswith((".", "_")) or not folder.is_dir():
                continue
            if not _LANGUAGE_FOLDER.fullmatch(folder.name):
                problems.append(_problem(str(folder), None, M_BAD_FOLDER))
                continue
            templates[folder.name] = _load_folder(folder, problems)
        for kind in TEXT_KINDS:
            path = root / FALLBACK_LANGUAGE / kind.filename
            if not path.is_file():
                problems.append(_problem(str(path), None, M_MISSING, language=FALLBACK_LANGUAGE))
        if problems:
            raise TextsError(sorted(problems, key=lambda p: (p.path, p.line or 0)))
        return cls(templates, team_language)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._templates))

    def language_for(self, name: str, language: str | None) -> str:
        """The folder whose text ``name`` a client speaking ``language`` gets."""
        kind = next((kind for kind in TEXT_KINDS if kind.name == name), None)
        if kind is None:
            raise KeyError(f"unknown text {name!r}; known: {[k.name for k in TEXT_KINDS]}")
        having = [lang for lang, texts in self._templates.items() if kind.name in texts]
        for wanted in (language, self.team_language):
            found = best_match(wanted, having, self.team_language)
            if found is not None:
                return found
        if FALLBACK_LANGUAGE in having:
            return FALLBACK_LANGUAGE
        raise LookupError(f"no language has the {kind.filename} text")

    def render(self, name: str, language: str | None, /, **values: object) -> str:
        """The text ``name`` in the client's ``language``, placeholders filled and escaped."""
        unknown = sorted(set(values) - ALL_PLACEHOLDERS)
        if unknown:
            raise ValueError(f"unknown placeholders {unknown}; known: {sorted(ALL_PLACEHOLDERS)}")
        template = self._templates[self.language_for(name, language)][name]
        missing = sorted(template.fields - set(values))
        if missing:
            raise ValueError(f"{template.path} needs values for {missing}")
        return "".join(
            piece if isinstance(piece, str) else escape_markdown(_text(values[piece.name]))
            for piece in template.pieces
        ).strip()


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _problem(path: str, line: int | None, message: str, /, **params: object) -> TextsProblem:
    return TextsProblem(path, line, message, tuple((k, str(v)) for k, v in params.items()))


def _load_folder(folder: Path, problems: list[TextsProblem]) -> dict[str, Template]:
    by_file = {kind.filename: kind for kind in TEXT_KINDS}
    templates = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        kind = by_file.get(entry.name)
        if kind is None:
            problems.append(_problem(str(entry), None, M_UNKNOWN_FILE, known=", ".join(by_file)))
            continue
        text = _read(entry, problems)
        if text is None:
            continue
        template, found = parse_template(text, kind, str(entry))
        problems += found
        if not found:
            templates[kind.name] = template
    return templates


def _read(path: Path, problems: list[TextsProblem]) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(_problem(str(path), None, M_UNREADABLE, error=error.strerror or error))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.append(_problem(str(path), line, M_NOT_UTF8, byte=f"0x{data[error.start]:02x}"))
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.strip():
        problems.append(_problem(str(path), None, M_EMPTY))
        return None
    return text


def parse_template(text: str, kind: TextKind, path: str) -> tuple[Template, list[TextsProblem]]:
    """Split ``text`` into pieces and check its placeholders and Markdown."""
    problems: list[TextsProblem] = []
    pieces: list[str | Placeholder] = []
    spans: list[tuple[int, int]] = []
    literal: list[str] = []
    position = 0

    def report(offset: int, message: str, /, **params: object) -> None:
        problems.append(_problem(path, text.count("\n", 0, offset) + 1, message, **params))

    for match in _BRACES.finditer(text):
        literal.append(text[position : match.start()])
        position = match.end()
        token, inner = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            literal.append(token[0])
        elif inner is None:
            report(match.start(), M_LONE_BRACE, brace=token, double=token * 2)
        elif re.fullmatch(r"[A-Za-z_]\w*", inner):
            known = ", ".join(sorted(kind.placeholders))
            if inner not in ALL_PLACEHOLDERS:
                report(match.start(), M_UNKNOWN_PLACEHOLDER, placeholder=token, known=known)
            elif inner not in kind.placeholders:
                file = kind.filename
                report(match.start(), M_UNAVAILABLE, placeholder=token, file=file, known=known)
            pieces += ["".join(literal), Placeholder(inner)]
            literal.clear()
            spans.append(match.span())
        elif (plain := re.match(r"[A-Za-z_]\w*(?=[!:])", inner)) is not None:
            report(match.start(), M_FORMATTED, placeholder=token, plain=f"{{{plain.group(0)}}}")
        else:
            report(match.start(), M_NOT_PLACEHOLDER, text=token, braces="{{ }}")
    literal.append(text[position:])
    pieces.append("".join(literal))
    # Placeholders become neutral letters so the Markdown check sees the same offsets.
    neutral = text
    for start, end in spans:
        neutral = neutral[:start] + "x" * (end - start) + neutral[end:]
    for offset, message, params in check_markdown(neutral, spans):
        report(offset, message, **params)
    fields = frozenset(p.name for p in pieces if isinstance(p, Placeholder))
    return Template(path, tuple(p for p in pieces if p != ""), fields), problems


def check_markdown(
    text: str, placeholder_spans: Iterable[tuple[int, int]] = ()
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
    if len(text) - markup > TELEGRAM_TEXT_LIMIT:
        found.append((0, M_TOO_LONG, {"length": len(text) - markup, "limit": TELEGRAM_TEXT_LIMIT}))
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
