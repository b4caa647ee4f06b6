"""Migrations build exactly the models' schema on both engines, keep data safe, and refuse a newer database."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import threading
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from database_support import require_postgres
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.schema import CreateIndex

from storage.db import create_engine, make_session_factory
from storage.migrate import (
    MIGRATIONS,
    MigrationError,
    alembic_config,
    current_revision,
    schema_is_current,
    upgrade_database,
)
from storage.models import Base, Territory, Title, TitleName, title_natural_key

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()

THROWAWAY_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "throwaway"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("titles", recreate="always") as batch:
        batch.add_column(sa.Column("scratch", sa.String(10), nullable=True))
    with op.batch_alter_table("titles", recreate="always") as batch:
        batch.drop_column("scratch")


def downgrade():
    pass
"""


@pytest.fixture
async def empty_engine(engine_name: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database: a fresh SQLite file, or a PostgreSQL schema of this test's own."""
    if engine_name == "sqlite":
        sqlite_engine = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
        yield sqlite_engine
        await sqlite_engine.dispose()
        return
    url = require_postgres()
    schema = f"slate_migrate_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    pg_engine = create_engine(url, search_path=schema)
    try:
        yield pg_engine
    finally:
        await pg_engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


def _ordered_on_postgresql(index: Any) -> bool:
    """An index whose columns carry an order on PostgreSQL (``postgresql_ops``, e.g. DESC NULLS LAST)."""
    return isinstance(index, sa.Index) and bool(index.dialect_options["postgresql"]["ops"])


def schema_differences(connection: Connection) -> list[Any]:
    """What Alembic finds between the database and the models; on PostgreSQL, indexes with a column order are
    compared by ``ordered_index_differences`` instead (Alembic reads the order back as an expression)."""
    ordered = _ordered_index_names() if connection.dialect.name == "postgresql" else set()

    def include(item: Any, name: Any, kind: str, reflected: bool, compare_to: Any) -> bool:
        return not (kind == "index" and name in ordered)

    context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include})
    return list(compare_metadata(context, Base.metadata))


def _ordered_index_names() -> set[str]:
    return {str(index.name) for table in Base.metadata.sorted_tables for index in table.indexes
            if _ordered_on_postgresql(index)}


def _ordered_on_sqlite(index: Any) -> bool:
    """An index with a column in descending order (SQLite keeps the order; reflection does not report it)."""
    return isinstance(index, sa.Index) and any(not isinstance(column, sa.Column) for column in index.expressions)


def ordered_index_differences(connection: Connection) -> dict[str, tuple[str, str]]:
    """Indexes with a column order, which reflection does not compare: index name -> (as the models would
    create it, as the database has it), where they differ. Both engines keep each index's DDL."""
    if connection.dialect.name == "postgresql":
        ordered = _ordered_on_postgresql
        listing = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        ordered = _ordered_on_sqlite
        listing = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    rows = connection.execute(text(listing))
    actual = {str(name): str(definition) for name, definition in rows}
    differences = {}
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            if not ordered(index):
                continue
            expected = str(CreateIndex(index).compile(dialect=connection.dialect))
            found = actual.get(str(index.name), "")
            # pg_indexes names the schema and the access method: "ON schema.table USING btree (...)".
            normalized = re.sub(r" ON \S+\.(\w+) USING btree ", r" ON \1 ", found)
            if normalized != expected:
                differences[str(index.name)] = (expected, found)
    return differences


def check_constraints(connection: Connection) -> dict[str, dict[str, str]]:
    """CHECK constraints per table as the database has them: name -> text (compare_metadata skips them)."""
    inspector = sa.inspect(connection)
    return {
        table: {str(check["name"]): str(check["sqltext"]) for check in inspector.get_check_constraints(table)}
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }


def model_check_constraints() -> dict[str, dict[str, str]]:
    return {
        table.name: {
            str(constraint.name): str(constraint.sqltext)
            for constraint in table.constraints
            if isinstance(constraint, sa.CheckConstraint)
        }
        for table in Base.metadata.sorted_tables
    }


