"""Bulk reading and writing for imports that run to millions of rows: plain rows and columns, no ORM.

Reading: ``rows_where_in`` asks about many keys in chunks with one statement (an expanding IN), as plain
rows. Writing: ``ColumnInsert``, with ids handed out ahead (``reserve_ids``) so nothing is read back.

SQLAlchemy's executemany builds a parameter dictionary for every row and passes each value through its
generic parameter machinery: at a million figures that was a third of the time spent writing. Here the
INSERT is compiled once by SQLAlchemy for the connection's dialect (its SQL, paramstyle and bind processors
are SQLAlchemy's own), the few processors there are (dates and decimals on SQLite) run once per distinct
value, and the driver's executemany gets plain tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVarTuple

from sqlalchemy import BindParameter, Select, Table, bindparam, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import CatalogSession, in_chunks

ROWS_PER_STATEMENT = 5000  # rows per executemany: big enough to amortize a round trip, small enough to yield
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

    def _rows(self, columns: Sequence[Iterable[Any]]) -> list[tuple[Any, ...]]:
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

    async def __call__(self, columns: Sequence[Iterable[Any]]) -> int:
        """Insert one chunk of rows, given as one iterable per column (one executemany); how many rows."""
        rows = self._rows(columns)
        if rows:
            await self.connection.exec_driver_sql(self.sql, rows)
        return len(rows)


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
