"""Read one spreadsheet cell: whole numbers, decimals, percentages, dates, yes/no and text.

The team's partners write numbers both ways (``3,100,000`` and ``3.100.000``, ``5.45`` and ``5,45``) and
dates day-first or ISO. A value that reads two ways (``3,100`` may be 3100 or 3.1) is an error naming both
readings: the importer never guesses. Cells come from a CSV reader (``str``) or from openpyxl (``int``,
``float``, ``Decimal``, ``date``, ``datetime``, ``time``, ``bool``, ``str``). Every parser raises
``CellError``, whose text is the sentence the user sees after the file, row and column.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Literal

from babel.dates import get_month_names


class CellError(ValueError):
    """A cell value that cannot be read; ``str(err)`` is the plain sentence for the user.

    For example ``'3,100' could mean 3100 or 3.1; write 3100 or 3.1``.
    """


_Kind = Literal["whole", "decimal", "percent"]
_EXAMPLE: dict[_Kind, str] = {"whole": "3100000", "decimal": "5.45", "percent": "5.45"}
_SPACES = " \u00a0\u2007\u2009\u202f"  # space, no-break, figure, thin and narrow no-break space
_NUMBER = re.compile(
    rf"(?P<lead>%)?\s*(?P<sign>[-+\u2212])?\s*(?P<core>\d(?:[\d.,{_SPACES}]*\d)?)"
    r"\s*(?P<unit>[^\W\d_]+\.?)?\s*(?P<trail>%)?"
)
_SEPARATOR = re.compile(rf"[.,]|[{_SPACES}]+")
_FIRST_GROUP = re.compile(r"[1-9]\d{0,2}")
_UNITS = {
    **dict.fromkeys(("k", "thousand", "bin"), 10**3),
    **dict.fromkeys(("m", "mn", "mln", "million", "millions", "millon", "millones", "milyon"), 10**6),
    **dict.fromkeys(("b", "bn", "billion", "billions", "milyar"), 10**9),
}


def _fold(text: str) -> str:
    """Casefold and drop accents, so ``SÍ``, ``Şubat`` and ``HAYIR``/``hayır`` match plain keys."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _plain(number: Decimal) -> str:
    """Fixed-point text without trailing zeros or exponent: ``3100000``, ``5.45``."""
    return format(number.normalize(), "f")


def _quote(value: object) -> str:
    return f"'{parse_text(value) or ''}'"


def parse_text(value: object) -> str | None:
    """Return the cell as stripped text, or None when it is empty.

    Excel cells come back as they show: an int-valued float ``2019.0`` is ``'2019'`` (a year typed in a
    numeric cell), a date is ISO, a time is ``HH:MM``, a boolean is ``TRUE``/``FALSE``.
    """
    if type(value) is str:  # CSV cells are all str: the one case worth checking first (hot path)
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else _plain(Decimal(str(value)))
    if isinstance(value, Decimal):
        return _plain(value) if value.is_finite() else str(value)
    if isinstance(value, dt.datetime):
        return format_date(value) if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes" if value.second == value.microsecond == 0 else "seconds")
    return str(value).strip() or None


def split_multi(value: object) -> list[str]:
    """Split a ``|``-separated cell into its stripped, non-empty parts (in order)."""
    text = parse_text(value)
    return [part.strip() for part in text.split("|") if part.strip()] if text else []


def _digits(core: str, text: str, kind: _Kind, has_unit: bool) -> Decimal:
    """Read the digits and separators of a number; ``core`` starts and ends with a digit."""
    groups = _SEPARATOR.split(core)
    seps = [" " if sep[0] in _SPACES else sep for sep in _SEPARATOR.findall(core)]
    if not seps:
        return Decimal(core)
    if "" in groups:
        raise CellError(f"'{text}' is not a number; write digits such as {_EXAMPLE[kind]}")
    if len(set(seps)) == 1 and (seps[0] == " " or len(seps) > 1):
        return Decimal(_join_groups(groups, text))
    if len(seps) == 1:
        whole, fraction = groups
        # Only "1-3 digits, separator, 3 digits" can be a thousands group; with a unit (3,100 M) it can't.
        if has_unit or len(fraction) != 3 or not _FIRST_GROUP.fullmatch(whole):
            return Decimal(f"{whole}.{fraction}")
        if kind == "whole":  # the decimal reading would not be whole, so only the thousands one fits
            return Decimal(whole + fraction)
        decimal = Decimal(f"{whole}.{fraction}")
        raise CellError(
            f"'{text}' could mean {whole}{fraction} or {_plain(decimal)}; "
            f"write {whole}{fraction} or {format_decimal(decimal)}"
        )
    # Two kinds of separator: the last one is the decimal mark and appears once; the other groups.
    if len(set(seps)) > 2 or seps[-1] == " " or seps.count(seps[-1]) > 1:
        raise CellError(
            f"'{text}' mixes separators in a way that is not a number; "
            f"write it without thousands separators, such as 3100000.50"
        )
    return Decimal(f"{_join_groups(groups[:-1], text)}.{groups[-1]}")


