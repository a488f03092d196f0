"""Whatever someone types, the lines the desk writes about it stay sendable (≤ 4096 UTF-16
units, valid text), and the pure parsers of command arguments never raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from atendimento.desk.wording import Wording
from atendimento.domain.priority import Priority, parse_priority
from atendimento.domain.text import size
from atendimento.features.replies.book import split_keywords
from atendimento.i18n import Translator

TELEGRAM_LIMIT = 4096
TRANSLATOR = Translator("pt_BR")
WORDINGS = [Wording(Translator(locale), "America/Sao_Paulo")
            for locale in TRANSLATOR.locales]

# Short random text, sometimes repeated into thousands of units (astral characters count two).
typed = st.one_of(
    st.text(max_size=30),
    st.tuples(st.text(min_size=1, max_size=8), st.integers(100, 2100)).map(lambda t: t[0] * t[1]),
    st.sampled_from(["😀" * 4000, "a" + "😀" * 2047, "𐩀" * 3000, "x" * 4096, "\u200f" * 4000]),
)


def sendable(line: str) -> None:
    line.encode("utf-16-le")
    line.encode("utf-8")
    assert size(line) <= TELEGRAM_LIMIT, size(line)


@settings(max_examples=150, deadline=None)
@given(wording=st.sampled_from(WORDINGS), value=typed, name=typed, other=typed)
def test_every_line_about_typed_values_fits_in_a_message(wording, value, name, other):
    when = datetime(2024, 5, 1, 12, tzinfo=UTC)
    locale = wording.team
    for line in (
        wording.opened(3, value, when),
        wording.ended(3, name, timedelta(minutes=5)),
        wording.priority_set(Priority.HIGH, name),
        wording.unknown_priority(value),
        wording.banned(name, other, value),
        wording.banned(name, other, ""),
        wording.unbanned(name, other),
        wording.admins_only(value),
        wording.unknown_command(value),
        wording.not_a_member(name),
        wording.membership_unknown(name),
        wording.notice(resumed=False, client=name, origin=value, preview=other,
                       link="https://t.me/c/1/2?comment=3", locale=locale),
        wording.notice(resumed=True, client=name, origin=None, preview=value,
                       link="https://t.me/c/1/2", locale=locale),
    ):
        sendable(line)


def test_a_short_value_is_quoted_whole_and_a_long_one_shortened():
    wording = Wording(Translator("pt_BR"), "America/Sao_Paulo")
    assert wording.unknown_priority("amanhã").startswith("Prioridade desconhecida “amanhã”")
    line = wording.unknown_priority("😀" * 4000)
    assert "“" + "😀" * 31 + "…”" in line
    reason = "spam " * 800
    banned = wording.banned("Ana Souza", "Rui Admin", reason)
    assert reason[:900] in banned and size(banned) < 1100
    long_name = "Ana" * 21 + " " + "Souza" * 12  # 63 + 60 characters: never shortened
    assert long_name in wording.ended(1, long_name, timedelta(minutes=1))


@settings(max_examples=1000, deadline=None)
@given(argument=st.text())
def test_keywords_and_priorities_of_any_argument(argument):
    keywords = split_keywords(argument)
    assert all(k and k == k.strip() for k in keywords)
    assert len(set(keywords)) == len(keywords)
    parse_priority(argument, WORDINGS[0].priority_names())
