"""Translator: explicit locale per call, resolution of Telegram codes, fallbacks, lazy catalogs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

import atendimento.i18n as i18n
from atendimento.i18n import LanguageTag, Translator, best_match

FIXTURES = Path(__file__).parent / "fixtures"
ENDED = "✅ Atendimento #{number} ended by {name} after {duration}"


@pytest.fixture(scope="module")
def tr() -> Translator:
    return Translator("pt_BR")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("pt-br", "pt_BR"),
        ("pt", "pt_BR"),
        ("PT_br", "pt_BR"),
        ("pt-PT", "pt_BR"),  # the only Portuguese we have
        ("en-US", "en"),
        ("en", "en"),
        ("es-419", "es"),
        ("ES", "es"),
        (" es-ar ", "es"),
        ("zh-hans", None),
        ("de", None),
        ("", None),
        (None, None),
        ("123", None),
        ("-", None),
    ],
)
def test_resolve_maps_telegram_language_codes(tr: Translator, code: str | None, expected) -> None:
    assert tr.resolve(code) == expected


def test_best_match_prefers_exact_then_language_then_the_preferred_variant() -> None:
    available = ["pt_BR", "pt_PT", "es", "es_419"]
    assert best_match("pt-pt", available) == "pt_PT"
    assert best_match("pt", available, preferred="pt_PT") == "pt_PT"
    assert best_match("pt", available) == "pt_BR"
    assert best_match("es-419", available) == "es_419"
    assert best_match("es-MX", available) == "es"
    assert LanguageTag.parse("zh-Hant-TW") == LanguageTag("zh", "TW")


def test_each_call_names_its_locale(tr: Translator) -> None:
    values = {"number": 7, "name": "Ana", "duration": "x"}
    assert tr._("pt_BR", ENDED, **values) == "✅ Atendimento #7 encerrado por Ana após x"
    assert tr._("es", ENDED, **values) == "✅ Atención #7 finalizada por Ana tras x"
    assert tr.gettext("en-US", ENDED, **values) == "✅ Atendimento #7 ended by Ana after x"
    assert tr.pgettext("pt-br", "priority", "low") == "baixa"
    assert tr.pgettext("es", "state", "banned") == "bloqueado"


def test_unknown_locale_falls_back_to_the_team_then_to_english() -> None:
    assert Translator("pt_BR")._("de", "the file is empty") == "o arquivo está vazio"
    assert Translator("es")._(None, "the file is empty") == "el archivo está vacío"
    # A team language without a catalog still formats in its locale; the words stay English.
    french = Translator("fr")
    assert french.team_locale == "fr"
    assert french._("zh", "the file is empty") == "the file is empty"
    assert french.format_number(1234.5, None) == "1\u202f234,5"


def test_unknown_team_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        Translator("xx-!!")


def test_msgid_missing_from_a_catalog_comes_back_in_english(tr: Translator) -> None:
    assert tr._("es", "Not in any catalog {x}", x=1) == "Not in any catalog 1"


def test_plurals_follow_each_language(tr: Translator) -> None:
    singular, plural = "{n} problem in the texts:", "{n} problems in the texts:"
    assert tr.ngettext("pt_BR", singular, plural, 1) == "1 problema nos textos:"
    assert tr.ngettext("pt_BR", singular, plural, 0) == "0 problema nos textos:"  # pt: n > 1
    assert tr.ngettext("en", singular, plural, 0) == "0 problems in the texts:"
    assert tr.ngettext("es", singular, plural, 2500) == "2.500 problemas en los textos:"
    assert tr.ngettext("en", singular, plural, 2500, n="many") == "many problems in the texts:"


def test_literal_braces_and_missing_values(tr: Translator) -> None:
    assert tr._("en", "{{literal}} {x}", x=1) == "{literal} 1"
    with pytest.raises(KeyError):
        tr._("en", ENDED, number=1)  # the caller's bug must surface in its tests


def test_a_broken_or_fuzzy_translation_falls_back_to_the_source() -> None:
    tr = Translator("de", locales_dir=FIXTURES / "broken")
    assert tr.locales == ("de",)
    assert tr._("de", "Hello {name}", name="Ana") == "Hello Ana"  # "Hallo {nome}" cannot format
    assert tr._("de", "Still fuzzy") == "Still fuzzy"
    assert tr._("de", "Fine {name}", name="Ana") == "Gut Ana"
    assert tr.pgettext("de", "priority", "low") == "niedrig"


def test_catalogs_are_read_once_and_only_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []
    real = i18n.read_po

    def counting(fp, locale=None, **kwargs):
        reads.append(str(locale))
        return real(fp, locale=locale, **kwargs)

    monkeypatch.setattr(i18n, "read_po", counting)
    tr = Translator("pt_BR")
    assert reads == []
    tr._("es", "the file is empty")
    tr._("es-419", "the file is empty")
    tr._("pt", "the file is empty")
    tr.format_duration(60, "es")  # formatting needs no catalog
    assert reads == ["es", "pt_BR"]


def test_catalogs_load_from_the_installed_package_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no catalogs here: a repo-relative path would fail
    tr = Translator()
    assert str(tr.locales_dir) == str(resources.files("atendimento.locales"))
    assert tr.locales == ("en", "es", "it", "pt_BR", "ru")
    assert tr._("pt_BR", "the file is empty") == "o arquivo está vazio"
