"""Statements of questions about places (a territory, or a group's merge of its territories' walks: costly to
build) are built once and kept, and so are a title's deals', figures' and card's, built for any title
(``ANY_TITLE``), and a licensee's deals and a buyer's channel figures, built for any company
(``ANY_COMPANY``), each given its title or company as it runs; a statement built for one title's or
company's id is built each time, so a stream of different titles or companies never churns the kept ones out
(``storage.db.keep_statements``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from storage import audience, deals
from storage.audience import AudienceScope
from storage.catalog import FigureFact, card_statements, figure_facts, title_facts
from storage.db import (
    ANY_COMPANY,
    ANY_TERRITORY,
    ANY_TITLE,
    STATEMENTS_KEPT,
    CatalogSession,
    SessionFactory,
    keep_statements,
)
from storage.models import Airing, AudienceFigure, Deal, Release, Title

LATAM = frozenset({"MX", "CL", "CO"})


def test_places_any_titles_and_any_companys_statements_are_kept_and_one_ids_are_not() -> None:
    for place in (AudienceScope(territories=LATAM), AudienceScope(territories=frozenset({"MX"}))):
        listed = audience._figure_list(place, "best", 200, "sqlite", False)
        assert audience._figure_list(place, "best", 200, "sqlite", False) is listed
        board = audience._strongest(place, "viewers", 200, "title", "sqlite")
        assert audience._strongest(place, "viewers", 200, "title", "sqlite") is board
    for other in (AudienceScope(title_id=7), AudienceScope(territories=LATAM, title_id=7), AudienceScope(channel_id=3),
                  AudienceScope(title_id=ANY_TITLE, channel_id=3)):
        built = audience._figure_list(other, "best", 200, "sqlite", False)
        assert audience._figure_list(other, "best", 200, "sqlite", False) is not built
    for codes in (LATAM, frozenset({"MX"})):
        kept = deals._deal_facts_statement(None, codes, None, frozenset(), 201, "sqlite")
        assert deals._deal_facts_statement(None, codes, None, frozenset(), 201, "sqlite") is kept
    assert deals._deal_facts_statement(3, LATAM, None, frozenset(), None, "sqlite") is not \
        deals._deal_facts_statement(3, LATAM, None, frozenset(), None, "sqlite")
    for codes in (None, LATAM):
        kept = deals._deal_facts_statement(ANY_TITLE, codes, None, frozenset(), None, "sqlite")
        assert deals._deal_facts_statement(ANY_TITLE, codes, None, frozenset(), None, "sqlite") is kept
    assert deals._deal_facts_statement(ANY_TITLE, None, 5, frozenset(), None, "sqlite") is not \
        deals._deal_facts_statement(ANY_TITLE, None, 5, frozenset(), None, "sqlite")  # a title and a licensee
    for codes in (None, LATAM):
        kept = deals._deal_facts_statement(None, codes, ANY_COMPANY, frozenset(), 201, "sqlite")
        assert deals._deal_facts_statement(None, codes, ANY_COMPANY, frozenset(), 201, "sqlite") is kept
    assert deals._deal_facts_statement(None, None, 5, frozenset(), 201, "sqlite") is not \
        deals._deal_facts_statement(None, None, 5, frozenset(), 201, "sqlite")  # one licensee's own: not kept


async def _listed_as_built_alone(session: CatalogSession, scope: AudienceScope) -> None:
    """The scope's figure list, through the kept statements, is the list of the statement built for it alone."""
    listed = await audience.audience_figures(session, scope)
    alone = await session.execute(audience._figure_list.__wrapped__(  # type: ignore[attr-defined]
        scope, "best", 200, session.bind.dialect.name, "plain", audience.FIGURES_COUNTED_UP_TO))
    rows = alone.all()
    assert listed.rows == tuple(map(audience.audience_row, rows))
    assert listed.total == (rows[0][audience.ROW_WIDTH] if rows else 0)


