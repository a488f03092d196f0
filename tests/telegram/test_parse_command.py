"""`parse_command`: which texts are commands for this bot, and that no text makes it raise."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pyrogram.types.messages_and_media.message import Str

from atendimento.telegram.convert import parse_command

BOT = "AtendimentoBot"
NAME_CHARS = st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "No"),
                           include_characters="_")


@pytest.mark.parametrize("text, expected", [
    ("/fim", ("fim", "")),
    ("/p 1", ("p", "1")),
    ("/P   alta  ", ("p", "alta")),
    ("/p@atendimentobot 2", ("p", "2")),
    ("/ban\nspam, de novo", ("ban", "spam, de novo")),  # any whitespace ends the name
    ("/p\t1", ("p", "1")),
    ("/p\u00a01", ("p", "1")),
    ("/p\u200b 1", ("p", "1")),  # an invisible character does not hide a command
    ("\u200b/p 1", ("p", "1")), ("\ufeff\u200f/fim", ("fim", "")),  # nor in front of it
    (" /p", ("p", "")),  # Telegram trims a message's spaces; what it shows starts with /
    ("/\u200fp 1", ("p", "1")),
    ("/ᵖ", ("ᵖ", "")),  # a command, though not one of ours: answered "unknown command"
    ("/start 😀" * 3, ("start", "😀/start 😀/start 😀")),
    ("/", (None, "")), ("/@", (None, "")), ("/@AtendimentoBot", (None, "")),
    ("/ p", (None, "")), ("/\n", (None, "")), ("//p", (None, "")),
    ("/p@otherbot x", (None, "")), ("/p-1", (None, "")), ("/😀", (None, "")),
    ("/p@", ("p", "")),
    ("", (None, "")), (None, (None, "")), ("p", (None, "")),
])
def test_commands_for_this_bot(text, expected) -> None:
    assert parse_command(text, BOT) == expected


def test_a_pyrogram_str_full_of_emoji() -> None:
    text = Str("/p " + "😀" * 2000).init([])
    assert parse_command(text, BOT) == ("p", "😀" * 2000)
    assert parse_command(Str("/" + "😀" * 2000).init([]), BOT) == (None, "")


@settings(max_examples=3000, deadline=None)
@given(text=st.text().map(lambda t: "/" + t))
@example(text="/")
@example(text="/@")
@example(text="/p@otherbot x")
@example(text="/ᵖ")
@example(text="/P")
@example(text="/p\u200b")
@example(text="/\x00")
@example(text="/p\x00 \x00")
@example(text="/ß")
@example(text="/ﬁm")
def test_parse_command_never_raises(text) -> None:
    name, arguments = parse_command(text, BOT)
    assert isinstance(arguments, str) and arguments == arguments.strip()
    if name is None:
        assert arguments == ""
    else:
        assert name and name == name.casefold()
        assert arguments in text


@settings(max_examples=1000, deadline=None)
@given(name=st.text(NAME_CHARS, min_size=1, max_size=40), arguments=st.text(),
       addressee=st.sampled_from(["", "@" + BOT, "@" + BOT.upper()]),
       space=st.sampled_from([" ", "\n", "  ", "\t"]))
def test_a_command_and_its_arguments_are_read_back(name, arguments, addressee, space) -> None:
    assert parse_command(f"/{name}{addressee}{space}{arguments}", BOT) == (
        name.casefold(), arguments.strip())
    assert parse_command(f"/{name}@someone_else {arguments}", BOT) == (None, "")
