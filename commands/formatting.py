"""Numbers and dates in the reader's locale, with Babel: ``3,100,000`` / ``3.100.000``, ``19%`` / ``%19``.

A 200-figure list formats about a thousand numbers and dates, and Babel takes tens of microseconds for
each, so what Babel worked out once per locale is kept: the parsed locale, whether it groups whole numbers
plainly (then Python's own grouping with the locale's symbol writes them), what it says for runs of counts
("3.1 million"), and dates and percentages already written. Every answer is still Babel's: the tests compare
them with Babel's own functions across locales and values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import (
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
)

# Whole numbers a locale's plain grouping is checked on before Python's grouping stands in for Babel's.
_GROUPING_PROBES = (0, 7, 999, 1_000, 1_234, 9_999, 12_345, 123_456, 999_999, 1_000_000, 3_100_000,
                    12_345_678, 1_234_567_890_123, -1, -1_234_567)


@lru_cache(maxsize=32)
def babel_locale(code: str) -> Locale:
    """The Babel locale for a code, parsed once: Babel parses a code string again on every call it is given,
    and a 200-figure list makes about 3,000 such calls."""
    return Locale.parse(code)


def format_count(value: int, locale: str) -> str:
    """A whole count with the locale's grouping: 3,100,000 (en), 3.100.000 (es, tr)."""
    group = _plain_group_symbol(locale)
    if group is not None and type(value) is int:
        return f"{value:,}".replace(",", group)
    return format_decimal(value, locale=babel_locale(locale))


@lru_cache(maxsize=32)
def _separators(code: str) -> tuple[str, str]:
    """The locale's group and decimal symbols: ``,`` and ``.`` in English, ``.`` and ``,`` in Spanish."""
    locale = babel_locale(code)
    return get_group_symbol(locale=locale), get_decimal_symbol(locale=locale)


@lru_cache(maxsize=32)
def _plain_group_symbol(code: str) -> str | None:
    """The locale's group symbol when Babel writes whole numbers as plain groups of three (no prefix, suffix,
    other digits or other group sizes), checked on probe values; ``None`` when Babel must write them."""
    group = _separators(code)[0]
    locale = babel_locale(code)
    plain = all(f"{probe:,}".replace(",", group) == format_decimal(probe, locale=locale) for probe in _GROUPING_PROBES)
    return group if plain else None


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """``USD 45,000`` (en), ``USD 45.000`` (es, tr): the ISO code, never a symbol ($ is also pesos).

    Babel's ``format_currency`` with the pattern ``¤¤ #,##0`` (``¤¤ #,##0.00`` for cents), written here with
    the locale's separators: Babel takes about 100 µs an amount, which was half the time of a long deal list
    shown with its fees. ``tests/commands/test_deals.py`` holds the two to the same text.
    """
    if amount < 0:  # fees never are (a CHECK says so), and Babel places the sign
        return babel_format_money(amount, currency, locale)
    group, decimal = _separators(locale)
    digits = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{currency} {digits.translate({ord(','): group, ord('.'): decimal})}"


def babel_format_money(amount: Decimal, currency: str, locale: str) -> str:
    """``format_money`` as Babel itself writes it (the reference its fast path is tested against)."""
    pattern = "¤¤ #,##0" if amount == amount.to_integral_value() else "¤¤ #,##0.00"
    return format_currency(amount, currency, format=pattern, locale=babel_locale(locale), currency_digits=False)


def format_count_short(value: int, locale: str) -> str:
    """A large count as people say it: 3.1 million (en), 3,1 millones (es), 3,1 milyon (tr)."""
    if value < 10_000:
        return format_count(value, locale)
    if type(value) is int:
        # Counts that share their first digits mostly read the same ("3.1 million" for 3,140,000 to 3,149,999):
        # Babel is asked about the run's two ends once, and its words kept when they agree. Three digits
        # decide "3.1 million"; "45.9 million" and "46 million" (45,950,000) need the fourth.
        digits = len(str(value))
        for shared in (3, 4):
            step = 10 ** (digits - shared)
            low = value - value % step
            if (words := _compact_run(low, low + step - 1, locale)) is not None:
                return words
    return _babel_compact(value, locale)


@lru_cache(maxsize=8192)
def _compact_run(low: int, high: int, locale: str) -> str | None:
    """Babel's words for every count from ``low`` to ``high`` when it writes both ends the same (what it
    writes grows in steps with the count, so the counts between read the same too); None when they differ,
    as around a rounding boundary, and each count there is asked about on its own. Babel 2.19 picks the
    plural form from the rounded number, which makes those steps; 2.18 read it off the unrounded one, and
    Latvian's fraction-digit plurals then changed within a run (hence ``babel>=2.19``)."""
    words = _babel_compact(low, locale)
    return words if words == _babel_compact(high, locale) else None


def _babel_compact(value: int, locale: str) -> str:
    babel = babel_locale(locale)
    if "long" not in babel.compact_decimal_formats:
        return format_count(value, locale)  # no words for millions in this locale: the number in full
    return format_compact_decimal(value, format_type="long", fraction_digits=1, locale=babel)


def format_points(value: Decimal | float, locale: str) -> str:
    """A value in percent points: 19 -> 19% (en), 19 % (es), %19 (tr); 5.45 -> 5.45%, 5,45 %, %5,45."""
    return _points(str(value), locale)


@lru_cache(maxsize=8192)
def _points(value: str, locale: str) -> str:
    # The locale's own pattern (it places the sign), with the digits the source gave rather than rounded.
    # Remembered: shares and ratings repeat (a few hundred values), and a 200-figure list formats 400.
    return format_percent(Decimal(value) / 100, locale=babel_locale(locale), decimal_quantization=False)


def format_day(value: dt.date | None, locale: str) -> str:
    """A date in the locale's long form, or plainly "date not stated" when the source gives none."""
    if value is None:
        return "date not stated"
    return _long_date(value, locale)


@lru_cache(maxsize=8192)
def _long_date(value: dt.date, locale: str) -> str:
    # Babel takes tens of microseconds a date, and a list of 200 deals says the same few hundred dates again.
    return babel_format_date(value, format="long", locale=babel_locale(locale))
