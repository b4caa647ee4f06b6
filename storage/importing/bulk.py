"""Bulk reading and writing for imports that run to millions of rows: plain rows and columns, no ORM.

Reading: ``rows_where_in`` asks about many keys in chunks with one statement (an expanding IN), as plain
rows. Writing: ``ColumnInsert``, with ids handed out ahead (``reserve_ids``) so nothing is read back, its
chunks handed to SQLite through ``Pipeline`` so that Python prepares the next while SQLite writes one.

SQLAlchemy's executemany builds a parameter dictionary for every row and passes each value through its
generic parameter machinery: at a million figures that was a third of the time spent writing. Here the
INSERT is compiled once by SQLAlchemy for the connection's dialect (its SQL, paramstyle and bind processors
are SQLAlchemy's own), the few processors there are (dates and decimals on SQLite) run once per distinct
value, and the driver's executemany gets plain tuples.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from typing import Any, TypeVarTuple

from sqlalchemy import BindParameter, Select, Table, bindparam, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import CatalogSession, in_chunks

ROWS_PER_STATEMENT = 5000  # rows per executemany: big enough to amortize a round trip, small enough to yield
_MOST_BINDS = 32_000  # bound values in one multi-row INSERT on SQLite (its limit is 32,766)
_MEMO_LIMIT = 100_000  # distinct values a bind processor's memo holds before it starts again

_Columns = TypeVarTuple("_Columns")
# The IN list of ``rows_where_in`` queries: one statement for every chunk, not one bound parameter per value.
VALUES: BindParameter[Any] = bindparam("values", expanding=True)


async def rows_where_in(session: CatalogSession, query: Select[*_Columns], values: Iterable[Any]) -> list[Any]:
    """The rows of ``query`` (whose IN list is ``VALUES``) over all ``values``, asked in chunks.

    Plain Core rows on the session's connection (nothing pending is flushed first): nothing here becomes
    an ORM object, and an import may ask about a hundred thousand titles or a million airings.
    """
    connection = await session.connection()
    rows: list[Any] = []
    for chunk in in_chunks(sorted(set(values))):
        rows.extend((await connection.execute(query, {"values": list(chunk)})).all())
    return rows


class ColumnInsert:
    """An INSERT of ``columns`` into ``table``, given each chunk of rows column by column.

    Column by column, so that the caller picks each column out of its records with ``map`` and the
    rows are assembled by ``zip``, both in C: at a million rows, building each row's tuple in Python
    was a fifth of the time spent writing.
    """

    def __init__(self, connection: AsyncConnection, table: Table, columns: Sequence[str]) -> None:
        self.connection = connection
        dialect = connection.dialect
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns), for_executemany=True)
        order = compiled.positiontup
        if not compiled.positional or order is None or sorted(order) != sorted(columns):
            raise ValueError(f"{dialect.name} does not compile an INSERT into {table.name} with one bind per column")
        self.sql = str(compiled)
        # Which given column each bound position takes, and the processor it goes through (None: as it is),
        # with what it gave for each value so far: a file repeats its dates and shares on every row, and
        # SQLite's date processor formats in Python.
        self.sources = [list(columns).index(name) for name in order]
        self.processors: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = []
        for position, name in enumerate(order):
            processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors.append((position, processor, {}))

    def rows(self, columns: Sequence[Iterable[Any]]) -> list[tuple[Any, ...]]:
        """The driver's rows for one chunk, given as one iterable per column."""
        bound = [columns[i] for i in self.sources]
        for position, processor, memo in self.processors:
            values = list(bound[position])
            try:
                unseen = set(values).difference(memo)
            except TypeError:  # unhashable values: processed one by one
                bound[position] = [None if value is None else processor(value) for value in values]
                continue
            if len(memo) + len(unseen) > _MEMO_LIMIT:
                memo.clear()
                unseen = set(values)
            memo.update((value, None if value is None else processor(value)) for value in unseen)
            bound[position] = map(memo.__getitem__, values)
        return list(zip(*bound, strict=True))


Statement = tuple[ColumnInsert, list[tuple[Any, ...]]]  # an INSERT and the rows of one executemany


