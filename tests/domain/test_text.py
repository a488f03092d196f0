"""Cutting people's text: never inside a surrogate pair or a cluster, as long as fits, in UTF-16
units (Telegram's) or code points."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pyrogram.types.messages_and_media.message import Str

from atendimento.domain.text import ELLIPSIS, QUOTE_LIMIT, cut, joins_previous, quote, size

LIMITS = (64, 120, 200, 1024, 4096)  # every cut the desk makes, and Telegram's two limits
ZWJ = "\u200d"


def _plain(char: str) -> bool:
    """A character that starts a cluster of its own: any cut before it is allowed."""
    return not joins_previous(char) and not "\U0001f1e6" <= char <= "\U0001f1ff"


ascii_chars = st.characters(max_codepoint=0x7F)
bmp_chars = st.characters(min_codepoint=0x80, max_codepoint=0xFFFF, exclude_categories=("Cs",))
astral_chars = st.characters(min_codepoint=0x10000)
plain_chars = st.one_of(ascii_chars, bmp_chars, astral_chars).filter(_plain)
# Pieces that join: accents, variation selectors, skin tones, ZWJ families, flags, keycaps, and
# astral characters in bulk (each a surrogate pair in UTF-16).
clusters = st.sampled_from([
    "😀", "𐩀", "👍🏽", "❤️", "e\u0301", "👩‍👩‍👧‍👦", "🇧🇷", "🇵🇹", "1️⃣", "🏴\U000e0067\U000e0062"
    "\U000e0073\U000e0063\U000e0074\U000e007f", ZWJ, "\ufe0f", "\u0301", "\U0001f3fb",
    "\U0001f1e6", "😀" * 7, "𐩀𐩀𐩀", "a\u0301\u0302\u0303",
])
joiner_chars = st.sampled_from([ZWJ, "\ufe0f", "\u0301", "\u20e3", "\U0001f3fb", "\U0001f1e6",
                                "\U0001f1e7", "\U000e0067"])
mixed_pieces = st.lists(st.one_of(plain_chars, clusters), min_size=1, max_size=40)
plain_pieces = st.lists(plain_chars, min_size=1, max_size=40)


def near(pieces: list[str], target: int) -> str:
    """The pieces repeated, then cut between code points at about `target` UTF-16 units."""
    chunk = "".join(pieces)
    text = chunk * (target // size(chunk) + 2)
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > target:
            return text[:index]
    return text


def longest_fitting(text: str, room: int, unit: str) -> int:
    """How many code points of `text` fit in `room` units (each measured on its own)."""
    used = 0
    for k, char in enumerate(text):
        used += size(char, unit)
        if used > room:
            return k
    return len(text)


def allowed(text: str, k: int) -> bool:
    """May `text` be cut before `text[k]`? Not inside a cluster, nor in the middle of a flag."""
    if k in (0, len(text)):
        return True
    if joins_previous(text[k]) or text[k - 1] == ZWJ:
        return False
    indicators = 0
    while indicators < k and "\U0001f1e6" <= text[k - 1 - indicators] <= "\U0001f1ff":
        indicators += 1
    return not (indicators % 2 and "\U0001f1e6" <= text[k] <= "\U0001f1ff")


def check(text: str, limit: int, unit: str, ellipsis: str, *, plain: bool) -> str:
    result = cut(text, limit, unit=unit, ellipsis=ellipsis)
    assert type(result) is str
    result.encode("utf-16-le")  # strict: no lone surrogate
    result.encode("utf-8")
    assert size(result, unit) <= limit
    if size(text, unit) <= limit:
        assert result == text
        return result
    if size(ellipsis, unit) > limit:
        ellipsis = ""  # left out: it cannot fit
    assert result.endswith(ellipsis)
    body = result[:len(result) - len(ellipsis)]
    assert text.startswith(body)
    fits = longest_fitting(text, limit - size(ellipsis, unit), unit)
    if plain:  # nothing joins: exactly as long as fits
        assert len(body) == fits
    else:  # the last allowed cut that fits; inside the first cluster if it alone is too long
        allowed_cuts = [k for k in range(1, fits + 1) if allowed(text, k)]
        assert len(body) == (allowed_cuts[-1] if allowed_cuts else fits)
    return result


@settings(max_examples=300, deadline=None)
@given(pieces=mixed_pieces, limit=st.sampled_from(LIMITS), delta=st.integers(-3, 3),
       unit=st.sampled_from(["utf16", "chars"]), ellipsis=st.sampled_from(["", ELLIPSIS]))
def test_cut_near_every_limit_is_valid_within_the_limit_and_as_long_as_possible(
        pieces, limit, delta, unit, ellipsis):
    text = near(pieces, limit + delta)
    check(text, limit, unit, ellipsis, plain=False)


@settings(max_examples=300, deadline=None)
@given(pieces=plain_pieces, limit=st.sampled_from(LIMITS), delta=st.integers(-3, 3),
       unit=st.sampled_from(["utf16", "chars"]), ellipsis=st.sampled_from(["", ELLIPSIS]))
def test_cut_of_text_where_nothing_joins_keeps_exactly_what_fits(pieces, limit, delta, unit,
                                                                 ellipsis):
    check(near(pieces, limit + delta), limit, unit, ellipsis, plain=True)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.one_of(plain_chars, joiner_chars), max_size=80),
       limit=st.integers(0, 90), ellipsis=st.sampled_from(["", ELLIPSIS, "[…]"]))
@example(text="😀😀", limit=1, ellipsis="")
@example(text="😀😀", limit=3, ellipsis=ELLIPSIS)
@example(text="abc", limit=0, ellipsis=ELLIPSIS)
def test_cut_of_short_text_at_any_limit(text, limit, ellipsis):
    check(text, limit, "utf16", ellipsis, plain=False)


def test_the_reported_text_is_cut_between_emoji() -> None:
    text = "a" + "😀" * 2047  # 4095 UTF-16 units
    assert cut(text, 200) == "a" + "😀" * 99  # 199 units: the 100th emoji would need 201
    assert cut(text, 4096) == text
    assert cut(text, 4094) == "a" + "😀" * 2046
    assert cut(text, 200, unit="chars") == "a" + "😀" * 199


def test_pyrogram_str_is_read_as_plain_text() -> None:
    text = Str("a" + "😀" * 2047).init([])
    with pytest.raises(UnicodeDecodeError):
        text[:200]  # why: Str slices UTF-16 units and cannot decode half an emoji
    result = cut(text, 200)
    assert type(result) is str and result == "a" + "😀" * 99
    assert type(cut(Str("short").init([]), 200)) is str


@pytest.mark.parametrize("text, limit, expected", [
    ("a👍🏽", 3, "a"),  # the skin tone stays with its hand
    ("ok ❤️", 4, "ok "),  # the variation selector stays with its heart
    ("a👩‍👩‍👧‍👦", 9, "a"),  # a ZWJ family is one picture
    ("a👩‍👩‍👧‍👦", 12, "a👩‍👩‍👧‍👦"),
    ("🇧🇷🇵🇹🇧🇷", 10, "🇧🇷🇵🇹"),  # flags are pairs: never half a flag
    ("🇧🇷🇵🇹", 6, "🇧🇷"),
    ("ab\u0301", 2, "a"),  # an accent stays with its letter
    ("x1️⃣", 3, "x"),  # the keycap stays with its digit
    ("e\u0301", 1, "e"),  # one cluster longer than the room: cut inside rather than lost
    ("👩‍👩‍👧", 5, "👩\u200d👩"),
    ("\ud83d\ude00x", 1, ""),  # a pair kept as two code points is not split either
])
def test_clusters_are_kept_whole(text, limit, expected) -> None:
    assert cut(text, limit) == expected


def test_ellipsis_counts_in_the_limit_and_is_left_out_when_it_cannot_fit() -> None:
    assert cut("abcdef", 4, ellipsis="…") == "abc…"
    assert cut("abcdef", 6, ellipsis="…") == "abcdef"
    assert cut("😀😀😀", 3, ellipsis="…") == "😀…"
    assert cut("abcdef", 2, ellipsis="[…]") == "ab"
    assert cut("abc", -1) == ""


def test_quote_shortens_with_an_ellipsis() -> None:
    assert quote("amanhã") == "amanhã"
    long = quote("😀" * 4000)
    assert size(long) <= QUOTE_LIMIT and long.endswith("…") and long == "😀" * 31 + "…"
    assert quote("x" * 5000, 1000) == "x" * 999 + "…"


@settings(max_examples=500, deadline=None)
@given(text=st.text(), limit=st.integers(0, 300))
def test_cut_and_quote_never_raise_on_any_text(text, limit):
    # st.text() has no lone surrogates (Telegram never sends one); here also every category.
    for result in (cut(text, limit), quote(text, limit), cut(text, limit, unit="chars")):
        assert text.startswith(result.removesuffix(ELLIPSIS))


def test_joins_previous() -> None:
    assert all(joins_previous(c) for c in (ZWJ, "\ufe0f", "\u0301", "\u20e3", "\U0001f3fd",
                                           "\U000e0067", "\U000e0101"))
    assert not any(joins_previous(c) for c in "a1 😀𐩀\u200b")
    assert unicodedata.category("\U0001f3fd") == "Sk"  # why the modifiers are named apart


def test_visible_start_drops_leading_spaces_and_invisible_marks_only():
    from atendimento.domain.text import visible_start
    assert visible_start("\u200b\u200f\ufeff // nota") == "// nota"
    assert visible_start("👨\u200d👩 oi") == "👨\u200d👩 oi"  # a ZWJ inside stays
    assert visible_start("\u200b\u2063 \n") == ""


def test_first_word_ends_at_any_whitespace_and_ignores_invisible_marks_in_it():
    from atendimento.domain.text import first_word
    assert first_word("123\nSeu pedido saiu!") == ("123", "Seu pedido saiu!")
    assert first_word("@ana_s\tE chega amanhã ") == ("@ana_s", "E chega amanhã")
    assert first_word("\u200bteste\u200b   qual o prazo?") == ("teste", "qual o prazo?")
    assert first_word("") == ("", "")
    assert first_word("sozinho") == ("sozinho", "")
