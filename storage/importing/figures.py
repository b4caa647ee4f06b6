"""Write ratings rows: one audience figure each, of an airing that is found by natural key or made.

Ratings are the kind that runs to millions of rows, so nothing here goes through the ORM per new row:
new airings and figures are inserted in chunks, column by column (``bulk.ColumnInsert``), new airings get their
ids ahead (``bulk.reserve_ids``) so their figures need no read-back, and on SQLite a big import builds
the secondary indexes after the rows (``index_rebuild``). Only airings that already exist are loaded as
objects, with their figures, so that a figure already there is compared and updated (or left alone) like
any other record. The new rows go to ``RatingsWriter`` in chunks, which on SQLite are written while Python
makes the next (``bulk.Pipeline``); into a catalog without airings, as the resolver makes them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import filterfalse, repeat
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import Table, select

from storage.db import CatalogSession, in_chunks
from storage.importing.bulk import ROWS_PER_STATEMENT, VALUES, ColumnInsert, Pipeline, reserve_ids, rows_where_in
from storage.importing.index_rebuild import IndexRebuild
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
    writer = RatingsWriter(session, batch_of, tick)
    # Each airing's id and the columns its figures copy from it (title and channel ids), by its key: a new
    # figure looks them up once, not three times in three maps (at a million rows, each lookup in a map of
    # a hundred thousand titles or a million airings misses the CPU's caches).
    writer.airing_of.update((key, (airing.id, airing.title_id, airing.channel_id)) for key, airing in airings.items())
    new_airings: dict[str, WantedFigure] = {}  # the first row of each new airing
    inserted: list[WantedFigure] = []  # in file order, which is the order of the new figures' ids
    for w in wanted:
        airing = airings.get(w.airing_key)
        if airing is None:
            new_airings.setdefault(w.airing_key, w)
            inserted.append(w)
            continue
        # Every row of an existing airing sets its timeslot.
        set_fields(airing, {"timeslot": w.timeslot})
        figure = figures.get((airing.id, w.target_key, w.figure[1]))
        if figure is None:
            inserted.append(w)
            continue
        changed = set_fields(figure, dict(zip(FIGURE_COLUMNS, w.figure, strict=True)))
        w.outcome = UPDATED if changed else UNCHANGED
        if changed:
            figure.batch_id = batch_of(w.at)
        tick(1)
    del figures, airings
    firsts = new_airings.values()
    await writer.start(set(map(_TITLE, firsts)), set(map(_CHANNEL, firsts)), len(new_airings), len(inserted))
    del new_airings, firsts
    try:
        for start in range(0, len(inserted), ROWS_PER_STATEMENT):
            await writer.add(inserted[start : start + ROWS_PER_STATEMENT])
        await writer.finish()
        await writer.build_indexes()
    finally:
        await writer.close()


class RatingsWriter:
    """Inserts new figures, and the new airings they belong to, a chunk at a time as they are handed over.

    Each record given to ``add`` is a new figure (``write_ratings`` compares with the catalog first; an
    import into a catalog without airings hands its records over as the resolver makes them, since every
    one is new). Its airing is one already known (found in the catalog, or new in an earlier chunk) or a
    new one, which gets the next id (``bulk.reserve_ids``): airings get their ids in the order the file
    first names them, figures in file order. Chunks go through a ``bulk.Pipeline``, so on SQLite the
    connection's thread writes one chunk while Python makes the next (and the resolver resolves further
    rows). ``finish`` writes what is left, ``build_indexes`` builds the indexes set aside again; ``close``
    waits for a chunk still in flight, however the import ends.
    """

    def __init__(self, session: CatalogSession, batch_of: Callable[[Location], int], tick: Tick) -> None:
        self.session, self.batch_of, self.tick = session, batch_of, tick
        self.airing_of: dict[str, tuple[int, int, int]] = {}  # airing key -> (id, title id, channel id)
        self.held: list[WantedFigure] = []

    async def start(self, titles: Iterable[str], channels: Iterable[str], new_airings: int, new_figures: int) -> None:
        """Ready to write: the ids of ``titles`` and ``channels`` (natural keys, at least those the new
        airings name) and the indexes set aside when about ``new_airings`` and ``new_figures`` (at most)
        make it pay (``index_rebuild``)."""
        self.title_ids = await ids_of(self.session, Title.natural_key, titles)
        self.channel_ids = await ids_of(self.session, Company.natural_key, channels)
        connection = await self.session.connection()
        self.pipeline = Pipeline(connection)
        self.airings = ColumnInsert(connection, _table(Airing), AIRING_COLUMNS)
        self.figures = ColumnInsert(connection, _table(AudienceFigure), NEW_FIGURE_COLUMNS)
        self.rebuilds = [IndexRebuild(self.session, _table(Airing)), IndexRebuild(self.session, _table(AudienceFigure))]
        for rebuild, rows in zip(self.rebuilds, (new_airings, new_figures), strict=True):
            await rebuild.set_aside_for(rows)
        # On SQLite one id past the highest, then counted on here: the rows in flight are this writer's own.
        self.next_id = (await reserve_ids(self.session, _table(Airing), 1))[0] \
            if connection.dialect.name == "sqlite" else None

    async def add(self, records: list[WantedFigure]) -> None:
        """Write these new figures (and their new airings) in chunks of ``ROWS_PER_STATEMENT``."""
        self.held.extend(records)
        if len(self.held) >= ROWS_PER_STATEMENT:
            held, self.held = self.held, []
            await self._write(held)

    async def finish(self) -> None:
        """Write the rows still held and wait for them; then ``build_indexes``."""
        if self.held:
            held, self.held = self.held, []
            await self._write(held)
        await self.pipeline.settle()
        self.airing_of, self.title_ids, self.channel_ids = {}, {}, {}  # a million airings' ids, needed no more

    async def build_indexes(self) -> None:
        """Create again the indexes set aside. Apart from ``finish``, so that an import writing ratings as they
        resolve builds them once its resolver (and what the resolver held) is gone: the memory SQLite sorts
        in comes on top of what Python holds."""
        for rebuild in self.rebuilds:
            await rebuild.build_again()
        await self.session.flush()

    async def close(self) -> None:
        pipeline: Pipeline | None = getattr(self, "pipeline", None)
        if pipeline is not None:
            await pipeline.abandon()

    async def _write(self, chunk: list[WantedFigure]) -> None:
        airing_of = self.airing_of
        deque(map(setattr, chunk, repeat("outcome"), repeat(INSERTED)), maxlen=0)  # w.outcome = INSERTED, in C
        chunk_keys = list(map(_AIRING_KEY, chunk))
        # The chunk's new airings, each with its first row, in file order; in most chunks each row is the only
        # row of a new airing, and then the rows are the airings' own.
        keys = list(filterfalse(airing_of.__contains__, dict.fromkeys(chunk_keys)))
        if len(keys) == len(chunk):
            new = chunk
        else:
            first_row = dict(zip(reversed(chunk_keys), reversed(chunk), strict=True))  # the earliest row wins
            new = list(map(first_row.__getitem__, keys))
        statements = []
        if keys:
            if self.next_id is None:
                ids: Sequence[int] = await reserve_ids(self.session, _table(Airing), len(keys))
            else:
                ids, self.next_id = range(self.next_id, self.next_id + len(keys)), self.next_id + len(keys)
            title_ids = list(map(self.title_ids.__getitem__, map(_TITLE, new)))
            channel_ids = list(map(self.channel_ids.__getitem__, map(_CHANNEL, new)))
            territory, date, timeslot, episode = _columns(new, _AIRING_FIELDS)
            statements.append((self.airings, self.airings.rows(
                [ids, keys, title_ids, territory, channel_ids, date, timeslot, episode])))
            airing_of.update(zip(keys, zip(ids, title_ids, channel_ids, strict=True), strict=True))
        # A figure's copies of its airing's columns: the airing's ids, and from its row the rest of its
        # airing's key.
        airing_id: Sequence[int]
        title_id: Sequence[int]
        channel_id: Sequence[int]
        if new is chunk:  # each row the first of its new airing: the ids just given
            airing_id, title_id, channel_id = ids, title_ids, channel_ids
        else:
            airing_id, title_id, channel_id = zip(*map(airing_of.__getitem__, chunk_keys), strict=True)
        copied = [airing_id, title_id, map(_TERRITORY, chunk), channel_id, map(_AIR_DATE, chunk)]
        statements.append((self.figures, self.figures.rows(
            [*copied, *_columns(chunk, _FIGURE), map(self.batch_of, map(_AT, chunk))])))
        await self.pipeline.submit(statements)
        self.tick(len(chunk))


def _columns(records: list[WantedFigure], fields: Callable[[WantedFigure], Any]) -> Iterator[tuple[Any, ...]]:
    """The columns of ``fields`` (a tuple per record), for a non-empty list of records."""
    return zip(*map(fields, records), strict=True)