async def test_a_titles_deals_are_one_statement_given_the_title_as_it_runs(
        demo_session_factory: SessionFactory) -> None:
    """Every title's deals (alone, in some territories, in some statuses) run the one statement built for
    ``ANY_TITLE``, each given its own title: each answers as the statement built for that title alone."""
    async with demo_session_factory() as session:
        dialect = session.bind.dialect.name
        titles = list((await session.scalars(select(Deal.title_id).distinct().order_by(Deal.title_id))).all())
        assert len(titles) >= 3
        questions: list[tuple[frozenset[str] | None, frozenset[str]]] = [
            (None, frozenset()), (LATAM, frozenset()), (frozenset({"MX"}), frozenset()),
            (None, frozenset({"active"}))]
        for title_id in titles:
            for codes, statuses in questions:
                found = await deals.deal_facts(session, title_id=title_id, territory_codes=codes, statuses=statuses)
                alone = await session.execute(deals._deal_facts_statement.__wrapped__(  # type: ignore[attr-defined]
                    title_id, codes, None, statuses, deals.DEALS_LIMIT + 1, dialect))
                assert [deal.id for deal in found.deals] == [row[0] for row in alone]
                assert {deal.title.id for deal in found.deals} <= {title_id}
        assert deals._kept_question(7, LATAM, None) == (ANY_TITLE, LATAM, None, {"title_id": 7})
        assert deals._kept_question(7, None, 5) == (7, None, 5, {})
        assert deals._kept_question(None, frozenset({"MX"}), None) == (
            None, frozenset({ANY_TERRITORY}), None, {"territory": "MX"})
        assert deals._kept_question(None, LATAM, 5) == (None, LATAM, ANY_COMPANY, {"company_id": 5})
        with pytest.raises(StatementError):  # run without its title, it fails rather than finding nothing
            await session.execute(deals._deal_facts_statement(ANY_TITLE, None, None, frozenset(), None, dialect))


async def test_a_companys_deals_and_figures_are_one_statement_given_the_company_as_it_runs(
        demo_session_factory: SessionFactory) -> None:
    """Every licensee's deals (alone, in some territories, in some statuses) and every channel's figures (a
    buyer's, all or of some titles; a ratings list, anywhere, in a group, in a period) run the statements built
    once for ``ANY_COMPANY``, each given its own company: each answers as the statement built for that company
    alone."""
    async with demo_session_factory() as session:
        dialect = session.bind.dialect.name
        licensees = list((await session.scalars(select(Deal.licensee_id).distinct().order_by(Deal.licensee_id))).all())
        assert len(licensees) >= 3
        for licensee_id in licensees:
            for codes, statuses in ((None, frozenset()), (LATAM, frozenset()), (None, frozenset({"active"}))):
                found = await deals.deal_facts(session, licensee_id=licensee_id, territory_codes=codes,
                                               statuses=statuses)
                alone = await session.execute(deals._deal_facts_statement.__wrapped__(  # type: ignore[attr-defined]
                    None, codes, licensee_id, statuses, deals.DEALS_LIMIT + 1, dialect))
                assert [deal.id for deal in found.deals] == [row[0] for row in alone]
        channels = list((await session.scalars(select(Airing.channel_id).distinct().order_by(Airing.channel_id))).all())
        assert len(channels) >= 3
        boards = []
        for channel_id in channels:
            alone = (await session.execute(
                figure_facts(Title.id, Title.name, Title.year).join(Title, Airing.title_id == Title.id)
                .where(Airing.channel_id == channel_id)
                .order_by(Title.name, Title.id, Airing.air_date, AudienceFigure.id))).all()
            expected = [(title_id, name, year, FigureFact.from_columns(figure))
                        for title_id, name, year, *figure in alone]
            figures = await deals.channel_figures(session, channel_id)
            assert expected
            assert [(f.title_id, f.title_name, f.title_year, f.figure) for f in figures] == expected
            first_title = expected[0][0]
            narrowed = await deals.channel_figures(session, channel_id, title_ids=[first_title])
            assert [(f.title_id, f.figure) for f in narrowed] == [
                (title_id, figure) for title_id, _, _, figure in expected if title_id == first_title]
            assert await deals.channel_figures(session, channel_id, title_ids=[]) == []
            for scope in (AudienceScope(channel_id=channel_id), AudienceScope(channel_id=channel_id, territories=LATAM),
                          AudienceScope(channel_id=channel_id, start=dt.date(2020, 1, 1), end=dt.date(2025, 12, 31))):
                await _listed_as_built_alone(session, scope)
                board = await audience.best_figures(session, scope)
                with pytest.MonkeyPatch.context() as patch:  # the board's statements built for this channel alone
                    patch.setattr(audience, "_kept_scope", lambda scope: (scope, {}))
                    assert await audience.best_figures(session, scope) == board
                boards.append(board)
        assert any(board.rows for board in boards)
        with pytest.raises(StatementError):  # run without its company, it fails rather than finding nothing
            await session.execute(deals._deal_facts_statement(None, None, ANY_COMPANY, frozenset(), None, dialect))
        with pytest.raises(StatementError):
            await session.execute(deals._channel_figures_statement(False))


