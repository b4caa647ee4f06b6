"""The avails rule of docs/avails.md as a table of cases: deals, territory, right and window in; the answer out.

Every case asks about one right in one territory; the dates are ISO strings so a row reads like the sheet.
Spain (ES) and SVOD unless a case says otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple, cast

import pytest

from commands.avails_rule import (
    BLOCKING_STATUSES,
    INERT_STATUSES,
    REASONS,
    WARNING_STATUSES,
    DealTerms,
    TerritoryAvails,
    Window,
    avails,
)
from storage.vocab import DEAL_STATUSES, MEDIA_RIGHTS


def day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def deal(
    deal_id: int,
    start: str | None,
    end: str | None,
    *,
    territories: str = "ES",
    media: str = "svod",
    exclusive: bool | None = True,
    holdback: str | None = None,
    status: str | None = "signed",
) -> DealTerms:
    """A deal of the title; ``territories`` and ``media`` are space-separated, as short as a sheet cell."""
    return DealTerms(
        deal_id=deal_id,
        deal_ref=f"D-{deal_id}",
        licensee=f"Licensee {deal_id}",
        territories=frozenset(territories.split()),
        media=frozenset(media.split()),
        exclusive=exclusive,
        start=day(start),
        end=day(end),
        holdback_until=day(holdback),
        status=status,
    )


def window(start: str, end: str | None = None) -> Window:
    start_day = day(start)
    assert start_day is not None
    return Window(start_day, day(end))


class Expected(NamedTuple):
    available: bool
    blocks: tuple[tuple[int, str], ...]  # (deal id, reason), in the order of the answer
    free_from: dt.date | None
    warnings: tuple[tuple[int, str], ...]


def free(*warnings: tuple[int, str]) -> Expected:
    return Expected(True, (), None, warnings)


def blocked(*blocks: tuple[int, str], free_from: str | None, warnings: tuple[tuple[int, str], ...] = ()) -> Expected:
    return Expected(False, blocks, day(free_from), warnings)


def observed(row: TerritoryAvails) -> Expected:
    return Expected(
        row.available,
        tuple((b.deal.deal_id, b.reason) for b in row.blocks),
        row.free_from,
        tuple((w.deal.deal_id, w.reason) for w in row.warnings),
    )


EXCL = "exclusive"
UNSTATED = "exclusivity_not_stated"
HOLD = "holdback"

# A: the running exclusive SVOD licence most cases lean on, 1 July 2024 to 30 June 2025.
A = deal(1, "2024-07-01", "2025-06-30")
FROM_MARCH = window("2025-03-01")

CASES = [
    # --- the basics
    pytest.param([], "ES", "svod", FROM_MARCH, free(), id="no-deals-free"),
    pytest.param([A], "ES", "svod", FROM_MARCH, blocked((1, EXCL), free_from="2025-07-01"), id="exclusive-blocks"),
    pytest.param([A], "ES", "svod", window("2025-03-01", "2025-04-30"), blocked((1, EXCL), free_from="2025-07-01"),
                 id="window-inside-term"),
    pytest.param([deal(1, "2025-06-01", "2025-08-31")], "ES", "svod", window("2025-01-01", "2025-12-31"),
                 blocked((1, EXCL), free_from="2025-09-01"), id="term-inside-window-blocks"),
    # --- same-day edges: terms include both their first and last day
    pytest.param([A], "ES", "svod", window("2025-06-30"), blocked((1, EXCL), free_from="2025-07-01"),
                 id="window-starts-on-last-day-blocked"),
    pytest.param([A], "ES", "svod", window("2025-07-01"), free(), id="window-starts-day-after-free"),
    pytest.param([deal(1, "2025-07-01", "2026-06-30")], "ES", "svod", window("2025-03-01", "2025-06-30"), free(),
                 id="window-ends-day-before-start-free"),
    pytest.param([deal(1, "2025-07-01", "2026-06-30")], "ES", "svod", window("2025-03-01", "2025-07-01"),
                 blocked((1, EXCL), free_from="2026-07-01"), id="window-ends-on-first-day-blocked"),
    pytest.param([deal(1, "2025-07-01", "2026-06-30")], "ES", "svod", window("2025-03-01"),
                 blocked((1, EXCL), free_from="2026-07-01"), id="open-window-reaches-later-deal"),
    # --- open-ended and missing dates
    pytest.param([deal(1, "2024-07-01", None)], "ES", "svod", FROM_MARCH, blocked((1, EXCL), free_from=None),
                 id="open-ended-blocks-forever"),
    pytest.param([deal(1, None, "2025-06-30")], "ES", "svod", window("2019-01-01"),
                 blocked((1, EXCL), free_from="2025-07-01"), id="missing-start-in-force-from-beginning"),
    pytest.param([deal(1, None, None)], "ES", "svod", FROM_MARCH, blocked((1, EXCL), free_from=None),
                 id="no-dates-blocks-forever"),
    # --- exclusivity
    pytest.param([deal(1, "2024-07-01", "2025-06-30", exclusive=False)], "ES", "svod", FROM_MARCH, free(),
                 id="non-exclusive-never-blocks"),
    pytest.param([deal(1, "2024-07-01", None, exclusive=False), deal(2, "2025-01-01", None, exclusive=False)],
                 "ES", "svod", FROM_MARCH, free(), id="several-non-exclusive-never-block"),
    pytest.param([deal(1, "2024-07-01", "2025-06-30", exclusive=None)], "ES", "svod", FROM_MARCH,
                 blocked((1, UNSTATED), free_from="2025-07-01"), id="exclusivity-not-stated-blocks"),
    # --- statuses: status wins over dates
    pytest.param([deal(1, "2024-07-01", "2025-06-30", status="expired")], "ES", "svod", FROM_MARCH, free(),
                 id="expired-never-blocks-even-with-current-dates"),
    pytest.param([deal(1, "2024-07-01", None, status="cancelled")], "ES", "svod", FROM_MARCH, free(),
                 id="cancelled-never-blocks-even-open-ended"),
    pytest.param([deal(1, "2024-07-01", "2025-06-30", status="active")], "ES", "svod", FROM_MARCH,
                 blocked((1, EXCL), free_from="2025-07-01"), id="active-blocks"),
    pytest.param([deal(1, "2024-07-01", "2025-06-30", status=None)], "ES", "svod", FROM_MARCH,
                 blocked((1, EXCL), free_from="2025-07-01"), id="status-not-stated-blocks-like-signed"),
    pytest.param([deal(1, "2025-04-01", "2026-03-31", status="offered")], "ES", "svod", FROM_MARCH,
                 free((1, EXCL)), id="offered-warns-only"),
    pytest.param([deal(1, "2025-04-01", "2026-03-31", status="negotiating", exclusive=None)], "ES", "svod",
                 FROM_MARCH, free((1, UNSTATED)), id="negotiating-warns-only"),
    pytest.param([deal(1, "2025-04-01", "2026-03-31", status="offered", exclusive=False)], "ES", "svod",
                 FROM_MARCH, free(), id="offered-non-exclusive-no-warning"),
    pytest.param([deal(1, "2024-01-01", "2024-12-31", status="negotiating")], "ES", "svod", FROM_MARCH, free(),
                 id="negotiating-outside-window-no-warning"),
    pytest.param([A, deal(2, "2025-07-01", "2026-06-30", status="negotiating")], "ES", "svod", FROM_MARCH,
                 blocked((1, EXCL), free_from="2025-07-01", warnings=((2, EXCL),)),
                 id="block-and-warning-together"),
    # --- holdback: the deal's licensee holds back the OTHER media in its territories, term start to holdback
    pytest.param([deal(1, "2025-01-01", "2025-12-31", media="free_tv", holdback="2026-06-30")], "ES", "svod",
                 FROM_MARCH, blocked((1, HOLD), free_from="2026-07-01"), id="holdback-blocks-other-media"),
    pytest.param([deal(1, "2025-01-01", "2025-12-31", media="free_tv", holdback="2026-06-30")], "ES",
                 "free_tv", FROM_MARCH, blocked((1, EXCL), free_from="2026-01-01"),
                 id="own-media-blocked-by-exclusivity-not-holdback"),
    pytest.param([deal(1, "2025-01-01", "2025-12-31", media="free_tv", exclusive=False, holdback="2026-06-30")],
                 "ES", "free_tv", FROM_MARCH, free(), id="holdback-never-blocks-own-media"),
    pytest.param([deal(1, "2025-01-01", "2025-12-31", media="free_tv", exclusive=False, holdback="2026-06-30")],
                 "ES", "svod", FROM_MARCH, blocked((1, HOLD), free_from="2026-07-01"),
                 id="holdback-of-non-exclusive-deal-still-blocks"),
    pytest.param([deal(1, "2025-01-01", "2025-12-31", media="free_tv", holdback="2026-06-30")], "ES", "svod",
                 window("2026-06-30"), blocked((1, HOLD), free_from="2026-07-01"),
                 id="window-starts-on-holdback-last-day-blocked"),
    pytest.param([deal(1, "2025-01-01", "2025-12-31", media="free_tv", holdback="2026-06-30")], "ES", "svod",
                 window("2026-07-01"), free(), id="holdback-over-free"),
    pytest.param([deal(1, "2025-01-01", "2025-12-31", media="free_tv", holdback="2026-06-30")], "ES", "svod",
                 window("2024-06-01", "2024-12-31"), free(), id="holdback-starts-with-the-term"),
    pytest.param([deal(1, "2024-01-01", "2024-12-31", media="free_tv", holdback="2026-06-30", status="expired")],
                 "ES", "svod", FROM_MARCH, free(), id="holdback-of-expired-deal-never-blocks"),
    pytest.param([deal(1, "2025-01-01", "2025-12-31", media="free_tv", holdback="2026-06-30", status="offered")],
                 "ES", "svod", FROM_MARCH, free((1, HOLD)), id="holdback-of-offered-deal-warns"),
    pytest.param([deal(1, "2025-01-01", "2025-12-31", media="free_tv", holdback="2026-06-30")], "PT", "svod",
                 FROM_MARCH, free(), id="holdback-in-other-territory-free"),
    # --- several deals: free only after the last, and after any deal that takes over the next day
    pytest.param([A, deal(2, "2024-09-01", "2026-03-31", territories="ES PT")], "ES", "svod", FROM_MARCH,
                 blocked((1, EXCL), (2, EXCL), free_from="2026-04-01"), id="several-blocks-free-after-latest"),
    pytest.param([A, deal(2, "2024-09-01", None, media="svod avod")], "ES", "svod", FROM_MARCH,
                 blocked((1, EXCL), (2, EXCL), free_from=None), id="one-open-ended-block-never-frees"),
    pytest.param([A, deal(2, "2025-07-01", "2026-06-30")], "ES", "svod", FROM_MARCH,
                 blocked((1, EXCL), (2, EXCL), free_from="2026-07-01"), id="consecutive-chain-open-window"),
    pytest.param([A, deal(2, "2025-07-01", "2026-06-30")], "ES", "svod", window("2025-03-01", "2025-05-31"),
                 blocked((1, EXCL), (2, EXCL), free_from="2026-07-01"), id="consecutive-chain-past-window-end"),
    pytest.param([A, deal(2, "2025-07-02", "2026-06-30")], "ES", "svod", window("2025-03-01", "2025-05-31"),
                 blocked((1, EXCL), free_from="2025-07-01"), id="one-day-gap-is-free"),
    pytest.param([deal(1, "2025-01-01", "2025-12-31", media="free_tv", holdback="2025-12-31"),
                  deal(2, "2026-01-01", "2026-12-31")], "ES", "svod", window("2025-03-01", "2025-03-31"),
                 blocked((1, HOLD), (2, EXCL), free_from="2027-01-01"), id="holdback-chains-into-exclusive"),
    # --- what a deal does not cover never blocks
    pytest.param([deal(1, "2024-07-01", None, territories="MX CL")], "ES", "svod", FROM_MARCH, free(),
                 id="other-territory-never-blocks"),
    pytest.param([deal(1, "2024-07-01", None, media="free_tv pay_tv")], "ES", "svod", FROM_MARCH, free(),
                 id="other-media-without-holdback-never-blocks"),
    pytest.param([deal(1, "2024-07-01", "2025-06-30", territories="ES PT")], "PT", "svod", FROM_MARCH,
                 blocked((1, EXCL), free_from="2025-07-01"), id="multi-territory-deal-blocks-each"),
    pytest.param([deal(1, "2026-01-01", "2026-12-31")], "ES", "svod", window("2025-03-01", "2025-12-31"), free(),
                 id="later-deal-after-window-free"),
]


@pytest.mark.parametrize(("deals", "territory", "media", "asked", "expected"), CASES)
def test_avails_rule(
    deals: list[DealTerms], territory: str, media: str, asked: Window, expected: Expected
) -> None:
    (row,) = avails(deals, [territory], [media], asked)
    assert (row.territory, row.media) == (territory, media)
    assert observed(row) == expected


# Several territories or rights at once: one row per (territory, right), territories first, input order.
# A group overlapping another (LATAM and Central America both hold MX) reaches the rule as a repeated code.
FREE_TV_MX = deal(1, "2024-01-01", "2025-12-31", territories="MX CL", media="free_tv", holdback="2026-06-30")
SVOD_CL = deal(2, "2025-01-01", None, territories="CL", media="svod")

MULTI_CASES = [
    pytest.param(
        ["MX"], ["free_tv", "svod", "avod"],
        [("MX", "free_tv", False, "2026-01-01"), ("MX", "svod", False, "2026-07-01"),
         ("MX", "avod", False, "2026-07-01")],
        id="several-rights-at-once",
    ),
    pytest.param(
        ["MX", "CL", "AR"], ["svod"],
        [("MX", "svod", False, "2026-07-01"), ("CL", "svod", False, None), ("AR", "svod", True, None)],
        id="several-territories-in-order",
    ),
    pytest.param(
        ["MX", "GT", "CL", "MX", "GT"], ["svod"],
        [("MX", "svod", False, "2026-07-01"), ("GT", "svod", True, None), ("CL", "svod", False, None)],
        id="overlapping-groups-answer-each-territory-once",
    ),
    pytest.param(
        ["CL"], ["svod", "free_tv", "svod"],
        [("CL", "svod", False, None), ("CL", "free_tv", False, "2026-01-01")],
        id="repeated-right-answered-once",
    ),
    pytest.param(
        ["CL", "AR"], ["svod", "fast"],
        [("CL", "svod", False, None), ("CL", "fast", False, "2026-07-01"),
         ("AR", "svod", True, None), ("AR", "fast", True, None)],
        id="territories-first-then-rights",
    ),
    pytest.param([], ["svod"], [], id="no-territories-no-rows"),
]


@pytest.mark.parametrize(("territories", "media", "expected"), MULTI_CASES)
def test_avails_rows(
    territories: list[str], media: list[str], expected: list[tuple[str, str, bool, str | None]]
) -> None:
    rows = avails([FREE_TV_MX, SVOD_CL], territories, media, window("2025-03-01"))
    assert [(r.territory, r.media, r.available, r.free_from) for r in rows] == [
        (t, m, ok, day(free_from)) for t, m, ok, free_from in expected
    ]


def test_block_names_the_deal_and_its_days() -> None:
    (row,) = avails([A], ["ES"], ["svod"], FROM_MARCH)
    (block,) = row.blocks
    assert block.deal.deal_ref == "D-1"
    assert block.deal.licensee == "Licensee 1"
    assert (block.blocked_from, block.free_from) == (dt.date(2024, 7, 1), dt.date(2025, 7, 1))


def test_deals_may_be_any_iterable_read_once() -> None:
    rows = avails(iter([A]), iter(["ES", "PT"]), iter(["svod", "avod"]), FROM_MARCH)
    assert [r.available for r in rows] == [False, True, True, True]


def test_unknown_status_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="unknown status: 'on hold'"):
        avails([deal(1, "2025-01-01", None, status="on hold")], ["ES"], ["svod"], FROM_MARCH)


def test_window_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        window("2025-03-01", "2025-02-28")


def test_one_day_window_is_allowed() -> None:
    (row,) = avails([A], ["ES"], ["svod"], window("2025-06-30", "2025-06-30"))
    assert not row.available


def test_every_deal_status_has_exactly_one_effect() -> None:
    groups = (BLOCKING_STATUSES, WARNING_STATUSES, INERT_STATUSES)
    assert sorted(s for g in groups for s in g) == sorted(DEAL_STATUSES)


def test_the_table_covers_every_reason_and_only_known_media() -> None:
    reasons: set[str] = set()
    media: set[str] = set()
    for case in CASES:
        deals, territory, right, asked, _ = cast(tuple[list[DealTerms], str, str, Window, Expected], case.values)
        (row,) = avails(deals, [territory], [right], asked)
        reasons |= {b.reason for b in (*row.blocks, *row.warnings)}
        media |= {right}.union(*(d.media for d in deals))
    assert reasons == set(REASONS)
    assert media <= set(MEDIA_RIGHTS)
