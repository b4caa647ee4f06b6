"""Import catalog files in one transaction: read, validate everything, then write by natural key, or nothing.

The order is fixed so that the promise "one bad row means nothing is written" holds: files are read and
every row parsed, then every reference resolved against the catalog and the import itself, and rows are
written kind by kind in dependency order, inside one session that commits only when no problem was found
anywhere (or rolls back for a dry run, after computing exactly what would have changed). Rows are normally
written once every row is checked. On SQLite, into a catalog without airings, ratings are written as they
resolve, while no problem has been found so far (``_Writing``), so that SQLite writes while Python checks
the next rows: a problem found after that is reported like any other, and the rollback that follows any
failure takes back everything written, the indexes set aside included (SQLite's DDL is transactional).
Readers never see any of it: they see the catalog as last committed until the import commits.

An import may run to a million rows, so for its duration Python's cycle collector is paused and, on
SQLite, the connection's page cache is enlarged; both are put back when it ends, however it ends.
"""

from __future__ import annotations

import asyncio
import csv
import gc
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from operator import attrgetter
from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.db import CatalogSession, SessionFactory
from storage.importing.cells import RowReader
from storage.importing.figures import RatingsWriter, write_ratings
from storage.importing.parse import parse_row, parse_sheet_rows
from storage.importing.pragmas import sqlite_pragmas
from storage.importing.ratings_columns import ratings_from_columns
from storage.importing.readers import RawSheet, Row, not_valid_csv, read_files
from storage.importing.report import ImportReport, KindReport, Location, Problems
from storage.importing.resolve import Parsed, Resolver
from storage.importing.sheets import KIND_ORDER
from storage.importing.upserts import INSERTED, UNCHANGED, UPDATED, WRITERS
from storage.importing.wanted_figures import WantedFigure
from storage.models import Airing, ImportBatch

Progress = Callable[[int, int], None]
_WRITERS: dict[str, Callable[..., Awaitable[None]]] = {**WRITERS, "ratings": write_ratings}
_YIELD_EVERY = 500  # rows between giving the event loop (and the progress bar) a turn
_SQLITE_IMPORT_CACHE_KIB = 256 * 1024  # SQLite's page cache during an import (its default is 2 MiB)

_PARSED_FIELD = {
    "territory_groups": "groups", "companies": "companies", "titles": "titles", "deals": "deals",
    "ratings": "ratings", "releases": "releases", "quotes": "quotes",
}


_PLACE_AND_OUTCOME = attrgetter("at.file", "at.sheet", "outcome")


class _Ticker:
    """Counts rows through validation and writing; ``total`` counts each row twice (checked, then written)."""

    def __init__(self, rows: int, progress: Progress | None) -> None:
        self.done, self.total, self.progress = 0, 2 * rows, progress

    def drop(self, rows: int) -> None:
        """Rows counted in the total that turned out not to be there (a CSV file's size is a bound)."""
        self.total -= 2 * rows

    def __call__(self, rows: int = 1) -> None:
        before, self.done = self.done, self.done + rows
        if self.progress is not None and before // _YIELD_EVERY != self.done // _YIELD_EVERY:
            self.progress(self.done, self.total)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.total, self.total)


def _in_chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    """``rows`` in lists of ``size``; a malformed CSV row raises ``csv.Error`` after the rows before it."""
    chunk: list[Row] = []
    try:
        for row in rows:
            chunk.append(row)
            if len(chunk) == size:
                yield chunk
                chunk = []
    except csv.Error:
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


async def _parse(sheets: list[RawSheet], problems: Problems, tick: _Ticker) -> Parsed:
    """Validate every cell of every sheet; pure work, but it yields now and then so the bot stays responsive.

    Rows are read as they are parsed and only their records kept (a CSV file's raw cells never all at
    once); then each sheet knows its exact row count, and so does the progress total.
    """
    parsed = Parsed()
    for sheet in sheets:
        spec, header, header_problems = parse_sheet_rows(sheet)
        problems.extend(header_problems)
        if header is None:
            tick.drop(sheet.size)  # the header problems say it all; row-by-row noise would hide them
            sheet.release(sheet.size)
            continue
        records = getattr(parsed, _PARSED_FIELD[sheet.kind])
        rows = 0
        try:
            for chunk in _in_chunks(sheet.rows(), _YIELD_EVERY):
                rows += len(chunk)
                # A ratings chunk whose every cell is plainly valid is read column by column, in C mostly.
                plain = ratings_from_columns(header, spec, sheet.file, sheet.sheet, chunk) \
                    if sheet.kind == "ratings" else None
                if plain is not None:
                    records.extend(plain)
                else:
                    for number, cells in chunk:
                        reader = RowReader(spec, header, Location(sheet.file, sheet.sheet, number), cells)
                        record = parse_row(sheet.kind, reader)
                        if reader.problems:
                            problems.extend(reader.problems)
                        elif record is not None:
                            records.append(record)
                tick(len(chunk))
                await asyncio.sleep(0)
        except csv.Error as error:
            problems.add(not_valid_csv(sheet.file, error))
        tick.drop(sheet.size - rows)
        sheet.release(rows)
    return parsed


