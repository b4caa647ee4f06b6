"""Fixtures shared by every test: a real catalog database on SQLite and, when configured, PostgreSQL.

PostgreSQL tests run when ``SLATE_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it) and skip
otherwise, so a fresh clone passes; with ``SLATE_REQUIRE_POSTGRES=1`` a missing server is a failure.
Each test run gets its own PostgreSQL schema, dropped at the end; each test starts from empty tables.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from database_support import POSTGRES_URL, require_postgres
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.db import SessionFactory, create_engine, make_session_factory
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.migrate import upgrade_database
from storage.models import Base, Territory, TerritoryName

REFERENCE_TABLES = {Territory.__tablename__, TerritoryName.__tablename__}


def run_in_fresh_loop(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run set-up work on a loop of its own: session fixtures may be first asked for inside a test's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


async def _create_catalog(url: str, search_path: str | None = None) -> None:
    """The schema as the app makes it: Alembic migrations, then the territories."""
    engine = create_engine(url, search_path=search_path)
    try:
        await upgrade_database(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite catalog with the schema and territories, built once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "catalog.db"
    run_in_fresh_loop(_create_catalog(f"sqlite:///{path}"))
    return path


async def _load_demo(url: str, search_path: str | None = None) -> None:
    engine = create_engine(url, search_path=search_path)
    try:
        await import_files(make_session_factory(engine), demo_files())
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite catalog holding the demo, imported once through the real importer and copied per test."""
    path = tmp_path_factory.mktemp("demo-template") / "catalog.db"
    shutil.copyfile(sqlite_template, path)
    run_in_fresh_loop(_load_demo(f"sqlite:///{path}"))
    return path


def _postgres_schema(*, with_demo: bool) -> Iterator[str]:
    url = require_postgres()
    schema = f"slate_test_{uuid.uuid4().hex[:12]}"

    async def run(sql: str) -> None:
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(sql))
        finally:
            await engine.dispose()

    run_in_fresh_loop(run(f"CREATE SCHEMA {schema}"))
    try:
        run_in_fresh_loop(_create_catalog(url, search_path=schema))
        if with_demo:
            run_in_fresh_loop(_load_demo(url, search_path=schema))
        yield schema
    finally:
        run_in_fresh_loop(run(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A PostgreSQL schema of its own for this test run, with the schema and territories."""
    yield from _postgres_schema(with_demo=False)


@pytest.fixture(scope="session")
def postgres_demo_schema() -> Iterator[str]:
    """A second schema holding the demo catalog, for tests that read it (see ``demo_session_factory``)."""
    yield from _postgres_schema(with_demo=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def engine(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty catalog (schema and territories, no records) on each engine."""
    if engine_name == "sqlite":
        path = tmp_path / "catalog.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        sqlite_engine = create_engine(f"sqlite:///{path}")
        yield sqlite_engine
        await sqlite_engine.dispose()
        return
    schema = request.getfixturevalue("postgres_schema")
    pg_engine = create_engine(POSTGRES_URL, search_path=schema)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES)
    # Only the team's tables are emptied; territories are reference data that every test starts with.
    async with pg_engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield pg_engine
    await pg_engine.dispose()


@pytest.fixture
async def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty SQLite catalog, for what only SQLite does."""
    path = tmp_path / "catalog.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine(f"sqlite:///{path}")
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> SessionFactory:
    return make_session_factory(engine)


@pytest.fixture
async def demo_session_factory(engine_name: str, request: pytest.FixtureRequest,
                               tmp_path: Path) -> AsyncIterator[SessionFactory]:
    """Sessions on a catalog that holds the demo, without importing it again for every test.

    SQLite: a copy of a demo file made once. PostgreSQL: the demo schema, with each test inside a
    transaction that is rolled back at the end (sessions commit to savepoints), so a test may write.
    """
    if engine_name == "sqlite":
        path = tmp_path / "demo.db"
        shutil.copyfile(request.getfixturevalue("sqlite_demo_template"), path)
        sqlite_engine = create_engine(f"sqlite:///{path}")
        yield make_session_factory(sqlite_engine)
        await sqlite_engine.dispose()
        return
    schema = request.getfixturevalue("postgres_demo_schema")
    pg_engine = create_engine(POSTGRES_URL, search_path=schema)
    async with pg_engine.connect() as connection:
        outer = await connection.begin()
        yield async_sessionmaker(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
        await outer.rollback()
    await pg_engine.dispose()
