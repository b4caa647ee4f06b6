"""Audience queries: figures with their provenance, and leaderboards of the best figure per title or territory.

The ratings, top and chart commands ask these. The database does the sorting, grouping and limiting
(``ORDER BY ... LIMIT``, ``row_number() OVER (PARTITION BY ...)``), so a catalog with millions of figures
never travels to Python to be sorted; the same statements run on SQLite (3.25+) and PostgreSQL.
Each function takes the caller's session and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.sql.elements import UnaryExpression

from storage.catalog import FigureFact
from storage.db import CatalogSession
from storage.models import Airing, AudienceFigure, Company, Territory, Title

FigureOrder = Literal["best", "date", "viewers", "share", "rating"]
Metric = Literal["viewers", "share", "rating"]
GroupBy = Literal["title", "territory"]

# Targets that measure the whole audience. A leaderboard compares only these, so a target group's share
# (often far higher: 81.5% of women 25-54) never outranks a whole country's; "" is a target not stated.
WHOLE_AUDIENCE_TARGETS = ("", "total", "total individuals", "individuals", "all", "all individuals")


@dataclass(frozen=True)
class AudienceScope:
    """Which figures a question is about; ``None`` means any. Dates are inclusive; a period leaves out
    figures without a date, since nobody knows whether they fall inside it."""

    title_id: int | None = None
    territories: frozenset[str] | None = None
    channel_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def has_period(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass(frozen=True)
class AudienceRow(FigureFact):
    """One audience figure with its provenance (``FigureFact``) and the title and ids a list needs."""

    figure_id: int
    title_id: int
    title_name: str
    title_year: int | None
    title_origin: str | None
    title_kind: str | None
    channel_id: int


@dataclass(frozen=True)
class FigureList:
    """Figures in the asked order, at most ``limit``; ``total`` counts all in scope, ``undated_left_out``
    the figures a period had to leave out because they carry no date."""

    rows: tuple[AudienceRow, ...]
    total: int
    undated_left_out: int


@dataclass(frozen=True)
class BoardRow:
    """A title's (or territory's) best figure in scope, and how many airings it had there."""

    figure: AudienceRow
    airings: int


@dataclass(frozen=True)
class Board:
    rows: tuple[BoardRow, ...]
    groups: int  # how many titles (or territories) have a figure of the metric in scope


_METRIC_COLUMNS = {
    "viewers": AudienceFigure.viewers,
    "share": AudienceFigure.share_pct,
    "rating": AudienceFigure.rating_pct,
}


def row_columns() -> tuple[Any, ...]:
    """The columns of an ``AudienceRow``, in ``audience_row``'s order; select them with ``with_provenance``."""
    return (
        AudienceFigure.id, Airing.title_id, Title.name, Title.year, Title.origin, Title.kind,
        Airing.territory_code, Territory.name_en, Airing.channel_id, Company.name, Airing.air_date,
        Airing.timeslot, Airing.episode, AudienceFigure.target, AudienceFigure.measurement,
        AudienceFigure.viewers, AudienceFigure.rating_pct, AudienceFigure.share_pct, AudienceFigure.reach,
        AudienceFigure.rank_note, AudienceFigure.notes, AudienceFigure.source,
    )


def with_provenance(statement: Select[Any]) -> Select[Any]:
    """Join a statement over airings to the title, channel and territory a provenance line names."""
    return (
        statement.join(Title, Airing.title_id == Title.id)
        .join(Company, Airing.channel_id == Company.id)
        .join(Territory, Airing.territory_code == Territory.code)
    )


def _scope_filters(scope: AudienceScope, *, dated_only: bool = True) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if scope.title_id is not None:
        filters.append(Airing.title_id == scope.title_id)
    if scope.territories is not None:
        filters.append(Airing.territory_code.in_(sorted(scope.territories)))
    if scope.channel_id is not None:
        filters.append(Airing.channel_id == scope.channel_id)
    if dated_only and scope.start is not None:
        filters.append(Airing.air_date >= scope.start)
    if dated_only and scope.end is not None:
        filters.append(Airing.air_date <= scope.end)
    return filters


def _order(order: FigureOrder) -> list[UnaryExpression[Any]]:
    """Strongest first: the asked number, then the others, nulls last; the id keeps ties stable."""
    viewers, share, rating = (column.desc().nulls_last() for column in _METRIC_COLUMNS.values())
    options: dict[str, list[UnaryExpression[Any]]] = {
        "best": [viewers, share, rating],
        "viewers": [viewers, share, rating],
        "share": [share, viewers, rating],
        "rating": [rating, viewers, share],
        "date": [Airing.air_date.desc().nulls_last(), viewers, share, rating],
    }
    return [*options[order], AudienceFigure.id.asc()]


