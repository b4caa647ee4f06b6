"""Numbers and dates in each supported locale, the way press releases in that language write them."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from babel import localedata
from babel.dates import format_date as babel_format_date
from babel.dates import parse_pattern as parse_date_pattern
from babel.numbers import format_compact_decimal, format_decimal

from commands import formatting
from commands.formatting import (
    babel_format_money,
    babel_locale,
    format_count,
    format_count_short,
    format_day,
    format_money,
    format_points,
)


@pytest.mark.parametrize(
    ("locale", "count", "short", "share", "rating", "day"),
    [
        ("en", "3,100,000", "3.1 million", "19%", "5.45%", "October 11, 2019"),
        ("es", "3.100.000", "3,1 millones", "19\xa0%", "5,45\xa0%", "11 de octubre de 2019"),
        ("tr", "3.100.000", "3,1 milyon", "%19", "%5,45", "11 Ekim 2019"),
    ],
)
def test_locale_formats(locale: str, count: str, short: str, share: str, rating: str, day: str) -> None:
    assert format_count(3_100_000, locale) == count
    assert format_count_short(3_100_000, locale) == short
    assert format_points(Decimal("19"), locale) == share
    assert format_points(Decimal("5.45"), locale) == rating
    assert format_day(dt.date(2019, 10, 11), locale) == day


def test_small_counts_are_written_in_full() -> None:
    assert format_count_short(9_500, "en") == "9,500"


def test_percentages_are_written_as_babel_writes_them_in_every_locale() -> None:
    """``format_points`` writes a plain percentage with the locale's symbols (``_plain_percent``); every locale
    Babel knows must read exactly as Babel's own, trailing zeros, tiny and four-digit values included."""
    rng = random.Random(5)  # noqa: S311 - deterministic test data, not security
    values = ["0", "0.0", "0.00", "1", "5.45", "19", "19.0", "19.50", "39.500", "0.001", "100", "100.00", "999.99",
              "1000", "1234.5", "00.5", "1E+1", "1e-05", "-3.5", "12345"]
    values += [f"{rng.randint(0, 120)}.{rng.randint(0, 999):0{rng.randint(1, 3)}d}" for _ in range(30)]
    for locale in localedata.locale_identifiers():
        formatting._points.cache_clear()
        assert [formatting._points(value, locale) for value in values] == [
            formatting.babel_format_points(value, locale) for value in values], locale


def test_unknown_date_is_said_plainly() -> None:
    assert format_day(None, "en") == "date not stated"


def test_dates_are_written_as_babel_writes_them_in_every_locale() -> None:
    """``format_day`` writes a date from its fields (year, month, day) each asked of Babel once; every locale
    Babel knows must read exactly as Babel's own long date, the calendar's ends and a leap day included."""
    rng = random.Random(7)  # noqa: S311 - deterministic test data, not security
    days = [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2024, 2, 29), dt.date(2019, 10, 11)]
    days += [dt.date(rng.randint(1900, 2100), rng.randint(1, 12), rng.randint(1, 28)) for _ in range(8)]
    for locale in localedata.locale_identifiers():
        babel = babel_locale(locale)
        assert [format_day(day, locale) for day in days] == [
            babel_format_date(day, format="long", locale=babel) for day in days], locale


def test_a_date_pattern_with_other_fields_is_left_to_babel() -> None:
    assert formatting.date_template(parse_date_pattern("d MMMM y")) == ("%(d)s %(MMMM)s %(y)s",
                                                                       frozenset({"d", "MMMM", "y"}))
    assert formatting.date_template(parse_date_pattern("EEEE, d MMMM y")) is None  # the weekday needs the date


# Locales beside the supported three, with other group symbols, group sizes, digits and plural rules: the
# formatting kept per locale must give Babel's own answer everywhere, or leave the writing to Babel.
_MANY_LOCALES = ("en", "es", "tr", "de", "fr", "pl", "pt_BR", "ru", "ar", "hi", "en_IN", "sv", "de_CH", "ja",
                 "ko", "zh", "he", "fa", "bn", "ro", "lt", "lv", "cy", "ga", "mt", "my")


