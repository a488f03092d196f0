"""The Markdown check flags what pyrogram's parser would get wrong, and passes the rest."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyrogram import enums
from pyrogram.parser.parser import Parser

from atendimento import texts as t
from atendimento.texts import check_markdown

GOOD = [
    "**bold** __italic__ --underline-- ~~strike~~ ||spoiler|| `code` [link](https://x.example)",
    "```python\nprint('**not bold**')\n```",
    "> quote\n> more\nafter",
    "**>expandable\nquote||\nafter",
    "a * b _ c - d ~ e | f — g",
    "**bold __both__**",
    "`**` first, then **bold**",  # far enough: see test_literal_delimiters_*
    "[a](https://x.example/a__b) then __it__",
    "{{ literal }}",
]


@pytest.mark.parametrize("text", GOOD)
def test_good_markdown_passes(text: str) -> None:
    assert check_markdown(text) == []


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("**never closed", 1, t.M_UNCLOSED),
        ("fine\n\n__open", 3, t.M_UNCLOSED),
        ("one -- two", 1, t.M_UNCLOSED),
        ("`code", 1, t.M_UNCLOSED),
        ("**a __b** c__", 1, t.M_OVERLAP),
        ("`a```", 1, t.M_CODE_MISMATCH),
        ("```inline code```", 1, t.M_PRE_LINE),
        ("see [site](https://x.example", 1, t.M_LINK_UNCLOSED),
        ("[site](https://x.example/a b)", 1, t.M_LINK_SPACES),
        ("[1] and [here](https://x.example)", 1, t.M_LINK_BRACKET),
        ("logo: ![logo](https://x.example/logo.png)", 1, t.M_IMAGE),
        ("**>no end\nstill", 1, t.M_QUOTE_UNCLOSED),
        ("```\n**\n```\n**b**", 2, t.M_LITERAL_CLASH),
        ("||x|| [a](https://x.example/a__b) __it__", 1, t.M_LITERAL_CLASH),
        ("x" * 4097, 1, t.M_TOO_LONG),
    ],
)
def test_broken_markdown_is_located(text: str, line: int, message: str) -> None:
    found = check_markdown(text)
    assert [(text.count("\n", 0, offset) + 1, m) for offset, m, _ in found] == [(line, message)]


def test_literal_delimiters_reported_really_break_in_pyrogram() -> None:
    pre = parse("```\n**\n```\n**b**")
    assert pre["message"].endswith("b**")  # the bold went to the literal inside the block
    link = parse("||x|| [a](https://x.example/a__b) __it__")
    assert link["message"].endswith("it__")
    assert link["entities"][1].url == "https://x.example/a<i>b"
    assert parse("`**` first, then **bold**")["message"] == "** first, then bold"
    assert parse("[a](https://x.example/a__b) then __it__")["message"] == "a then it"


def test_markup_does_not_count_towards_the_length_limit() -> None:
    assert check_markdown("**" + "x" * 4096 + "**") == []


def parse(text: str) -> dict:
    step = Parser(None).parse(text, enums.ParseMode.MARKDOWN)
    try:
        step.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the parser waited for I/O")  # pragma: no cover


PIECES = ["**", "__", "--", "~~", "||", "`", "```", "[", "]", "(", ")", "](", "a", "b c", "\n"]
PIECES += ["> ", "**>", "https://x.example", " "]


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_what_the_check_accepts_pyrogram_renders_cleanly(text: str) -> None:
    if check_markdown(text):
        return
    result = parse(text)
    entities = result["entities"] or []
    visible = list(result["message"])
    for entity in entities:  # the text is ASCII here, so UTF-16 offsets are indexes
        if type(entity).__name__ in ("MessageEntityCode", "MessageEntityPre"):
            visible[entity.offset : entity.offset + entity.length] = " " * entity.length
    outside_code = "".join(visible)
    for delimiter in ("**", "__", "--", "~~", "||", "`", "]("):
        assert delimiter not in outside_code, (text, result["message"])
    spans = [(e.offset, e.offset + e.length) for e in entities]
    assert not [(a, b) for a in spans for b in spans if a[0] < b[0] < a[1] < b[1]], text
