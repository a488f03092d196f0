"""Translations and locale-aware formatting, with an explicit locale on every call.

A client's language and the team's differ inside one handler, so nothing here is global: the app
builds one ``Translator`` at start-up and passes it on. Catalogs are the ``.po`` files in the
repository's top-level ``locales/``, which pyproject.toml maps into the package as the data
package ``atendimento.locales`` (a wheel carries them; an editable install reads the same files).
They are read with Babel on first use and cached on the instance, so a fresh ``pip install``
translates with no compile step (``*.mo`` are git-ignored).

Call style (the extractor relies on it — the msgid is always a literal, after the locale)::

    tr._(locale, "Atendimento #{number} opened", number=7)
    tr.ngettext(locale, "{n} new message", "{n} new messages", count)
    tr.pgettext(locale, "priority", "urgent")
    N_("…") / NP_("context", "…")   # mark a msgid kept as data; translate it later

Dev note — updating the catalogs after adding or changing a string (source strings in English,
every catalog stays complete; ``tests/i18n`` fails until they are)::

    .venv/bin/python scripts/catalogs.py update      # extract + merge into every .po
    # translate the new and fuzzy entries of locales/*/LC_MESSAGES/atendimento.po
    .venv/bin/python scripts/catalogs.py check       # what tests/i18n checks

The same with pybabel alone (the keywords must match ``EXTRACTION_KEYWORDS``)::

    .venv/bin/pybabel extract --no-default-keywords \\
        -k "_:2 gettext:2 ngettext:2,3 pgettext:2c,3 npgettext:2c,3,4 N_ NP_:1c,2" \\
        --add-comments=TRANSLATORS: --strip-comments --add-location=file --sort-output \\
        --project=atendimento -o locales/atendimento.pot atendimento
    .venv/bin/pybabel update -D atendimento -d locales \\
        -i locales/atendimento.pot --ignore-obsolete
    .venv/bin/pybabel init -D atendimento -d locales \\
        -i locales/atendimento.pot -l fr          # a new language

The catalogs found are the languages the desk offers (``LANGUAGE``, ``/idioma``, the command
menus): a new language is its catalog plus its texts in ``respostas/<lang>/``.
"""

from __future__ import annotations

import gettext as gettext_module
import io
import logging
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final, Literal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

DOMAIN: Final = "atendimento"
DEFAULT_TEAM_LOCALE: Final = "pt_BR"

#: Babel keyword specs for our call style: the locale comes first, so the msgid is argument 2.
EXTRACTION_KEYWORDS: Final = (
    "_:2",
    "gettext:2",
    "ngettext:2,3",
    "pgettext:2c,3",
    "npgettext:2c,3,4",
    "N_",
    "NP_:1c,2",
)

DurationLength = Literal["long", "short", "narrow"]

_DURATION_UNITS: Final = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))
_LIST_STYLE: Final = {"long": "standard", "short": "standard", "narrow": "unit-narrow"}


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention extractors know
    """Mark ``msgid`` for extraction without translating it (translate later with ``_``)."""
    return msgid


def NP_(context: str, msgid: str) -> str:  # noqa: N802
    """Mark ``msgid`` in ``context`` for extraction; translate later with ``pgettext``."""
    return msgid


# Desk words needed before (or whatever happens to) the modules that use them: the card's words
# and the auto-close service line. Once a module marks a word itself it may go from here
# (extraction merges duplicates, so there is no hurry).
SEEDED_MESSAGES: Final = (
    NP_("priority", "urgent"),
    NP_("priority", "high"),
    NP_("priority", "normal"),
    NP_("priority", "low"),
    NP_("state", "open"),
    NP_("state", "ended"),
    NP_("state", "banned"),
    N_("Atendimento #{number} closed automatically after {duration} without messages"),
)


def locales_root() -> Traversable:
    """The catalogs inside the installed package (not the working directory)."""
    return resources.files("atendimento.locales")


