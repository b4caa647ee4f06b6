"""Audience queries: figures with their provenance, and leaderboards of the best figure per title or territory.

The ratings, top and chart commands ask these. A figure carries its airing's title, territory, channel and
date (``AudienceFigure``), and each place is indexed with its metric best first, so the strongest figures of a
territory come off an index already in order: ``ratings mexico`` reads the 200 it shows, not the 100,000
Mexico has. A group walks each of its territories' index in order and merges the walks (``UNION ALL``),
because no single index orders several territories at once; each engine gets the merge in the form it runs
best (``_merged_walks``). Figures never travel to Python to be sorted. Each function takes the caller's
session and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from sqlalchemy import ColumnElement, CompoundSelect, Select, case, func, literal, null, select, union_all
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from storage.catalog import FigureFact, with_channel_and_territory
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


# A list says how many figures its scope holds up to this many, and "more than" past it: counting all of
# Mexico's 120,000 figures (LATAM's 480,000) to print one number took longer than finding the 200 shown.
# Whether there are more is asked first (``_counted``), so a big scope is never counted at all.
FIGURES_COUNTED_UP_TO = 10_000


@dataclass(frozen=True)
class FigureList:
    """Figures in the asked order, at most ``limit``; ``total`` counts all in scope, or is None when there are
    more than ``FIGURES_COUNTED_UP_TO``; ``undated_left_out`` counts the figures a period had to leave out
    because they carry no date."""

    rows: tuple[AudienceRow, ...]
    total: int | None
    undated_left_out: int


@dataclass(frozen=True)
class BoardRow:
    """A title's (or territory's) best figure in scope, and how many airings it had there."""

    figure: AudienceRow
    airings: int


@dataclass(frozen=True)
class Board:
    rows: tuple[BoardRow, ...]
    # How many titles (or territories) have a figure of the metric in scope, when the board read all of
    # their figures on the way (a small scope); None when it stopped once it had its rows: counting a big
    # scope exactly reads every figure of it, most of a second for a group, to print one number.
    groups: int | None


_METRIC_COLUMNS = {
    "viewers": AudienceFigure.viewers,
    "share": AudienceFigure.share_pct,
    "rating": AudienceFigure.rating_pct,
}


def row_columns() -> tuple[Any, ...]:
    """The columns of an ``AudienceRow`` in its fields' order (``audience_row`` builds it from them by
    position); select them with ``with_provenance``."""
    return (
        Airing.territory_code, Territory.name_en, Company.name, Airing.air_date, Airing.timeslot, Airing.episode,
        AudienceFigure.target, AudienceFigure.measurement, AudienceFigure.viewers, AudienceFigure.rating_pct,
        AudienceFigure.share_pct, AudienceFigure.reach, AudienceFigure.rank_note, AudienceFigure.notes,
        AudienceFigure.source, AudienceFigure.id, Airing.title_id, Title.name, Title.year, Title.origin,
        Title.kind, Airing.channel_id,
    )


ROW_WIDTH = len(fields(AudienceRow))  # a statement's columns after ``row_columns()`` start here


def with_provenance(statement: Select[Any]) -> Select[Any]:
    """Join a statement over airings to the title, channel and territory a provenance line names."""
    return with_channel_and_territory(statement.join(Title, Airing.title_id == Title.id))


def _scope_filters(scope: AudienceScope, entity: Any = AudienceFigure, *, dated_only: bool = True,
                   unindexed_dates: bool = False) -> list[ColumnElement[bool]]:
    """The scope as filters on ``entity``: a figure (by its copies of the airing's fields) or an airing;
    ``unindexed_dates`` writes the period's terms as ``_unindexed`` values (see ``_period_read``)."""
    filters: list[ColumnElement[bool]] = []
    if scope.title_id is not None:
        filters.append(entity.title_id == TITLE_ID.value(scope.title_id))
    if scope.territories is not None:
        # One territory (each branch of a group's merge) as a plain parameter: an IN list is rendered into the
        # statement again on every execution, which for a group's twenty branches cost 0.4 ms an ask. A kept
        # statement for any one territory takes it when it runs (``_kept_scope``).
        codes = sorted(scope.territories)
        filters.append(entity.territory_code == territory_value(codes[0]) if len(codes) == 1
                       else entity.territory_code.in_(codes))
    if scope.channel_id is not None:
        filters.append(entity.channel_id == COMPANY_ID.value(scope.channel_id))
    air_date = _unindexed(entity.air_date) if unindexed_dates else entity.air_date
    if dated_only and scope.start is not None:
        filters.append(air_date >= scope.start)
    if dated_only and scope.end is not None:
        filters.append(air_date <= scope.end)
    return filters


def _per_territory(scope: AudienceScope) -> list[AudienceScope]:
    """The scope split into one scope per territory when that is how the indexes read it best: a group (or
    list) of territories with no title or channel, whose strongest figures no single index holds in order."""
    if scope.territories is None or len(scope.territories) < 2 or scope.title_id is not None \
            or scope.channel_id is not None:
        return [scope]
    return [replace(scope, territories=frozenset({code})) for code in sorted(scope.territories)]


# The columns the orders sort on, carried through a group's union so the merge can sort again; the date
# only when the order uses it, so the other orders' walks read nothing but their index.
_SORT_COLUMNS = (AudienceFigure.viewers, AudienceFigure.share_pct, AudienceFigure.rating_pct)


def _about_places(scope: AudienceScope, *_: Any) -> bool:
    """Is the question about territories only (one, or a group's walks merged): a few hundred questions a
    catalog can be asked, each asked again and again, and a group's costly to build."""
    return scope.territories is not None and scope.title_id is None and scope.channel_id is None


def _kept(scope: AudienceScope, *_: Any) -> bool:
    """Is a statement built for this scope kept: about places only, about any title (``ANY_TITLE``) or about
    any channel (``ANY_COMPANY``)?"""
    return (_about_places(scope) or (scope.title_id == ANY_TITLE and scope.channel_id is None)
            or (scope.channel_id == ANY_COMPANY and scope.title_id is None))


def _kept_scope(scope: AudienceScope) -> tuple[AudienceScope, dict[str, Any]]:
    """The scope a question's statements are built for, and the parameters they run with: a question about
    one territory alone is built for any territory and given its own when it runs (``storage.db.one_territory``);
    one about a title (without a channel; in any territories and period) for any title, and given the title
    (``storage.db.ANY_TITLE``: built afresh, a title's figure list took 0.85 ms of Python); one about a
    channel (without a title) for any channel (``storage.db.ANY_COMPANY``) in the same way; any other
    question's statements (a title on a channel) are built for its scope."""
    if _about_places(scope):
        territories, parameters = one_territory(scope.territories)
        return replace(scope, territories=territories), parameters
    if scope.title_id is not None and scope.channel_id is None:
        title_id, parameters = TITLE_ID.one(scope.title_id)
        return replace(scope, title_id=title_id), parameters
    if scope.channel_id is not None and scope.title_id is None:
        channel_id, parameters = COMPANY_ID.one(scope.channel_id)
        return replace(scope, channel_id=channel_id), parameters
    return scope, {}


def _about_everything(scope: AudienceScope) -> bool:
    return scope.territories is None and scope.title_id is None and scope.channel_id is None


# How a period is read, on SQLite, once the figures it holds are counted (``_period_read``).
PeriodRead = Literal["plain", "sorted", "walked"]


def _weighs_its_period(scope: AudienceScope, order: FigureOrder, dialect: str) -> bool:
    """Is this a period of places or of the whole catalog, on SQLite, whose best reading depends on how many
    figures it holds (so ``_period_read`` needs them counted)?"""
    return (dialect == "sqlite" and order != "date" and scope.has_period
            and (_about_places(scope) or _about_everything(scope)))


def _period_read(scope: AudienceScope, order: FigureOrder, dialect: str, held: int | None) -> PeriodRead:
    """How to read a period's strongest figures, by how many it holds (``held``, as ``_counted`` says: None
    past ``FIGURES_COUNTED_UP_TO``).

    The best-first indexes for viewers carry the date (a territory's and the whole catalog's), so a period
    can be walked in order, passing over the figures outside it; the fewer the period holds, the further
    that walk goes, while sorting its figures off the date index costs more the more there are. LATAM over
    a year (44,000 figures): 0.6 ms walked against 14-20 ms sorted; the last 365 days, of which the catalog
    holds one month: 5 ms sorted, 10 walked; a week: 0.6-1.8 ms sorted, 15-23 walked. Past 10,000 figures a
    period of a 480,000-figure group is walked over at most 10,000 entries for 200 figures, the whole
    catalog's over at most 24,000 (the year 2024: 0.4 ms walked against 19 ms sorted).

    SQLite's planner does not weigh this, and chooses by whether the catalog was analyzed: without
    statistics it walks any period of a place (the index gives the order and carries the date); with them
    (``ANALYZE``) it sorted LATAM's year off the date index (12 ms for the board, 0.4 walked); it sorts any
    period of the whole catalog. So "sorted" writes the sort keys as ``_unindexed`` values, and "walked" the
    period's dates; "plain" leaves the planner's choice (PostgreSQL's always, which weighs a period by its
    statistics; by date the order is the date index's; by share or rating the date index is the one that
    carries the date).
    """
    if not _weighs_its_period(scope, order, dialect):
        return "plain"
    if held is not None:
        return "sorted" if _about_places(scope) else "plain"
    return "walked" if order in ("best", "viewers") else "plain"


def _unindexed(column: Any) -> ColumnElement[Any]:
    """``+column``: the same value, which SQLite's planner will not read off an index (its documented way to
    keep a term or a sort key from one): the planner is steered as ``_period_read`` chose."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


@keep_statements(_kept)
def _strongest(scope: AudienceScope, order: FigureOrder, limit: int, per: GroupBy | None, dialect: str,
               period_read: PeriodRead = "plain") -> Select[Any] | CompoundSelect[Any]:
    """The ids of the ``limit`` strongest figures in scope, in order; for a board (``per`` title or
    territory, ``order`` a metric) only figures stating the metric, with the group key and target.

    One territory, a title or a channel is a single walk of at most ``limit`` entries of a best-first index
    (which holds every column read here). A group's territories are each walked in order and merged, each
    only as far as the merge needs, in the form each engine merges best (see ``_merged_walks``).
    ``period_read``: how a period's figures are read, walked or sorted (``_period_read``).
    """
    sort_columns = (*_SORT_COLUMNS, AudienceFigure.air_date) if order == "date" else _SORT_COLUMNS
    columns: list[Any] = [AudienceFigure.id.label("figure_id"), *(column.label(column.key) for column in sort_columns)]
    extra: list[ColumnElement[bool]] = []
    sorted_period = period_read == "sorted"
    if per is not None:
        group = AudienceFigure.title_id if per == "title" else AudienceFigure.territory_code
        columns += [group.label("group_key"), AudienceFigure.target.label("target")]
        metric = _METRIC_COLUMNS[order]
        extra.append((_unindexed(metric) if sorted_period else metric).is_not(None))
    walks = [select(*columns).where(*_scope_filters(part, unindexed_dates=period_read == "walked"), *extra)
             for part in _per_territory(scope)]
    if len(walks) == 1:
        return walks[0].order_by(*_order(order, unindexed=sorted_period)).limit(limit)
    return _merged_walks(walks, order, limit, dialect, sorted_period)


def _merged_walks(walks: list[Select[Any]], order: FigureOrder, limit: int, dialect: str,
                  sorted_period: bool) -> Select[Any] | CompoundSelect[Any]:
    """The first ``limit`` of several territories' figures in ``order``, each territory read off its index.

    SQLite merges the branches of one compound ``UNION ALL`` ordered and limited as a whole: each branch
    walks its territory's index in order and stops when the merge has its rows (LATAM's 200 best: 0.3 ms).
    Given each territory's ``ORDER BY ... LIMIT`` as a subquery instead, it sorted every branch's rows again
    in a temporary B-tree first (1.3 ms; by date 4.4 ms against 0.8). PostgreSQL is given that form: each
    territory's first ``limit`` as a subquery (0.6 ms); it appends and sorts a compound's branches whole
    (LATAM: 118 ms). So is SQLite for a period read sorted (``sorted_period``), whose territories' figures
    are each sorted off the date index: a compound's sort keys must be bare columns, which draw the walk.
    """
    if dialect == "sqlite" and not sorted_period:
        merged = union_all(*walks)
        return merged.order_by(*_order(order, merged.selected_columns)).limit(limit)
    firsts = [walk.order_by(*_order(order, unindexed=sorted_period)).limit(limit).subquery() for walk in walks]
    union = union_all(*(select(*first.c) for first in firsts)).subquery("per_territory")
    return select(*union.c).order_by(*_order(order, union.c)).limit(limit)


def _order(order: FigureOrder, columns: Any = None, *, unindexed: bool = False) -> list[UnaryExpression[Any]]:
    """Strongest first: the asked number, then the others, nulls last; among figures equal on all of them the
    latest added first (the id, descending, as the best-first indexes end: see ``best_first_columns``).

    ``columns`` names the columns (a subquery's ``.c``) when sorting merged rows rather than the table;
    ``unindexed`` sorts the table's columns as ``_unindexed`` values (a period read "sorted").
    """
    if columns is None:
        keys: Sequence[Any] = (*_SORT_COLUMNS, AudienceFigure.id)
        viewers_col, share_col, rating_col, id_col = [_unindexed(key) for key in keys] if unindexed else keys
    else:
        viewers_col, share_col, rating_col, id_col = (
            columns.viewers, columns.share_pct, columns.rating_pct, columns.figure_id)
    viewers, share, rating = (column.desc().nulls_last() for column in (viewers_col, share_col, rating_col))
    leading: list[UnaryExpression[Any]]
    if order == "date":
        date_col = AudienceFigure.air_date if columns is None else columns.air_date
        leading = [date_col.desc().nulls_last(), viewers, share, rating]
    else:
        leading = {"best": [viewers, share, rating], "viewers": [viewers, share, rating],
                   "share": [share, viewers, rating], "rating": [rating, viewers, share]}[order]
    return [*leading, id_col.desc()]


def audience_row(values: Sequence[Any]) -> AudienceRow:
    """The row of a statement that selects ``row_columns()`` first (and may select more after them)."""
    return AudienceRow.from_columns(values)


def _counted(scope: AudienceScope, up_to: int) -> Select[Any]:
    """The number of figures in scope, or NULL when there are more than ``up_to``.

    Whether a figure comes after the first ``up_to`` is asked first, and only a scope without
    one is counted: stepping over Mexico's first 10,000 index entries takes 0.5 ms, while counting 10,001 of
    them through a limited subquery took 1.1-1.5 ms (each row handed up through a co-routine), on every ask
    of a territory or a group. A plain scalar subquery, not ``EXISTS``, for the probe: it only asks for a row.
    """
    beyond = (select(literal(1)).select_from(AudienceFigure).where(*_scope_filters(scope))
              .limit(1).offset(up_to).scalar_subquery())
    every = select(func.count()).select_from(AudienceFigure).where(*_scope_filters(scope)).scalar_subquery()
    return select(case((beyond.is_not(None), null()), else_=every))


@keep_statements(_kept)
def _counts(scope: AudienceScope, up_to: int) -> tuple[Select[Any], Select[Any]]:
    """The number of the scope's figures (``_counted``), and the count of those without a date."""
    undated = (select(func.count()).select_from(AudienceFigure)
               .where(*_scope_filters(scope, dated_only=False), AudienceFigure.air_date.is_(None)))
    return _counted(scope, up_to), undated


@keep_statements(_kept)
def _figure_list(scope: AudienceScope, order: FigureOrder, limit: int, dialect: str,
                 period_read: PeriodRead, total_up_to: int | None = None) -> Select[Any]:
    """``audience_figures``' statement: the figures with their provenance, in order; with ``total_up_to``, each
    row also carries the count of the scope's figures up to that many (``_counted``) after its
    ``row_columns()``."""
    # Find the winners on the narrow figure rows (off the indexes), then join the provenance of those only.
    best = _strongest(scope, order, limit, None, dialect, period_read).subquery("best")
    total = [_counted(scope, total_up_to).scalar_subquery()] if total_up_to is not None else []
    base = (
        select(*row_columns(), *total).select_from(AudienceFigure).join(best, best.c.figure_id == AudienceFigure.id)
        .join(Airing, AudienceFigure.airing_id == Airing.id)
    )
    return with_provenance(base).order_by(*_order(order))


async def audience_figures(session: CatalogSession, scope: AudienceScope, *, order: FigureOrder = "best",
                           limit: int = 200) -> FigureList:
    """Figures in ``scope``, ``order``ed, at most ``limit``, with the count of all of them.

    The count comes with the figures, in their statement (SQLite and PostgreSQL count an uncorrelated
    subquery once), but for a period whose reading depends on how many figures it holds (``_period_read``):
    that one is counted first. An empty list is an empty scope: its count is 0.
    """
    dialect = (await session.connection()).dialect.name
    built, parameters = _kept_scope(scope)
    kept = _kept(built)
    counted, undated_counted = _counts(built, FIGURES_COUNTED_UP_TO)
    total: int | None
    if _weighs_its_period(scope, order, dialect):
        total = await session.scalar(counted, parameters)
        listed = _figure_list(built, order, limit, dialect, _period_read(scope, order, dialect, total))
        rows = await column_rows(session, listed, parameters, kept=kept)
    else:
        listed = _figure_list(built, order, limit, dialect, "plain", FIGURES_COUNTED_UP_TO)
        rows = await column_rows(session, listed, parameters, kept=kept)
        total = rows[0][ROW_WIDTH] if rows else 0
    undated = (await session.scalar(undated_counted, parameters) or 0) if scope.has_period else 0
    return FigureList(rows=tuple(map(audience_row, rows)), total=total, undated_left_out=undated)


async def best_figures(session: CatalogSession, scope: AudienceScope, *, metric: Metric = "viewers",
                       per: GroupBy = "title", limit: int = 10) -> Board:
    """The leaderboard: each title's (or territory's) best whole-audience figure by ``metric``, best first.

    One row per title, so a series' forty episodes take one place on the board, not forty; ``airings``
    counts the title's airings in scope. The strongest figures come off the indexes in board order, so the
    first figure of each title met is its best: read the top ``window`` figures, keep each title's first, and
    read a wider window (four times as wide) only while fewer than ``limit`` titles have turned up. A window
    that held every competing figure also counts the titles (``groups``).
    """
    window = max(20 * limit, 200)
    dialect = (await session.connection()).dialect.name
    built, parameters = _kept_scope(scope)
    held = None
    if _weighs_its_period(scope, metric, dialect):
        held = await session.scalar(_counts(built, FIGURES_COUNTED_UP_TO)[0], parameters)
    period_read = _period_read(scope, metric, dialect, held)
    while True:
        strongest = await column_rows(session, _strongest(built, metric, window, per, dialect, period_read),
                                      parameters, kept=_kept(built))
        read_all = len(strongest) < window
        # Whole-audience figures only, checked here rather than in SQL: the target is in the period index,
        # so a group's year is sorted from the index alone (a lower() in SQL sent PostgreSQL to the table).
        competing = [row for row in strongest if row.target.lower() in WHOLE_AUDIENCE_TARGETS]
        winners: dict[Any, int] = {}
        for row in competing:
            winners.setdefault(row.group_key, row.figure_id)
            if len(winners) == limit:
                break
        if len(winners) == limit or read_all:
            break
        window *= 4
    groups = len({row.group_key for row in competing}) if read_all else None
    if not winners:  # nothing competes: the first window read it all
        return Board(rows=(), groups=0)
    airing_group = Airing.title_id if per == "title" else Airing.territory_code
    airings = dict((await session.execute(
        select(airing_group, func.count(Airing.id)).where(*_scope_filters(scope, Airing), airing_group.in_(winners))
        .group_by(airing_group)
    )).all())
    base = select(*row_columns()).select_from(AudienceFigure).where(AudienceFigure.id.in_(winners.values()))
    rows = (await session.execute(with_provenance(base.join(Airing, AudienceFigure.airing_id == Airing.id))
                                  .order_by(*_order(metric)))).all()
    board_rows = [audience_row(row) for row in rows]
    return Board(rows=tuple(
        BoardRow(row, int(airings.get(row.title_id if per == "title" else row.territory_code, 0)))
        for row in board_rows), groups=groups)
