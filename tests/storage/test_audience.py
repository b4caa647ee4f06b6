"""Audience queries on both engines: order, periods, limits, and one leaderboard row per title."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from sqlalchemy import select

from storage import audience
from storage.audience import AudienceScope, audience_figures, best_figures
from storage.catalog import title_facts
from storage.db import SessionFactory
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.models import AIRING_COPIES, Airing, AudienceFigure, Company, Title


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


async def test_a_big_scope_is_counted_only_up_to_the_limit(demo: SessionFactory,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "FIGURES_COUNTED_UP_TO", 44)  # Mexico holds 45
    async with demo() as session:
        mexico = await audience_figures(session, AudienceScope(territories=frozenset({"MX"})), limit=3)
        chile = await audience_figures(session, AudienceScope(territories=frozenset({"CL"})), limit=3)
    assert mexico.total is None
    assert [row.viewers for row in mexico.rows] == [3_218_000, 3_100_000, 2_817_000]
    assert chile.total is not None
    assert 3 < chile.total <= 44


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
    assert board.groups is None  # more figures than the first window: the board did not read them all
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


# --- a group read territory by territory, and a board that reads past one title's many figures ----------


async def _figures_in(sessions: SessionFactory, plan: list[tuple[str, str, int]]) -> dict[str, int]:
    """Titles named in ``plan`` (title, territory, viewers: one airing and figure each); name -> id."""
    async with sessions.begin() as session:
        channel = Company(name="Canal Uno", key="canal uno", natural_key="canal uno|", kind="broadcaster")
        titles = {name: Title(name=name, key=name.lower(), natural_key=f"{name.lower()}||")
                  for name in dict.fromkeys(name for name, _, _ in plan)}
        session.add_all([channel, *titles.values()])
        await session.flush()
        for number, (name, territory, viewers) in enumerate(plan):
            session.add(Airing(natural_key=f"airing {number}", title_id=titles[name].id, territory_code=territory,
                               channel_id=channel.id, air_date=dt.date(2024, 1, 1) + dt.timedelta(days=number),
                               figures=[AudienceFigure(target="Total", viewers=viewers)]))
        return {name: title.id for name, title in titles.items()}


async def test_a_group_merges_its_territories_best_first(session_factory: SessionFactory) -> None:
    plan = [("Alpha", "MX", 900), ("Alpha", "CL", 950), ("Beta", "AR", 700), ("Beta", "MX", 980),
            ("Gamma", "CL", 10), ("Gamma", "ES", 5000)]
    await _figures_in(session_factory, plan)
    scope = AudienceScope(territories=frozenset({"MX", "CL", "AR"}))
    async with session_factory() as session:
        top_three = await audience_figures(session, scope, limit=3)
        everything = await audience_figures(session, scope)
    assert [(row.territory_code, row.viewers) for row in top_three.rows] == [("MX", 980), ("CL", 950), ("MX", 900)]
    assert top_three.total == everything.total == 5  # Spain is not in the group
    assert [row.viewers for row in everything.rows] == [980, 950, 900, 700, 10]


@pytest.mark.parametrize("days", [6, 30, 200])
async def test_a_period_lists_its_strongest_figures_walked_or_sorted(
        session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch, days: int) -> None:
    """A period holding few figures is sorted off the date index, one holding many walks the best-first index
    past the figures outside it (``_period_read``; here "many" is past 20), of places or of the whole
    catalog; either way the list and the board are the period's strongest."""
    monkeypatch.setattr(audience, "FIGURES_COUNTED_UP_TO", 20)
    rng = random.Random(days)  # noqa: S311 - a seeded, repeatable catalog, not a secret
    places = ("MX", "CL", "AR", "ES")
    plan = [(f"Title {rng.randrange(40)}", rng.choice(places), viewers)
            for viewers in rng.sample(range(1_000, 1_000_000), 360)]  # one a day from 2024-01-01, no ties
    await _figures_in(session_factory, plan)
    start = dt.date(2024, 3, 1)
    end = start + dt.timedelta(days=days)
    in_period = [(territory, viewers, name) for number, (name, territory, viewers) in enumerate(plan)
                 if start <= dt.date(2024, 1, 1) + dt.timedelta(days=number) <= end]
    for territories in ({"MX"}, {"MX", "CL", "AR"}, None):  # None: the whole catalog
        scope = AudienceScope(territories=frozenset(territories) if territories else None, start=start, end=end)
        expected = sorted((row for row in in_period if territories is None or row[0] in territories),
                          key=lambda row: -row[1])
        async with session_factory() as session:
            listed = await audience_figures(session, scope, limit=10)
            board = await best_figures(session, scope, limit=3)
        assert [(row.territory_code, row.viewers) for row in listed.rows] == [row[:2] for row in expected[:10]]
        assert listed.total == (len(expected) if len(expected) <= 20 else None)
        best_per_title = sorted({name: viewers for _, viewers, name in reversed(expected)}.items(),
                                key=lambda item: -item[1])
        assert [row.figure.viewers for row in board.rows] == [viewers for _, viewers in best_per_title[:3]]


def test_a_period_is_read_as_the_figures_it_holds_say() -> None:
    """Few figures (an exact count) are sorted off the date index; many (None: past the count's limit) are
    walked, the planner steered to it; only on SQLite, only where a best-first index for the order carries
    the date."""
    period = {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)}
    places = AudienceScope(territories=frozenset({"MX", "CL"}), **period)
    everything = AudienceScope(**period)
    read = audience._period_read
    assert [read(places, "best", "sqlite", 12), read(places, "best", "sqlite", None)] == ["sorted", "walked"]
    assert read(places, "share", "sqlite", None) == "plain"  # a place's share index does not carry the date
    assert [read(everything, "viewers", "sqlite", 12), read(everything, "viewers", "sqlite", None)] == [
        "plain", "walked"]
    assert read(everything, "share", "sqlite", None) == "plain"  # the share index does not carry the date
    assert read(places, "date", "sqlite", 12) == "plain"  # the date index gives that order
    assert read(places, "best", "postgresql", 12) == "plain"  # PostgreSQL weighs the period itself
    assert read(AudienceScope(title_id=3, **period), "best", "sqlite", 12) == "plain"
    assert read(AudienceScope(territories=frozenset({"MX"})), "best", "sqlite", 12) == "plain"  # no period


