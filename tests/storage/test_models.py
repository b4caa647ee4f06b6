"""The schema refuses bad data on both engines: constraints, foreign keys, lengths, UTC timestamps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.db import SessionFactory
from storage.models import (
    Airing,
    AudienceFigure,
    Company,
    Deal,
    DealMedia,
    DealTerritory,
    FieldTooLong,
    ImportBatch,
    Title,
    company_natural_key,
    title_natural_key,
)


def make_title(name: str = "Miracle in Cell No. 7", year: int | None = 2019, origin: str | None = "TR") -> Title:
    key = name.casefold()
    return Title(name=name, key=key, natural_key=title_natural_key(key, year, origin), year=year, origin=origin)


def make_company(name: str = "Imagen TV", territory: str | None = "MX") -> Company:
    key = name.casefold()
    return Company(name=name, key=key, natural_key=company_natural_key(key, territory), territory_code=territory)


async def test_title_natural_key_is_unique(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        session.add_all([make_title(), make_title()])
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_same_name_different_year_is_two_titles(session_factory: SessionFactory) -> None:
    async with session_factory.begin() as session:
        session.add_all([make_title(year=2019, origin="TR"), make_title(year=2013, origin="KR")])
    async with session_factory() as session:
        assert len((await session.scalars(select(Title))).all()) == 2


async def test_foreign_keys_are_enforced(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        session.add(make_title(origin="ZZ"))
        with pytest.raises(IntegrityError):
            await session.commit()


@pytest.mark.parametrize(
    ("field", "value"),
    [("viewers", -1), ("rating_pct", Decimal("100.5")), ("share_pct", Decimal("-0.1")), ("reach", -5)],
)
async def test_audience_figure_ranges(session_factory: SessionFactory, field: str, value: object) -> None:
    async with session_factory() as session:
        title, channel = make_title(), make_company()
        session.add_all([title, channel])
        await session.flush()
        airing = Airing(natural_key="a", title_id=title.id, territory_code="MX", channel_id=channel.id)
        airing.figures.append(AudienceFigure(**{field: value}))
        session.add(airing)
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_figure_needs_a_number(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        title, channel = make_title(), make_company()
        session.add_all([title, channel])
        await session.flush()
        airing = Airing(natural_key="a", title_id=title.id, territory_code="MX", channel_id=channel.id)
        airing.figures.append(AudienceFigure(target="Total"))
        session.add(airing)
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_deal_term_end_not_before_start(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        title, licensee = make_title(), make_company()
        session.add_all([title, licensee])
        await session.flush()
        deal = Deal(
            natural_key="d1", title_id=title.id, licensee_id=licensee.id,
            start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 4, 30),
        )
        deal.territories.append(DealTerritory(territory_code="MX"))
        deal.media.append(DealMedia(media="free_tv"))
        session.add(deal)
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_deal_media_vocabulary(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        title, licensee = make_title(), make_company()
        session.add_all([title, licensee])
        await session.flush()
        deal = Deal(natural_key="d1", title_id=title.id, licensee_id=licensee.id)
        deal.media.append(DealMedia(media="telepathy"))
        session.add(deal)
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_lengths_are_checked_in_code(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        session.add(make_title(name="x" * 300))
        with pytest.raises(FieldTooLong, match=r"titles\.name is 300 characters long; the limit is 255"):
            await session.commit()


async def test_timestamps_come_back_in_utc(session_factory: SessionFactory) -> None:
    istanbul = dt.timezone(dt.timedelta(hours=3))
    when = dt.datetime(2026, 3, 29, 1, 30, tzinfo=istanbul)
    async with session_factory.begin() as session:
        session.add(ImportBatch(file_name="t.csv", kind="titles", sha256="0" * 64, imported_at=when))
    async with session_factory() as session:
        batch = await session.scalar(select(ImportBatch))
        assert batch is not None
        assert batch.imported_at == when
        assert batch.imported_at.tzinfo == dt.UTC
        assert batch.imported_at.hour == 22


async def test_naive_timestamp_is_refused(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        session.add(ImportBatch(file_name="t.csv", kind="titles", sha256="0" * 64,
                                imported_at=dt.datetime(2026, 1, 1)))  # noqa: DTZ001
        with pytest.raises(Exception, match="naive datetime"):
            await session.commit()