@pytest.mark.parametrize("locale", _MANY_LOCALES)
def test_counts_are_written_as_babel_writes_them(locale: str) -> None:
    rng = random.Random(locale)  # noqa: S311 - deterministic test data, not security
    values = [0, 1, 9_999, 10_000, 999_950, 999_999, 1_000_000, 1_049_999, 1_050_000, 1_150_000, 1_250_000,
              9_999_999, 45_849_999, 45_850_000, 45_950_000, 45_957_293, 99_950_000, 10**12, 10**15 + 1]
    values += [rng.randint(0, 10 ** rng.randint(1, 13)) for _ in range(1000)]
    babel = babel_locale(locale)
    for value in values:
        assert format_count(value, locale) == format_decimal(value, locale=babel), value
        if value >= 10_000:
            expected = format_compact_decimal(value, format_type="long", fraction_digits=1, locale=babel) \
                if "long" in babel.compact_decimal_formats else format_decimal(value, locale=babel)
            assert format_count_short(value, locale) == expected, value


def test_compact_counts_ask_babel_once_a_rounded_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 200-figure list of tens of millions of viewers is written from the few counts they round to, not 200
    calls to Babel: every count from 45,950,000 to 46,049,999 is "46 million", asked about once."""
    asked: list[int | Decimal] = []
    babel_compact = formatting._babel_compact

    def counting(value: int | Decimal, locale: str) -> str:
        asked.append(value)
        return babel_compact(value, locale)

    monkeypatch.setattr(formatting, "_babel_compact", counting)
    formatting._compact_words.cache_clear()
    written = {format_count_short(value, "en") for value in range(45_950_000, 46_050_000, 50)}
    assert written == {"46 million"}
    assert asked == [46_000_000]


@pytest.mark.parametrize("locale", _MANY_LOCALES)
def test_compact_counts_at_each_rounding_edge_read_as_babel_writes_them(locale: str) -> None:
    """Either side of every place a count's rounding turns, ties included (Babel rounds half to even), and
    where it carries into the next magnitude (999,950 is "1 million", not "1000 thousand")."""
    babel = babel_locale(locale)
    if "long" not in babel.compact_decimal_formats:
        pytest.skip(f"{locale} has no long compact counts")
    values = set()
    for magnitude, unit in formatting._compact_units(locale):
        if unit is None or magnitude < 10_000:
            continue
        values |= {magnitude - 1, magnitude, magnitude + 1}
        for tenths in (*range(10 * magnitude // unit, 10 * magnitude // unit + 30), 10 * (10 * magnitude // unit) - 1):
            edge = (2 * tenths + 1) * unit // 20  # halfway between two tenths of the unit
            values |= {edge - 1, edge, edge + 1}
    for value in sorted(values):
        if value >= 10_000:
            assert format_count_short(value, locale) == format_compact_decimal(
                value, format_type="long", fraction_digits=1, locale=babel), value


@pytest.mark.parametrize("locale", ["en", "es", "tr"])
def test_money_is_written_as_babel_writes_it_what_babel_writes(locale: str) -> None:
    """``format_money`` puts the locale's separators in by hand; Babel's ``format_currency`` is the reference."""
    rng = random.Random(3)  # noqa: S311 - seeded test data, not a secret
    amounts = [Decimal(0), Decimal(1), Decimal(999), Decimal(1000), Decimal("45000.00"), Decimal("45000.5"),
               Decimal("0.01"), Decimal("999999999999.99"), Decimal(-1500)]
    amounts += [Decimal(rng.randrange(10**12)) / rng.choice((1, 100)) for _ in range(3000)]
    for currency in ("USD", "EUR", "TRY"):
        assert [format_money(amount, currency, locale) for amount in amounts] == [
            babel_format_money(amount, currency, locale) for amount in amounts]
