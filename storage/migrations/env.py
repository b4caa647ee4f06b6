"""Alembic's environment for the catalog, run by ``storage.migrate`` (there is no alembic.ini).

The caller hands in its own connection as ``config.attributes["connection"]``, so the migration runs on the
engine the app or test already uses (PostgreSQL ``search_path`` included); without one, the async engine is
built from the ``sqlalchemy.url`` option. On SQLite, ALTER TABLE is mostly impossible, so operations run in
batch mode (copy, drop, rename), with foreign keys off so that the drop does not cascade into child rows.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection, make_url

from storage.db import create_engine
from storage.migrate import sqlite_foreign_keys_off
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection in config.attributes and no sqlalchemy.url option to migrate")
    return url


def run_migrations_offline() -> None:
    """Write the SQL instead of running it (``alembic upgrade --sql``), for a DBA to review and apply."""
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=make_url(url).get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    with sqlite_foreign_keys_off(connection):
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


async def run_async_migrations(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
elif (shared := config.attributes.get("connection")) is not None:
    do_run_migrations(shared)
else:
    asyncio.run(run_async_migrations(_url()))
