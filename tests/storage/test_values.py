"""Cell-value parsers: every accepted form, every kind of error, Excel cell types and the export round trip."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

import pytest

from storage.importing.values import (
    CellError,
    format_date,
    format_decimal,
    format_whole_number,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_percent,
    parse_text,
    parse_whole_number,
    split_multi,
)

D = Decimal
OCT_11 = dt.date(2019, 10, 11)


def excel_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A date cell as openpyxl returns it: a naive datetime, at midnight unless the cell holds a time."""
    return dt.datetime.combine(dt.date(year, month, day), dt.time(hour, minute))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3100000", 3_100_000),
        ("3,100,000", 3_100_000),
        ("3.100.000", 3_100_000),
        ("3 100 000", 3_100_000),
        ("3\u202f100\u202f000", 3_100_000),
        ("3\u00a0100\u00a0000", 3_100_000),
        ("3.1M", 3_100_000),
        ("3,1 M", 3_100_000),
        ("3.1 million", 3_100_000),
        ("3,1 millón", 3_100_000),
        ("3,1 milyon", 3_100_000),
        ("3,100 M", 3_100_000),  # with a unit a single separator is the decimal mark
        ("1.2K", 1_200),
        ("1,2k", 1_200),
        ("12 bin", 12_000),
        ("2.5 mn", 2_500_000),
        ("2 B", 2_000_000_000),
        ("1.5bn", 1_500_000_000),
        ("3.1234M", 3_123_400),
        ("3,100", 3_100),
        ("3.100", 3_100),
        ("3,100,000.00", 3_100_000),
        ("3.100.000,00", 3_100_000),
        ("2019.0", 2019),
        ("+42", 42),
        ("  42  ", 42),
        ("0", 0),
        (3_100_000, 3_100_000),
        (2019.0, 2019),
        (-0.0, 0),
        (D("42"), 42),
        (D("42.000"), 42),
    ],
)
def test_parse_whole_number_accepts(value: object, expected: int) -> None:
    assert parse_whole_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5.45", D("5.45")),
        ("5,45", D("5.45")),
        ("250000", D("250000")),
        ("3,100,000.50", D("3100000.5")),
        ("3.100.000,50", D("3100000.5")),
        ("3 100 000,50", D("3100000.5")),
        ("3,100,000", D("3100000")),
        ("1.234.567,891", D("1234567.891")),
        ("1234,567", D("1234.567")),
        ("0,100", D("0.1")),
        ("1.2345", D("1.2345")),
        ("123.4560", D("123.456")),
        ("3.1M", D("3100000")),
        ("1,5 mn", D("1500000")),
        ("+7", D("7")),
        (5.45, D("5.45")),
        (0.1, D("0.1")),
        (7, D("7")),
        (D("5.450"), D("5.45")),
    ],
)
def test_parse_decimal_accepts(value: object, expected: Decimal) -> None:
    assert parse_decimal(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19%", D("19")),
        ("%19", D("19")),
        ("% 19", D("19")),
        ("19 %", D("19")),
        ("19", D("19")),
        ("5,45%", D("5.45")),
        ("%5,45", D("5.45")),
        ("5.45", D("5.45")),
        ("+5%", D("5")),
        ("0.19", D("0.19")),
        ("0", D("0")),
        ("100", D("100")),
        ("100%", D("100")),
        (0.19, D("0.19")),
        (19, D("19")),
        (D("12.50"), D("12.5")),
    ],
)
def test_parse_percent_accepts(value: object, expected: Decimal) -> None:
    assert parse_percent(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-10-11", OCT_11),
        ("2019-10-11T00:00:00", OCT_11),
        ("2019-10-11 00:00", OCT_11),
        ("2019-10-11 00:00:00.000", OCT_11),
        ("2019/10/11", OCT_11),
        ("2019-1-2", dt.date(2019, 1, 2)),
        ("11/10/2019", OCT_11),
        ("11.10.2019", OCT_11),
        ("11-10-2019", OCT_11),
        ("11/10/2019 00:00", OCT_11),
        ("1/2/2020", dt.date(2020, 2, 1)),
        ("01/02/2020", dt.date(2020, 2, 1)),
        ("29/02/2020", dt.date(2020, 2, 29)),
        ("  11/10/2019 ", OCT_11),
        ("11 October 2019", OCT_11),
        ("11 Oct 2019", OCT_11),
        ("11th October 2019", OCT_11),
        ("11-Oct-2019", OCT_11),
        ("October 11, 2019", OCT_11),
        ("Oct. 11 2019", OCT_11),
        ("5 Sep 2019", dt.date(2019, 9, 5)),
        ("5 Sept 2019", dt.date(2019, 9, 5)),
        ("11 de octubre de 2019", OCT_11),
        ("11 OCTUBRE 2019", OCT_11),
        ("5 sept. 2019", dt.date(2019, 9, 5)),
        ("11 Ekim 2019", OCT_11),
        ("29 Şubat 2020", dt.date(2020, 2, 29)),
        ("29 SUBAT 2020", dt.date(2020, 2, 29)),
        ("1 Ağustos 2021", dt.date(2021, 8, 1)),
        ("3 MAYIS 2021", dt.date(2021, 5, 3)),
        ("3 Aralık 2021", dt.date(2021, 12, 3)),
        (OCT_11, OCT_11),
        (excel_datetime(2019, 10, 11), OCT_11),
    ],
)
def test_parse_date_accepts(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *((word, True) for word in ["yes", "YES", "y", "Y", "true", "TRUE", "1", "x", "X", "sí", "SÍ", "si", "evet"]),
        *((word, True) for word in ["Evet", "exclusive", "Exclusive", " yes "]),
        *((word, False) for word in ["no", "NO", "n", "false", "False", "0", "hayır", "HAYIR", "hayir", "Hayır"]),
        *((word, False) for word in ["non-exclusive", "Non-Exclusive", "non exclusive", "nonexclusive"]),
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        (1.0, True),
        (D("0"), False),
    ],
)
def test_parse_bool_accepts(value: object, expected: bool) -> None:
    assert parse_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  \u00a0 ", None),
        (" Kara Sevda ", "Kara Sevda"),
        ("Kara Sevda | Endless Love", "Kara Sevda | Endless Love"),
        (2019, "2019"),
        (2019.0, "2019"),
        (3_100_000.0, "3100000"),
        (1e16, "10000000000000000"),
        (5.45, "5.45"),
        (D("2019.0"), "2019"),
        (D("5.450"), "5.45"),
        (True, "TRUE"),
        (False, "FALSE"),
        (OCT_11, "2019-10-11"),
        (excel_datetime(2019, 10, 11), "2019-10-11"),
        (excel_datetime(2019, 10, 11, 20, 30), "2019-10-11 20:30:00"),
        (dt.time(20, 0), "20:00"),
        (dt.time(20, 0, 15), "20:00:15"),
    ],
)
def test_parse_text(value: object, expected: str | None) -> None:
    assert parse_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        (" | ", []),
        ("Drama", ["Drama"]),
        ("Drama | Romance|", ["Drama", "Romance"]),
        ("  TR | ES |  | MENA ", ["TR", "ES", "MENA"]),
        (2019, ["2019"]),
    ],
)
def test_split_multi(value: object, expected: list[str]) -> None:
    assert split_multi(value) == expected


