"""Catalog queries that commands ask. Each takes the caller's session and never commits.

Functions return ORM objects with exactly the relationships a reply needs loaded, or small frozen
dataclasses when a reply needs columns from several tables at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple, Self

from sqlalchemy import BindParameter, Select, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload
from sqlalchemy.sql.base import ExecutableOption

from storage.db import ANY_TITLE, TITLE_ID, CatalogSession, column_rows
from storage.models import (
    Airing,
    AudienceFigure,
    Company,
    Deal,
    DealMedia,
    DealTerritory,
    Quote,
    Release,
    Territory,
    Title,
)


@dataclass(frozen=True)
class FigureFact:
    """One audience figure with where and when it was measured and where it comes from."""

    territory_code: str
    territory_name: str
    channel: str
    air_date: dt.date | None
    timeslot: str | None
    episode: str | None
    target: str
    measurement: str
    viewers: int | None
    rating_pct: Decimal | None
    share_pct: Decimal | None
    reach: int | None
    rank_note: str | None
    notes: str | None
    source: str | None

    @classmethod
    def from_columns(cls, values: Sequence[Any]) -> Self:
        """The figure (or a subclass's row) from a statement's columns in the order of its fields; columns past
        the last field are the caller's.

        A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``: 0.6-0.8 ms of a
        200-figure list's rows. This fills the new object's ``__dict__`` in one step (0.2-0.35 ms for 200): the
        same frozen object, equal to the one ``__init__`` builds (``tests/storage/test_rows.py``).
        """
        names = _FIELD_NAMES.get(cls) or _FIELD_NAMES.setdefault(cls, tuple(field.name for field in fields(cls)))
        if len(values) < len(names):
            raise ValueError(f"{cls.__name__} has {len(names)} fields; a row of {len(values)} columns cannot fill them")
        fact = object.__new__(cls)
        fact.__dict__.update(zip(names, values, strict=False))  # columns past the fields are the caller's
        return fact


_FIELD_NAMES: dict[type[FigureFact], tuple[str, ...]] = {}  # ``from_columns``' fields of each class, in order


@dataclass(frozen=True)
class ReleaseFact:
    territory_code: str
    territory_name: str
    release_date: dt.date | None
    admissions: int | None
    gross: Decimal | None
    currency: str | None
    rank_note: str | None
    source: str | None


@dataclass(frozen=True)
class DealFootprint:
    """Where a title is licensed: not the terms, which are confidential, only the reach."""

    deals: int
    territories: tuple[str, ...]  # the codes of the territories its deals (but cancelled ones) cover, sorted
    media: tuple[str, ...]  # canonical media values, sorted


@dataclass(frozen=True)
class TitleFacts:
    title: Title  # names and remake_of loaded
    figures: tuple[FigureFact, ...]  # every figure by air date, or only the strongest, strongest first
    figures_held: int  # how many figures the title has
    figure_sources: tuple[str | None, ...]  # the figures' source cells, each once, by air date
    releases: tuple[ReleaseFact, ...]
    footprint: DealFootprint
    quotes: int


# The columns of a FigureFact, in its field order, from an audience figure joined to its airing, channel and
# territory.
FIGURE_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    Airing.territory_code, Territory.name_en, Company.name, Airing.air_date, Airing.timeslot, Airing.episode,
    AudienceFigure.target, AudienceFigure.measurement, AudienceFigure.viewers, AudienceFigure.rating_pct,
    AudienceFigure.share_pct, AudienceFigure.reach, AudienceFigure.rank_note, AudienceFigure.notes,
    AudienceFigure.source,
)


def _with_names() -> tuple[ExecutableOption, ...]:
    """A title with its names and the title it remakes, in one statement; the remade title's names, if any, in
    one more."""
    return (joinedload(Title.names), joinedload(Title.remake_of).selectinload(Title.names))


async def catalog_is_empty(session: CatalogSession) -> bool:
    return not await session.scalar(select(exists().where(Title.id.is_not(None))))


class CardStatements(NamedTuple):
    """A title card's statements (``title_facts``), built once for any title (``storage.db.ANY_TITLE``) and
    given the title as they run: built afresh, they took about 1.5 ms of Python a card, the strongest
    figures' alone 0.6 ms (a figure list's SQL takes less)."""

    title: Select[Title]  # with its names and the title it remakes
    figures: Select[*tuple[Any, ...]]  # every figure by air date, or only the strongest, strongest first
    sources: Select[*tuple[Any, ...]]  # every figure's source cell, by air date
    releases: Select[*tuple[Any, ...]]
    footprint: Select[*tuple[Any, ...]]  # deals, quotes, the deals' territories and media (``_footprint_and_quotes``)


@lru_cache(maxsize=4)
def card_statements(strongest: int | None) -> CardStatements:
    """The card's statements, with every figure (``strongest`` None) or the ``strongest`` strongest."""
    title_id = TITLE_ID.value(ANY_TITLE)
    if strongest is None:
        figures = figure_facts().where(Airing.title_id == title_id).order_by(Airing.air_date, AudienceFigure.id)
    else:
        # The strongest chosen among the title's figures alone, then joined to their airings and places.
        chosen = (select(AudienceFigure.id).where(AudienceFigure.title_id == title_id)
                  .order_by(*_strongest_first()).limit(strongest).subquery("strongest"))
        figures = figure_facts().join(chosen, chosen.c.id == AudienceFigure.id).order_by(*_strongest_first())
    return CardStatements(
        title=select(Title).where(Title.id == title_id).options(*_with_names()),
        figures=figures,
        sources=(select(AudienceFigure.source).where(AudienceFigure.title_id == title_id)
                 .order_by(AudienceFigure.air_date, AudienceFigure.id)),
        releases=(select(Release.territory_code, Territory.name_en, Release.release_date, Release.admissions,
                         Release.gross, Release.currency, Release.rank_note, Release.source)
                  .join(Territory, Release.territory_code == Territory.code)
                  .where(Release.title_id == title_id)
                  .order_by(Release.release_date, Release.id)),
        footprint=_footprint_and_quotes(title_id),
    )


