"""Client placeholders filled in a team message, with formatting spans moved to match."""

from __future__ import annotations

from atendimento.domain.placeholders import fill, fill_plain, has_placeholders

VALUES = {"nome": "Ana", "nome_completo": "Ana Souza", "usuario": "@ana"}


def test_spans_before_inside_around_and_after_a_placeholder_follow_their_words() -> None:
    text = "Oi {nome}, tudo bem? 😀 {nome_completo}!"
    #       0123456789...: "Oi " (3) "{nome}" (6) ", tudo bem? " (12) "😀" (2 units) " " …
    spans = [(0, 2), (3, 6), (0, 9), (21, 2), (24, 15), (5, 2)]
    filled, moved = fill(text, spans, VALUES)
    assert filled == "Oi Ana, tudo bem? 😀 Ana Souza!"
    assert moved == [(0, 2), (3, 3), (0, 6), (18, 2), (21, 9), (3, 3)]


def test_unknown_placeholders_and_braces_stay_as_written() -> None:
    text = "Código {codigo} e {nome} {}"
    filled, moved = fill(text, [(7, 8)], VALUES)
    assert filled == "Código {codigo} e Ana {}"
    assert moved == [(7, 8)]
    assert has_placeholders("{usuario}") and not has_placeholders("{codigo}")
    assert not has_placeholders(None)


def test_fill_plain_transforms_each_value() -> None:
    assert fill_plain("**{nome}**", {"nome": "a*b"}, lambda v: v.upper()) == "**A*B**"