Parser = Callable[[object], object]

# (parser, value, the message or a part of it)
ERRORS: list[tuple[Parser, object, str]] = [
    # ambiguity
    (parse_decimal, "3,100", "'3,100' could mean 3100 or 3.1; write 3100 or 3.1"),
    (parse_decimal, "3.100", "'3.100' could mean 3100 or 3.1; write 3100 or 3.1"),
    (parse_decimal, "3,125", "'3,125' could mean 3125 or 3.125; write 3125 or 3.1250"),
    (parse_percent, "3,100%", "'3,100%' could mean 3100 or 3.1; write 3100 or 3.1"),
    (parse_percent, "12.500", "could mean 12500 or 12.5"),
    # bad grouping and separators
    (parse_whole_number, "3,10,000", "'3,10,000' has digit groups that are not three digits long; write it "),
    (parse_decimal, "3.10.000", "digit groups"),
    (parse_whole_number, "31 00", "digit groups"),
    (parse_whole_number, "3,1000,000", "digit groups"),
    (parse_decimal, "1,000.000.50", "mixes separators"),
    (parse_decimal, "3.100,000,50", "mixes separators"),
    (parse_whole_number, "3,5 100", "mixes separators"),
    (parse_decimal, "3 100.000,50", "mixes separators"),
    (parse_whole_number, "3,,100", "is not a number"),
    # negative
    (parse_whole_number, "-5", "'-5' is negative; write a number of zero or more"),
    (parse_decimal, "\u22125.45", "is negative"),
    (parse_decimal, "-3.1M", "is negative"),
    (parse_percent, "-1%", "is negative"),
    (parse_decimal, -3.5, "'-3.5' is negative"),
    (parse_whole_number, -7, "'-7' is negative"),
    # percent out of range, percent sign where it doesn't belong
    (parse_percent, "120%", "'120%' is more than 100; write a percentage from 0 to 100"),
    (parse_percent, 100.5, "'100.5' is more than 100"),
    (parse_percent, "1.2K", "is more than 100"),
    (parse_whole_number, "19%", "'19%' is a percentage but this column takes a plain number; write it without %"),
    (parse_decimal, "%5", "is a percentage"),
    (parse_percent, "%19%", "is not a number"),
    # not whole
    (parse_whole_number, "3.5", "'3.5' is not a whole number; write a whole number such as 3 or 4"),
    (parse_whole_number, "5,45", "'5,45' is not a whole number; write a whole number such as 5 or 6"),
    (parse_whole_number, "3.12345678M", "such as 3123456 or 3123457"),
    (parse_whole_number, 3.5, "'3.5' is not a whole number"),
    (parse_whole_number, D("2.25"), "'2.25' is not a whole number"),
    # not numbers at all
    (parse_whole_number, "abc", "'abc' is not a number; write digits such as 3100000"),
    (parse_decimal, "3.", "is not a number"),
    (parse_decimal, ".5", "is not a number"),
    (parse_decimal, "1e6", "is not a number"),
    (parse_decimal, "$5", "is not a number"),
    (parse_decimal, "-", "is not a number"),
    (parse_whole_number, "3.1X", "'3.1X' has 'X', which is not a unit; write the full number or use K, M or B"),
    (parse_decimal, "5.45 USD", "which is not a unit"),
    (parse_whole_number, True, "'TRUE' is a yes/no value, not a number"),
    (parse_decimal, OCT_11, "'2019-10-11' is a date or time, not a number"),
    (parse_decimal, float("nan"), "is not a number"),
    (parse_decimal, float("inf"), "is not a number"),
    (parse_whole_number, D("NaN"), "is not a number"),
    (parse_whole_number, object(), "is not a number"),
    # dates: two-digit year, month-first, impossible, time of day, number as date, unreadable
    (
        parse_date,
        "11/10/19",
        "'11/10/19' has a two-digit year; write the year with four digits (11/10/2019 or 11/10/1919)",
    ),
    (parse_date, "11 Oct 19", "has a two-digit year; write the year with four digits (11 Oct 2019 or 11 Oct 1919)"),
    (parse_date, "11/10/219", "has a 3-digit year"),
    (parse_date, "10/23/2020", "'10/23/2020' has no month 23; dates are day-first (23/10/2020) or ISO (2020-10-23)"),
    (parse_date, "1.13.2020", "'1.13.2020' has no month 13; dates are day-first (13.1.2020) or ISO (2020-01-13)"),
    (parse_date, "2020-23-10", "has no month 23; dates are day-first (23-10-2020) or ISO (2020-10-23)"),
    (parse_date, "13/13/2020", "has no month 13; write it day-first"),
    (parse_date, "10/00/2020", "has no month 0"),
    (parse_date, "31/02/2020", "'31/02/2020' is not a real date (February 2020 has 29 days); write a date that exists"),
    (parse_date, "2019-02-29", "is not a real date (February 2019 has 28 days)"),
    (parse_date, "31 April 2021", "is not a real date (April 2021 has 30 days)"),
    (parse_date, "00/10/2019", "is not a real date"),
    (parse_date, "0000-01-01", "has no year 0"),
    (parse_date, "2019-10-11 14:30", "'2019-10-11 14:30' has a time of day; write the date alone, such as 2019-10-11"),
    (parse_date, "11/10/2019 20:00", "has a time of day; write the date alone, such as 11/10/2019"),
    (parse_date, excel_datetime(2019, 10, 11, 14, 30), "'2019-10-11 14:30:00' has a time of day"),
    (parse_date, 43749, "'43749' is a number, not a date; format the cell as a date or write it as ISO"),
    (parse_date, 43749.0, "'43749' is a number, not a date"),
    (parse_date, D("43749"), "is a number, not a date"),
    (parse_date, "43749", "is a number, not a date"),
    (parse_date, "11 Octobre 2019", "names no month known in English, Spanish or Turkish"),
    (parse_date, "yesterday", "'yesterday' is not a date; write it day-first, such as 11/10/2019, or ISO"),
    (parse_date, "11/10-2019", "is not a date"),
    (parse_date, True, "'TRUE' is a yes/no value, not a date"),
    # yes/no
    (parse_bool, "maybe", "'maybe' is not a yes/no word; write yes or no (also y/n, true/false, 1/0, x, sí, "),
    (parse_bool, "exclusiva", "is not a yes/no word"),
    (parse_bool, 2, "'2' is not a yes/no word"),
    (parse_bool, OCT_11, "is not a yes/no word"),
    # empty cells that should have been filtered out
    (parse_whole_number, None, "the cell is empty; write a number such as 3100000"),
    (parse_decimal, "", "the cell is empty"),
    (parse_percent, "  ", "the cell is empty"),
    (parse_date, None, "the cell is empty; write a date such as 2019-10-11"),
    (parse_bool, " ", "the cell is empty; write yes or no"),
]


