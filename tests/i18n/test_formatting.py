"""Dates, times, numbers and durations come out in the reader's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from atendimento.i18n import Translator

NBSP, NNBSP = "\u00a0", "\u202f"
MOMENT = datetime(2026, 3, 9, 17, 5, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def tr() -> Translator:
    return Translator("pt_BR")


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("pt_BR", "9 de mar. de 2026 14:05:30"),
        ("en", f"Mar 9, 2026, 2:05:30{NNBSP}PM"),
        ("es", "9 mar 2026, 14:05:30"),
    ],
)
def test_datetime_in_the_readers_zone_and_locale(
    tr: Translator, locale: str, expected: str
) -> None:
    assert tr.format_datetime(MOMENT, locale, "America/Sao_Paulo") == expected


def test_datetime_defaults_and_naive_values(tr: Translator) -> None:
    naive = MOMENT.replace(tzinfo=None)
    assert tr.format_datetime(naive, "pt_BR") == "9 de mar. de 2026 17:05:30"  # naive = UTC
    assert tr.format_datetime(MOMENT, "en", ZoneInfo("Asia/Tokyo"), format="short") == (
        f"3/10/26, 2:05{NNBSP}AM"
    )


@pytest.mark.parametrize(
    ("locale", "long_date", "short_time"),
    [
        ("pt_BR", "9 de março de 2026", "14:05"),
        ("en", "March 9, 2026", f"2:05{NNBSP}PM"),
        ("es", "9 de marzo de 2026", "14:05"),
    ],
)
def test_date_and_time(tr: Translator, locale: str, long_date: str, short_time: str) -> None:
    zone = "America/Sao_Paulo"
    assert tr.format_date(MOMENT, locale, zone, format="long") == long_date
    assert tr.format_date(date(2026, 3, 9), locale, format="long") == long_date
    assert tr.format_time(MOMENT, locale, zone) == short_time
    assert tr.format_time(time(14, 5), locale) == short_time


def test_date_crosses_midnight_with_the_zone(tr: Translator) -> None:
    late = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
    assert tr.format_date(late, "en", "America/Sao_Paulo", format="short") == "3/9/26"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("pt_BR", "1.234.567,891"), ("en", "1,234,567.891"), ("es", "1.234.567,891")],
)
def test_numbers(tr: Translator, locale: str, expected: str) -> None:
    assert tr.format_number(1234567.891, locale) == expected
    assert tr.format_number(Decimal("1234567.891"), locale) == expected


@pytest.mark.parametrize(
    ("seconds", "pt_BR", "en", "es"),
    [
        (0, "0 segundo", "0 seconds", "0 segundos"),
        (1, "1 segundo", "1 second", "1 segundo"),
        (45, "45 segundos", "45 seconds", "45 segundos"),
        (125, "2 minutos e 5 segundos", "2 minutes and 5 seconds", "2 minutos y 5 segundos"),
        (3600, "1 hora", "1 hour", "1 hora"),
        (7500, "2 horas e 5 minutos", "2 hours and 5 minutes", "2 horas y 5 minutos"),
        (7529, "2 horas e 5 minutos", "2 hours and 5 minutes", "2 horas y 5 minutos"),
        (7531, "2 horas e 6 minutos", "2 hours and 6 minutes", "2 horas y 6 minutos"),
        (7170, "2 horas", "2 hours", "2 horas"),  # 1h59m30s rounds up, carrying into hours
        (86_399, "1 dia", "1 day", "1 día"),
        (90_000, "1 dia e 1 hora", "1 day and 1 hour", "1 día y 1 hora"),
        (10 * 86_400, "10 dias", "10 days", "10 días"),  # never "1 week"
    ],
)
def test_durations_read_naturally(
    tr: Translator, seconds: int, pt_BR: str, en: str, es: str
) -> None:
    assert tr.format_duration(seconds, "pt_BR") == pt_BR
    assert tr.format_duration(timedelta(seconds=seconds), "en") == en
    assert tr.format_duration(seconds, "es-419") == es


def test_duration_lengths_and_units(tr: Translator) -> None:
    span = timedelta(days=1, hours=2, minutes=3)
    assert tr.format_duration(span, "en", max_units=3) == "1 day, 2 hours, and 3 minutes"
    assert tr.format_duration(span, "pt_BR", max_units=3) == "1 dia, 2 horas e 3 minutos"
    assert tr.format_duration(span, "en", length="short") == "1 day and 2 hr"
    assert tr.format_duration(7500, "pt_BR", length="short") == "2 h e 5 min"
    assert tr.format_duration(7500, "en", length="narrow") == "2h 5m"
    assert tr.format_duration(7500, "es", max_units=1) == "2 horas"
    with pytest.raises(ValueError, match="negative"):
        tr.format_duration(-1, "en")


def test_formatting_resolves_telegram_codes_and_falls_back_to_the_team(tr: Translator) -> None:
    assert tr.format_number(1000.5, "en-US") == "1,000.5"
    assert tr.format_number(1000.5, "zh-hans") == "1.000,5"  # team locale pt_BR
    assert NBSP not in tr.format_duration(60, "pt_BR")
