"""How a team member may name a priority, and that no argument of `/p` makes it raise."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from atendimento.domain.priority import ORDER, Priority, parse_priority

NAMES = [("urgente", Priority.URGENT), ("alta", Priority.HIGH), ("média", Priority.NORMAL),
         ("baixa", Priority.LOW)]


@pytest.mark.parametrize("argument, expected", [
    ("1", Priority.URGENT), (" 4 ", Priority.LOW), ("04", Priority.LOW),
    ("١", Priority.URGENT),  # an Arabic-Indic digit is a decimal digit: int() reads it
    ("urgent", Priority.URGENT), ("ALTA", Priority.HIGH), ("#media", Priority.NORMAL),
    ("Média", Priority.NORMAL), ("🟢", Priority.LOW), ("#baixa", Priority.LOW),
    # invisible marks typed along (a direction mark, a zero-width space) are not the word
    ("\u200f1", Priority.URGENT), ("1\u200b", Priority.URGENT), ("\u200falta", Priority.HIGH),
    ("🟢\u200b", Priority.LOW),
])
def test_ranks_colours_and_names(argument, expected) -> None:
    assert parse_priority(argument, NAMES) is expected


@pytest.mark.parametrize("argument", [
    "", " ", "#", "0", "5", "-1", "+1", "1.0", "amanhã",
    "፩", "𐩀", "①①",  # digits to str.isdigit() that int() refuses
    "1" * 5000,  # beyond int()'s 4300 digits
    "0" * 4400 + "1",
    "\x00", "\u200f", "\u200b\u200b",
])
def test_anything_else_is_no_priority(argument) -> None:
    assert parse_priority(argument, NAMES) is None


def test_compatibility_digits_read_as_their_digit() -> None:
    # fold() decomposes (NFKD): `²` is 2 and `①` is 1, as a person would mean them
    assert parse_priority("²") is Priority.HIGH and parse_priority("①") is Priority.URGENT


@settings(max_examples=2000, deadline=None)
@given(argument=st.text())
@example(argument="፩")
@example(argument="𐩀")
@example(argument="9" * 4301)
def test_parse_priority_never_raises(argument) -> None:
    assert parse_priority(argument, NAMES) in (None, *ORDER)


@settings(max_examples=300, deadline=None)
@given(digits=st.text(st.characters(categories=("Nd", "No", "Nl")), min_size=1, max_size=30))
def test_any_digits_give_a_priority_or_none(digits) -> None:
    assert parse_priority(digits) in (None, *ORDER)