class Pipeline:
    """Chunks of INSERTs, at most one at a time in flight: on SQLite, written while the caller goes on.

    aiosqlite runs the sqlite3 connection on a thread of its own, and sqlite3 lets go of the GIL while
    SQLite works: awaiting each chunk left the event loop idle for as long as SQLite took, and SQLite idle
    while Python prepared the next rows (each about half of an import's time). ``submit`` hands the
    connection's thread a chunk's statements in one call and returns at once; the next ``submit`` (or
    ``settle``) first waits for it, so chunks are written in order, one after another, and the rows of at
    most two chunks are held. A statement the database refuses raises at that wait, as SQLAlchemy's own
    error for it (``IntegrityError`` and the like), and the transaction must then roll back as after any
    failed write. Nothing but the caller writes on the connection meanwhile; a read it sends (through
    SQLAlchemy, on the same thread) runs after the chunk in flight, and sees it.

    On SQLite the rows go as multi-row ``INSERT ... VALUES (...), (...)``, thousands a statement, not by
    executemany: executemany takes the GIL back after every row, and while the event loop's thread runs
    Python it gets it only every switch interval (5 ms), which slowed its rows twentyfold (400,000 airings:
    3.2 s alone, 55 s beside a busy Python thread; multi-row, 3.9 and 4.6 s). The values are the same,
    bound the same way.

    On PostgreSQL (asyncpg takes one statement at a time on a connection) each chunk is written before
    ``submit`` returns, by executemany.
    """

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._in_flight: asyncio.Future[None] | None = None
        self._sql = ""

    async def submit(self, statements: Sequence[Statement]) -> None:
        """Write the statements in order: on SQLite, queued behind nothing (the chunk before is waited for)."""
        await self.settle()
        statements = [(into, rows) for into, rows in statements if rows]
        if self.connection.dialect.name != "sqlite":
            for into, rows in statements:
                await self.connection.exec_driver_sql(into.sql, rows)
            return
        driver: Any = (await self.connection.get_raw_connection()).driver_connection  # an aiosqlite.Connection
        self._sql = "; ".join(into.sql for into, _ in statements)
        # aiosqlite's call on its thread (as storage.sqlite_connection's cursors make it): queued now, in
        # order with every later call on the connection, and awaited by the next submit or settle.
        self._in_flight = asyncio.ensure_future(driver._execute(_write_rows, driver, statements))
        await asyncio.sleep(0)  # the task puts the call on the thread's queue before anything else goes there

    async def settle(self) -> None:
        """Wait for the chunk in flight; its error, if the database refused it."""
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is None:
            return
        try:
            await in_flight
        except sqlite3.Error as error:
            raise DBAPIError.instance(self._sql, None, error, sqlite3.Error) from error

    async def abandon(self) -> None:
        """Wait for the chunk in flight, if any, leaving its error to the rollback that must follow."""
        with contextlib.suppress(Exception):  # the import fails already, for the reason it reports
            await self.settle()


def _write_rows(driver: Any, statements: Sequence[Statement]) -> None:
    """On the connection's thread: each statement's rows, a multi-row INSERT for as many as SQLite binds."""
    connection: sqlite3.Connection = driver._conn
    most = min(connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), _MOST_BINDS)
    for into, rows in statements:
        head, _, values = into.sql.partition(" VALUES ")
        width = len(rows[0])
        per = max(1, most // width)
        for start in range(0, len(rows), per):
            block = rows[start : start + per]
            connection.execute(f"{head} VALUES {', '.join([values] * len(block))}", list(chain.from_iterable(block)))


async def reserve_ids(session: CatalogSession, table: Table, count: int) -> Sequence[int]:
    """``count`` ids for new rows of ``table`` that no other row can take, so rows go in with their ids.

    SQLite: ids past the highest. The import's transaction has written already (its batch rows, before any
    kind), so it holds SQLite's single write lock until it ends: no other connection can add a row until
    then, and in this one only the caller adds rows to ``table``. The ids are those SQLite itself would give
    (one past the highest). PostgreSQL: the id column's sequence hands them out, once, whoever else inserts.
    """
    if count == 0:
        return range(0)
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        raw = await connection.get_raw_connection()
        if not getattr(raw.driver_connection, "in_transaction", False):
            raise RuntimeError("ids are reserved inside a transaction that has written (and so holds the lock)")
        highest = await connection.scalar(select(func.max(table.c.id)))
        return range((highest or 0) + 1, (highest or 0) + 1 + count)
    result = await connection.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
        {"table": table.name, "count": count},
    )
    return [id_ for (id_,) in result]
