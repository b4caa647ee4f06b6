"""Costly statements (a group's merge of its territories' walks) are built once and kept; the rest are built
each time, so a stream of different titles never churns the kept ones out (``storage.db.keep_statements``)."""

from __future__ import annotations

from storage import audience, deals
from storage.audience import AudienceScope
from storage.db import STATEMENTS_KEPT, keep_statements

LATAM = frozenset({"MX", "CL", "CO"})


def test_a_groups_statements_are_kept_and_a_titles_are_not() -> None:
    group, mexico, title = (AudienceScope(territories=LATAM), AudienceScope(territories=frozenset({"MX"})),
                            AudienceScope(title_id=7))
    assert audience._figure_list(group, "best", 200) is audience._figure_list(group, "best", 200)
    assert audience._strongest(group, "viewers", 200, "title") is audience._strongest(group, "viewers", 200, "title")
    for alone in (mexico, title):
        assert audience._figure_list(alone, "best", 200) is not audience._figure_list(alone, "best", 200)
    kept = deals._deal_facts_statement(None, LATAM, None, frozenset(), 201, "sqlite")
    assert deals._deal_facts_statement(None, LATAM, None, frozenset(), 201, "sqlite") is kept
    assert deals._deal_facts_statement(3, LATAM, None, frozenset(), None, "sqlite") is not \
        deals._deal_facts_statement(3, LATAM, None, frozenset(), None, "sqlite")


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
