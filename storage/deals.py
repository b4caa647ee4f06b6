"""Deal queries for the ``deals``, ``avails`` and ``buyer`` commands. Each takes the caller's session and never
commits.

``deal_facts`` reads deals as plain columns into frozen dataclasses, title, licensee, territories and media
included: a territory's list can hold 500 deals, and building ORM objects for them (and for their titles,
licensees, territories and media) cost several times the queries. The avails question and a buyer's audience
come back as frozen dataclasses too: the avails rule and the buyer reply want columns from several tables
and no ORM state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, case, select
from sqlalchemy.orm import InstrumentedAttribute

from storage.catalog import FIGURE_COLUMNS, FigureFact
from storage.db import CatalogSession, in_chunks
from storage.models import Airing, AudienceFigure, Company, Deal, DealMedia, DealTerritory, Territory, Title

# A list answer is read by a person: past this many deals the reply says so rather than paging forever.
DEALS_LIMIT = 500

_Columns = TypeVarTuple("_Columns")

# The order a salesperson reads deals in: what is in force, then what is being negotiated, then history.
# A status not stated counts as signed, as the avails rule reads it.
STATUS_RANK: dict[str | None, int] = {
    None: 0, "active": 0, "signed": 0, "negotiating": 1, "offered": 1, "expired": 2, "cancelled": 2,
}


@dataclass(frozen=True, slots=True)
class DealTitle:
    """The title of a deal: what tells it apart when the name index does not know it."""

    id: int
    name: str
    year: int | None


@dataclass(frozen=True, slots=True)
class DealFact:
    """One deal as the replies show it. ``fee``, ``signed_on`` and ``notes`` are confidential: a reply shows
    them only to readers who may see fees."""

    id: int
    deal_ref: str | None
    title: DealTitle
    licensee: str
    territories: tuple[str, ...]  # codes, sorted
    media: tuple[str, ...]  # canonical media values, sorted
    exclusive: bool | None
    start_date: dt.date | None
    end_date: dt.date | None
    runs: int | None
    holdback_until: dt.date | None
    status: str | None
    fee: Decimal | None
    currency: str | None
    owner: str | None
    signed_on: dt.date | None
    notes: str | None
    source: str | None


@dataclass(frozen=True)
class DealFacts:
    """The deals a query found, in reading order; ``truncated`` when there were more than the limit."""

    deals: tuple[DealFact, ...]
    truncated: bool


@dataclass(frozen=True)
class AvailsDeal:
    """One deal as the avails rule reads it: terms and reach only, never the fee."""

    deal_id: int
    deal_ref: str | None
    licensee: str
    territories: frozenset[str]
    media: frozenset[str]
    exclusive: bool | None
    start: dt.date | None
    end: dt.date | None
    holdback_until: dt.date | None
    status: str | None
    source: str | None


@dataclass(frozen=True)
class ChannelFigure:
    """One audience figure of a title on one of a company's channels."""

    title_id: int
    title_name: str
    title_year: int | None
    figure: FigureFact


def _status_order() -> ColumnElement[int]:
    return case(
        *((Deal.status == status, rank) for status, rank in STATUS_RANK.items() if status is not None),
        else_=STATUS_RANK[None],
    )


def _filtered(
    query: Select[*_Columns],
    *,
    title_id: int | None,
    territory_codes: Collection[str] | None,
    licensee_id: int | None,
    statuses: Collection[str] | None,
    limit: int | None,
) -> Select[*_Columns]:
    """``query`` over deals narrowed by each filter given, in reading order, at most ``limit`` + 1 rows."""
    if title_id is not None:
        query = query.where(Deal.title_id == title_id)
    if licensee_id is not None:
        query = query.where(Deal.licensee_id == licensee_id)
    if territory_codes is not None:
        codes = DealTerritory.territory_code.in_(sorted(territory_codes))
        if title_id is None and licensee_id is None:
            # Territories alone: IN (subquery) reads the territory index first and fetches only the deals it
            # names; a correlated EXISTS would run once per deal, a scan of every deal.
            query = query.where(Deal.id.in_(select(DealTerritory.deal_id).where(codes)))
        else:
            # A title's or licensee's few deals, each checked on its own territory rows: IN (subquery) would
            # first collect every deal of the territories (190,000 for LATAM in a big catalog).
            query = query.where(select(DealTerritory.deal_id).where(DealTerritory.deal_id == Deal.id, codes).exists())
    if statuses:
        query = query.where(Deal.status.in_(sorted(statuses)))
    query = query.order_by(_status_order(), Deal.start_date.desc().nulls_last(), Deal.deal_ref, Deal.id)
    return query.limit(limit + 1) if limit is not None else query


