"""Plural forms per language: Russian's three (1, 2–4, 5–20 and 11–14), the others' two."""

from __future__ import annotations

import gettext
import re

import pytest

from atendimento.catalogs import read_catalog
from atendimento.i18n import Translator, locales_root

IGNORED = ("{n} message ignored while banned", "{n} messages ignored while banned")
RUSSIAN = {
    1: "1 сообщение проигнорировано за время блокировки",
    2: "2 сообщения проигнорированы за время блокировки",
    5: "5 сообщений проигнорировано за время блокировки",
    21: "21 сообщение проигнорировано за время блокировки",
    22: "22 сообщения проигнорированы за время блокировки",
    25: "25 сообщений проигнорировано за время блокировки",
    11: "11 сообщений проигнорировано за время блокировки",
}
FORM = {1: 0, 2: 1, 5: 2, 21: 0, 22: 1, 25: 2, 11: 2, 12: 2, 14: 2, 111: 2, 104: 1, 0: 2}


@pytest.fixture(scope="module")
def tr() -> Translator:
    return Translator("pt_BR")


def test_every_language_ships(tr: Translator) -> None:
    assert tr.locales == ("en", "es", "it", "pt_BR", "ru")


@pytest.mark.parametrize("n", sorted(RUSSIAN))
def test_russian_takes_the_form_its_number_needs(tr: Translator, n: int) -> None:
    assert tr.ngettext("ru", *IGNORED, n) == RUSSIAN[n]


def test_russian_header_and_every_plural_entry_have_three_forms() -> None:
    catalog = read_catalog(locales_root() / "ru" / "LC_MESSAGES" / "atendimento.po", "ru")
    assert catalog.num_plurals == 3
    assert catalog.plural_expr.replace(" ", "") == (
        "(n%10==1&&n%100!=11?0:n%10>=2&&n%10<=4&&(n%100<10||n%100>=20)?1:2)")
    plural = gettext.c2py(catalog.plural_expr)
    for n, form in FORM.items():
        assert plural(n) == form, n
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert plurals and all(len(m.string) == 3 and all(m.string) for m in plurals)


def test_the_three_russian_forms_of_each_plural(tr: Translator) -> None:
    catalog = read_catalog(locales_root() / "ru" / "LC_MESSAGES" / "atendimento.po", "ru")
    for message in (m for m in catalog if m.id and isinstance(m.id, tuple)):
        singular, plural = message.id
        # Every placeholder but n gets a stand-in ({kind}, {limit}, ...).
        others = {name: "x" for name in re.findall(r"\{(\w+)\}", singular + plural)
                  if name != "n"}
        found = {n: tr.ngettext("ru", singular, plural, n, **others) for n in FORM}
        for n, form in FORM.items():
            assert found[n] == message.string[form].format(n=n, **others), (singular, n)


@pytest.mark.parametrize(("locale", "one", "many"), [
    ("it", "1 uso", "2 usi"), ("pt_BR", "1 uso", "2 usos"), ("es", "1 uso", "2 usos"),
    ("en", "1 use", "2 uses"),
])
def test_two_forms_elsewhere(tr: Translator, locale: str, one: str, many: str) -> None:
    assert tr.ngettext(locale, "{n} use", "{n} uses", 1) == one
    assert tr.ngettext(locale, "{n} use", "{n} uses", 2) == many
    assert tr.ngettext(locale, "{n} use", "{n} uses", 21) == many.replace("2", "21", 1)


@pytest.mark.parametrize(("locale", "expected"), [
    ("it", "2 ore e 5 minuti"), ("ru", "2 часа и 5 минут"), ("pt_BR", "2 horas e 5 minutos"),
])
def test_durations_read_naturally(tr: Translator, locale: str, expected: str) -> None:
    assert tr.format_duration(2 * 3600 + 5 * 60, locale) == expected
