"""A client's language: /idioma's choice, else Telegram's code with fallbacks, else the default."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from atendimento.desk.language import language_name, language_of, offered
from atendimento.domain.events import Person
from atendimento.i18n import Translator
from atendimento.storage.records import Client
from atendimento.texts import Texts

ROOT = Path(__file__).parents[2]
PARTIAL = ROOT / "tests" / "texts" / "fixtures" / "partial"  # pt_BR, en, es and pt_PT texts
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def desk(team: str = "pt_BR", clients: str | None = None, texts: Path = ROOT / "respostas"):
    """What `language_of` reads of a desk: its translator and its texts."""
    tr = Translator(team, client_locale=clients)
    return SimpleNamespace(wording=SimpleNamespace(tr=tr), texts=Texts.load(texts, team))


def client(language_code: str | None, chosen: str | None = None) -> Client:
    return Client(1, "Ana", None, None, language_code, None, False, None, None, False, 0,
                  False, NOW, NOW, chosen)


@pytest.mark.parametrize(("code", "expected"), [
    ("pt-br", "pt_BR"), ("pt", "pt_BR"), ("pt-PT", "pt_BR"), ("PT_br", "pt_BR"),
    ("en-US", "en"), ("es-AR", "es"), ("es-419", "es"), ("it", "it"), ("it-CH", "it"),
    ("ru", "ru"), ("ru-RU", "ru"),
    ("de", "en"), ("zh-hans", "en"), ("", "en"), (None, "en"), ("???", "en"),  # the default
])
def test_telegram_codes_find_the_desk_languages(code: str | None, expected: str) -> None:
    ctx = desk("pt_BR", clients="en")
    assert language_of(ctx, client(code)) == expected
    assert language_of(ctx, Person(1, "Ana", language_code=code)) == expected


def test_the_default_client_language_is_the_team_s_unless_set() -> None:
    assert language_of(desk("ru"), client("de")) == "ru"
    assert language_of(desk("ru", clients="it"), client("de")) == "it"
    assert language_of(desk("ru", clients="it"), client(None)) == "it"


def test_a_choice_wins_over_the_app_language_and_a_stale_one_is_ignored() -> None:
    ctx = desk("pt_BR", clients="en")
    assert language_of(ctx, client("ru", chosen="it")) == "it"
    assert language_of(ctx, client(None, chosen="ru")) == "ru"
    # A choice the desk no longer has (a catalog and folder removed) falls back to the app's.
    assert language_of(ctx, client("es", chosen="fr")) == "es"
    # A Person from an update carries no choice: that needs their row (language_of_person).
    assert language_of(ctx, Person(1, "Ana", language_code="ru")) == "ru"


def test_a_texts_only_language_still_reaches_its_clients(tmp_path: Path) -> None:
    ctx = desk("pt_BR", clients="en", texts=PARTIAL)
    assert language_of(ctx, client("pt-pt")) == "pt_PT"  # the folder, though no catalog
    assert language_of(ctx, client("pt")) == "pt_BR"  # the team's variant among several
    assert ctx.wording.tr.locale_for("pt_PT") == "pt_BR"  # the desk's own lines
    assert offered(ctx) == ["en", "es", "pt_BR"]  # a catalog and texts
    assert offered(desk()) == ["en", "es", "it", "pt_BR", "ru"]


def test_languages_are_named_in_themselves() -> None:
    names = [language_name(locale, offered(desk())) for locale in offered(desk())]
    assert names == ["English", "Español", "Italiano", "Português", "Русский"]
    assert language_name("pt_BR", ["pt_BR", "pt_PT"]) == "Português (Brasil)"
