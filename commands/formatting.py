"""Numbers and dates in the reader's locale, with Babel: ``3,100,000`` / ``3.100.000``, ``19%`` / ``%19``.

A 200-figure list formats about a thousand numbers and dates, and Babel takes tens of microseconds for
each, so what Babel worked out once per locale is kept: the parsed locale, whether it groups whole numbers
plainly (then Python's own grouping with the locale's symbol writes them), what it says for each count
rounded to a tenth of its unit ("3.1 million"), each field of a date (a month's name), and dates and
percentages already written. Every answer is still Babel's: the tests compare them with Babel's own
functions across locales and values.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from typing import cast

from babel import Locale
from babel.dates import DateTimeFormat, DateTimePattern, tokenize_pattern
from babel.dates import format_date as babel_format_date
from babel.numbers import (
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
    parse_pattern,
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
    if type(value) is int and (divisor := _compact_divisor(value, locale)) is not None:
        # Babel's words depend on the count only through the count in the unit, rounded to a tenth
        # (45,957,293 is "46 million" as 459 tenths of a million): counts that round alike read alike, so
        # Babel is asked once per rounded count, about the count it rounds to.
        return _compact_words(_tenths(value, divisor), divisor, locale)
    return _babel_compact(value, locale)


@lru_cache(maxsize=32)
def _compact_units(code: str) -> tuple[tuple[int, int | None], ...]:
    """The locale's magnitudes for long compact counts, largest first, each with the unit its pattern counts
    in (a million for "0 million" and "00 million", a thousand for "000 thousand"; None for a pattern that
    writes the count whole): the unit is the magnitude less a zero for each of the pattern's zeros after the
    first, as CLDR's compact number formats (and Babel) read them."""
    formats = babel_locale(code).compact_decimal_formats.get("long")
    if formats is None:
        return ()
    units = []
    for magnitude in sorted((int(key) for key in formats["other"]), reverse=True):
        pattern = parse_pattern(formats["other"][str(magnitude)]).pattern
        units.append((magnitude, None if pattern == "0" else magnitude // 10 ** (pattern.count("0") - 1)))
    return tuple(units)


def _compact_divisor(value: int, locale: str) -> int | None:
    """The unit ``value`` is counted in, by the largest magnitude it reaches; None when Babel writes it whole."""
    for magnitude, unit in _compact_units(locale):
        if value >= magnitude:
            return unit
    return None


def _tenths(value: int, unit: int) -> int:
    """``value`` in tenths of ``unit``, rounded half to even as Babel rounds a Decimal."""
    tenths, rest = divmod(value * 10, unit)
    if 2 * rest > unit or (2 * rest == unit and tenths % 2):
        tenths += 1
    return tenths


@lru_cache(maxsize=8192)
def _compact_words(tenths: int, unit: int, locale: str) -> str:
    """Babel's words for any count that rounds to ``tenths`` tenths of ``unit``, asked about that round count
    itself (which reaches the same magnitude, or the next one up when the rounding carries into it, as Babel's
    own count would). Babel 2.19 picks the plural form from the rounded count too; 2.18 read it off the
    unrounded one, and Latvian's fraction-digit plurals then differed between counts that round alike (hence
    ``babel>=2.19``)."""
    return _babel_compact(Decimal(tenths * unit).scaleb(-1), locale)


def _babel_compact(value: int | Decimal, locale: str) -> str:
    babel = babel_locale(locale)
    if "long" not in babel.compact_decimal_formats:
        return format_count(int(value), locale)  # no words for millions in this locale: the number in full
    return format_compact_decimal(value, format_type="long", fraction_digits=1, locale=babel)


def format_points(value: Decimal | float, locale: str) -> str:
    """A value in percent points: 19 -> 19% (en), 19 % (es), %19 (tr); 5.45 -> 5.45%, 5,45 %, %5,45."""
    return _points(str(value), locale)


@lru_cache(maxsize=8192)
def _points(value: str, locale: str) -> str:
    # The locale's own pattern (it places the sign), with the digits the source gave rather than rounded.
    # Remembered: shares and ratings repeat (a few hundred values), and a 200-figure list formats 400.
    plain = _plain_percent(locale)
    if plain is not None and _PLAIN_POINTS.fullmatch(value):
        return _plainly(value, plain)
    return babel_format_points(value, locale)


def babel_format_points(value: str, locale: str) -> str:
    """``format_points`` as Babel itself writes it (the reference its fast path is tested against)."""
    return format_percent(Decimal(value) / 100, locale=babel_locale(locale), decimal_quantization=False)


# Percent points written without Babel when the locale's pattern allows (``_plain_percent``): no sign, no
# exponent, under 1,000 (no group separator), as a database's decimals print.
_PLAIN_POINTS = re.compile(r"(0|[1-9][0-9]{0,2})(\.[0-9]+)?")
_PERCENT_PROBES = ("0", "0.0", "7", "19", "19.0", "19.50", "5.45", "0.5", "0.001", "13.167", "99.999", "100", "999.9")


@lru_cache(maxsize=32)
def _plain_percent(code: str) -> tuple[str, str, str] | None:
    """What the locale writes before and after a percentage's digits, and its decimal symbol (``"", ".", "%"``
    in English, ``"%", ",", ""`` in Turkish), when that writes Babel's answer for every probe; None when
    Babel must write them. Babel takes about 10 µs a percentage: a list's first ask wrote 60 new ones."""
    prefix, _, suffix = babel_format_points("7", code).partition("7")
    plain = (prefix, _separators(code)[1], suffix)
    if any(_plainly(probe, plain) != babel_format_points(probe, code) for probe in _PERCENT_PROBES):
        return None
    return plain


def _plainly(value: str, plain: tuple[str, str, str]) -> str:
    """Percent points written with the locale's prefix, decimal symbol and suffix (``_plain_percent``), the
    trailing zeros of their decimals dropped, as Babel drops them."""
    prefix, decimal, suffix = plain
    digits = value.rstrip("0").rstrip(".") if "." in value else value
    return f"{prefix}{digits.replace('.', decimal)}{suffix}"


def format_day(value: dt.date | None, locale: str) -> str:
    """A date in the locale's long form, or plainly "date not stated" when the source gives none."""
    if value is None:
        return "date not stated"
    return _long_date(value, locale)


@lru_cache(maxsize=8192)
def _long_date(value: dt.date, locale: str) -> str:
    # Babel takes 5-25 µs a date, most of it finding its way through the locale's data: a date is written
    # from its fields (``_date_field``), and kept whole, since a list of 200 deals says the same dates again.
    pattern = _long_date_pattern(locale)
    if pattern is None:
        return babel_format_date(value, format="long", locale=babel_locale(locale))
    template, fields = pattern
    return template % {field: _date_field(field, value.year if field in _YEAR_FIELDS else
                                          value.month if field in _MONTH_FIELDS else value.day, locale)
                       for field in fields}


# The fields of long date patterns (every locale's: "MMMM d, y" in English, "d 'de' MMMM 'de' y" in Spanish),
# by the part of the date each writes: the era and year, the month, the day.
_YEAR_FIELDS = frozenset({"y", "yyyy", "G"})
_MONTH_FIELDS = frozenset({"M", "MM", "MMM", "MMMM"})
_DATE_FIELDS = _YEAR_FIELDS | _MONTH_FIELDS | {"d", "dd"}


@lru_cache(maxsize=32)
def _long_date_pattern(locale: str) -> tuple[str, frozenset[str]] | None:
    return date_template(babel_locale(locale).date_formats["long"])


def date_template(pattern: DateTimePattern) -> tuple[str, frozenset[str]] | None:
    """A date pattern as a ``%`` template and its fields, when it writes only a year, month and day (so each
    field can be written on its own: ``_date_field``); None leaves the whole date to Babel (a weekday, say)."""
    fields = set()
    for kind, value in tokenize_pattern(pattern.pattern):
        if kind == "field":
            letter, width = cast("tuple[str, int]", value)
            fields.add(letter * width)
    return (cast("str", pattern.format), frozenset(fields)) if fields <= _DATE_FIELDS else None


@lru_cache(maxsize=4096)
def _date_field(field: str, part: int, locale: str) -> str:
    """One field of a long date as Babel writes it, from the one part of the date it depends on: a miss
    costs Babel one field (a month's name), not a whole date."""
    day = (dt.date(part, 1, 1) if field in _YEAR_FIELDS else
           dt.date(2000, part, 1) if field in _MONTH_FIELDS else dt.date(2000, 1, part))
    return DateTimeFormat(day, babel_locale(locale))[field]