async def add_title_with_name(engine: AsyncEngine) -> None:
    async with make_session_factory(engine).begin() as session:
        title = Title(
            name="Miracle in Cell No. 7",
            key="miracle in cell 7",
            year=2019,
            origin="TR",
            natural_key=title_natural_key("miracle in cell 7", 2019, "TR"),
        )
        title.names.append(TitleName(name="7. Koğuştaki Mucize", key="7 kogustaki mucize", kind="original"))
        session.add(title)


async def count(engine: AsyncEngine, model: type[Base]) -> int:
    async with make_session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_upgrade_builds_exactly_the_models_schema(empty_engine: AsyncEngine) -> None:
    assert await current_revision(empty_engine) is None
    assert not await schema_is_current(empty_engine)

    await upgrade_database(empty_engine)

    assert await current_revision(empty_engine) == HEAD
    assert await schema_is_current(empty_engine)
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(schema_differences) == []
        assert await connection.run_sync(ordered_index_differences) == {}
        checks = await connection.run_sync(check_constraints)
    expected = model_check_constraints()
    assert {table: set(names) for table, names in checks.items()} == {
        table: set(names) for table, names in expected.items()
    }
    if empty_engine.dialect.name == "sqlite":  # SQLite keeps the text as written; PostgreSQL rewrites it
        assert checks == expected


async def test_upgrading_twice_changes_nothing(empty_engine: AsyncEngine) -> None:
    await upgrade_database(empty_engine)
    await add_title_with_name(empty_engine)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.strip().upper())

    event.listen(empty_engine.sync_engine, "before_cursor_execute", record)
    try:
        await upgrade_database(empty_engine)
    finally:
        event.remove(empty_engine.sync_engine, "before_cursor_execute", record)

    writes = ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE")
    assert statements, "the second upgrade should at least read the version table"
    assert [statement for statement in statements if statement.startswith(writes)] == []
    assert await current_revision(empty_engine) == HEAD
    assert await count(empty_engine, TitleName) == 1


async def test_upgrade_loads_the_territories(empty_engine: AsyncEngine) -> None:
    await upgrade_database(empty_engine)
    assert await count(empty_engine, Territory) == 249


async def test_unknown_revision_is_refused(empty_engine: AsyncEngine) -> None:
    await upgrade_database(empty_engine)
    async with empty_engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))

    with pytest.raises(MigrationError, match=r"revision 9999_from_the_future.*newer Slate"):
        await upgrade_database(empty_engine)
    with pytest.raises(MigrationError, match="newer Slate"):
        await schema_is_current(empty_engine)
    assert await current_revision(empty_engine) == "9999_from_the_future"


@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
async def test_unreachable_database_is_one_clear_sentence(where: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}"
    if where == "postgresql":
        url = "postgresql://postgres:secret@127.0.0.1:1/test"  # nothing listens on port 1
    engine = create_engine(url)
    threads = set(threading.enumerate())
    try:
        with pytest.raises(MigrationError, match=r"^The database at .* is not reachable \(.*\)\.$") as raised:
            await upgrade_database(engine)
    finally:
        await engine.dispose()
        # aiosqlite 0.22 stops the worker of a failed connect without awaiting it; let it finish on this
        # loop, or it reports to a closed one (omnilib/aiosqlite#389).
        for thread in set(threading.enumerate()) - threads:
            await asyncio.to_thread(thread.join, 5)
    assert "secret" not in str(raised.value)


# --- SQLite batch mode: table rebuilds must not cascade into child rows ----------------------------------


@pytest.fixture
async def sqlite_at_head(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite catalog holding one title with one name (a child row with ON DELETE CASCADE)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'batch.db'}")
    await upgrade_database(engine)
    await add_title_with_name(engine)
    yield engine
    await engine.dispose()


async def foreign_keys_pragma(engine: AsyncEngine) -> int:
    async with make_session_factory(engine)() as session:
        return int(await session.scalar(text("PRAGMA foreign_keys")) or 0)


async def test_sqlite_foreign_keys_are_on_after_migrating(sqlite_at_head: AsyncEngine) -> None:
    assert await foreign_keys_pragma(sqlite_at_head) == 1


