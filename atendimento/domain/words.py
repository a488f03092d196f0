"""Words as people type them: folded so that case and accents never matter (`NÃO` → `nao`)."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents or other combining marks: "Ação Já" → "acao ja"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order: letters and digits, split at everything else."""
    return _WORD.findall(fold(text))


def words_as_written(text: str) -> list[tuple[str, str]]:
    """(the word in lower case as written, folded) for each word of `text`, in order."""
    found = []
    for written in _WORD.findall(text.casefold()):
        folded = _WORD.findall(fold(written))  # a mark that folds away may split nothing
        if folded:
            found.append((written, "".join(folded)))
    return found