def _join_groups(groups: list[str], text: str) -> str:
    if _FIRST_GROUP.fullmatch(groups[0]) and all(len(group) == 3 for group in groups[1:]):
        return "".join(groups)
    raise CellError(
        f"'{text}' has digit groups that are not three digits long; "
        f"write it without separators, such as {''.join(groups)}"
    )


def _number_from_text(text: str, kind: _Kind) -> Decimal:
    match = _NUMBER.fullmatch(text)
    if match is None or (match["lead"] and match["trail"]):
        raise CellError(f"'{text}' is not a number; write digits such as {_EXAMPLE[kind]}")
    if (match["lead"] or match["trail"]) and kind != "percent":
        raise CellError(f"'{text}' is a percentage but this column takes a plain number; write it without %")
    if match["sign"] in ("-", "\u2212"):
        raise CellError(f"'{text}' is negative; write a number of zero or more")
    multiplier = 1
    if unit := match["unit"]:
        multiplier = _UNITS.get(_fold(unit.rstrip(".")), 0)
        if not multiplier:
            raise CellError(
                f"'{text}' has '{unit}', which is not a unit; write the full number or use K, M or B, "
                f"such as 3100000 or 3.1M"
            )
    return _digits(match["core"], text, kind, has_unit=bool(unit)) * multiplier


def _number(value: object, kind: _Kind) -> Decimal:
    example = _EXAMPLE[kind]
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        raise CellError(f"the cell is empty; write a number such as {example}")
    if isinstance(value, bool):
        raise CellError(f"{_quote(value)} is a yes/no value, not a number; write a number such as {example}")
    if isinstance(value, dt.date | dt.time):
        raise CellError(f"{_quote(value)} is a date or time, not a number; write a number such as {example}")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float | Decimal):
        number = Decimal(str(value))  # str(5.45) is the shortest repr, not 5.45000000000000017763...
    elif isinstance(value, str):
        number = _number_from_text(value, kind)
    else:
        number = Decimal("NaN")
    if not number.is_finite():
        raise CellError(f"{_quote(value)} is not a number; write digits such as {example}")
    if number < 0:
        raise CellError(f"{_quote(value)} is negative; write a number of zero or more")
    return abs(number)  # abs() turns an Excel -0.0 into 0


_PLAIN_DIGITS_MAX = 100


def parse_whole_number(value: object) -> int:
    """Read a count (viewers, admissions, reach, runs, episodes, minutes, year): ``3.1M`` is 3100000."""
    # Plain ASCII digits (most cells) read the same as through _number, without the regex and Decimal;
    # the length cap keeps int() clear of its digit limit for absurd cells, which take the long way.
    if type(value) is str and len(value) <= _PLAIN_DIGITS_MAX and value.isascii() and value.isdigit():
        return int(value)
    number = _number(value, "whole")
    if number != number.to_integral_value():
        low, high = (number.to_integral_value(rounding) for rounding in (ROUND_FLOOR, ROUND_CEILING))
        raise CellError(f"{_quote(value)} is not a whole number; write a whole number such as {low} or {high}")
    return int(number)


# Digits with at most two decimals after a point ("10.3", "5.45", "19"): no reading but the plain one (a
# three-digit fraction could be a thousands group), so such a cell skips the general number reader.
_PLAIN_DECIMAL = re.compile(r"[0-9]{1,30}(?:\.[0-9]{1,2})?")


def _plain_decimal(value: object) -> Decimal | None:
    """The value of a str cell that is a plain decimal (see ``_PLAIN_DECIMAL``), else None."""
    if type(value) is str and _PLAIN_DECIMAL.fullmatch(value):
        return Decimal(value)
    return None


def parse_decimal(value: object) -> Decimal:
    """Read an amount (fee, gross) as an exact Decimal without trailing zeros."""
    number = _plain_decimal(value)
    return Decimal(_plain(number if number is not None else _number(value, "decimal")))


def parse_percent(value: object) -> Decimal:
    """Read a rating or share in percent points (0 to 100); 0.19 stays 0.19, it is not scaled to 19."""
    number = _plain_decimal(value)
    if number is None:
        number = _number(value, "percent")
    if number > 100:
        raise CellError(f"{_quote(value)} is more than 100; write a percentage from 0 to 100, such as 5.45")
    return Decimal(_plain(number))


