"""SQLite connections bring a statement's rows back in the same trip to their thread, and nothing else changes.

``storage.sqlite_connection`` is what every SQLite engine of ``storage.db.create_engine`` connects with.
These tests hold it to aiosqlite's behaviour where results are longer than one prefetch (streamed or
fetched whole, at and around the boundary), for writes, errors and transactions, and count the trips a
read makes, so a later change cannot quietly bring back the four trips a statement.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite_connection
from storage.db import create_engine, make_session_factory
from storage.sqlite_connection import PrefetchingConnection

ROWS = 7


@pytest.fixture
def small_prefetch(monkeypatch: pytest.MonkeyPatch) -> int:
    """Three rows a trip, so the results below cross the boundary: shorter, equal, longer."""
    monkeypatch.setattr(sqlite_connection, "PREFETCH_ROWS", 3)
    return 3


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'rows.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE numbers (n INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        for n in range(1, ROWS + 1):
            await connection.execute(text("INSERT INTO numbers (n, name) VALUES (:n, :name)"),
                                     {"n": n, "name": f"n{n}"})
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every call sent to a connection's thread, by the name of what it ran."""
    counted: Counter[str] = Counter()
    send = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, function: Any, *args: Any, **kwargs: Any) -> Any:
        counted[getattr(function, "__name__", "?")] += 1
        return await send(self, function, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return counted


async def test_engines_connect_with_prefetching_connections(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, PrefetchingConnection)


@pytest.mark.parametrize("limit", [0, 2, 3, 4, ROWS])
async def test_results_come_back_whole_around_the_prefetch(engine: AsyncEngine, small_prefetch: int,
                                                           limit: int) -> None:
    async with make_session_factory(engine)() as session:
        result = await session.execute(text("SELECT n FROM numbers ORDER BY n LIMIT :limit"), {"limit": limit})
        assert result.scalars().all() == list(range(1, limit + 1))


@pytest.mark.parametrize("partition", [1, 2, 3, 5])
async def test_a_streamed_result_is_fetched_on_as_asked(engine: AsyncEngine, small_prefetch: int,
                                                        trips: Counter[str], partition: int) -> None:
    async with make_session_factory(engine)() as session:
        result = await session.stream(text("SELECT n FROM numbers ORDER BY n").execution_options(yield_per=partition))
        chunks = [list(chunk) async for chunk in result.scalars().partitions(partition)]
    assert [n for chunk in chunks for n in chunk] == list(range(1, ROWS + 1))
    assert all(len(chunk) <= partition for chunk in chunks)
    assert trips["_fetch"] >= 1  # past the prefetch, rows came in later trips rather than all at once


async def test_a_read_is_one_trip_a_statement_and_none_to_end(engine: AsyncEngine, trips: Counter[str]) -> None:
    async with make_session_factory(engine)() as session:
        await session.execute(text("SELECT 1"))  # the pool's connection is made and checked out
        trips.clear()
        for _ in range(5):
            assert (await session.execute(text("SELECT count(*) FROM numbers"))).scalar_one() == ROWS
    # Five statements, five trips: no cursor made, fetched from or closed apart, and no rollback of a
    # transaction that only read (the session's close and the pool's reset).
    assert sum(trips.values()) == 5, trips


async def test_a_half_read_result_releases_the_file_when_closed(engine: AsyncEngine, tmp_path: Path,
                                                                small_prefetch: int) -> None:
    async with make_session_factory(engine)() as session:
        result = await session.stream(text("SELECT n FROM numbers ORDER BY n").execution_options(yield_per=2))
        assert await result.scalars().fetchmany(2) == [1, 2]
        await result.close()
        # The unfinished statement held a read lock; closed, another connection may write at once.
        writer = sqlite3.connect(tmp_path / "rows.db", timeout=0)
        try:
            writer.execute("INSERT INTO numbers (n, name) VALUES (100, 'n100')")
            writer.commit()
        finally:
            writer.close()
        assert (await session.execute(text("SELECT count(*) FROM numbers"))).scalar_one() == ROWS + 1


async def test_writes_report_rows_and_keys(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO numbers (name) VALUES ('extra')"))
        assert inserted.rowcount == 1
        assert inserted.lastrowid == ROWS + 1
        many = await connection.execute(text("UPDATE numbers SET name = name || '!' WHERE n = :n"),
                                        [{"n": 1}, {"n": 2}, {"n": 3}])
        assert many.rowcount == 3
        returned = await connection.execute(text("DELETE FROM numbers WHERE n > :n RETURNING n"), {"n": 5})
        assert sorted(returned.scalars()) == [6, 7, 8]
    async with engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM numbers ORDER BY n"))).scalars().all()
    assert names == ["n1!", "n2!", "n3!", "n4", "n5"]


async def test_a_rollback_undoes_the_transaction(engine: AsyncEngine) -> None:
    async with make_session_factory(engine)() as session:
        await session.execute(text("DELETE FROM numbers"))
        await session.rollback()
        assert (await session.execute(text("SELECT count(*) FROM numbers"))).scalar_one() == ROWS


async def test_errors_reach_the_caller_as_sqlalchemy_errors(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        with pytest.raises(OperationalError, match="no such table"):
            await connection.execute(text("SELECT * FROM nowhere"))
    async with engine.connect() as connection:
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO numbers (n, name) VALUES (1, 'again')"))
        await connection.rollback()
        assert (await connection.execute(text("SELECT count(*) FROM numbers"))).scalar_one() == ROWS
