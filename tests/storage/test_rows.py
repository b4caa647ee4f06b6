"""Rows read past the ORM (``column_rows``) and built past a frozen dataclass's ``__init__`` (``from_columns``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storage.audience import AudienceRow, audience_row, row_columns
from storage.catalog import FigureFact
from storage.db import SessionFactory, column_rows
from storage.models import Title

FIGURE = ("MX", "Mexico", "Imagen TV", dt.date(2019, 10, 11), "Prime time", "12", "Total", "overnight", 3_100_000,
          Decimal("5.45"), Decimal("19"), None, "#1 in prime time", None, "Inter Medya press release")
ROW = (*FIGURE, 7, 3, "Miracle in Cell No. 7", 2019, "TR", "film", 11)


def test_from_columns_builds_the_object_init_builds() -> None:
    assert FigureFact.from_columns(FIGURE) == FigureFact(*FIGURE)
    built = AudienceRow.from_columns((*ROW, "a count the statement added"))  # columns past the fields are left
    assert built == AudienceRow(*ROW)
    assert type(built) is AudienceRow
    assert hash(built) == hash(AudienceRow(*ROW))
    assert audience_row(ROW) == built
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.viewers = 0  # type: ignore[misc]


def test_from_columns_refuses_a_row_too_short_for_its_fields() -> None:
    with pytest.raises(ValueError, match="22 fields"):
        AudienceRow.from_columns(FIGURE)


def test_an_audience_row_has_a_column_for_each_field() -> None:
    assert len(row_columns()) == len(dataclasses.fields(AudienceRow))


@pytest.mark.parametrize("kept", [True, False])
async def test_column_rows_reads_what_the_session_has_not_yet_written(session_factory: SessionFactory,
                                                                      kept: bool) -> None:
    statement = select(Title.name, func.count()).group_by(Title.name)
    async with session_factory() as session:
        session.add(Title(name="Pending", key="pending", natural_key="pending||"))
        rows = await column_rows(session, statement, kept=kept)
    assert [tuple(row) for row in rows] == [("Pending", 1)]
