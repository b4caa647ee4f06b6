"""Statements of questions about places (a territory, or a group's merge of its territories' walks: costly to
build) are built once and kept; a title's or channel's are built each time, so a stream of different titles
never churns the kept ones out (``storage.db.keep_statements``)."""

from __future__ import annotations

from storage import audience, deals
from storage.audience import AudienceScope
from storage.db import ANY_TERRITORY, STATEMENTS_KEPT, SessionFactory, keep_statements

LATAM = frozenset({"MX", "CL", "CO"})


def test_places_statements_are_kept_and_a_titles_are_not() -> None:
    for place in (AudienceScope(territories=LATAM), AudienceScope(territories=frozenset({"MX"}))):
        listed = audience._figure_list(place, "best", 200, "sqlite", False)
        assert audience._figure_list(place, "best", 200, "sqlite", False) is listed
        board = audience._strongest(place, "viewers", 200, "title", "sqlite")
        assert audience._strongest(place, "viewers", 200, "title", "sqlite") is board
    for other in (AudienceScope(title_id=7), AudienceScope(territories=LATAM, title_id=7), AudienceScope(channel_id=3)):
        built = audience._figure_list(other, "best", 200, "sqlite", False)
        assert audience._figure_list(other, "best", 200, "sqlite", False) is not built
    for codes in (LATAM, frozenset({"MX"})):
        kept = deals._deal_facts_statement(None, codes, None, frozenset(), 201, "sqlite")
        assert deals._deal_facts_statement(None, codes, None, frozenset(), 201, "sqlite") is kept
    assert deals._deal_facts_statement(3, LATAM, None, frozenset(), None, "sqlite") is not \
        deals._deal_facts_statement(3, LATAM, None, frozenset(), None, "sqlite")


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
    assert audience._kept_scope(with_title) == (with_title, {})


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
