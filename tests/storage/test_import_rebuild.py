"""A big ratings import on SQLite builds the secondary indexes after its rows, and nothing else changes.

The rebuild path is taken here by lowering its thresholds (``index_rebuild``): what it must keep is
independent of size. It leaves exactly the indexes that were there (same SQL in ``sqlite_master``), writes
exactly the rows the row-by-row path writes, and a failure anywhere after the indexes were dropped leaves
the catalog, indexes included, as it was. Readers on other connections keep seeing the committed catalog.
PostgreSQL never drops an index (``DROP INDEX`` would lock out every reader until commit).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from import_helpers import base_files, counts, ratings, run, snapshot, statements_of, write
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.schema import CreateIndex

from storage.db import SessionFactory, create_engine, make_session_factory
from storage.importing import bulk, import_files, index_rebuild
from storage.models import Airing, AudienceFigure


@pytest.fixture
def rebuild_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_rebuild, "MIN_ROWS_TO_REBUILD", 0)
    monkeypatch.setattr(index_rebuild, "REBUILD_FROM_SHARE", 0)


@pytest.fixture
def rebuild_never(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_rebuild, "MIN_ROWS_TO_REBUILD", 10**12)


async def schema_of(engine: AsyncEngine) -> list[tuple[str, str, str, str | None]]:
    async with engine.connect() as connection:
        rows = await connection.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def integrity_of(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        return str((await connection.exec_driver_sql("PRAGMA integrity_check")).scalar_one())


async def imported_into_a_copy(template: Path, path: Path, files: list[Path]) -> tuple[Any, ...]:
    """Import the base files, then each of ``files``, into a copy of ``template`` at ``path``: the reports of
    ``files``, every catalog row, the schema; and the file's integrity checked."""
    shutil.copyfile(template, path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        session_factory = make_session_factory(engine)
        await run(session_factory, base_files(path.parent))
        reports = [counts(await run(session_factory, [file])) for file in files]
        assert await integrity_of(engine) == "ok"
        return reports, await snapshot(session_factory), await schema_of(engine)
    finally:
        await engine.dispose()


async def test_a_big_import_leaves_exactly_the_indexes_it_found(sqlite_engine: AsyncEngine, tmp_path: Path,
                                                                rebuild_always: None) -> None:
    session_factory = make_session_factory(sqlite_engine)
    await run(session_factory, base_files(tmp_path))
    before = await schema_of(sqlite_engine)
    assert any(name == "ix_audience_figures_territory_date" for _, name, _, _ in before)
    with statements_of(sqlite_engine) as statements:
        await run(session_factory, [write(tmp_path, "ratings.csv", ratings(30))])
    dropped = {s.split('"')[1] for s in statements if s.startswith("DROP INDEX")}
    assert "ix_audience_figures_territory_viewers" in dropped
    assert "ix_airings_channel_id" in dropped
    assert not any(name.startswith("sqlite_autoindex") for name in dropped)  # unique constraints stay
    assert "uq_airings_natural_key" in dropped  # a unique index is built again like the others
    assert sum(s.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")) for s in statements) == len(dropped)
    assert await schema_of(sqlite_engine) == before  # names, tables, columns, order: the same SQL
    assert await integrity_of(sqlite_engine) == "ok"  # and every index holds every row


async def test_indexes_are_built_in_small_runs_on_worker_threads_then_the_settings_go_back(
        sqlite_engine: AsyncEngine, tmp_path: Path, rebuild_always: None) -> None:
    session_factory = make_session_factory(sqlite_engine)
    async with sqlite_engine.connect() as connection:
        own = [(await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one() for name in ("threads", "cache_size")]
    await run(session_factory, base_files(tmp_path))
    with statements_of(sqlite_engine) as statements:
        await run(session_factory, [write(tmp_path, "ratings.csv", ratings(30))])
    builds = [i for i, s in enumerate(statements) if s.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX"))]
    assert builds
    for table_builds in ([i for i in builds if " ON airings " in statements[i]],
                         [i for i in builds if " ON audience_figures " in statements[i]]):
        settings = [s for s in statements[: table_builds[0]] if s.startswith("PRAGMA") and "=" in s]
        assert settings[-2:] == [f"PRAGMA threads = {index_rebuild.SORT_THREADS}",
                               f"PRAGMA cache_size = {-index_rebuild.SORT_RUN_KIB}"]
        assert statements[table_builds[-1] + 1] == "PRAGMA cache_size = -262144"  # the import's cache again
    assert index_rebuild.SORT_THREADS >= 1
    assert engine_pool_size(sqlite_engine) == 1
    async with sqlite_engine.connect() as connection:  # the pooled connection, as the import found it
        assert [(await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                for name in ("threads", "cache_size")] == own


def engine_pool_size(engine: AsyncEngine) -> int:
    return int(engine.pool.checkedin())  # type: ignore[attr-defined]


async def test_rebuilt_and_maintained_indexes_get_the_same_rows(sqlite_template: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """New airings, new figures of airings already there, a changed figure and an unchanged one."""
    first = write(tmp_path, "ratings.csv", ratings(12))
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    second = write(second_dir, "ratings.csv", ratings(24, first=dt.date(2024, 1, 7), total=2000))
    results = []
    for threshold in (0, 10**12):
        monkeypatch.setattr(index_rebuild, "MIN_ROWS_TO_REBUILD", threshold)
        monkeypatch.setattr(index_rebuild, "REBUILD_FROM_SHARE", 0)
        path = tmp_path / f"catalog-{threshold}.db"
        results.append(await imported_into_a_copy(sqlite_template, path, [first, second]))
    assert results[0] == results[1]
    assert results[0][0][1]["ratings"] == (24, 6, 2)  # six days overlap: Total figures changed, AB ones not


@pytest.mark.parametrize("failing", ["inserting figures", "rebuilding an index"])
async def test_a_failure_after_the_drop_leaves_everything_as_it_was(
    sqlite_engine: AsyncEngine, tmp_path: Path, rebuild_always: None, monkeypatch: pytest.MonkeyPatch,
    failing: str,
) -> None:
    session_factory = make_session_factory(sqlite_engine)
    await run(session_factory, base_files(tmp_path))
    await run(session_factory, [write(tmp_path, "ratings.csv", ratings(5))])
    before, schema = await snapshot(session_factory), await schema_of(sqlite_engine)

    if failing == "inserting figures":
        real_submit = bulk.Pipeline.submit

        async def submit(self: bulk.Pipeline, statements: Any) -> None:
            await real_submit(self, statements)
            await self.settle()
            if any(insert.sql.startswith("INSERT INTO audience_figures") for insert, _ in statements):
                raise RuntimeError("the disk is full")  # after the rows went in, with the indexes dropped

        monkeypatch.setattr(bulk.Pipeline, "submit", submit)
        expected: type[Exception] = RuntimeError
    else:
        real_indexes = index_rebuild.secondary_indexes

        async def indexes(session: Any, table: Any) -> list[tuple[str, str]]:
            found = await real_indexes(session, table)
            return [*found, ("ix_broken", "CREATE INDEX ix_broken ON no_such_table (x)")] if found else found

        monkeypatch.setattr(index_rebuild, "secondary_indexes", indexes)
        expected = OperationalError  # the last CREATE INDEX names no table
    with statements_of(sqlite_engine) as statements, pytest.raises(expected):
        await import_files(session_factory, [write(tmp_path, "ratings.csv", ratings(40, first=dt.date(2025, 1, 1)))])
    assert any(s.startswith("DROP INDEX") for s in statements)
    assert await snapshot(session_factory) == before
    assert await schema_of(sqlite_engine) == schema
    assert await integrity_of(sqlite_engine) == "ok"
    monkeypatch.undo()  # and the next import works as usual
    await run(session_factory, [write(tmp_path, "ratings.csv", ratings(40, first=dt.date(2025, 1, 1)))])


async def test_readers_see_the_committed_catalog_while_its_indexes_are_rebuilt(
    sqlite_engine: AsyncEngine, tmp_path: Path, rebuild_always: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    session_factory = make_session_factory(sqlite_engine)
    await run(session_factory, base_files(tmp_path))
    await run(session_factory, [write(tmp_path, "ratings.csv", ratings(5))])
    schema = await schema_of(sqlite_engine)
    seen: list[tuple[Any, ...]] = []
    real_submit = bulk.Pipeline.submit

    async def submit(self: bulk.Pipeline, statements: Any) -> None:
        await real_submit(self, statements)
        await self.settle()
        if any(insert.sql.startswith("INSERT INTO audience_figures") for insert, _ in statements):
            # the figures' indexes are gone by now
            reader = create_engine(str(sqlite_engine.url))
            try:
                async with reader.connect() as connection:
                    figures = await connection.scalar(select(func.count()).select_from(AudienceFigure))
                    plan = (await connection.execute(text(
                        "EXPLAIN QUERY PLAN SELECT viewers FROM audience_figures WHERE territory_code = 'MX' "
                        "ORDER BY viewers DESC LIMIT 5"))).all()
                seen.append((figures, await schema_of(reader), " ".join(str(row[-1]) for row in plan)))
            finally:
                await reader.dispose()

    monkeypatch.setattr(bulk.Pipeline, "submit", submit)
    await run(session_factory, [write(tmp_path, "ratings.csv", ratings(40, first=dt.date(2025, 1, 1)))])
    [(figures, reader_schema, plan)] = seen
    assert figures == 7  # five airings, two of them with an AB figure: as committed
    assert reader_schema == schema
    assert "ix_audience_figures_territory_viewers" in plan


async def test_only_sqlite_sets_indexes_aside(session_factory: SessionFactory, engine_name: str, tmp_path: Path,
                                              rebuild_always: None) -> None:
    """And ids handed out ahead leave each engine's own id counter where the next insert expects it."""
    await run(session_factory, base_files(tmp_path))
    engine = session_factory.kw["bind"]
    with statements_of(engine) as statements:
        await run(session_factory, [write(tmp_path, "ratings.csv", ratings(9))])
    assert any(s.startswith("DROP INDEX") for s in statements) == (engine_name == "sqlite")
    async with session_factory() as session:
        airing = await session.scalar(select(Airing).order_by(Airing.id.desc()).limit(1))
        assert airing is not None
        assert airing.id == 9
        another = Airing(natural_key="added later", title_id=airing.title_id, territory_code="MX",
                         channel_id=airing.channel_id, air_date=None, timeslot=None, episode=None)
        session.add(another)
        await session.flush()  # the engine's own id: no clash with the ids the import handed out
        assert another.id == 10
        await session.rollback()


def test_rebuilding_pays_for_many_rows_compared_with_the_table() -> None:
    many = index_rebuild.MIN_ROWS_TO_REBUILD
    assert index_rebuild.worth_rebuilding(many, 0)
    assert index_rebuild.worth_rebuilding(many, many)
    assert not index_rebuild.worth_rebuilding(many, 10 * many)  # a small share of a big table: maintain
    assert not index_rebuild.worth_rebuilding(many - 1, 0)  # a small import: nothing to gain


async def test_ids_are_reserved_only_while_the_write_lock_is_held(sqlite_engine: AsyncEngine) -> None:
    async with make_session_factory(sqlite_engine)() as session:
        with pytest.raises(RuntimeError, match="transaction that has written"):
            await bulk.reserve_ids(session, Airing.__table__, 3)  # type: ignore[arg-type]


async def test_the_rebuilt_indexes_are_the_ones_the_models_define(sqlite_engine: AsyncEngine) -> None:
    """What the rebuild replays (SQLite's own SQL) is what the models' ``Index`` objects would create."""
    schema = {name: sql for kind, name, _, sql in await schema_of(sqlite_engine) if kind == "index" and sql}
    for table in (Airing.__table__, AudienceFigure.__table__):
        for index in table.indexes:  # type: ignore[attr-defined]
            assert str(CreateIndex(index).compile(dialect=sqlite_engine.dialect)).strip() == schema[index.name]
