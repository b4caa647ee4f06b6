"""On SQLite, a big import builds a table's secondary indexes once, after its rows, instead of row by row.

Each audience figure goes into its table and eleven B-trees (migration 0003's best-first indexes among
them). Keeping a B-tree in order one row at a time costs far more than building it from the finished
table, which SQLite does by sorting: on a million new figures, inserting with every index in place took
almost twice as long as inserting without them and building them after. So when an import brings many
rows for a table relative to what it holds (see ``worth_rebuilding``), the indexes made for it by
``CREATE INDEX`` are dropped inside the import's transaction (``IndexRebuild``), the rows inserted, and
each index created again from the very SQL SQLite kept for it (``sqlite_master``): same name, columns,
order and options. The models' ``Index`` objects would give the same SQL for the indexes they define; the
file's own SQL is what was there, even in a catalog whose indexes differ from the models'.

Why this is safe:

- UNIQUE constraints stay (their indexes cannot be dropped). A unique index made by ``CREATE UNIQUE
  INDEX`` (the airings' natural key, migration 0007) is set aside like the others: the importer gives each
  new airing a key no airing has (it compared them with the catalog's and its own), and building the index
  again checks every key of the table, so a repeated one fails the import there (``IntegrityError``) and
  the rollback takes everything back. In the meantime nothing in the import looks airings up by key.
- SQLite's DDL is transactional, and all of it happens inside the import's one transaction: a failure
  anywhere (a row the database refuses, an error between drop and rebuild) rolls the drop back with
  everything else, and the database is as it was, indexes included. The drop only ever happens in a
  transaction that has already written, because Python's sqlite3 opens a transaction only before a
  data-changing statement: DDL outside one would commit on its own.
- Other connections keep reading the catalog as last committed, indexes included: in rollback-journal mode
  (the default, ``storage.db``) the change lives in this connection's cache until commit; in WAL mode, in
  the log behind their snapshot. Once the import must write to the file (a full cache, or the commit) it
  takes the exclusive lock, and readers wait for it as for any big import.

Not on PostgreSQL: ``DROP INDEX`` takes an ACCESS EXCLUSIVE lock on the table until commit, so every
reader of the table (ratings, top, title cards) would wait for the whole import; there the indexes are
kept and maintained row by row.
"""

from __future__ import annotations

import os

from sqlalchemy import Table, func, select, text

from storage.db import CatalogSession
from storage.importing.pragmas import sqlite_pragmas

# Building an index sorts every row of the table, those already there too; maintaining it costs per new
# row, more as the table grows. Measured on the 2-core bench machine (docs/performance.md), importing into
# 1,000,000 figures and as many airings: 100,000 new rows took 25 s maintained and 50 s rebuilt; 300,000
# broke even (52-67 s either way); 600,000 took 93 s maintained and 78 s rebuilt. So the rebuild waits
# for half as many new rows as the table holds, comfortably past the break-even,
REBUILD_FROM_SHARE = 0.5
# and for an import big enough to matter: below this, either way takes seconds.
MIN_ROWS_TO_REBUILD = 50_000

# SQLite builds an index by sorting the table's keys: in memory up to a run as big as the page cache, each
# run written to a temporary file and the runs merged. With the import's big cache a million keys were one
# run, sorted by the connection's thread alone. Small runs, sorted by worker threads (``PRAGMA threads``)
# while the connection's thread reads on, built the fourteen indexes of 1,000,000 airings and 1,200,000
# figures in 11.9 s instead of 22.4 (one run, no workers) on the 2-core bench machine; small runs without
# workers took 19.6 s. So the cache is this small while the indexes are built, and there are as many
# workers as cores (at most four: a sort has little more to split).
SORT_RUN_KIB = 2 * 1024
SORT_THREADS = min(4, os.cpu_count() or 1)


def worth_rebuilding(new_rows: int, rows_held: int) -> bool:
    return new_rows >= MIN_ROWS_TO_REBUILD and new_rows >= REBUILD_FROM_SHARE * rows_held


async def secondary_indexes(session: CatalogSession, table: Table) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of ``table``'s indexes made by CREATE INDEX (unique or not) on SQLite, as
    SQLite keeps them: not those of the primary key or of UNIQUE constraints, which go only with the table."""
    connection = await session.connection()
    listed = (await connection.exec_driver_sql(f'PRAGMA index_list("{table.name}")')).mappings()
    # origin: 'c' made by CREATE INDEX, 'u' by a UNIQUE constraint, 'pk' by the primary key
    names = [row["name"] for row in listed if row["origin"] == "c"]
    found: list[tuple[str, str]] = []
    for name in sorted(names):
        sql = await connection.scalar(text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"),
                                      {"name": name})
        if sql:
            found.append((name, sql))
    return found


class IndexRebuild:
    """``table``'s indexes, set aside for many new rows (``set_aside_for``) and built again after.

    On SQLite only, when it pays (``worth_rebuilding``). They are created again by ``build_again``, once the
    rows are in; on a failure they are left to the rollback that must follow (the caller's transaction must
    roll back on any error, as ``import_files`` does), which restores them with the rows as they were.
    """

    def __init__(self, session: CatalogSession, table: Table) -> None:
        self.session, self.table = session, table
        self.indexes: list[tuple[str, str]] = []

    async def set_aside_for(self, new_rows: int) -> bool:
        """Drop the indexes if ``new_rows`` are coming and it pays; whether it did."""
        connection = await self.session.connection()
        if connection.dialect.name != "sqlite" or new_rows == 0:
            return False
        # Python's sqlite3 opens a transaction only before a statement that changes data: DDL outside one
        # would be committed on its own, and no rollback could bring the indexes back.
        raw = await connection.get_raw_connection()
        # How many rows the table holds, bounded from above by its highest id (read off the key, no scan).
        held = await connection.scalar(select(func.max(self.table.c.id)))
        if not getattr(raw.driver_connection, "in_transaction", False) or not worth_rebuilding(new_rows, held or 0):
            return False
        self.indexes = await secondary_indexes(self.session, self.table)
        for name, _ in self.indexes:
            await connection.exec_driver_sql(f'DROP INDEX "{name}"')
        return True

    async def build_again(self) -> None:
        """Create again the indexes set aside (none if there were none), sorting in small runs on worker
        threads (``SORT_RUN_KIB``, ``SORT_THREADS``). The smaller cache spills the import's pages into the
        file meanwhile, through the rollback journal as any spill: they are written once either way."""
        connection = await self.session.connection()
        indexes, self.indexes = self.indexes, []
        if not indexes:
            return
        async with sqlite_pragmas(connection, threads=SORT_THREADS, cache_size=-SORT_RUN_KIB):
            for _, sql in indexes:
                await connection.exec_driver_sql(sql)