async def test_sqlite_batch_migration_keeps_child_rows(sqlite_at_head: AsyncEngine, tmp_path: Path) -> None:
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "throwaway.py").write_text(THROWAWAY_REVISION.format(head=HEAD))

    await upgrade_database(sqlite_at_head, alembic_config(script_location=scripts))

    async with sqlite_at_head.connect() as connection:
        assert (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar() == "throwaway"
    assert await count(sqlite_at_head, TitleName) == 1
    assert await foreign_keys_pragma(sqlite_at_head) == 1


async def test_sqlite_batch_rebuild_with_foreign_keys_on_would_lose_child_rows(sqlite_at_head: AsyncEngine) -> None:
    """The control for the test above: without turning foreign keys off, the rebuild deletes the names."""

    def rebuild_titles(connection: Connection) -> None:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("titles", recreate="always") as batch:
            batch.add_column(sa.Column("scratch", sa.String(10), nullable=True))
        connection.commit()

    async with sqlite_at_head.connect() as connection:
        await connection.run_sync(rebuild_titles)
    assert await count(sqlite_at_head, Title) == 1
    assert await count(sqlite_at_head, TitleName) == 0


async def _upgrade_to(engine: AsyncEngine, revision: str) -> None:
    """The schema as it was at ``revision``, to put data in before the next migration runs over it."""
    config = alembic_config()

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()

    async with engine.connect() as connection:
        await connection.run_sync(upgrade)


async def _two_airings_with_figures(connection: Any) -> None:
    """Mexico, title 7, channel 3 and airings 1 and 2 of them: the figures are the caller's."""
    await connection.execute(text(
        "INSERT INTO territories (code, alpha3, numeric, name_en, name_es, name_tr)"
        " VALUES ('MX', 'MEX', '484', 'Mexico', 'México', 'Meksika')"))
    await connection.execute(text(
        "INSERT INTO titles (id, natural_key, name, key, kind) VALUES (7, 't7', 'Miracle', 'miracle', 'film')"))
    await connection.execute(text(
        "INSERT INTO companies (id, natural_key, name, key, kind)"
        " VALUES (3, 'c3', 'Canal 5', 'canal 5', 'broadcaster')"))
    await connection.execute(text(
        "INSERT INTO airings (id, natural_key, title_id, territory_code, channel_id, air_date)"
        " VALUES (1, 'a1', 7, 'MX', 3, '2024-05-01'), (2, 'a2', 7, 'MX', 3, NULL)"))


async def test_0007_keeps_every_airing_and_figure_and_the_key_unique(empty_engine: AsyncEngine) -> None:
    """SQLite rebuilds ``airings``, the parent of every figure (``ON DELETE CASCADE``): the figures stay."""
    await _upgrade_to(empty_engine, "0006")
    async with empty_engine.begin() as connection:
        await _two_airings_with_figures(connection)
        await connection.execute(text(
            "INSERT INTO audience_figures (id, airing_id, target, measurement, viewers, title_id, territory_code,"
            " channel_id) VALUES (1, 1, 'Total', '', 100, 7, 'MX', 3), (2, 2, 'Total', '', 7, 7, 'MX', 3)"))

    await upgrade_database(empty_engine)

    async with empty_engine.connect() as connection:
        airings = (await connection.execute(text("SELECT id, natural_key FROM airings ORDER BY id"))).all()
        figures = (await connection.execute(text("SELECT id, airing_id FROM audience_figures ORDER BY id"))).all()
    assert [tuple(row) for row in airings] == [(1, "a1"), (2, "a2")]
    assert [tuple(row) for row in figures] == [(1, 1), (2, 2)]
    with pytest.raises(sa.exc.IntegrityError):
        async with empty_engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO airings (id, natural_key, title_id, territory_code, channel_id)"
                " VALUES (3, 'a1', 7, 'MX', 3)"))


