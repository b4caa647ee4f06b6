"""Deal queries for the ``deals``, ``avails`` and ``buyer`` commands. Each takes the caller's session and never
commits.

``deal_facts`` reads deals as plain columns into named tuples, title, licensee, territories and media
included: a territory's list can hold 200 deals, and building ORM objects for them (and for their titles,
licensees, territories and media) cost several times the queries. The avails question and a buyer's audience
come back as frozen dataclasses: the avails rule and the buyer reply want columns from several tables and
no ORM state.

Deals are read in one order everywhere (``_reading_order``). A territory's deals come off
``ix_deal_territories_reading_order`` already in that order, because each territory row carries its deal's
keys (``DealTerritory``); a group merges its territories' runs off that index, each deal once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, CompoundSelect, Select, bindparam, case, func, select, union, union_all
from sqlalchemy.sql.elements import UnaryExpression

from storage.catalog import FigureFact, figure_facts, listed_values
from storage.db import (
    ANY_COMPANY,
    ANY_TITLE,
    COMPANY_ID,
    TITLE_ID,
    CatalogSession,
    column_rows,
    keep_statements,
    one_territory,
    territory_value,
)
from storage.models import Airing, AudienceFigure, Company, Deal, DealMedia, DealTerritory, Title
from storage.vocab import STATUS_RANK

# A list answer is read by a person: past this many deals (ten pages in Discord, as many as a ratings list
# has figures) the reply says so and how to narrow the question, rather than paging on. It was 500: 25 to
# 40 pages nobody turned, and half of ``deals mexico``'s time at 100,000 titles.
DEALS_LIMIT = 200

_Keys = Select[*tuple[Any, ...]]  # deals as deal_id, status_rank, start_date and deal_ref, in reading order

class DealTitle(NamedTuple):
    """The title of a deal: what tells it apart when the name index does not know it."""

    id: int
    name: str
    year: int | None


class DealFact(NamedTuple):
    """One deal as the replies show it. ``fee``, ``signed_on`` and ``notes`` are confidential: a reply shows
    them only to readers who may see fees.

    A named tuple rather than a frozen dataclass, immutable all the same: a frozen dataclass sets each of its
    18 fields through ``object.__setattr__`` (4-5 µs a deal, 1-2 ms of a long list; a tuple takes 0.7 µs).
    """

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


def _status_rank() -> ColumnElement[int]:
    """``STATUS_RANK`` of a deal's status, in SQL (territory rows carry it as ``status_rank``)."""
    return case(
        *((Deal.status == status, rank) for status, rank in STATUS_RANK.items() if status is not None),
        else_=STATUS_RANK[None],
    )


def _reading_order(keys: Any) -> list[ColumnElement[Any] | UnaryExpression[Any]]:
    """The order people read deals in, over columns named ``status_rank``, ``start_date``, ``deal_ref`` and
    ``deal_id`` (a subquery's ``.c``): in force, pending, history; newest start first, none given last; then
    reference and id, so no two deals tie. ``ix_deal_territories_reading_order`` holds each territory so."""
    return [keys.status_rank, keys.start_date.desc().nulls_last(), keys.deal_ref, keys.deal_id]


def _in_territory(code: str, statuses: Collection[str] | None) -> _Keys:
    """One territory's deals (in the statuses), unordered: ordered by ``_reading_order`` they come straight off
    the territory's index."""
    query = select(DealTerritory.deal_id, DealTerritory.status_rank, DealTerritory.start_date,
                   DealTerritory.deal_ref).where(DealTerritory.territory_code == territory_value(code))
    if statuses:
        # The ranks keep the index walk to the statuses' stretch; the deal says which status it really has.
        query = query.join(Deal, Deal.id == DealTerritory.deal_id).where(
            DealTerritory.status_rank.in_(sorted({STATUS_RANK[status] for status in statuses})),
            Deal.status.in_(sorted(statuses)))
    return query