class _Writing:
    """Writes the import's records kind by kind in dependency order, and reports what each kind did.

    Normally called once every row is checked (``rest``). On SQLite, into a catalog without airings, it
    is also the resolver's ``EarlyWriter``: the kinds before ratings are written once they are resolved
    with no problem anywhere, and ratings as they resolve (``figures.RatingsWriter``), so that SQLite writes
    while Python reads the next rows; a problem found later stops the writing and the import rolls back
    (see ``import_files``).
    """

    def __init__(self, session: CatalogSession, sheets: list[RawSheet], tick: _Ticker) -> None:
        self.session, self.sheets, self.tick = session, sheets, tick
        self.batches: dict[tuple[str, str | None], ImportBatch] = {}
        self.batch_id_of: dict[tuple[str, str | None], int] = {}
        self.reports: dict[str, KindReport] = {}
        self.ratings_writer: RatingsWriter | None = None

    def batch_of(self, at: Location) -> int:
        return self.batch_id_of[(at.file, at.sheet)]

    async def _begin(self) -> None:
        if self.batches:
            return
        for sheet in self.sheets:
            batch = ImportBatch(file_name=sheet.file[:255], sheet=sheet.sheet[:64] if sheet.sheet else None,
                                kind=sheet.kind, sha256=sheet.sha256, rows=sheet.size,
                                inserted=0, updated=0, unchanged=0)
            self.batches[(sheet.file, sheet.sheet)] = batch
        self.session.add_all(self.batches.values())
        await self.session.flush()
        self.batch_id_of = {place: batch.id for place, batch in self.batches.items()}

    async def _kind(self, kind: str, records: list[Any]) -> None:
        if not records and not any(sheet.kind == kind for sheet in self.sheets):
            return
        await _WRITERS[kind](self.session, records, self.batch_of, self.tick)
        self._report(kind, records)
        await asyncio.sleep(0)

    def _report(self, kind: str, records: list[Any]) -> None:
        # Counted in a plain Counter, then set once: a million ORM attribute increments add up.
        outcomes = Counter(map(_PLACE_AND_OUTCOME, records))
        report = self.reports[kind] = KindReport(kind)
        for (file, sheet_name, outcome), number in outcomes.items():
            batch = self.batches[(file, sheet_name)]
            if outcome in (INSERTED, UPDATED, UNCHANGED):
                setattr(report, outcome, getattr(report, outcome) + number)
                setattr(batch, outcome, getattr(batch, outcome) + number)

    async def before_ratings(self, wanted: dict[str, list[Any]], rows: int, titles: Iterable[str],
                             channels: Iterable[str]) -> bool:
        connection = await self.session.connection()
        if connection.dialect.name != "sqlite" or await self._airings_there():
            return False  # PostgreSQL writes one statement at a time; airings there are compared first
        await self._begin()
        if await self._airings_there():  # asked again once this import holds the write lock: none can come now
            return False
        for kind in KIND_ORDER[: KIND_ORDER.index("ratings")]:
            await self._kind(kind, wanted.get(kind, []))
        self.ratings_writer = RatingsWriter(self.session, self.batch_of, self.tick)
        # Every record will be a new figure (none is there to compare with), and at most as many airings.
        await self.ratings_writer.start(titles, channels, rows, rows)
        return True

    async def _airings_there(self) -> bool:
        return await self.session.scalar(select(Airing.id).limit(1)) is not None

    async def ratings(self, figures: list[WantedFigure]) -> None:
        await self.ratings_writer.add(figures)  # type: ignore[union-attr]

    async def after_ratings(self) -> None:
        await self.ratings_writer.finish()  # type: ignore[union-attr]
        self.reports["ratings"] = KindReport("ratings")  # counted with the rest, in ``rest``

    async def rest(self, wanted: dict[str, list[Any]]) -> list[KindReport]:
        """Write every kind not written yet, in order; a report per kind."""
        await self._begin()
        for kind in KIND_ORDER:
            if kind == "ratings" and kind in self.reports:  # written as they resolved
                await self.ratings_writer.build_indexes()  # type: ignore[union-attr]
                self._report(kind, wanted.get(kind, []))
            elif kind not in self.reports:
                await self._kind(kind, wanted.get(kind, []))
        await self.session.flush()
        return [self.reports[kind] for kind in KIND_ORDER if kind in self.reports]

    async def close(self) -> None:
        """Wait for ratings still being written (an import that fails leaves them to its rollback)."""
        if self.ratings_writer is not None:
            await self.ratings_writer.close()


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the import; reference counting frees memory as always.

    An import keeps every row alive (read, parsed, resolved) until all are written, and each full
    collection walks all of them again: on a ratings file that was a fifth of the import's time, growing
    with the file. The few cycles made meanwhile (SQLAlchemy's session has some) wait for the collector,
    which runs again when the import ends, however it ends, unless it was off already. When two imports
    overlap, the first to end turns it back on; the other then merely finishes with it on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@asynccontextmanager
async def _sqlite_import_cache(session: CatalogSession) -> AsyncIterator[None]:
    """On SQLite, a bigger page cache for the import's transaction; the connection's own size again after.

    Each audience figure goes into a dozen B-trees (the table, its unique constraint and indexes), so the
    default 2 MiB cache fills after a few thousand rows; SQLite then spills dirty pages into the file in
    the middle of the transaction, syncing the rollback journal before each spill. With room in memory
    they are written once, at commit. Atomicity and durability are untouched (the journal and the syncs at
    commit are as before, unlike ``journal_mode=OFF`` or ``synchronous=OFF``); the cache only grows as far
    as the import needs, and is put back before the session lets the connection go (``sqlite_pragmas``),
    so the pool never keeps a big cache.
    """
    async with sqlite_pragmas(await session.connection(), cache_size=-_SQLITE_IMPORT_CACHE_KIB):
        yield


async def import_files(session_factory: SessionFactory, paths: Sequence[Path], *, dry_run: bool = False,
                       progress: Progress | None = None) -> ImportReport:
    """Import CSV and .xlsx files into the catalog, all or nothing, in one session opened here.

    Raises ``ImportFailed`` listing every problem found (file, sheet, row, column, value and why) when
    anything is wrong; then nothing is written. ``dry_run`` checks and counts as a real import would, then
    rolls back. ``progress(done, total)`` is called on the event loop as rows are checked and written.
    """
    with _cycle_collector_paused():
        # Returned from its own frame, so that every record the import held is freed by reference counting
        # before the collector runs again: its first collection would otherwise walk them all (1.5 s at a
        # million ratings rows).
        return await _import(session_factory, list(paths), dry_run=dry_run, progress=progress)


async def _import(session_factory: SessionFactory, paths: list[Path], *, dry_run: bool,
                  progress: Progress | None) -> ImportReport:
    read = await asyncio.to_thread(read_files, paths)  # file I/O and unzipping .xlsx stay off the event loop
    problems = Problems()
    problems.extend(read.problems)
    tick = _Ticker(sum(sheet.size for sheet in read.sheets), progress)
    parsed = await _parse(read.sheets, problems, tick)
    async with session_factory() as session:
        try:
            async with _sqlite_import_cache(session):
                writing = _Writing(session, read.sheets, tick)
                try:
                    # Ratings may be written as they resolve, while no problem is found (see _Writing): a
                    # problem found after that fails the import like any other, and the rollback below
                    # takes back whatever was written.
                    wanted = await Resolver(session, problems).run(parsed, writing)
                    if problems:
                        raise problems.fail()
                    kinds = await writing.rest(wanted)
                finally:
                    await writing.close()
        except BaseException:
            await session.rollback()
            raise
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
    tick.finish()
    return ImportReport(files=[path.name for path in paths], kinds=kinds, dry_run=dry_run, skipped=read.skipped)
