"""Deal queries for the ``deals``, ``avails`` and ``buyer`` commands. Each takes the caller's session and never
commits.

Deals come back as ORM objects with title, licensee, territories and media loaded (relationships are
``lazy="raise"``, so a reply can never trigger a query by accident). The avails question and a buyer's
audience come back as frozen dataclasses: the avails rule and the buyer reply want columns from several tables
and no ORM state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import selectinload

from storage.catalog import FigureFact
from storage.db import CatalogSession
from storage.models import Airing, AudienceFigure, Company, Deal, DealTerritory, Territory, Title

# A list answer is read by a person: past this many deals the reply says so rather than paging forever.
DEALS_LIMIT = 500

# The order a salesperson reads deals in: what is in force, then what is being negotiated, then history.
# A status not stated counts as signed, as the avails rule reads it.
STATUS_RANK: dict[str | None, int] = {
    None: 0, "active": 0, "signed": 0, "negotiating": 1, "offered": 1, "expired": 2, "cancelled": 2,
}


@dataclass(frozen=True)
class DealList:
    """The deals a query found, in reading order; ``truncated`` when there were more than the limit."""

    deals: tuple[Deal, ...]
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


async def find_deals(
    session: CatalogSession,
    *,
    title_id: int | None = None,
    territory_codes: Collection[str] | None = None,
    licensee_id: int | None = None,
    statuses: Collection[str] | None = None,
    limit: int | None = DEALS_LIMIT,
) -> DealList:
    """Deals of a title, touching any of the territories, to a licensee, in the statuses: each filter optional.

    Ordered as people read them (in force, pending, history; newest start first within each), in SQL so the
    limit keeps the most relevant deals.
    """
    query = select(Deal).options(
        selectinload(Deal.title), selectinload(Deal.licensee), selectinload(Deal.territories),
        selectinload(Deal.media),
    )
    if title_id is not None:
        query = query.where(Deal.title_id == title_id)
    if licensee_id is not None:
        query = query.where(Deal.licensee_id == licensee_id)
    if territory_codes is not None:
        # IN (subquery), not a correlated EXISTS: SQLite runs EXISTS once per deal (a scan of every deal);
        # IN reads the territory index first and fetches only the deals it names.
        query = query.where(Deal.id.in_(
            select(DealTerritory.deal_id).where(DealTerritory.territory_code.in_(sorted(territory_codes)))
        ))
    if statuses:
        query = query.where(Deal.status.in_(sorted(statuses)))
    query = query.order_by(_status_order(), Deal.start_date.desc().nulls_last(), Deal.deal_ref, Deal.id)
    if limit is not None:
        query = query.limit(limit + 1)
    deals = tuple((await session.scalars(query)).all())
    if limit is not None and len(deals) > limit:
        return DealList(deals=deals[:limit], truncated=True)
    return DealList(deals=deals, truncated=False)


async def avails_deals(session: CatalogSession, title_id: int, territory_codes: Collection[str]) -> list[AvailsDeal]:
    """Every deal of the title touching the territories, whatever its status: the rule decides what binds.

    A deal's territories are all of them, not only those asked about, so one deal covering several asked
    territories is one deal in the answer.
    """
    # No limit: a deal left out could be the one that blocks.
    found = await find_deals(session, title_id=title_id, territory_codes=territory_codes, limit=None)
    return [
        AvailsDeal(
            deal_id=deal.id, deal_ref=deal.deal_ref, licensee=deal.licensee.name,
            territories=frozenset(t.territory_code for t in deal.territories),
            media=frozenset(m.media for m in deal.media), exclusive=deal.exclusive, start=deal.start_date,
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
        select(AudienceFigure, Airing, Title.id, Title.name, Title.year, Company.name, Territory.name_en)
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
        ChannelFigure(
            title_id=title_id, title_name=title_name, title_year=year,
            figure=FigureFact(
                territory_code=airing.territory_code, territory_name=territory, channel=channel,
                air_date=airing.air_date, timeslot=airing.timeslot, episode=airing.episode,
                target=figure.target, measurement=figure.measurement, viewers=figure.viewers,
                rating_pct=figure.rating_pct, share_pct=figure.share_pct, reach=figure.reach,
                rank_note=figure.rank_note, notes=figure.notes, source=figure.source,
            ),
        )
        for figure, airing, title_id, title_name, year, channel, territory in rows
    ]