def _in_territories(codes: Collection[str], statuses: Collection[str] | None, limit: int | None,
                    dialect: str) -> _Keys | CompoundSelect[*tuple[Any, ...]]:
    """The deals touching any of the territories, in reading order, at most ``limit``: each territory read
    off its index in order only as far as the merge of them all needs, each deal once (a deal covering
    several of the territories has a row, with the same keys, in each).

    The engines merge best from different statements (LATAM, 20 territories: about 1,200 of their 190,000
    rows read either way). SQLite merges the branches of a compound ``UNION`` ordered and limited as a whole,
    walking each territory's index; it would sort every row of subqueries (``DISTINCT`` over a ``UNION ALL``
    of each territory's first ``limit``: 10,000 rows, 7-20 ms). PostgreSQL hashes a ``UNION`` whole, but
    takes each territory's first ``limit`` through a Merge Append and a Unique under ``DISTINCT``.
    """
    order = _reading_order(DealTerritory.__table__.c)
    query: _Keys | CompoundSelect[*tuple[Any, ...]]
    if len(codes) == 1:
        query = _in_territory(next(iter(codes)), statuses).order_by(*order)
    elif dialect == "sqlite":
        query = union(*(_in_territory(code, statuses) for code in sorted(codes)))
        query = query.order_by(*_reading_order(query.selected_columns))
    else:
        firsts = [_in_territory(code, statuses).order_by(*order) for code in sorted(codes)]
        if limit is not None:
            firsts = [first.limit(limit) for first in firsts]
        merged = union_all(*(select(*first.subquery().c) for first in firsts)).subquery("per_territory")
        query = select(*merged.c).distinct().order_by(*_reading_order(merged.c))
    return query.limit(limit) if limit is not None else query


def _of_deals(*, title_id: int | None, territory_codes: Collection[str] | None, licensee_id: int | None,
              statuses: Collection[str] | None, limit: int | None) -> _Keys:
    """The deals of a title or licensee (or every deal), narrowed by the other filters, in reading order."""
    query = select(Deal.id.label("deal_id"), _status_rank().label("status_rank"), Deal.start_date, Deal.deal_ref)
    if title_id is not None:
        query = query.where(Deal.title_id == TITLE_ID.value(title_id))
    if licensee_id is not None:
        query = query.where(Deal.licensee_id == COMPANY_ID.value(licensee_id))
    if territory_codes is not None:
        # A title's or licensee's few deals, each checked on its own territory rows.
        codes = DealTerritory.territory_code.in_(sorted(territory_codes))
        query = query.where(select(DealTerritory.deal_id).where(DealTerritory.deal_id == Deal.id, codes).exists())
    if statuses:
        query = query.where(Deal.status.in_(sorted(statuses)))
    query = query.order_by(*_reading_order(query.selected_columns))
    return query.limit(limit) if limit is not None else query


def _about_places(title_id: int | None, territory_codes: frozenset[str] | None, licensee_id: int | None,
                  *_: Any) -> bool:
    """Is the question about territories only (one, or a group's runs merged: costly to build)?"""
    return title_id is None and licensee_id is None and territory_codes is not None


def _kept(title_id: int | None, territory_codes: frozenset[str] | None, licensee_id: int | None, *_: Any) -> bool:
    """Is this statement kept: built for territories only, for ``ANY_TITLE`` or for ``ANY_COMPANY`` (either in
    any territories)?"""
    return (_about_places(title_id, territory_codes, licensee_id)
            or (title_id == ANY_TITLE and licensee_id is None) or (licensee_id == ANY_COMPANY and title_id is None))


def _kept_question(title_id: int | None, codes: frozenset[str] | None, licensee_id: int | None,
                   ) -> tuple[int | None, frozenset[str] | None, int | None, dict[str, Any]]:
    """The title, territories and licensee a question's statement is built for, and the parameters it runs
    with: one territory alone as ``ANY_TERRITORY`` (``storage.db.one_territory``), a title's deals (without a
    licensee) as ``ANY_TITLE``, a licensee's (without a title) as ``ANY_COMPANY``, anything else as asked."""
    if _about_places(title_id, codes, licensee_id):
        built, parameters = one_territory(codes)
        return None, built, None, parameters
    if title_id is not None and licensee_id is None:
        built_title, parameters = TITLE_ID.one(title_id)
        return built_title, codes, None, parameters
    if licensee_id is not None and title_id is None:
        built_licensee, parameters = COMPANY_ID.one(licensee_id)
        return None, codes, built_licensee, parameters
    return title_id, codes, licensee_id, {}


