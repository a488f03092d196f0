"""Ready answers (``respostas/<lang>/prontas/*.md``) and the words that ask for a person
(``respostas/<lang>/atendente.txt``): read and checked like the other texts.

A ready answer is a saved reply whose source is its file: title and keywords in a front matter,
the body in the same Markdown as the texts, placeholders left for the client's copy.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from atendimento.i18n import N_
from atendimento.texts import (
    _LANGUAGE_FOLDER,
    CLIENT_PLACEHOLDERS,
    TextKind,
    TextsProblem,
    _problem,
    _read,
    parse_template,
)

READY_FOLDER: Final = "prontas"
HANDOVER_FILE: Final = "atendente.txt"
FRONT_MATTER_KEYS: Final = ("title", "keywords")
TITLE_LIMIT: Final = 200

M_NO_FRONT_MATTER = N_("a ready answer starts with a front matter: a line ---, then title: "
                       "and keywords: lines, then a line ---")
M_UNCLOSED_FRONT_MATTER = N_("the front matter is never closed with a line ---")
M_FRONT_MATTER_LINE = N_("write key: value here (known keys: {known})")
M_UNKNOWN_KEY = N_("unknown key {key} (known: {known})")
M_NO_TITLE = N_("the front matter needs a title: line")
M_LONG_TITLE = N_("the title has {length} characters; keep it under {limit}")
M_NO_BODY = N_("the answer itself is missing after the front matter")
M_NOT_MARKDOWN = N_("ready answers are .md files")


@dataclass(frozen=True, slots=True)
class ReadyAnswer:
    path: str  # relative to the texts folder, with / separators: "pt_BR/prontas/prazo.md"
    language: str
    title: str
    keywords: tuple[str, ...]
    body: str  # Markdown, placeholders as written


def ready_files(directory: str | os.PathLike[str]) -> list[Path]:
    """Every file under a ``<lang>/prontas/`` folder (hidden ones aside), in a stable order."""
    root = Path(directory)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        ready = folder / READY_FOLDER
        if _LANGUAGE_FOLDER.fullmatch(folder.name) and ready.is_dir():
            found += [p for p in sorted(ready.iterdir())
                      if p.is_file() and not p.name.startswith(".")]
    return found


def signature(directory: str | os.PathLike[str]) -> tuple[tuple[str, int, int], ...]:
    """What changes when a ready answer or a handover file is added, edited or removed."""
    root = Path(directory)
    paths = ready_files(root)
    if root.is_dir():
        paths += sorted(p for p in root.glob(f"*/{HANDOVER_FILE}") if p.is_file())
    marks = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue  # removed while we looked: the next look sees it gone
        marks.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(marks)


def load_ready(
    directory: str | os.PathLike[str],
) -> tuple[list[ReadyAnswer], list[TextsProblem]]:
    """Every ready answer, and every problem found (the answers with problems are left out)."""
    root = Path(directory)
    answers: list[ReadyAnswer] = []
    problems: list[TextsProblem] = []
    for path in ready_files(root):
        if path.suffix != ".md":
            problems.append(_problem(str(path), None, M_NOT_MARKDOWN))
            continue
        text = _read(path, problems)
        if text is None:
            continue
        language = path.parent.parent.name
        relative = path.relative_to(root).as_posix()
        answer, found = parse_ready(text, str(path), relative, language)
        problems += found
        if answer is not None:
            answers.append(answer)
    return answers, problems


def parse_ready(
    text: str, shown_path: str, path: str, language: str
) -> tuple[ReadyAnswer | None, list[TextsProblem]]:
    problems: list[TextsProblem] = []
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, [_problem(shown_path, 1, M_NO_FRONT_MATTER)]
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [_problem(shown_path, 1, M_UNCLOSED_FRONT_MATTER)]
    fields: dict[str, str] = {}
    known = ", ".join(FRONT_MATTER_KEYS)
    for number in range(1, close):
        line = lines[number]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = line.partition(":")
        key = key.strip().casefold()
        if not colon:
            problems.append(_problem(shown_path, number + 1, M_FRONT_MATTER_LINE, known=known))
        elif key not in FRONT_MATTER_KEYS:
            problems.append(_problem(shown_path, number + 1, M_UNKNOWN_KEY, key=key,
                                     known=known))
        else:
            fields[key] = value.strip()
    title = fields.get("title", "")
    if not title:
        problems.append(_problem(shown_path, 1, M_NO_TITLE))
    elif len(title) > TITLE_LIMIT:
        problems.append(_problem(shown_path, 1, M_LONG_TITLE, length=len(title),
                                 limit=TITLE_LIMIT))
    body = "\n".join(lines[close + 1:]).strip()
    if not body:
        problems.append(_problem(shown_path, close + 1, M_NO_BODY))
    else:
        kind = TextKind("ready", Path(path).name, CLIENT_PLACEHOLDERS)
        # Report body problems at their line in the file, not in the body.
        offset = text.index(body, sum(len(line) + 1 for line in lines[: close + 1]))
        _, found = parse_template("\n" * text.count("\n", 0, offset) + body, kind,
                                  shown_path)
        problems += found
    if problems:
        return None, problems
    keywords = tuple(k.strip() for k in fields.get("keywords", "").split(",") if k.strip())
    return ReadyAnswer(path, language, title, keywords, body), []


def load_handover_words(directory: str | os.PathLike[str]) -> dict[str, tuple[str, ...]]:
    """Per language, the phrases with which a client asks for a person (one per line, ``#``
    starts a comment)."""
    root = Path(directory)
    words: dict[str, tuple[str, ...]] = {}
    if not root.is_dir():
        return words
    for path in sorted(root.glob(f"*/{HANDOVER_FILE}")):
        if not _LANGUAGE_FOLDER.fullmatch(path.parent.name):
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # reported by the texts check at start-up
        phrases = [re.sub(r"#.*", "", line).strip() for line in text.splitlines()]
        words[path.parent.name] = tuple(p for p in phrases if p)
    return words