async def test_a_board_reads_past_a_title_that_holds_every_top_figure(session_factory: SessionFactory) -> None:
    # 450 airings of one series outrank everything else: the first window of strongest figures holds only
    # that title, so the board must read wider windows until the others turn up.
    plan = [("Series", "MX", 10_000 + number) for number in range(450)]
    plan += [("Film A", "MX", 500), ("Film B", "CL", 400), ("Film C", "MX", 300)]
    ids = await _figures_in(session_factory, plan)
    async with session_factory() as session:
        board = await best_figures(session, AudienceScope(territories=frozenset({"MX", "CL"})), limit=3)
    assert [(row.figure.title_id, row.figure.viewers, row.airings) for row in board.rows] == [
        (ids["Series"], 10_449, 450), (ids["Film A"], 500, 1), (ids["Film B"], 400, 1)]
    assert board.groups == 4  # the last window held every figure, so the board counted the titles


async def test_a_board_counts_titles_only_when_it_read_every_figure(session_factory: SessionFactory) -> None:
    # 250 films in Mexico: the board's first window (200 figures) holds its one row, and counting the rest
    # would mean reading them all; Chile's two films fit in the window, so they are counted.
    await _figures_in(session_factory, [(f"Film {n}", "MX", 100 * n) for n in range(1, 251)]
                      + [("Film 1", "CL", 7), ("Film 2", "CL", 8)])
    async with session_factory() as session:
        mexico = await best_figures(session, AudienceScope(territories=frozenset({"MX"})), limit=1)
        chile = await best_figures(session, AudienceScope(territories=frozenset({"CL"})), limit=1)
        spain = await best_figures(session, AudienceScope(territories=frozenset({"ES"})), limit=1)
    assert ([row.figure.viewers for row in mexico.rows], mexico.groups) == ([25_000], None)
    assert ([row.figure.viewers for row in chile.rows], chile.groups) == ([8], 2)
    assert (spain.rows, spain.groups) == ((), 0)


# --- the airing's fields on each figure ----------------------------------------------------------------


async def test_every_imported_figure_carries_its_airings_fields(demo: SessionFactory) -> None:
    async with demo() as session:
        pairs = (await session.execute(
            select(*(getattr(AudienceFigure, name) for name in AIRING_COPIES),
                   *(getattr(Airing, name) for name in AIRING_COPIES))
            .join(Airing, AudienceFigure.airing_id == Airing.id))).all()
    assert len(pairs) > 100
    size = len(AIRING_COPIES)
    assert [tuple(row[:size]) for row in pairs] == [tuple(row[size:]) for row in pairs]


async def test_a_figure_without_its_airing_or_the_copies_is_refused(session_factory: SessionFactory) -> None:
    ids = await _figures_in(session_factory, [("Alpha", "MX", 900)])
    async with session_factory() as session:
        airing_id = await session.scalar(select(Airing.id).where(Airing.title_id == ids["Alpha"]))
        session.add(AudienceFigure(airing_id=airing_id, target="Women", viewers=10))
        with pytest.raises(ValueError, match="needs its airing"):
            await session.flush()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_title_cards_strongest_figures_are_its_figures_sorted(session_factory: SessionFactory,
                                                                      seed: int) -> None:
    """``title_facts(strongest=N)`` picks in SQL the figures a card used to pick by sorting them all: most
    viewers, then share, then rating, a number not stated counting as 0, equal figures by air date; and
    the count and sources still cover every figure. Ties, gaps and undated airings on purpose."""
    rng = random.Random(seed)  # noqa: S311 - a seeded, repeatable catalog, not a secret
    days = (None, dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2024, 1, 3))
    async with session_factory.begin() as session:
        channel = Company(name="Canal Uno", key="canal uno", natural_key="canal uno|", kind="broadcaster")
        title = Title(name="Series", key="series", natural_key="series||")
        session.add_all([channel, title])
        await session.flush()
        for number in range(16):
            session.add(Airing(
                natural_key=f"airing {number}", title_id=title.id, territory_code=rng.choice(("MX", "CL")),
                channel_id=channel.id, air_date=rng.choice(days), episode=str(number),
                figures=[AudienceFigure(target=target, viewers=rng.choice((None, 0, 100, 100, 250)),
                                        share_pct=rng.choice((None, Decimal("5"), Decimal("12.5"))),
                                        rating_pct=rng.choice((None, Decimal("1.5"), Decimal("3"))),
                                        reach=1, source=rng.choice((None, "Kantar", "Nielsen; Kantar", "GfK")))
                         for target in ("Total", "Women 25-54", "AB")[: rng.randint(1, 3)]]))
    async with session_factory() as session:
        every = await title_facts(session, title.id)
        strongest = await title_facts(session, title.id, strongest=6)
    assert every is not None
    assert strongest is not None
    ranked = sorted(every.figures, key=lambda f: (f.viewers or 0, f.share_pct or 0, f.rating_pct or 0), reverse=True)
    assert strongest.figures == tuple(ranked[:6])
    assert strongest.figures_held == every.figures_held == len(every.figures) > 16
    assert strongest.figure_sources == every.figure_sources == tuple(dict.fromkeys(f.source for f in every.figures))