async def test_0007_gives_the_rebuilt_airings_back_their_statistics_on_sqlite(tmp_path: Path) -> None:
    """A catalog that was analyzed keeps statistics for ``airings`` after SQLite's rebuild of it, so the planner
    still picks the airings' indexes as before (without them it counted a board's airings off the date
    index); a catalog never analyzed is left as it was."""
    for analyzed in (True, False):
        engine = create_engine(f"sqlite:///{tmp_path / f'analyzed-{analyzed}.db'}")
        try:
            await _upgrade_to(engine, "0006")
            async with engine.begin() as connection:
                await _two_airings_with_figures(connection)
                if analyzed:
                    await connection.exec_driver_sql("ANALYZE")
            await upgrade_database(engine)
            async with engine.connect() as connection:
                stat_table = (await connection.exec_driver_sql(
                    "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first()
                airings = [] if stat_table is None else (await connection.exec_driver_sql(
                    "SELECT idx FROM sqlite_stat1 WHERE tbl = 'airings'")).scalars().all()
        finally:
            await engine.dispose()
        if analyzed:
            assert {"uq_airings_natural_key", "ix_airings_title_territory", "ix_airings_territory_date"} <= set(airings)
        else:
            assert stat_table is None


async def test_0003_copies_each_figures_airing_onto_it(empty_engine: AsyncEngine) -> None:
    """A catalog with figures at 0002 comes out of 0003 with every figure carrying its airing's fields."""
    await _upgrade_to(empty_engine, "0002")
    async with empty_engine.begin() as connection:
        await _two_airings_with_figures(connection)
        await connection.execute(text(
            "INSERT INTO audience_figures (id, airing_id, target, measurement, viewers)"
            " VALUES (1, 1, 'Total', '', 100), (2, 1, 'Women', '', 40), (3, 2, '', '', 7)"))

    await upgrade_database(empty_engine)

    async with empty_engine.connect() as connection:
        rows = (await connection.execute(text(
            "SELECT id, title_id, territory_code, channel_id, air_date FROM audience_figures ORDER BY id"))).all()
    may_first = dt.date(2024, 5, 1)
    assert [(r[0], r[1], r[2], r[3], None if r[4] is None else dt.date.fromisoformat(str(r[4]))) for r in rows] == [
        (1, 7, "MX", 3, may_first), (2, 7, "MX", 3, may_first), (3, 7, "MX", 3, None)]


async def test_0005_copies_each_deals_reading_order_onto_its_territories(empty_engine: AsyncEngine) -> None:
    """A catalog with deals at 0004 comes out of 0005 with every territory row carrying its deal's status rank,
    start and reference, whatever the status (or none), and a start or reference missing."""
    await _upgrade_to(empty_engine, "0004")
    async with empty_engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO territories (code, alpha3, numeric, name_en, name_es, name_tr)"
            " VALUES ('MX', 'MEX', '484', 'Mexico', 'México', 'Meksika'),"
            " ('CL', 'CHL', '152', 'Chile', 'Chile', 'Şili')"))
        await connection.execute(text(
            "INSERT INTO titles (id, natural_key, name, key, kind) VALUES (7, 't7', 'Miracle', 'miracle', 'film')"))
        await connection.execute(text(
            "INSERT INTO companies (id, natural_key, name, key, kind)"
            " VALUES (3, 'c3', 'Canal 5', 'canal 5', 'broadcaster')"))
        await connection.execute(text(
            "INSERT INTO deals (id, natural_key, deal_ref, title_id, licensee_id, start_date, status) VALUES"
            " (1, 'd1', 'R-1', 7, 3, '2024-05-01', 'active'), (2, 'd2', NULL, 7, 3, NULL, 'negotiating'),"
            " (3, 'd3', 'R-3', 7, 3, '2023-01-01', 'cancelled'), (4, 'd4', 'R-4', 7, 3, '2025-02-01', NULL),"
            " (5, 'd5', 'R-5', 7, 3, NULL, 'offered')"))
        await connection.execute(text(
            "INSERT INTO deal_territories (deal_id, territory_code)"
            " VALUES (1, 'MX'), (1, 'CL'), (2, 'MX'), (3, 'CL'), (4, 'MX'), (5, 'CL')"))

    await upgrade_database(empty_engine)

    async with empty_engine.connect() as connection:
        rows = (await connection.execute(text(
            "SELECT deal_id, territory_code, status_rank, start_date, deal_ref FROM deal_territories"
            " ORDER BY deal_id, territory_code"))).all()
    assert [(r[0], r[1], r[2], None if r[3] is None else dt.date.fromisoformat(str(r[3])), r[4]) for r in rows] == [
        (1, "CL", 0, dt.date(2024, 5, 1), "R-1"), (1, "MX", 0, dt.date(2024, 5, 1), "R-1"),
        (2, "MX", 1, None, None), (3, "CL", 2, dt.date(2023, 1, 1), "R-3"), (4, "MX", 0, dt.date(2025, 2, 1), "R-4"),
        (5, "CL", 1, None, "R-5")]