@pytest.mark.parametrize(("parser", "value", "message"), ERRORS)
def test_errors_say_what_is_wrong(parser: Parser, value: object, message: str) -> None:
    with pytest.raises(CellError) as raised:
        parser(value)
    assert message in str(raised.value)


@pytest.mark.parametrize(("parser", "value", "message"), ERRORS)
def test_errors_are_one_sentence_quoting_the_value(parser: Parser, value: object, message: str) -> None:
    with pytest.raises(CellError) as raised:
        parser(value)
    text = str(raised.value)
    assert "\n" not in text
    assert ". " not in text
    assert not text.endswith(".")
    assert "write" in text or "dates are day-first" in text
    shown = parse_text(value)
    if shown is not None:
        assert text.startswith(f"'{shown}'")


def test_cell_error_is_a_value_error() -> None:
    assert issubclass(CellError, ValueError)


def test_canonical_formats() -> None:
    assert format_whole_number(3_100_000) == "3100000"
    assert format_decimal(D("5.45")) == "5.45"
    assert format_decimal(D("5.4500")) == "5.45"
    assert format_decimal(D("19.00")) == "19"
    assert format_decimal(D("3.1E+6")) == "3100000"
    assert format_decimal(D("123.456")) == "123.4560"
    assert format_date(OCT_11) == "2019-10-11"
    assert format_date(dt.date(987, 1, 2)) == "0987-01-02"


