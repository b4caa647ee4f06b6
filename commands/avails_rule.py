"""The avails rule: is a title's media right still free to sell in a territory over a window, and if not,
which deal holds it and from what day it is free again.

Pure on purpose: plain dataclasses in, plain dataclasses out, no database and no Discord, so the rule a
sales lead signs off on (docs/avails.md) is checked by a table of cases without fakes. The caller loads the
title's deals, expands territory groups, picks the media (all of them when the user names none) and the
window start (today when the user gives none), and renders the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

# Status decides before dates: the team marks an early termination "cancelled" without editing the end date.
BLOCKING_STATUSES = frozenset({"signed", "active"})  # and None: a status not stated counts as signed
WARNING_STATUSES = frozenset({"offered", "negotiating"})  # would block if signed: shown, never blocking
INERT_STATUSES = frozenset({"expired", "cancelled"})  # never block, whatever their dates say

Reason = Literal["exclusive", "exclusivity_not_stated", "holdback"]

REASONS: dict[str, str] = {
    "exclusive": "exclusive deal",
    "exclusivity_not_stated": "exclusivity not stated (counted as exclusive)",
    "holdback": "holdback",
}


@dataclass(frozen=True)
class DealTerms:
    """What the rule needs of one deal of the title; None means the sheet did not state it."""

    deal_id: int
    deal_ref: str | None
    licensee: str
    territories: frozenset[str]  # ISO codes, groups already expanded
    media: frozenset[str]  # MEDIA_RIGHTS values
    exclusive: bool | None
    start: dt.date | None  # None: in force from the beginning
    end: dt.date | None  # None: open-ended; the end day itself is still inside the term
    holdback_until: dt.date | None  # last day of the holdback on the media NOT in the deal
    status: str | None


@dataclass(frozen=True)
class Window:
    """The days asked about, both inclusive; ``end`` None means "from ``start`` onwards"."""

    start: dt.date
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True)
class Block:
    """One deal holding one right in one territory over the days ``blocked_from`` .. ``free_from`` - 1."""

    deal: DealTerms
    reason: Reason
    blocked_from: dt.date | None  # None: since the beginning (no start date)
    free_from: dt.date | None  # the day after it ends; None: never (open-ended)


@dataclass(frozen=True)
class TerritoryAvails:
    """The answer for one territory and one right.

    ``blocks`` are the deals that make it unavailable, with any deal that starts the very day the previous
    one frees it (so ``free_from`` is a day the right is really free). ``free_from`` is only meaningful when
    unavailable: the first day after the window's last block, None when a block never ends. ``warnings`` are
    offered or negotiating deals that would block the window if signed.
    """

    territory: str
    media: str
    available: bool
    blocks: tuple[Block, ...]
    warnings: tuple[Block, ...]
    free_from: dt.date | None


def avails(
    deals: Iterable[DealTerms], territories: Iterable[str], media: Iterable[str], window: Window
) -> list[TerritoryAvails]:
    """One row per (territory, media), territories first, in the order given; a repeat is answered once.

    Repeats are normal: overlapping groups (LATAM and Central America) expand to the same country twice.
    Raises ValueError for a status outside the vocabulary rather than guessing whether it blocks.
    """
    deals = tuple(deals)
    binding = [deal for deal in deals if _effect(deal) == "blocks"]
    pending = [deal for deal in deals if _effect(deal) == "warns"]
    media = tuple(dict.fromkeys(media))
    return [
        _answer(binding, pending, territory, right, window)
        for territory in dict.fromkeys(territories)
        for right in media
    ]


def _effect(deal: DealTerms) -> Literal["blocks", "warns", "none"]:
    if deal.status is None or deal.status in BLOCKING_STATUSES:
        return "blocks"
    if deal.status in WARNING_STATUSES:
        return "warns"
    if deal.status in INERT_STATUSES:
        return "none"
    raise ValueError(f"deal {deal.deal_ref or deal.deal_id} has an unknown status: {deal.status!r}")


def _claim(deal: DealTerms, territory: str, right: str) -> Block | None:
    """How the deal would hold this right in this territory if signed: by its term or by its holdback."""
    if territory not in deal.territories:
        return None
    reason: Reason
    if right in deal.media:
        # The deal's own right: only exclusivity holds it. Unknown exclusivity counts as exclusive, because
        # promising a right that turns out sold is worse than checking a contract.
        if deal.exclusive is False:
            return None
        reason = "exclusive" if deal.exclusive else "exclusivity_not_stated"
        last = deal.end
    elif deal.holdback_until is not None:
        # Another right: held back from the term start to holdback_until, whatever the deal's exclusivity.
        reason = "holdback"
        last = deal.holdback_until
    else:
        return None
    if deal.start is not None and last is not None and last < deal.start:
        return None  # an empty span (a holdback ending before the term starts) holds nothing
    return Block(deal, reason, deal.start, _day_after(last))


def _day_after(day: dt.date | None) -> dt.date | None:
    return None if day is None or day == dt.date.max else day + dt.timedelta(days=1)


def _overlaps(block: Block, start: dt.date, end: dt.date | None) -> bool:
    """Whether the block holds any day of [start, end] (end None: no end); every bound is inclusive."""
    ends_after_start = block.free_from is None or start < block.free_from
    starts_before_end = end is None or block.blocked_from is None or block.blocked_from <= end
    return ends_after_start and starts_before_end


def _latest(days: Iterable[dt.date | None]) -> dt.date | None:
    """The latest free day, None (never) as soon as one of them is never."""
    latest = dt.date.min
    for day in days:
        if day is None:
            return None
        latest = max(latest, day)
    return latest


def _sorted(blocks: Iterable[Block]) -> tuple[Block, ...]:
    return tuple(
        sorted(
            blocks,
            key=lambda b: (b.blocked_from or dt.date.min, b.free_from or dt.date.max, b.deal.deal_id, b.reason),
        )
    )


def _answer(
    binding: list[DealTerms], pending: list[DealTerms], territory: str, right: str, window: Window
) -> TerritoryAvails:
    claims = [block for deal in binding if (block := _claim(deal, territory, right)) is not None]
    blocks = [block for block in claims if _overlaps(block, window.start, window.end)]
    warnings = [
        block
        for deal in pending
        if (block := _claim(deal, territory, right)) is not None and _overlaps(block, window.start, window.end)
    ]
    if not blocks:
        return TerritoryAvails(territory, right, True, (), _sorted(warnings), None)
    # Free after the window's last block; then follow deals that take over on that very day (A ends
    # 30 June, B starts 1 July), or "free from 1 July" would be a day that is not free.
    free_from = _latest(block.free_from for block in blocks)
    while free_from is not None:
        taking_over = [b for b in claims if b not in blocks and _overlaps(b, free_from, free_from)]
        if not taking_over:
            break
        blocks += taking_over
        free_from = _latest(block.free_from for block in taking_over)
    return TerritoryAvails(territory, right, False, _sorted(blocks), _sorted(warnings), free_from)