async def deal_facts(
    session: CatalogSession,
    *,
    title_id: int | None = None,
    territory_codes: Collection[str] | None = None,
    licensee_id: int | None = None,
    statuses: Collection[str] | None = None,
    limit: int | None = DEALS_LIMIT,
) -> DealFacts:
    """Deals of a title, touching any of the territories, to a licensee, in the statuses: each filter optional.

    Ordered as people read them (in force, pending, history; newest start first within each), in SQL so the
    limit keeps the most relevant deals. The deals' own columns come first, sorted and limited in SQL;
    titles, licensees, territories and media are then read for the kept deals only (joined into the sorted
    query, they would be read for every deal of a territory before the limit).
    """
    query = _filtered(
        select(Deal.id, Deal.deal_ref, Deal.title_id, Deal.licensee_id, Deal.exclusive, Deal.start_date,
               Deal.end_date, Deal.runs, Deal.holdback_until, Deal.status, Deal.fee, Deal.currency, Deal.owner,
               Deal.signed_on, Deal.notes, Deal.source),
        title_id=title_id, territory_codes=territory_codes, licensee_id=licensee_id, statuses=statuses, limit=limit,
    )
    rows = (await session.execute(query)).all()
    truncated = limit is not None and len(rows) > limit
    if truncated:
        rows = rows[:limit]
    if not rows:
        return DealFacts(deals=(), truncated=False)
    deal_ids = [row.id for row in rows]
    titles = {row.id: DealTitle(row.id, row.name, row.year) for row in await _rows_in(
        session, select(Title.id, Title.name, Title.year), Title.id, {row.title_id for row in rows})}
    licensees = {row.id: row.name for row in await _rows_in(
        session, select(Company.id, Company.name), Company.id, {row.licensee_id for row in rows})}
    territories: dict[int, list[str]] = {}
    for deal_id, code in await _rows_in(
        session, select(DealTerritory.deal_id, DealTerritory.territory_code)
        .order_by(DealTerritory.deal_id, DealTerritory.territory_code), DealTerritory.deal_id, deal_ids,
    ):
        territories.setdefault(deal_id, []).append(code)
    media: dict[int, list[str]] = {}
    for deal_id, value in await _rows_in(
        session, select(DealMedia.deal_id, DealMedia.media).order_by(DealMedia.deal_id, DealMedia.media),
        DealMedia.deal_id, deal_ids,
    ):
        media.setdefault(deal_id, []).append(value)
    deals = tuple(
        DealFact(
            id=row.id, deal_ref=row.deal_ref, title=titles[row.title_id], licensee=licensees[row.licensee_id],
            territories=tuple(territories.get(row.id, ())), media=tuple(media.get(row.id, ())),
            exclusive=row.exclusive, start_date=row.start_date, end_date=row.end_date, runs=row.runs,
            holdback_until=row.holdback_until, status=row.status, fee=row.fee, currency=row.currency,
            owner=row.owner, signed_on=row.signed_on, notes=row.notes, source=row.source,
        )
        for row in rows
    )
    return DealFacts(deals=deals, truncated=truncated)


async def _rows_in(session: CatalogSession, query: Select[*_Columns], column: InstrumentedAttribute[int],
                   ids: Collection[int]) -> list[Any]:
    """The rows of ``query`` whose ``column`` is one of ``ids``, an ``IN (...)`` of them at a time."""
    found: list[Any] = []
    for batch in in_chunks(sorted(ids)):
        found.extend(await session.execute(query.where(column.in_(batch))))
    return found


async def avails_deals(session: CatalogSession, title_id: int, territory_codes: Collection[str]) -> list[AvailsDeal]:
    """Every deal of the title touching the territories, whatever its status: the rule decides what binds.

    A deal's territories are all of them, not only those asked about, so one deal covering several asked
    territories is one deal in the answer.
    """
    # No limit: a deal left out could be the one that blocks.
    found = await deal_facts(session, title_id=title_id, territory_codes=territory_codes, limit=None)
    return [
        AvailsDeal(
            deal_id=deal.id, deal_ref=deal.deal_ref, licensee=deal.licensee, territories=frozenset(deal.territories),
            media=frozenset(deal.media), exclusive=deal.exclusive, start=deal.start_date,
            end=deal.end_date, holdback_until=deal.holdback_until, status=deal.status, source=deal.source,
        )
        for deal in found.deals
    ]


async def channel_figures(session: CatalogSession, company_id: int,
                          title_ids: Sequence[int] | None = None) -> list[ChannelFigure]:
    """Audience figures of titles aired on the company's channels (optionally only these titles).

    The company is the channel of an airing: a broadcaster's own audience, what a buyer asks after.
    """
    query = (
        select(Title.id, Title.name, Title.year, *FIGURE_COLUMNS)
        .select_from(AudienceFigure)
        .join(Airing, AudienceFigure.airing_id == Airing.id)
        .join(Title, Airing.title_id == Title.id)
        .join(Company, Airing.channel_id == Company.id)
        .join(Territory, Airing.territory_code == Territory.code)
        .where(Airing.channel_id == company_id)
        .order_by(Title.name, Title.id, Airing.air_date, AudienceFigure.id)
    )
    if title_ids is not None:
        query = query.where(Airing.title_id.in_(title_ids))
    rows = await session.execute(query)
    return [
        ChannelFigure(title_id=title_id, title_name=title_name, title_year=year, figure=FigureFact(*figure))
        for title_id, title_name, year, *figure in rows
    ]
