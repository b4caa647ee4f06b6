"""Audience queries on both engines: order, periods, limits, and one leaderboard row per title."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from storage.audience import AudienceScope, audience_figures, best_figures
from storage.db import SessionFactory
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.models import Company, Title


@pytest.fixture
async def demo(session_factory: SessionFactory) -> SessionFactory:
    await import_files(session_factory, demo_files())
    return session_factory


async def _title_id(sessions: SessionFactory, name: str, year: int) -> int:
    async with sessions() as session:
        found = await session.scalar(select(Title.id).where(Title.name == name, Title.year == year))
    assert found is not None
    return found


async def test_figures_best_first_with_provenance_and_a_count(demo: SessionFactory) -> None:
    async with demo() as session:
        figures = await audience_figures(session, AudienceScope(territories=frozenset({"MX"})), limit=3)
    assert figures.total == 45
    assert [row.viewers for row in figures.rows] == [3_218_000, 3_100_000, 2_817_000]
    press = figures.rows[1]
    assert (press.title_name, press.title_year, press.channel, press.air_date) == (
        "Miracle in Cell No. 7", 2019, "Imagen TV", None)
    assert (press.share_pct, press.rating_pct, press.source) == (19, None, "Inter Medya press release")


async def test_figures_by_date_put_the_undated_last(demo: SessionFactory) -> None:
    async with demo() as session:
        figures = await audience_figures(session, AudienceScope(territories=frozenset({"CL"})), order="date")
    dates = [row.air_date for row in figures.rows]
    dated = [day for day in dates if day is not None]
    assert dated == sorted(dated, reverse=True)
    assert dates[len(dated):] == [None] * (len(dates) - len(dated))
    assert len(dated) < len(dates)


async def test_figures_by_share_leave_figures_without_a_share_last(demo: SessionFactory) -> None:
    async with demo() as session:
        figures = await audience_figures(session, AudienceScope(territories=frozenset({"MX"})), order="share")
    shares = [row.share_pct for row in figures.rows]
    assert shares[0] == 19
    assert [s for s in shares if s is not None] == sorted((s for s in shares if s is not None), reverse=True)


async def test_a_period_leaves_out_and_counts_the_undated(demo: SessionFactory) -> None:
    scope = AudienceScope(territories=frozenset({"MX"}), start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    async with demo() as session:
        figures = await audience_figures(session, scope)
    assert figures.rows
    assert all(row.air_date and row.air_date.year == 2024 for row in figures.rows)
    assert figures.undated_left_out == 2  # the press release gives no date


async def test_channel_scope(demo: SessionFactory) -> None:
    async with demo() as session:
        imagen = await session.scalar(select(Company.id).where(Company.name == "Imagen TV"))
        assert imagen is not None
        figures = await audience_figures(session, AudienceScope(channel_id=imagen))
    assert figures.total == 2
    assert {row.channel for row in figures.rows} == {"Imagen TV"}


async def test_board_has_one_row_per_title_with_its_airings(demo: SessionFactory) -> None:
    async with demo() as session:
        board = await best_figures(session, AudienceScope(), metric="viewers", limit=10)
    titles = [row.figure.title_id for row in board.rows]
    assert len(titles) == len(set(titles)) == 10
    assert board.groups > 10
    first = board.rows[0]
    # Small Miracles: 6 episodes in Türkiye, 16 in Mexico, 10 in Spain; its best is the Turkish finale.
    assert (first.figure.title_name, first.figure.viewers, first.airings) == ("Small Miracles", 7_225_000, 32)
    viewers = [row.figure.viewers or 0 for row in board.rows]
    assert viewers == sorted(viewers, reverse=True)


async def test_board_compares_whole_audiences_only(demo: SessionFactory) -> None:
    async with demo() as session:
        board = await best_figures(session, AudienceScope(territories=frozenset({"SA"})), metric="share")
    desert_rose = next(row for row in board.rows if row.figure.title_name == "Desert Rose")
    # 81.5% is the share among women 25-54; the whole audience's best is 45.2%.
    assert (desert_rose.figure.share_pct, desert_rose.figure.target) == (Decimal("45.2"), "Total")


async def test_board_per_territory_for_one_title(demo: SessionFactory) -> None:
    miracle = await _title_id(demo, "Miracle in Cell No. 7", 2019)
    async with demo() as session:
        by_share = await best_figures(session, AudienceScope(title_id=miracle), metric="share", per="territory")
        by_viewers = await best_figures(session, AudienceScope(title_id=miracle), metric="viewers", per="territory")
    assert [(r.figure.territory_code, float(r.figure.share_pct or 0)) for r in by_share.rows] == [
        ("MX", 19.0), ("CL", 11.6)]
    assert [(r.figure.territory_code, r.figure.viewers, r.airings) for r in by_viewers.rows] == [
        ("MX", 3_100_000, 1)]


async def test_board_period_and_limit(demo: SessionFactory) -> None:
    scope = AudienceScope(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    async with demo() as session:
        board = await best_figures(session, scope, metric="viewers", limit=3)
    assert len(board.rows) == 3
    assert board.groups > 3
    assert all(row.figure.air_date and row.figure.air_date.year == 2024 for row in board.rows)
