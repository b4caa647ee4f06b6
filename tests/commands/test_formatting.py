"""Numbers and dates in each supported locale, the way press releases in that language write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from commands.formatting import format_count, format_count_short, format_day, format_points


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


def test_unknown_date_is_said_plainly() -> None:
    assert format_day(None, "en") == "date not stated"