def _month_names() -> dict[str, int]:
    """Folded month names and abbreviations in English, Spanish and Turkish, from CLDR via Babel."""
    names: dict[str, int] = {}
    for locale in ("en", "es", "tr"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    names[_fold(name).rstrip(".")] = number
    return names


_MONTHS = _month_names()
_TIME = r"(?:(?:T|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?)?"
_DATE_FORMATS = [
    re.compile(r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _TIME),
    re.compile(r"(?P<day>\d{1,2})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<year>\d+)" + _TIME),
    re.compile(
        r"(?P<day>\d{1,2})(?:st|nd|rd|th|\.)?[\s/-]*(?:de\s+)?(?P<name>[^\W\d_]+)\.?,?[\s/-]*(?:de\s+)?"
        r"(?P<year>\d+)"
    ),
    re.compile(r"(?P<name>[^\W\d_]+)\.?[\s/-]*(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,\s*|[\s/-]+)(?P<year>\d+)"),
]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATE_ADVICE = "write it day-first, such as 11/10/2019, or ISO, such as 2019-10-11"


def parse_date(value: object) -> dt.date:
    """Read a date written ISO (``2019-10-11``), day-first (``11/10/2019``) or with a month name.

    Day-first is the only numeric order accepted: ``1/2/2020`` is 1 February. A month-first date is
    caught only when its "month" is over 12, which is also the only time it can be told apart.
    """
    if isinstance(value, str):
        value = value.strip()
        # ISO dates (what the exporter writes) are most cells: read them directly. An impossible one
        # (2019-02-30, year 0) falls through to the patterns below, which explain what is wrong.
        if _ISO_DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
    if value is None or value == "":
        raise CellError("the cell is empty; write a date such as 2019-10-11")
    if isinstance(value, bool):
        raise CellError(f"{_quote(value)} is a yes/no value, not a date; {_DATE_ADVICE}")
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise CellError(f"{_quote(value)} has a time of day; write the date alone, such as {format_date(value)}")
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = parse_text(value) or ""
    if isinstance(value, int | float | Decimal) or text.isdigit():
        raise CellError(
            f"'{text}' is a number, not a date; format the cell as a date or write it as ISO, such as 2019-10-11"
        )
    for pattern in _DATE_FORMATS:
        if match := pattern.fullmatch(text):
            return _date_from_match(text, match)
    raise CellError(f"'{text}' is not a date; {_DATE_ADVICE}")


def _date_from_match(text: str, match: re.Match[str]) -> dt.date:
    groups = match.groupdict()
    year_text = groups["year"]
    if len(year_text) != 4:
        before, after = text[: match.start("year")], text[match.end("year") :]
        example = f" ({before}20{year_text}{after} or {before}19{year_text}{after})" if len(year_text) == 2 else ""
        digits = "two" if len(year_text) == 2 else str(len(year_text))
        raise CellError(f"'{text}' has a {digits}-digit year; write the year with four digits{example}")
    if any(int(groups.get(part) or 0) for part in ("hour", "minute", "second", "fraction")):
        date_part = text[: max(match.end("day"), match.end("year"))]
        raise CellError(f"'{text}' has a time of day; write the date alone, such as {date_part}")
    year, day = int(year_text), int(groups["day"])
    if groups.get("name"):
        month = _MONTHS.get(_fold(groups["name"]))
        if month is None:
            raise CellError(f"'{text}' names no month known in English, Spanish or Turkish; {_DATE_ADVICE}")
    else:
        month = int(groups["month"])
    if year < 1:
        raise CellError(f"'{text}' has no year 0; {_DATE_ADVICE}")
    if not 1 <= month <= 12:
        try:  # the writer probably meant month-first; show both orders that read it the intended way
            swapped = dt.date(year, day, month)
        except ValueError:
            raise CellError(f"'{text}' has no month {month}; {_DATE_ADVICE}") from None
        sep = groups.get("sep") or "/"
        raise CellError(
            f"'{text}' has no month {month}; dates are day-first "
            f"({groups['month']}{sep}{groups['day']}{sep}{year_text}) or ISO ({format_date(swapped)})"
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        days = calendar.monthrange(year, month)[1]
        raise CellError(
            f"'{text}' is not a real date ({calendar.month_name[month]} {year} has {days} days); "
            "write a date that exists"
        ) from None


def format_whole_number(n: int) -> str:
    """The exporter's text for a count: plain digits, ``3100000``."""
    return str(int(n))


def format_decimal(d: Decimal) -> str:
    """The exporter's text for an amount or percentage: ``5.45``, ``19``, no exponent, no grouping.

    A fraction of exactly three digits gets a trailing zero (``123.4560``), because ``123.456`` would read
    as ambiguous between 123456 and 123.456.
    """
    text = _plain(d)
    return text + "0" if len(text.partition(".")[2]) == 3 else text


def format_date(d: dt.date) -> str:
    """The exporter's text for a date: ISO, ``2019-10-11``."""
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


_YES = {"yes", "y", "true", "1", "x", "si", "evet", "exclusive"}
_NO = {"no", "n", "false", "0", "hayir", "non exclusive", "nonexclusive"}
_BOOL_WORDS = "yes or no (also y/n, true/false, 1/0, x, sí, evet/hayır, exclusive/non-exclusive)"


def parse_bool(value: object) -> bool:
    """Read a yes/no cell (``exclusive``); words in English, Spanish and Turkish, accents optional."""
    if isinstance(value, bool):
        return value
    text = parse_text(value)
    if text is None:
        raise CellError(f"the cell is empty; write {_BOOL_WORDS}")
    key = " ".join(_fold(text).replace("-", " ").replace("_", " ").split())
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(f"'{text}' is not a yes/no word; write {_BOOL_WORDS}")