def placeholders(text: str) -> frozenset[str]:
    """Names of the ``str.format`` fields in ``text`` (``{a.b}`` counts as ``a``)."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            names.add(re.split(r"[.\[]", field, maxsplit=1)[0])
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class LanguageTag:
    """A language code split into the parts we match on (``es-419`` → ``es`` + ``419``)."""

    language: str
    region: str | None

    @classmethod
    def parse(cls, code: str | None) -> LanguageTag | None:
        parts = [p for p in re.split(r"[-_]", (code or "").strip()) if p]
        if not parts or not re.fullmatch(r"[A-Za-z]{2,3}", parts[0]):
            return None
        region = next(
            (p.upper() for p in parts[1:] if re.fullmatch(r"[A-Za-z]{2}|[0-9]{3}", p)), None
        )
        return cls(parts[0].lower(), region)

    def candidates(self) -> tuple[str, ...]:
        """Locale names to try, most specific first."""
        if self.region:
            return (f"{self.language}_{self.region}", self.language)
        return (self.language,)


def best_match(
    code: str | None, available: Iterable[str], preferred: str | None = None
) -> str | None:
    """The name in ``available`` that fits ``code``: exact, then language, then same language.

    ``pt``, ``pt-PT`` and ``PT_br`` all find ``pt_BR`` when it is the only Portuguese; among
    several variants of one language, ``preferred`` (the team's) wins, then the first by name.
    """
    tag = LanguageTag.parse(code)
    if tag is None:
        return None
    by_lower = {name.lower(): name for name in available}
    for candidate in tag.candidates():
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    same_language = sorted(
        name for name in by_lower.values() if name.lower().split("_")[0] == tag.language
    )
    if preferred in same_language:
        return preferred
    return same_language[0] if same_language else None


class Translator:
    """Gettext with the locale as an argument, plus Babel formatting in that locale.

    Lookups resolve the locale first (``resolve``); an unknown one falls back to the team
    locale. A msgid a catalog lacks comes back in the source language (English).
    ``client_locale`` (DEFAULT_CLIENT_LANGUAGE, the team's unless given) is where a client whose
    language the desk does not have ends up; ``atendimento.desk.language`` decides a client's.
    """

    def __init__(
        self,
        team_locale: str = DEFAULT_TEAM_LOCALE,
        *,
        client_locale: str | None = None,
        locales_dir: Traversable | Path | None = None,
        domain: str = DOMAIN,
    ) -> None:
        self._root: Traversable | Path = locales_dir if locales_dir is not None else locales_root()
        self._domain = domain
        self._catalogs: dict[str, gettext_module.NullTranslations] = {}
        self.locales: tuple[str, ...] = tuple(
            sorted(
                entry.name
                for entry in self._root.iterdir()
                if entry.is_dir() and (entry / "LC_MESSAGES" / f"{domain}.po").is_file()
            )
        )
        self.team_locale: str = best_match(team_locale, self.locales) or _babel_name(team_locale)
        self.client_locale: str = (
            self.team_locale
            if client_locale is None
            else best_match(client_locale, self.locales) or _babel_name(client_locale)
        )

    @property
    def locales_dir(self) -> Traversable | Path:
        return self._root

    def resolve(self, language_code: str | None) -> str | None:
        """The supported locale for a Telegram ``language_code`` (``pt-br`` → ``pt_BR``)."""
        return best_match(language_code, self.locales, self.team_locale)

    def locale_for(self, language_code: str | None) -> str:
        """``resolve``, falling back to the team locale."""
        return self.resolve(language_code) or self.team_locale

    # --- messages ---------------------------------------------------------------------------

    def gettext(self, locale: str | None, msgid: str, /, **params: object) -> str:
        return self._fill(self._catalog(locale).gettext(msgid), msgid, params)

    _ = gettext

    def ngettext(
        self, locale: str | None, singular: str, plural: str, n: int, /, **params: object
    ) -> str:
        """Plural lookup; ``{n}`` is available, formatted for the locale, unless given."""
        params.setdefault("n", self.format_number(n, locale))
        source = singular if n == 1 else plural
        return self._fill(self._catalog(locale).ngettext(singular, plural, n), source, params)

    def pgettext(self, locale: str | None, context: str, msgid: str, /, **params: object) -> str:
        return self._fill(self._catalog(locale).pgettext(context, msgid), msgid, params)

    def npgettext(
        self,
        locale: str | None,
        context: str,
        singular: str,
        plural: str,
        n: int,
        /,
        **params: object,
    ) -> str:
        params.setdefault("n", self.format_number(n, locale))
        source = singular if n == 1 else plural
        found = self._catalog(locale).npgettext(context, singular, plural, n)
        return self._fill(found, source, params)

    def _fill(self, text: str, source: str, params: dict[str, object]) -> str:
        try:
            return text.format_map(params)
        except (KeyError, IndexError, ValueError, AttributeError):
            if text == source:
                raise  # the caller's mistake: let its tests see it
            # A broken translation must not take a handler down; the source still says it.
            log.warning("translation %r does not format with %s", text, sorted(params))
            return source.format_map(params)

    def _catalog(self, locale: str | None) -> gettext_module.NullTranslations:
        name = self.locale_for(locale)
        catalog = self._catalogs.get(name)
        if catalog is None:
            catalog = self._catalogs[name] = self._load(name)
        return catalog

    def _load(self, name: str) -> gettext_module.NullTranslations:
        if name not in self.locales:
            return gettext_module.NullTranslations()
        with (self._root / name / "LC_MESSAGES" / f"{self._domain}.po").open("rb") as po:
            catalog = read_po(po, locale=name, domain=self._domain)
        # Compiling in memory keeps gettext's plural and context handling; fuzzy entries are
        # left out, as msgfmt would.
        compiled = io.BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        return gettext_module.GNUTranslations(compiled)

    # --- formatting -------------------------------------------------------------------------

    def _babel_locale(self, locale: str | None) -> Locale:
        return Locale.parse(self.locale_for(locale))

    def format_datetime(
        self,
        value: datetime,
        locale: str | None,
        tz: tzinfo | str | None = None,
        *,
        format: str = "medium",
    ) -> str:
        """``value`` in ``tz`` (default UTC); a naive ``value`` is taken as UTC."""
        return babel_dates.format_datetime(
            _aware(value), format, tzinfo=_zone(tz), locale=self._babel_locale(locale)
        )

    def format_date(
        self,
        value: date | datetime,
        locale: str | None,
        tz: tzinfo | str | None = None,
        *,
        format: str = "medium",
    ) -> str:
        if isinstance(value, datetime):
            value = _aware(value).astimezone(_zone(tz)).date()
        return babel_dates.format_date(value, format, locale=self._babel_locale(locale))

    def format_time(
        self,
        value: time | datetime,
        locale: str | None,
        tz: tzinfo | str | None = None,
        *,
        format: str = "short",
    ) -> str:
        if isinstance(value, datetime):
            value = _aware(value).astimezone(_zone(tz)).timetz()
        return babel_dates.format_time(value, format, locale=self._babel_locale(locale))

    def format_number(self, value: int | float | Decimal, locale: str | None) -> str:
        return babel_numbers.format_decimal(value, locale=self._babel_locale(locale))

    def format_duration(
        self,
        value: float | timedelta,
        locale: str | None,
        *,
        length: DurationLength = "long",
        max_units: int = 2,
    ) -> str:
        """A readable duration: ``2 horas e 5 minutos``, ``1 day and 3 hours``, ``45 segundos``.

        At most ``max_units`` units, the last one rounded. Each unit goes through Babel's
        ``format_timedelta`` pinned to that unit (so 10 days never becomes "1 week"), and the
        parts are joined with the locale's list pattern.
        """
        seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
        if seconds < 0:
            raise ValueError(f"a duration cannot be negative: {value!r}")
        parts = _split_duration(round(seconds), max(1, max_units))
        babel_locale = self._babel_locale(locale)
        words = [
            babel_dates.format_timedelta(
                timedelta(seconds=amount * size),
                threshold=float("inf"),  # never pick a larger unit than asked
                granularity=unit,  # type: ignore[arg-type]
                format=length,
                locale=babel_locale,
            )
            for unit, size, amount in parts
        ]
        if len(words) == 1:
            return words[0]
        try:
            return babel_lists.format_list(words, style=_LIST_STYLE[length], locale=babel_locale)
        except KeyError:  # a few locales lack some list styles in Babel's data
            return babel_lists.format_list(words, locale=babel_locale)


def _split_duration(seconds: int, max_units: int) -> list[tuple[str, int, int]]:
    """(unit, seconds per unit, amount) for the largest ``max_units`` units, rounded."""
    if seconds == 0:
        return [("second", 1, 0)]
    for _ in range(2):  # rounding may carry into a larger unit once (23h59m50s → 1 day)
        first = next(i for i, (_, size) in enumerate(_DURATION_UNITS) if seconds >= size)
        last = min(first + max_units - 1, len(_DURATION_UNITS) - 1)
        step = _DURATION_UNITS[last][1]
        seconds = (seconds + step // 2) // step * step
    parts = []
    for unit, size in _DURATION_UNITS[first : last + 1]:
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append((unit, size, amount))
    return parts


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _zone(tz: tzinfo | str | None) -> tzinfo:
    if tz is None:
        return UTC
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _babel_name(code: str) -> str:
    """A locale Babel knows for ``code`` (formatting works even without a catalog)."""
    tag = LanguageTag.parse(code)
    for candidate in tag.candidates() if tag else ():
        try:
            return str(Locale.parse(candidate))
        except (UnknownLocaleError, ValueError):
            continue
    raise ValueError(f"unknown language {code!r}: use a code like pt_BR, en or es")