RNG = random.Random(7)  # noqa: S311 - deterministic test data, not security
WHOLE_NUMBERS = [RNG.randrange(10 ** RNG.randint(1, 13)) for _ in range(300)]
DECIMALS = [D(RNG.randrange(10 ** RNG.randint(1, 12))).scaleb(-RNG.randint(0, 4)) for _ in range(300)]
PERCENTS = [min(D(RNG.randrange(100_001)).scaleb(-RNG.randint(0, 4)), D(100)) for _ in range(300)]
FIRST, LAST = dt.date(1900, 1, 1).toordinal(), dt.date(2100, 12, 31).toordinal()
DATES = [dt.date.fromordinal(RNG.randint(FIRST, LAST)) for _ in range(300)]


@pytest.mark.parametrize("n", WHOLE_NUMBERS)
def test_whole_number_round_trip(n: int) -> None:
    assert parse_whole_number(format_whole_number(n)) == n
    # and the same number grouped in each partner's convention
    grouped = f"{n:,}"
    assert parse_whole_number(grouped) == n
    assert parse_whole_number(grouped.replace(",", ".")) == n
    assert parse_whole_number(grouped.replace(",", "\u202f")) == n


@pytest.mark.parametrize("d", DECIMALS)
def test_decimal_round_trip(d: Decimal) -> None:
    assert parse_decimal(format_decimal(d)) == d
    cents = d.quantize(D("0.01"))
    grouped = f"{cents:,.2f}"
    assert parse_decimal(grouped) == cents
    assert parse_decimal(grouped.translate(str.maketrans(",.", ".,"))) == cents


@pytest.mark.parametrize("p", PERCENTS)
def test_percent_round_trip(p: Decimal) -> None:
    assert parse_percent(format_decimal(p)) == p
    assert parse_percent(format_decimal(p) + "%") == p


@pytest.mark.parametrize("d", DATES)
def test_date_round_trip(d: dt.date) -> None:
    assert parse_date(format_date(d)) == d
    assert parse_date(f"{d.day}/{d.month}/{d.year}") == d
    assert parse_date(dt.datetime.combine(d, dt.time())) == d
