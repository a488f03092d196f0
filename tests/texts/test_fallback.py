"""Each text falls back on its own: client's language → team language (LANGUAGE) → pt_BR."""

from __future__ import annotations

from pathlib import Path

import pytest

from atendimento.texts import Texts

PARTIAL = Path(__file__).parent / "fixtures" / "partial"
# pt_BR has every text; en has start and end; es and pt_PT only start.
ANA = {"nome": "Ana", "nome_completo": "Ana Souza", "usuario": "@ana", "numero": 3}


@pytest.mark.parametrize(
    ("team", "name", "client", "expected"),
    [
        ("pt_BR", "start", "en-US", "en"),  # language without region
        ("pt_BR", "start", "es-419", "es"),
        ("pt_BR", "start", "pt-pt", "pt_PT"),  # exact variant
        ("pt_BR", "start", "pt", "pt_BR"),  # the team's variant among several
        ("pt_PT", "start", "pt", "pt_PT"),
        ("pt_BR", "start", "pt-AO", "pt_BR"),
        ("pt_BR", "start", "de", "pt_BR"),  # unknown → team
        ("en", "start", "de", "en"),
        ("en", "start", None, "en"),
        ("en", "restart", "es", "pt_BR"),  # neither es nor en has it → pt_BR
        ("es", "end", "es", "pt_BR"),
        ("en", "end", "es", "en"),  # es lacks it → the team's en
        ("es", "end", "fr", "pt_BR"),
        ("fr", "end", "de", "pt_BR"),  # team language without a folder
    ],
)
def test_fallback_order(team: str, name: str, client: str | None, expected: str) -> None:
    texts = Texts.load(PARTIAL, team)
    assert texts.language_for(name, client) == expected
    rendered = texts.render(name, client, **ANA)
    folder = "pt_BR" if expected == "pt_BR" else expected
    assert rendered.startswith(folder + " ")


def test_render_checks_its_values() -> None:
    texts = Texts.load(PARTIAL)
    with pytest.raises(ValueError, match="unknown placeholders"):
        texts.render("start", "en", nmoe="Ana")
    with pytest.raises(ValueError, match=r"needs values for \['nome'\]"):
        texts.render("start", "en")
    with pytest.raises(KeyError, match="unknown text"):
        texts.render("welcome", "en", **ANA)
    assert texts.render("end", "en", **ANA) == "en fim 3, Ana"
