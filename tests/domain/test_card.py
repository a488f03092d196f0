"""The card's text: colour by state and priority, hashtags, spans in UTF-16 units."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atendimento.domain.card import CardFacts, CardWords, colour, hashtag, render_card, shown_name
from atendimento.domain.priority import ORDER, Priority, parse_priority
from atendimento.domain.text import utf16_len

WORDS = CardWords(
    open="aberto", ended="encerrado", banned="banido",
    priorities={Priority.URGENT: "urgente", Priority.HIGH: "alta", Priority.NORMAL: "normal",
                Priority.LOW: "baixa"},
    blocked_bot="O cliente bloqueou o bot", ignored="3 mensagens ignoradas",
)
ANA = CardFacts(123456789, "Ana", "Souza", "ana_souza", "pt-BR", True, Priority.NORMAL)


def test_card_as_in_the_design():
    card = render_card(ANA, WORDS)
    assert card.text.splitlines() == [
        "🟡 Ana Souza", "@ana_souza · id 123456789 · pt-BR", "#aberto #normal #c123456789"]
    (bold,) = card.spans
    assert (bold.kind, bold.offset, bold.length) == ("bold", 3, len("Ana Souza"))


@pytest.mark.parametrize("facts, expected", [
    (ANA, "🟡"),
    (replace(ANA, priority=Priority.URGENT), "🔴"),
    (replace(ANA, priority=Priority.HIGH), "🟠"),
    (replace(ANA, priority=Priority.LOW), "🟢"),
    (replace(ANA, is_open=False, priority=Priority.URGENT), "⚪"),
    (replace(ANA, banned=True), "⛔"),
])
def test_colour(facts, expected):
    assert colour(facts) == expected
    assert render_card(facts, WORDS).text.startswith(expected + " ")


def test_ended_banned_and_blocked_cards():
    ended = render_card(replace(ANA, is_open=False, username=None, language_code=None), WORDS)
    assert ended.text.splitlines()[1:] == ["id 123456789", "#encerrado #normal #c123456789"]
    banned = render_card(replace(ANA, banned=True, ignored_while_banned=3, blocked_bot=True),
                         WORDS)
    lines = banned.text.splitlines()
    assert lines[2].startswith("#banido ")
    assert lines[3:] == ["O cliente bloqueou o bot", "3 mensagens ignoradas"]


def test_hashtags_are_single_tokens():
    assert hashtag("Em espera") == "#em_espera"
    assert hashtag("Média!") == "#média"


@given(st.text(min_size=1, max_size=40), st.text(max_size=40))
def test_bold_span_covers_exactly_the_name_whatever_its_characters(first, last):
    card = render_card(replace(ANA, first_name=first, last_name=last or None), WORDS)
    (bold,) = card.spans
    encoded = card.text.encode("utf-16-le")
    name = encoded[bold.offset * 2:(bold.offset + bold.length) * 2].decode("utf-16-le")
    assert name == shown_name(first, last or None)
    assert utf16_len(card.text) >= bold.offset + bold.length


@pytest.mark.parametrize("first, last, shown", [
    ("Bia #urgente", "#c1", "Bia #\u2060urgente #\u2060c1"),  # no hashtag of the card's
    ("Ana", "@admin", "Ana @\u2060admin"),  # no mention either
    ("Ana\u202e", None, "Ana"),  # an override left open would mirror the card's next lines
    ("", None, "?"),
])
def test_a_name_shown_on_the_card_adds_no_hashtag_mention_or_direction(first, last, shown):
    assert shown_name(first, last) == shown
    card = render_card(replace(ANA, first_name=first, last_name=last), WORDS)
    assert re.findall(r"#\w+", card.text) == ["#aberto", "#normal", f"#c{ANA.user_id}"]


@pytest.mark.parametrize("argument, expected", [
    ("1", Priority.URGENT), ("4", Priority.LOW), ("high", Priority.HIGH),
    ("URGENTE", Priority.URGENT),
    ("#baixa", Priority.LOW), ("🟠", Priority.HIGH), (" Normal ", Priority.NORMAL),
    ("Baja", Priority.LOW), ("5", None), ("0", None), ("", None), ("soon", None),
])
def test_parse_priority(argument, expected):
    localized = [("urgente", Priority.URGENT), ("alta", Priority.HIGH), ("baixa", Priority.LOW),
                 ("baja", Priority.LOW)]
    assert parse_priority(argument, localized) == expected


def test_ranks_follow_order():
    assert [p.rank for p in ORDER] == [1, 2, 3, 4]
