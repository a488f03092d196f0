"""The texts the self-hoster owns (``respostas/``): checked at start-up, rendered per client.

Texts are pyrogram-flavoured Markdown (sent with ``ParseMode.MARKDOWN``) with ``{placeholders}``;
checking that Markdown and defusing users' values in it is ``atendimento.markdown``'s job. See
respostas/README.md for the format.
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
from atendimento.markdown import (  # noqa: F401 - part of this module's interface
    M_CODE_MISMATCH,
    M_IMAGE,
    M_LINK_BRACKET,
    M_LINK_PLACEHOLDER,
    M_LINK_SPACES,
    M_LINK_UNCLOSED,
    M_LITERAL_CLASH,
    M_OVERLAP,
    M_PRE_LINE,
    M_QUOTE_UNCLOSED,
    M_TOO_LONG,
    M_UNCLOSED,
    TELEGRAM_TEXT_LIMIT,
    WORD_JOINER,
    check_markdown,
    escape_markdown,
)

FALLBACK_LANGUAGE: Final = "pt_BR"

CLIENT_PLACEHOLDERS: Final = frozenset({"nome", "nome_completo", "usuario"})
# The longest each placeholder can be once filled, in Telegram's UTF-16 units: first and last
# names are up to 64 characters each (an emoji takes two units), {usuario} falls back to the
# full name; an atendimento's number is digits.
LONGEST_FILLED: Final = {"nome": 128, "nome_completo": 257, "usuario": 257, "numero": 10}


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
    TextKind("csat", "avaliacao.md", CLIENT_PLACEHOLDERS | {"numero"}),
)
ALL_PLACEHOLDERS: Final = frozenset().union(*(kind.placeholders for kind in TEXT_KINDS))

_LANGUAGE_FOLDER: Final = re.compile(r"[a-z]{2,3}(?:_(?:[A-Z]{2}|[0-9]{3}))?")
_BRACES: Final = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")

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


class Texts:
    """Every language's texts, with the fallback client language → team language → pt_BR.

    The desk passes a client's language as ``atendimento.desk.language`` decides it (their
    /idioma choice, their app's, DEFAULT_CLIENT_LANGUAGE); the fallback here is per text.
    """

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
        # Ready answers and handover words are read by atendimento.ready.
        if entry.name.startswith(".") or entry.name in ("prontas", "atendente.txt"):
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
    # The text must fit with the longest names too (Telegram refuses a longer one outright).
    reserve = sum(max(0, LONGEST_FILLED.get(p.name, 0) - (end - start))
                  for p, (start, end) in zip(
                      (p for p in pieces if isinstance(p, Placeholder)), spans, strict=True))
    for offset, message, params in check_markdown(neutral, spans, reserve=reserve):
        report(offset, message, **params)
    fields = frozenset(p.name for p in pieces if isinstance(p, Placeholder))
    return Template(path, tuple(p for p in pieces if p != ""), fields), problems
