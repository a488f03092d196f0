"""The texts shipped in respostas/ load cleanly and render as real Telegram formatting."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyrogram import enums
from pyrogram.parser.parser import Parser

from atendimento.texts import TEXT_KINDS, Texts, client_values

RESPOSTAS = Path(__file__).parents[2] / "respostas"
LANGUAGES = ("en", "es", "it", "pt_BR", "ru")


def parse(text: str) -> tuple[str, list[str]]:
    """What pyrogram sends for ``text`` with ParseMode.MARKDOWN: (message, entity kinds)."""
    step = Parser(None).parse(text, enums.ParseMode.MARKDOWN)
    try:
        step.send(None)
    except StopIteration as done:
        result = done.value
    else:  # pragma: no cover - the parser only awaits when it resolves mentions
        raise AssertionError("the parser waited for I/O")
    kinds = [type(e).__name__.removeprefix("MessageEntity") for e in result["entities"] or []]
    return result["message"], kinds


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts.load(RESPOSTAS, "pt_BR")


def test_every_language_has_every_text(texts: Texts) -> None:
    assert texts.languages == LANGUAGES
    for language in LANGUAGES:
        for kind in TEXT_KINDS:
            assert texts.language_for(kind.name, language) == language
            assert (RESPOSTAS / language / kind.filename).is_file()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", [kind.name for kind in TEXT_KINDS])
def test_texts_render_as_formatted_messages(texts: Texts, language: str, name: str) -> None:
    rendered = texts.render(name, language, numero=42, **client_values("Ana", "Souza", "ana"))
    message, kinds = parse(rendered)
    assert "Ana" in message
    assert "{" not in message and "}" not in message
    assert not any(delimiter in message for delimiter in ("**", "__", "||", "~~", "`"))
    assert ("Bold" in kinds) == (name != "banned")
    assert ("42" in message) == (name in ("restart", "end", "csat"))


def test_the_readme_documents_every_placeholder_and_file() -> None:
    readme = (RESPOSTAS / "README.md").read_text("utf-8")
    for kind in TEXT_KINDS:
        assert f"`{kind.filename}`" in readme
        for placeholder in kind.placeholders:
            assert f"`{{{placeholder}}}`" in readme