@keep_statements(_kept)
def _deal_facts_statement(title_id: int | None, territory_codes: frozenset[str] | None, licensee_id: int | None,
                          statuses: frozenset[str], wanted: int | None, dialect: str) -> Select[Any]:
    """``deal_facts``' statement (kept for a question about places or about any title: ``_kept``)."""
    if territory_codes is not None and title_id is None and licensee_id is None:
        ordered = _in_territories(territory_codes, statuses, wanted, dialect).subquery("in_order")
    else:
        ordered = _of_deals(title_id=title_id, territory_codes=territory_codes, licensee_id=licensee_id,
                            statuses=statuses, limit=wanted).subquery("in_order")
    territories = (select(func.aggregate_strings(DealTerritory.territory_code, ","))
                   .where(DealTerritory.deal_id == Deal.id).scalar_subquery())
    media = select(func.aggregate_strings(DealMedia.media, ",")).where(DealMedia.deal_id == Deal.id).scalar_subquery()
    return (
        select(Deal.id, Deal.deal_ref, Deal.title_id, Title.name, Title.year, Company.name, territories, media,
               Deal.exclusive, Deal.start_date, Deal.end_date, Deal.runs, Deal.holdback_until, Deal.status,
               Deal.fee, Deal.currency, Deal.owner, Deal.signed_on, Deal.notes, Deal.source)
        .select_from(ordered)
        .join(Deal, Deal.id == ordered.c.deal_id)
        .join(Title, Title.id == Deal.title_id)
        .join(Company, Company.id == Deal.licensee_id)
        .order_by(*_reading_order(ordered.c))
    )


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
    limit keeps the most relevant deals. The kept deals' ids come first (off the territory index when only
    territories are asked, else from the deals); their columns, title, licensee, territories and media are
    joined to those only, in the same statement.
    """
    if territory_codes is not None and not territory_codes:
        return DealFacts(deals=(), truncated=False)  # no deal touches none of the territories
    dialect = (await session.connection()).dialect.name
    codes = frozenset(territory_codes) if territory_codes is not None else None
    built_title, built_codes, built_licensee, parameters = _kept_question(title_id, codes, licensee_id)
    query = _deal_facts_statement(built_title, built_codes, built_licensee, frozenset(statuses or ()),
                                  limit + 1 if limit is not None else None, dialect)  # one more tells there are more
    rows = await column_rows(session, query, parameters, kept=_kept(built_title, built_codes, built_licensee))
    truncated = limit is not None and len(rows) > limit
    if truncated:
        rows = rows[:limit]
    deals = tuple(
        DealFact(id_, deal_ref, DealTitle(title_id_, title_name, year), licensee, listed_values(codes),
                 listed_values(media_values), *terms)  # the deal's own columns, from exclusive on, in DealFact's order
        for id_, deal_ref, title_id_, title_name, year, licensee, codes, media_values, *terms in rows
    )
    return DealFacts(deals=deals, truncated=truncated)


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


# The titles a buyer's figures are narrowed to (``channel_figures``), given as the kept statement runs.
TITLE_IDS_PARAMETER = "title_ids"


@lru_cache(maxsize=2)
def _channel_figures_statement(narrowed: bool) -> Select[Any]:
    """``channel_figures``' statement, built once for any company (``storage.db.ANY_COMPANY``), and with
    ``narrowed`` for any titles (``TITLE_IDS_PARAMETER``, a list expanded as it runs)."""
    query = (
        figure_facts(Title.id, Title.name, Title.year).join(Title, Airing.title_id == Title.id)
        .where(Airing.channel_id == COMPANY_ID.value(ANY_COMPANY))
        .order_by(Title.name, Title.id, Airing.air_date, AudienceFigure.id)
    )
    if narrowed:
        query = query.where(Airing.title_id.in_(bindparam(TITLE_IDS_PARAMETER, expanding=True)))
    return query


async def channel_figures(session: CatalogSession, company_id: int,
                          title_ids: Sequence[int] | None = None) -> list[ChannelFigure]:
    """Audience figures of titles aired on the company's channels (optionally only these titles).

    The company is the channel of an airing: a broadcaster's own audience, what a buyer asks after.
    """
    parameters = COMPANY_ID.one(company_id)[1]
    if title_ids is not None:
        parameters[TITLE_IDS_PARAMETER] = list(title_ids)
    rows = await column_rows(session, _channel_figures_statement(title_ids is not None), parameters, kept=True)
    return [
        ChannelFigure(title_id=title_id, title_name=title_name, title_year=year, figure=FigureFact.from_columns(figure))
        for title_id, title_name, year, *figure in rows
    ]
