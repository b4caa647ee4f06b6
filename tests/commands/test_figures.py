"""How one audience figure's numbers are said (``commands.figures.numbers_text``), in every shape a row takes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from commands.figures import distinct_sources, numbers_text
from storage.catalog import FigureFact


def figure(**changes: Any) -> FigureFact:
    values: dict[str, Any] = {
        "territory_code": "MX", "territory_name": "Mexico", "channel": "Imagen TV", "air_date": dt.date(2024, 5, 1),
        "timeslot": None, "episode": None, "target": "", "measurement": "", "viewers": None, "rating_pct": None,
        "share_pct": None, "reach": None, "rank_note": None, "notes": None, "source": None,
    }
    return FigureFact(**{**values, **changes})


@pytest.mark.parametrize(("changes", "said"), [
    ({"viewers": 3_100_000, "share_pct": Decimal("19.0"), "target": "Total", "measurement": "live"},
     "3,100,000 viewers (3.1 million), share 19% (Total, live)"),
    ({"viewers": 999_999, "target": "Total"}, "999,999 viewers (Total)"),
    ({"rating_pct": Decimal("5.45"), "measurement": "consolidated"}, "rating 5.45% (consolidated)"),
    ({"reach": 12_000}, "reach 12,000"),
    ({"rank_note": "#1 in its slot", "target": "Households"}, "no number stated (Households)"),
    ({"viewers": 0, "rating_pct": Decimal("0"), "share_pct": Decimal("0.5"), "reach": 0},
     "0 viewers, rating 0%, share 0.5%, reach 0"),
])
def test_numbers_are_labelled_then_target_and_measurement(changes: dict[str, Any], said: str) -> None:
    assert numbers_text(figure(**changes), "en") == said


def test_numbers_are_said_in_the_readers_locale() -> None:
    row = figure(viewers=45_957_293, rating_pct=Decimal("13.167"), target="Total")
    assert numbers_text(row, "es") == "45.957.293 viewers (46 millones), rating 13,167\xa0% (Total)"
    assert numbers_text(row, "tr") == "45.957.293 viewers (46 milyon), rating %13,167 (Total)"


def test_sources_are_named_once_in_order_of_first_mention() -> None:
    cells = ["Kantar", None, "Nielsen; Kantar", "", "Kantar", " ; Mediametrie ;", "Nielsen; Kantar"]
    assert distinct_sources(cells) == ("Kantar", "Nielsen", "Mediametrie")
    assert distinct_sources(iter(cells)) == ("Kantar", "Nielsen", "Mediametrie")
    assert distinct_sources([None, "", " ; "]) == ()