_ROW_FIELDS = (
    "figure_id", "title_id", "title_name", "title_year", "title_origin", "title_kind", "territory_code",
    "territory_name", "channel_id", "channel", "air_date", "timeslot", "episode", "target", "measurement",
    "viewers", "rating_pct", "share_pct", "reach", "rank_note", "notes", "source",
)  # in the order of row_columns()


def audience_row(values: Sequence[Any]) -> AudienceRow:
    return AudienceRow(**dict(zip(_ROW_FIELDS, values, strict=False)))


async def audience_figures(session: CatalogSession, scope: AudienceScope, *, order: FigureOrder = "best",
                           limit: int = 200) -> FigureList:
    """Figures in ``scope``, ``order``ed, at most ``limit``, with the count of all of them."""
    filters = _scope_filters(scope)
    # Sort and limit narrow rows first, then join the provenance of the winners only: a territory can hold
    # a hundred thousand figures, and sorting them with every title and channel name is 3x slower.
    best = (
        select(AudienceFigure.id.label("figure_id")).select_from(AudienceFigure)
        .join(Airing, AudienceFigure.airing_id == Airing.id)
        .where(*filters).order_by(*_order(order)).limit(limit).subquery("best")
    )
    base = (
        select(*row_columns()).select_from(AudienceFigure).join(best, best.c.figure_id == AudienceFigure.id)
        .join(Airing, AudienceFigure.airing_id == Airing.id)
    )
    rows = await session.execute(with_provenance(base).order_by(*_order(order)))
    total = await session.scalar(
        select(func.count()).select_from(AudienceFigure).join(Airing, AudienceFigure.airing_id == Airing.id)
        .where(*filters)
    ) or 0
    undated = 0
    if scope.has_period:
        undated = await session.scalar(
            select(func.count()).select_from(AudienceFigure).join(Airing, AudienceFigure.airing_id == Airing.id)
            .where(*_scope_filters(scope, dated_only=False), Airing.air_date.is_(None))
        ) or 0
    return FigureList(rows=tuple(audience_row(row) for row in rows), total=total, undated_left_out=undated)


async def best_figures(session: CatalogSession, scope: AudienceScope, *, metric: Metric = "viewers",
                       per: GroupBy = "title", limit: int = 10) -> Board:
    """The leaderboard: each title's (or territory's) best whole-audience figure by ``metric``, best first.

    One row per title, so a series' forty episodes take one place on the board, not forty; ``airings``
    counts the title's airings in scope. Window function for the best figure per group, one aggregate for
    the airing counts, and the database applies the limit.
    """
    value = _METRIC_COLUMNS[metric]
    group = Airing.title_id if per == "title" else Airing.territory_code
    filters = _scope_filters(scope)
    place = func.row_number().over(partition_by=group, order_by=_order(metric)).label("place")
    ranked = (
        select(AudienceFigure.id.label("figure_id"), group.label("group_key"), place)
        .select_from(AudienceFigure).join(Airing, AudienceFigure.airing_id == Airing.id)
        .where(*filters, value.is_not(None), func.lower(AudienceFigure.target).in_(WHOLE_AUDIENCE_TARGETS))
        .subquery("ranked")
    )
    airings = (
        select(group.label("group_key"), func.count(distinct(Airing.id)).label("airings"))
        .where(*filters).group_by(group).subquery("airing_counts")
    )
    statement = (
        # count() OVER () counts every group's winner before the limit: the board and its size in one pass
        # over the window, rather than running the window a second time for the count.
        select(*row_columns(), airings.c.airings, func.count().over().label("groups"))
        .select_from(AudienceFigure)
        .join(ranked, ranked.c.figure_id == AudienceFigure.id)
        .join(Airing, AudienceFigure.airing_id == Airing.id)
        .join(airings, airings.c.group_key == ranked.c.group_key)
        .where(ranked.c.place == 1)
        .order_by(*_order(metric))
        .limit(limit)
    )
    rows = (await session.execute(with_provenance(statement))).all()
    groups = int(rows[0][23]) if rows else 0
    return Board(rows=tuple(BoardRow(audience_row(row), int(row[22])) for row in rows), groups=groups)
