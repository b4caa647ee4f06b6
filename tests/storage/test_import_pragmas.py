"""``sqlite_pragmas``: an import's settings last the block; a connection that cannot take them back leaves the pool."""

from __future__ import annotations

import pytest
import sqlalchemy.exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import SessionFactory
from storage.importing.pragmas import sqlite_pragmas


async def pragma(engine: AsyncEngine, name: str) -> int:
    async with engine.connect() as connection:
        return int((await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one())


async def test_the_settings_last_the_block_and_go_back_after_an_error(sqlite_engine: AsyncEngine) -> None:
    own = await pragma(sqlite_engine, "cache_size"), await pragma(sqlite_engine, "threads")
    async with sqlite_engine.connect() as connection:
        async with sqlite_pragmas(connection, cache_size=-4096, threads=2):
            assert (await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one() == -4096
            assert (await connection.exec_driver_sql("PRAGMA threads")).scalar_one() == 2
        with pytest.raises(RuntimeError, match="the block's own"):
            async with sqlite_pragmas(connection, cache_size=-8192, threads=1):
                raise RuntimeError("the block's own error")
        assert ((await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one(),
                (await connection.exec_driver_sql("PRAGMA threads")).scalar_one()) == own


async def broken_within(connection: AsyncConnection, *, then_raise: bool) -> None:
    """Set a pragma, then break the connection inside the block (and raise an error of the block's own)."""
    raw = await connection.get_raw_connection()
    async with sqlite_pragmas(connection, cache_size=-4096):
        await raw.driver_connection.close()  # type: ignore[union-attr]
        if then_raise:
            raise RuntimeError("the block's own error")


@pytest.mark.parametrize("then_raise", [False, True])
async def test_a_connection_that_cannot_put_them_back_is_dropped(sqlite_engine: AsyncEngine, then_raise: bool) -> None:
    """The block broke the connection: its own error is reported if it raised one, else the failed put-back."""
    async with sqlite_engine.connect() as connection:
        expected = RuntimeError if then_raise else sqlalchemy.exc.SQLAlchemyError
        with pytest.raises(expected, match="the block's own error" if then_raise else None):
            await broken_within(connection, then_raise=then_raise)
        assert connection.invalidated
    assert await pragma(sqlite_engine, "cache_size") != -4096  # a new connection, with its own cache


async def test_postgresql_is_left_alone(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        connection = await session.connection()
        async with sqlite_pragmas(connection, cache_size=-4096):
            if connection.dialect.name == "sqlite":
                assert (await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one() == -4096