async def test_one_territory_is_one_statement_given_the_territory_as_it_runs(
        demo_session_factory: SessionFactory) -> None:
    """Every territory's list, count, board and deals run the one statement built for ``ANY_TERRITORY``,
    each given its own territory: each answers as the statement built for that territory alone."""
    async with demo_session_factory() as session:
        for code in ("MX", "CL", "ES"):
            scope = AudienceScope(territories=frozenset({code}))
            listed = await audience.audience_figures(session, scope)
            assert listed.rows
            assert {row.territory_code for row in listed.rows} == {code}
            alone = await session.execute(audience._figure_list.__wrapped__(  # type: ignore[attr-defined]
                scope, "best", 200, "sqlite" if session.bind.dialect.name == "sqlite" else "postgresql",
                "plain", audience.FIGURES_COUNTED_UP_TO))
            assert listed.rows == tuple(map(audience.audience_row, alone))
            board = await audience.best_figures(session, scope)
            assert {row.figure.territory_code for row in board.rows} == {code}
            found = await deals.deal_facts(session, territory_codes={code})
            assert found.deals
            assert all(code in deal.territories for deal in found.deals)
    built, parameters = audience._kept_scope(AudienceScope(territories=frozenset({"MX"})))
    assert built == AudienceScope(territories=frozenset({ANY_TERRITORY}))
    assert parameters == {"territory": "MX"}
    assert audience._kept_scope(AudienceScope(territories=LATAM)) == (AudienceScope(territories=LATAM), {})
    with_title = AudienceScope(territories=frozenset({"MX"}), title_id=7)
    assert audience._kept_scope(with_title) == (replace(with_title, title_id=ANY_TITLE), {"title_id": 7})
    on_channel = AudienceScope(title_id=7, channel_id=3)
    assert audience._kept_scope(on_channel) == (on_channel, {})
    channel_alone = AudienceScope(channel_id=3, territories=frozenset({"MX"}))
    assert audience._kept_scope(channel_alone) == (replace(channel_alone, channel_id=ANY_COMPANY), {"company_id": 3})


async def test_a_titles_figures_are_one_statement_given_the_title_as_it_runs(
        demo_session_factory: SessionFactory) -> None:
    """Every title's figures (anywhere, in a territory, in a group, in a period) run the one statement built
    for ``ANY_TITLE``, each given its own title: each answers as the statement built for that title alone."""
    async with demo_session_factory() as session:
        titles = list((await session.scalars(
            select(AudienceFigure.title_id).distinct().order_by(AudienceFigure.title_id))).all())
        assert len(titles) >= 3
        for title_id in titles:
            for scope in (AudienceScope(title_id=title_id), AudienceScope(title_id=title_id, territories=LATAM),
                          AudienceScope(title_id=title_id, territories=frozenset({"MX"})),
                          AudienceScope(title_id=title_id, start=dt.date(2020, 1, 1), end=dt.date(2025, 12, 31))):
                await _listed_as_built_alone(session, scope)
        assert audience._figure_list(AudienceScope(title_id=ANY_TITLE), "best", 200, "sqlite", "plain") is \
            audience._figure_list(AudienceScope(title_id=ANY_TITLE), "best", 200, "sqlite", "plain")



async def test_a_title_card_is_one_set_of_statements_given_the_title_as_it_runs(
        demo_session_factory: SessionFactory) -> None:
    """Every title's card, with all its figures or its strongest, runs the statements built once for
    ``ANY_TITLE``, each given its own title: each card counts that title's own figures, releases and deals."""
    assert card_statements(6) is card_statements(6)
    async with demo_session_factory() as session:
        def count(model: type[AudienceFigure | Release | Deal], title_id: int) -> object:
            return session.scalar(select(func.count()).select_from(model).where(model.title_id == title_id))

        titles = list((await session.scalars(select(Title.id).order_by(Title.id))).all())
        for title_id in titles:
            for strongest in (None, 6):
                facts = await title_facts(session, title_id, strongest=strongest)
                assert facts is not None
                assert facts.title.id == title_id
                assert facts.figures_held == await count(AudienceFigure, title_id)
                assert len(facts.releases) == await count(Release, title_id)
                assert facts.footprint.deals == await count(Deal, title_id)
        assert await title_facts(session, max(titles) + 1) is None
        with pytest.raises(StatementError):  # run without its title, it fails rather than finding nothing
            await session.execute(card_statements(None).releases)

def test_only_the_last_questions_are_kept() -> None:
    built: list[int] = []

    @keep_statements(lambda number: number % 2 == 0)
    def statement(number: int) -> object:
        built.append(number)
        return object()

    first = statement(0)
    assert statement(0) is first
    assert statement(1) is not statement(1)
    for number in range(2, 2 * STATEMENTS_KEPT + 4, 2):
        statement(number)
    assert statement(0) is not first  # pushed out by the later ones
    assert built.count(0) == 2
    assert built.count(1) == 2
