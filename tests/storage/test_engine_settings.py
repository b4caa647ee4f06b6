"""The settings ``storage.db.create_engine`` gives each engine's connections."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import POSTGRES_SESSION_SETTINGS


async def test_postgresql_sessions_cost_random_reads_as_on_ssd(engine: AsyncEngine, engine_name: str) -> None:
    """Slate's own PostgreSQL sessions carry ``POSTGRES_SESSION_SETTINGS``, beside a test's schema."""
    async with engine.connect() as connection:
        if engine_name == "sqlite":
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1
            return
        for name, value in POSTGRES_SESSION_SETTINGS.items():
            assert (await connection.exec_driver_sql(f"SHOW {name}")).scalar_one() == value
        assert "slate_test" in (await connection.exec_driver_sql("SHOW search_path")).scalar_one()