async def title_facts(session: CatalogSession, title_id: int, *, strongest: int | None = None) -> TitleFacts | None:
    """Everything a title card shows: the title, its audience figures, releases and deal footprint.

    Every figure, by air date, or with ``strongest`` only that many, strongest first: a much-aired title has
    hundreds, and the card shows six (reading all of them with their channel and territory was most of a
    card's time). The figures' count and sources cover them all either way. Plain columns, not ORM
    entities, for all but the title: building an AudienceFigure and an Airing per row cost more than the query.
    """
    statements = card_statements(strongest)
    by_title = TITLE_ID.one(title_id)[1]
    title = (await session.scalars(statements.title, by_title)).unique().first()
    if title is None:
        return None
    figures = tuple(map(FigureFact.from_columns, await column_rows(session, statements.figures, by_title, kept=True)))
    if strongest is None:
        held, sources = len(figures), tuple(dict.fromkeys(figure.source for figure in figures))
    else:
        cells = [cell for (cell,) in await column_rows(session, statements.sources, by_title, kept=True)]
        held, sources = len(cells), tuple(dict.fromkeys(cells))
    releases = tuple(ReleaseFact(*row) for row in await column_rows(session, statements.releases, by_title, kept=True))
    deals, quotes, joined_codes, joined_media = (
        await column_rows(session, statements.footprint, by_title, kept=True))[0]
    footprint = DealFootprint(deals=deals, territories=listed_values(joined_codes), media=listed_values(joined_media))
    return TitleFacts(title=title, figures=figures, figures_held=held, figure_sources=sources, releases=releases,
                      footprint=footprint, quotes=quotes)


def _footprint_and_quotes(title_id: int | BindParameter[int]) -> Select[*tuple[Any, ...]]:
    """The title's deal count, quote count, and the territories and media of its deals that are not cancelled
    as lists in one value each (they are codes and canonical values, which hold no comma): one statement."""
    live = (Deal.title_id == title_id, Deal.status.is_distinct_from("cancelled"))
    codes = (select(DealTerritory.territory_code.label("value")).distinct()
             .join(Deal, Deal.id == DealTerritory.deal_id).where(*live).subquery())
    media = select(DealMedia.media.label("value")).distinct().join(Deal, Deal.id == DealMedia.deal_id).where(*live)
    listed = [select(func.aggregate_strings(values.c.value, ",")).scalar_subquery()
              for values in (codes, media.subquery())]
    return select(
        select(func.count()).select_from(Deal).where(Deal.title_id == title_id).scalar_subquery(),
        select(func.count()).select_from(Quote).where(Quote.title_id == title_id).scalar_subquery(),
        *listed,
    )


def listed_values(joined: str | None) -> tuple[str, ...]:
    """Values a statement aggregated into one with ``aggregate_strings(..., ",")`` (codes, canonical media:
    none holds a comma), sorted; none when it aggregated none."""
    return tuple(sorted(joined.split(","))) if joined else ()


def with_channel_and_territory(statement: Select[Any]) -> Select[Any]:
    """A statement over airings joined to the channel and territory ``FIGURE_COLUMNS`` name."""
    return (statement.join(Company, Airing.channel_id == Company.id)
            .join(Territory, Airing.territory_code == Territory.code))


def figure_facts(*leading: Any) -> Select[Any]:
    """``leading`` columns, then ``FIGURE_COLUMNS``, of audience figures joined to their airing, channel and
    territory."""
    return with_channel_and_territory(select(*leading, *FIGURE_COLUMNS).select_from(AudienceFigure)
                                      .join(Airing, AudienceFigure.airing_id == Airing.id))


def _strongest_first() -> tuple[Any, ...]:
    """The order of a title's strongest figures, in SQL (most viewers, then highest share, then rating; a
    number not stated counts as 0; then by air date), the order in which a figure list sorted by (viewers,
    share, rating) descending keeps equal figures."""
    return (func.coalesce(AudienceFigure.viewers, 0).desc(), func.coalesce(AudienceFigure.share_pct, 0).desc(),
            func.coalesce(AudienceFigure.rating_pct, 0).desc(), AudienceFigure.air_date, AudienceFigure.id)
