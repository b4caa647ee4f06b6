"""Schema migrations: bring a database up to the code's schema with Alembic, then refresh the territories.

Slate runs Alembic in-process, on the engine it already has and without an ``alembic.ini``: the migration
then touches exactly the database the app (or a test) uses, PostgreSQL ``search_path`` included. The scripts
live inside the package (``storage/migrations``) so an installed Slate carries them.

To write the next revision after changing ``storage/models/``, autogenerate against a database at head and
review the script by hand (autogenerate does not see CHECK constraints added to existing tables)::

    command.revision(alembic_config("sqlite:///scratch.db"), autogenerate=True, rev_id="0002", message="...")
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_session_factory
from storage.territories import sync_territories

MIGRATIONS = Path(__file__).with_name("migrations")

T = TypeVar("T")


class MigrationError(RuntimeError):
    """The schema cannot be brought up to date; the message is the one sentence the user reads."""


def alembic_config(url: str | None = None, script_location: Path = MIGRATIONS) -> Config:
    """An Alembic config built in code; ``url`` is only needed when no connection is handed to env.py."""
    config = Config()
    # Config values go through ConfigParser interpolation, where a bare "%" (URL-encoded passwords) is an error.
    config.set_main_option("script_location", str(script_location).replace("%", "%%"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@contextmanager
def sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Turn SQLite's foreign keys off around a migration, check them after, and turn them back on.

    Batch mode rebuilds a table by copying it and dropping the original; with foreign keys on, that drop
    cascades and deletes every child row. The pragma is ignored inside a transaction, hence the commits,
    and the connection goes back to the pool afterwards, hence turning it back on whatever happens.
    A no-op on other databases.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        yield
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            tables = ", ".join(sorted({str(row[0]) for row in broken}))
            raise MigrationError(f"The migration left {len(broken)} rows pointing at missing rows (in {tables}).")
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


async def _on_connection(engine: AsyncEngine, work: Callable[[Connection], T]) -> T:
    """Run ``work`` on one connection; only failing to connect becomes "unreachable", not a broken migration."""
    try:
        connection = await engine.connect()
    except (DBAPIError, OSError) as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines() or [type(error).__name__]
        where = engine.url.set(drivername=engine.url.get_backend_name()).render_as_string(hide_password=True)
        raise MigrationError(f"The database at {where} is not reachable ({reason[0]}).") from error
    try:
        return await connection.run_sync(work)
    finally:
        await connection.close()


def _known_revision(connection: Connection, script: ScriptDirectory) -> str | None:
    """The database's revision, refusing one this code has no script for (a newer Slate migrated it)."""
    revision = MigrationContext.configure(connection).get_current_revision()
    connection.rollback()  # end the autobegun read, so Alembic owns the transactions that follow
    if revision is not None and revision not in {script.revision for script in script.walk_revisions()}:
        raise MigrationError(
            f"The database is at schema revision {revision}, which this version of Slate does not know;"
            " it was migrated by a newer Slate, so run that version or restore a backup."
        )
    return revision


async def upgrade_database(engine: AsyncEngine, config: Config | None = None) -> None:
    """Upgrade the schema to head, then sync the territories (reference data, refreshed on every upgrade)."""
    config = config or alembic_config()
    script = ScriptDirectory.from_config(config)

    def upgrade(connection: Connection) -> None:
        if _known_revision(connection, script) == script.get_current_head():
            # Already current: nothing to run, and the SQLite foreign-key check around a migration reads
            # every row (4.4 s of a 100,000-title start-up), so skip it when no migration will touch a row.
            return
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        finally:
            del config.attributes["connection"]

    await _on_connection(engine, upgrade)
    async with make_session_factory(engine).begin() as session:
        await sync_territories(session)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    return await _on_connection(
        engine, lambda connection: MigrationContext.configure(connection).get_current_revision()
    )


async def schema_is_current(engine: AsyncEngine, config: Config | None = None) -> bool:
    """Whether the database is at head; raises MigrationError when it is ahead of this code."""
    script = ScriptDirectory.from_config(config or alembic_config())
    revision = await _on_connection(engine, lambda connection: _known_revision(connection, script))
    return revision == script.get_current_head()
