"""Numbers and dates in the reader's locale, with Babel: ``3,100,000`` / ``3.100.000``, ``19%`` / ``%19``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_compact_decimal, format_decimal, format_percent


@lru_cache(maxsize=32)
def babel_locale(code: str) -> Locale:
    """The Babel locale for a code, parsed once: Babel parses a code string again on every call it is given,
    and a 200-figure list makes about 3,000 such calls."""
    return Locale.parse(code)


def format_count(value: int, locale: str) -> str:
    """A whole count with the locale's grouping: 3,100,000 (en), 3.100.000 (es, tr)."""
    return format_decimal(value, locale=babel_locale(locale))


def format_count_short(value: int, locale: str) -> str:
    """A large count as people say it: 3.1 million (en), 3,1 millones (es), 3,1 milyon (tr)."""
    if value < 10_000:
        return format_count(value, locale)
    return format_compact_decimal(value, format_type="long", fraction_digits=1, locale=babel_locale(locale))


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
    # Babel takes tens of microseconds a date, and a list of 500 deals says the same few hundred dates again.
    return babel_format_date(value, format="long", locale=babel_locale(locale))
