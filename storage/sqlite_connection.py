"""SQLite connections that run a statement and fetch its rows in one trip to the connection's thread.

aiosqlite keeps each sqlite3 connection on a thread of its own and sends it every call: SQLAlchemy's adapter
makes four such trips a statement (open a cursor, execute, fetch all, close), and the session two more
(a rollback on close and one on return to the pool). A trip costs about 70 µs on the 2-core machine of
``docs/performance.md`` (the thread hands its answer back through the event loop), more than most of the
catalog's queries take in SQLite: the title card's eight statements made 34 trips, a quarter of its time.

``PrefetchingConnection`` is an ``aiosqlite.Connection`` whose cursors are made on the caller's side (the
sqlite3 cursor itself on the thread, with the first statement), and whose ``execute`` brings back up to
``PREFETCH_ROWS`` rows with it: a result of that many rows or fewer is complete after one trip, and its
statement already reset in SQLite (no read lock held). A longer result (a streamed name index, an export) is
fetched on in further trips as asked, so streaming stays streaming. ``rollback`` and ``commit`` outside a
transaction (a session that only read) return without a trip: there is nothing for SQLite to do.

``storage.db.create_engine`` hands these to SQLAlchemy's ``sqlite+aiosqlite`` dialect through
``async_creator``, with the same arguments SQLAlchemy would give ``aiosqlite.connect``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL

# Rows brought back with the statement itself. Enough for every list the commands show (a territory's 200
# figures, 200 deals), few enough that a streamed result is not read whole.
PREFETCH_ROWS = 1_000

_Row = Any  # a tuple (or the connection's row factory's type)


class PrefetchingCursor(aiosqlite.Cursor):
    """An ``aiosqlite.Cursor`` whose ``execute`` returns with the statement's first rows already fetched.

    Rows not yet handed out wait in ``_buffer``; ``_exhausted`` says the statement has no more (it ran to the
    end, or returns none), so fetching further needs no trip.
    """

    def __init__(self, conn: PrefetchingConnection) -> None:
        # The sqlite3 cursor belongs to the connection's thread: it is made there, with the first statement.
        super().__init__(conn, None)  # type: ignore[arg-type]
        self._buffer: list[_Row] = []
        self._exhausted = True
        self._arraysize = 1

    # --- on the connection's thread ----------------------------------------------------------------------

    def _sqlite_cursor(self) -> sqlite3.Cursor:
        if self._cursor is None:
            self._cursor = self._conn._conn.cursor()
        return self._cursor

    def _run(self, sql: str, parameters: Any) -> tuple[list[_Row], bool]:
        cursor = self._sqlite_cursor()
        cursor.execute(sql, parameters)
        if cursor.description is None:
            return [], True
        rows = cursor.fetchmany(PREFETCH_ROWS)
        return rows, len(rows) < PREFETCH_ROWS

    def _run_many(self, sql: str, parameters: Any) -> None:
        self._sqlite_cursor().executemany(sql, parameters)

    def _run_script(self, script: str) -> None:
        self._sqlite_cursor().executescript(script)

    def _fetch(self, size: int | None) -> list[_Row]:
        return self._cursor.fetchall() if size is None else self._cursor.fetchmany(size)

    # --- aiosqlite's cursor API ----------------------------------------------------------------------------

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> PrefetchingCursor:
        self._buffer, self._exhausted = await self._conn._execute(self._run, sql, parameters or ())
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> PrefetchingCursor:
        self._buffer, self._exhausted = [], True
        await self._conn._execute(self._run_many, sql, parameters)
        return self

    async def executescript(self, sql_script: str) -> PrefetchingCursor:
        self._buffer, self._exhausted = [], True
        await self._conn._execute(self._run_script, sql_script)
        return self

    async def fetchone(self) -> _Row | None:
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def fetchmany(self, size: int | None = None) -> list[_Row]:
        wanted = self.arraysize if size is None else size
        rows, self._buffer = self._buffer[:wanted], self._buffer[wanted:]
        if len(rows) < wanted and not self._exhausted:
            more = await self._conn._execute(self._fetch, wanted - len(rows))
            self._exhausted = len(more) < wanted - len(rows)
            rows += more
        return rows

    async def fetchall(self) -> list[_Row]:
        rows, self._buffer = self._buffer, []
        if not self._exhausted:
            rows += await self._conn._execute(self._fetch, None)
            self._exhausted = True
        return rows

    async def close(self) -> None:
        """Close the cursor; one that was read to the end is left to be collected (its statement is already
        reset), one that was not is closed on the thread, which releases SQLite's read lock."""
        self._buffer = []
        if self._cursor is not None and not self._exhausted:
            self._exhausted = True
            await self._conn._execute(self._cursor.close)

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value  # every fetch on the thread is given its size: the sqlite3 cursor's is unused

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount if self._cursor is not None else -1

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid if self._cursor is not None else None

    @property
    def description(self) -> Any:
        return self._cursor.description if self._cursor is not None else None


class PrefetchingConnection(aiosqlite.Connection):
    """An ``aiosqlite.Connection`` with ``PrefetchingCursor`` cursors, and no trip for an empty transaction's
    end."""

    @contextmanager
    async def cursor(self) -> PrefetchingCursor:  # type: ignore[override]
        return PrefetchingCursor(self)

    async def commit(self) -> None:
        if self._in_transaction():
            await super().commit()

    async def rollback(self) -> None:
        if self._in_transaction():
            await super().rollback()

    def _in_transaction(self) -> bool:
        # sqlite3 reads this flag off the connection without a check of the thread, and nothing else runs on
        # the connection meanwhile: SQLAlchemy waits for each call before the next.
        return self._connection is not None and self._connection.in_transaction


def prefetching_creator(url: URL) -> Callable[[], Awaitable[PrefetchingConnection]]:
    """``create_async_engine``'s ``async_creator`` for ``url``: connects as ``aiosqlite.connect`` would, with
    the arguments SQLAlchemy's dialect derives from the URL (the file, ``uri``, ``timeout`` and the like)."""
    args, options = SQLiteDialect_aiosqlite().create_connect_args(url)
    connector = partial(sqlite3.connect, *args, **options)

    async def create() -> PrefetchingConnection:
        connection = PrefetchingConnection(connector, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does with aiosqlite's own: never blocks exit
        await connection  # starts its thread and connects there
        return connection

    return create

