"""Values from users are shown as typed and can neither break nor add formatting."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyrogram import enums
from pyrogram.parser.parser import Parser

from atendimento.texts import (
    TEXT_KINDS,
    WORD_JOINER,
    Template,
    Texts,
    client_values,
    escape_markdown,
    parse_template,
)

START = TEXT_KINDS[0]


def parse(text: str) -> tuple[str, list[tuple[str, str | None]]]:
    step = Parser(None).parse(text, enums.ParseMode.MARKDOWN)
    try:
        step.send(None)
    except StopIteration as done:
        result = done.value
    else:  # pragma: no cover
        raise AssertionError("the parser waited for I/O")
    entities = [
        (type(e).__name__.removeprefix("MessageEntity"), getattr(e, "url", None))
        for e in result["entities"] or []
    ]
    return result["message"], entities


def texts_with(template: str) -> Texts:
    parsed, problems = parse_template(template, START, "test.md")
    assert problems == []
    return Texts({"pt_BR": {"start": parsed}})


def shown(message: str) -> str:
    """What the client reads, with the invisible joiners taken out and look-alikes mapped back."""
    back = {"\u02cb": "`", "\uff3b": "[", "\uff3d": "]"}
    return "".join(back.get(c, c) for c in message.replace(WORD_JOINER, ""))


TEMPLATES = [
    "{nome}",
    "Olá, **{nome}**! Veja [a central](https://example.com/ajuda).",
    "{nome}\n> citação\n{nome}",
    "__{nome}__ e `{nome}` e ||{nome}|| e --{nome}-- e ~~{nome}~~",
    "[{nome}](https://example.com) {nome}] (x) {nome}",
    "*{nome}* _{nome}_ -{nome}- |{nome}| ~{nome}~ >{nome}",
    "```\n{nome}\n```\n**fim**",
]


@pytest.mark.parametrize(
    "name",
    [
        "__Ana**",
        "**Ana**",
        "[x](https://evil.example)",
        "Ana [VIP",
        "`rm -rf`",
        "> Ana",
        "**>Ana",
        "||spoiler||",
        "Ana--Maria",
        "~~Ana~~",
        "a\nb",
        "<b>Ana</b> &amp;",
    ],
)
@pytest.mark.parametrize("template", TEMPLATES)
def test_hostile_names_keep_the_template_formatting(template: str, name: str) -> None:
    texts = texts_with(template)
    expected = parse(texts.render("start", "pt_BR", nome="Ana"))[1]
    message, entities = parse(texts.render("start", "pt_BR", nome=name))
    assert entities == expected
    if "&amp;" not in name:  # pyrogram itself unescapes HTML entities once
        assert " ".join(name.splitlines()) in shown(message)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(
    template=st.sampled_from(TEMPLATES),
    name=st.text(
        st.sampled_from("*_-~|`[]()>!<&{}\\ \naZ") | st.characters(exclude_categories=["Cs"]),
        max_size=16,
    ),
)
def test_no_name_changes_the_formatting(template: str, name: str) -> None:
    assume(name.strip())  # Telegram names are never blank; "****" would just lose its bold
    texts = texts_with(template)
    expected = parse(texts.render("start", "pt_BR", nome="Ana"))[1]
    assert parse(texts.render("start", "pt_BR", nome=name))[1] == expected


def test_escaping_is_invisible_and_minimal() -> None:
    assert escape_markdown("Ana Souza") == "Ana Souza"
    assert escape_markdown("__Ana**") == (
        f"{WORD_JOINER}_{WORD_JOINER}_{WORD_JOINER}Ana*{WORD_JOINER}*{WORD_JOINER}"
    )
    assert escape_markdown("[VIP] `x`") == "\uff3bVIP\uff3d \u02cbx\u02cb"
    assert escape_markdown("a\nb\r\nc") == "a b c"


def test_client_values() -> None:
    assert client_values("Ana", "Souza", "ana_s") == {
        "nome": "Ana",
        "nome_completo": "Ana Souza",
        "usuario": "@ana_s",
    }
    assert client_values("Ana")["usuario"] == "Ana"


def test_shipped_start_text_with_a_hostile_name() -> None:
    texts = Texts.load(Path(__file__).parents[2] / "respostas")
    values = client_values("__Ana**", "[x](https://evil.example)", None)
    message, entities = parse(texts.render("start", "pt-br", **values))
    assert shown(message).startswith("Olá, __Ana**!")
    assert [kind for kind, _ in entities] == ["Bold", "Blockquote"]
    assert isinstance(texts_with("{nome}")._templates["pt_BR"]["start"], Template)
