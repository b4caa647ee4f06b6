"""Write ratings rows: one audience figure each, of an airing that is found by natural key or made.

Ratings are the kind that runs to millions of rows, so nothing here goes through the ORM per new row:
new airings and figures are inserted in chunks, column by column (``bulk.ColumnInsert``), new airings get their
ids ahead (``bulk.reserve_ids``) so their figures need no read-back, and on SQLite a big import builds
the secondary indexes after the rows (``index_rebuild``). Only airings that already exist are loaded as
objects, with their figures, so that a figure already there is compared and updated (or left alone) like
any other record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import Table, select

from storage.db import CatalogSession, in_chunks
from storage.importing.bulk import ROWS_PER_STATEMENT, VALUES, ColumnInsert, reserve_ids, rows_where_in
from storage.importing.index_rebuild import indexes_rebuilt_after
from storage.importing.report import Location
from storage.importing.upserts import INSERTED, UNCHANGED, UPDATED, existing, ids_of, set_fields
from storage.importing.wanted_figures import FIGURE_COLUMNS, WantedFigure
from storage.keys import name_key
from storage.models import AIRING_COPIES, Airing, AudienceFigure, Company, Title

Tick = Callable[[int], None]  # counts this many rows written
AIRING_COLUMNS = ("id", "natural_key", "title_id", "territory_code", "channel_id", "air_date", "timeslot", "episode")
# A figure carries copies of its airing's title, territory, channel and date (see AudienceFigure).
NEW_FIGURE_COLUMNS = ("airing_id", *AIRING_COPIES, *FIGURE_COLUMNS, "batch_id")
# What the columns are picked from, in C (see bulk.ColumnInsert).
_AT, _AIRING_KEY, _TITLE, _CHANNEL = (attrgetter(name) for name in ("at", "airing_key", "title", "channel"))
_TERRITORY, _AIR_DATE, _FIGURE = attrgetter("territory_code"), attrgetter("air_date"), attrgetter("figure")
_AIRING_FIELDS = attrgetter("territory_code", "air_date", "timeslot", "episode")


async def _figures_of(session: CatalogSession, airing_ids: Iterable[int]) -> dict[tuple[int, str, str], AudienceFigure]:
    """The figures of these (existing) airings by (airing id, target's name key, measurement), oldest first."""
    found: dict[tuple[int, str, str], AudienceFigure] = {}
    for ids in in_chunks(sorted(set(airing_ids))):
        query = select(AudienceFigure).where(AudienceFigure.airing_id.in_(ids)).order_by(AudienceFigure.id)
        for figure in await session.scalars(query):
            found.setdefault((figure.airing_id, name_key(figure.target), figure.measurement), figure)
    return found


async def _airings_there(session: CatalogSession, wanted: list[WantedFigure]) -> dict[str, Airing]:
    """The airings of ``wanted`` already in the catalog, as objects: asked by key first, as plain rows,
    since most keys of a big import are new ones (all of them when the catalog has no airing yet)."""
    if await session.scalar(select(Airing.id).limit(1)) is None:
        return {}
    query = select(Airing.natural_key).where(Airing.natural_key.in_(VALUES))
    there = await rows_where_in(session, query, map(_AIRING_KEY, wanted))
    return await existing(session, Airing.natural_key, (key for (key,) in there))


def _table(model: type[Airing] | type[AudienceFigure]) -> Table:
    return cast(Table, model.__table__)  # a mapped class's table, typed as any FromClause


async def write_ratings(session: CatalogSession, wanted: list[WantedFigure], batch_of: Callable[[Location], int],
                        tick: Tick) -> None:
    """Compare rows with the airings and figures already there, then insert what is new in bulk."""
    airings = await _airings_there(session, wanted)
    figures = await _figures_of(session, (airing.id for airing in airings.values()))
    # Each airing's id and the columns its figures copy from it (title and channel ids), by its key: a new
    # figure looks them up once, not three times in three maps (at a million rows, each lookup in a map of
    # a hundred thousand titles or a million airings misses the CPU's caches).
    airing_of = {key: (airing.id, airing.title_id, airing.channel_id) for key, airing in airings.items()}
    # The first row of each new airing, in file order; every row of an existing airing sets its timeslot.
    new_airings: dict[str, WantedFigure] = {}
    inserted: list[WantedFigure] = []  # in file order, which is the order of the new figures' ids
    for w in wanted:
        airing = airings.get(w.airing_key)
        if airing is None:
            new_airings.setdefault(w.airing_key, w)
            w.outcome = INSERTED
            inserted.append(w)
            continue
        set_fields(airing, {"timeslot": w.timeslot})
        figure = figures.get((airing.id, w.target_key, w.figure[1]))
        if figure is None:
            w.outcome = INSERTED
            inserted.append(w)
            continue
        changed = set_fields(figure, dict(zip(FIGURE_COLUMNS, w.figure, strict=True)))
        w.outcome = UPDATED if changed else UNCHANGED
        if changed:
            figure.batch_id = batch_of(w.at)
        tick(1)
    del figures, airings
    keys, firsts = list(new_airings), list(new_airings.values())
    del new_airings
    titles = await ids_of(session, Title.natural_key, set(map(_TITLE, firsts)))
    channels = await ids_of(session, Company.natural_key, set(map(_CHANNEL, firsts)))
    airing_ids = await reserve_ids(session, _table(Airing), len(keys))
    connection = await session.connection()
    async with indexes_rebuilt_after(session, _table(Airing), len(keys)):
        insert = ColumnInsert(connection, _table(Airing), AIRING_COLUMNS)
        for start in range(0, len(firsts), ROWS_PER_STATEMENT):
            end = start + ROWS_PER_STATEMENT
            chunk, chunk_keys, ids = firsts[start:end], keys[start:end], airing_ids[start:end]
            title_ids = list(map(titles.__getitem__, map(_TITLE, chunk)))
            channel_ids = list(map(channels.__getitem__, map(_CHANNEL, chunk)))
            territory, date, timeslot, episode = _columns(chunk, _AIRING_FIELDS)
            await insert([ids, chunk_keys, title_ids, territory, channel_ids, date, timeslot, episode])
            airing_of.update(zip(chunk_keys, zip(ids, title_ids, channel_ids, strict=True), strict=True))
        del keys, firsts
        async with indexes_rebuilt_after(session, _table(AudienceFigure), len(inserted)):
            insert = ColumnInsert(connection, _table(AudienceFigure), NEW_FIGURE_COLUMNS)
            for start in range(0, len(inserted), ROWS_PER_STATEMENT):
                chunk = inserted[start : start + ROWS_PER_STATEMENT]
                # A figure's copies of its airing's columns: the airing's ids, and from its row the rest of
                # its airing's key.
                airing_id, title_id, channel_id = zip(*map(airing_of.__getitem__, map(_AIRING_KEY, chunk)),
                                                      strict=True)
                copied = [airing_id, title_id, map(_TERRITORY, chunk), channel_id, map(_AIR_DATE, chunk)]
                tick(await insert([*copied, *_columns(chunk, _FIGURE), map(batch_of, map(_AT, chunk))]))
    await session.flush()


def _columns(records: list[WantedFigure], fields: Callable[[WantedFigure], Any]) -> Iterator[tuple[Any, ...]]:
    """The columns of ``fields`` (a tuple per record), for a non-empty list of records."""
    return zip(*map(fields, records), strict=True)
