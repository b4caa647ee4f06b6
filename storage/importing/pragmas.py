"""SQLite settings an import changes on its connection for a while, and puts back however it ends.

A pooled connection goes on to serve lookups after the import, so every setting changed for the import
(the page cache, the sorter's threads) must be the connection's own again before the session lets it go.
Should putting one back fail (the connection broke), the connection is dropped from the pool instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection


@asynccontextmanager
async def sqlite_pragmas(connection: AsyncConnection, **values: int) -> AsyncIterator[None]:
    """Set these integer pragmas (``cache_size=-2048``, ``threads=2``) for the block, then put back the
    connection's own values, in reverse order. On PostgreSQL, nothing."""
    if connection.dialect.name != "sqlite":
        yield
        return
    previous: dict[str, int] = {}
    try:
        for name, value in values.items():
            previous[name] = int((await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one())
            await connection.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
    except BaseException:
        await _put_back(connection, previous, quiet=True)
        raise
    try:
        yield
    except BaseException:
        await _put_back(connection, previous, quiet=True)  # the block's own error is the one to report
        raise
    await _put_back(connection, previous, quiet=False)


async def _put_back(connection: AsyncConnection, previous: dict[str, int], *, quiet: bool) -> None:
    try:
        for name, value in reversed(previous.items()):
            await connection.exec_driver_sql(f"PRAGMA {name} = {value}")
    except Exception:
        if not connection.closed:
            await connection.invalidate()  # never pool a connection that keeps the import's settings
        if not quiet:
            raise
