"""Opening the catalog for a process: the engine, the schema brought up to date, the demo when empty.

Built once in ``main()`` under ``async with`` and handed to whatever needs it (the console now, the bot
later); nothing here is a module-level singleton.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from storage.catalog import catalog_is_empty
from storage.db import MEMORY_URL, SessionFactory, create_engine, make_session_factory
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.migrate import upgrade_database
from storage.name_index import NameIndex
from storage.name_loading import load_name_index


@dataclass
class OpenCatalog:
    """The catalog a process answers from. ``names`` is swapped whole after an import (it is immutable)."""

    engine: AsyncEngine
    sessions: SessionFactory
    names: NameIndex
    demo: bool  # answering from the in-memory demo catalog, not the configured database
    note: str | None = None  # what the user should know about which catalog answers

    async def refresh_names(self) -> None:
        """Rebuild the name index after an import and swap it in; lookups in flight keep the old one."""
        self.names = await _names(self.sessions)


async def _names(sessions: SessionFactory) -> NameIndex:
    async with sessions() as session:
        names = await load_name_index(session)
    # At 100,000 titles the index holds about 130,000 objects the collector tracks; moving them out of its
    # generations keeps a full collection from stalling a lookup for tens of milliseconds.
    gc.collect()
    gc.freeze()
    return names


def _sqlite_file_missing(url: str) -> bool:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return False
    return not Path(parsed.database).exists()


@asynccontextmanager
async def open_catalog(settings: Settings, *, demo_when_empty: bool = False) -> AsyncIterator[OpenCatalog]:
    """The configured catalog, upgraded; or, when asked and it holds no titles, the demo catalog in memory.

    The demo goes into memory, not into the user's database, so trying Slate never mixes sample data into
    the team's catalog (``slate demo`` loads it there on purpose).
    """
    use_demo = demo_when_empty and not settings.discord_token and _sqlite_file_missing(settings.database_url)
    if not use_demo:
        engine = create_engine(settings.database_url)
        try:
            await upgrade_database(engine)
            sessions = make_session_factory(engine)
            if demo_when_empty and not settings.discord_token:
                async with sessions() as session:
                    use_demo = await catalog_is_empty(session)
            if not use_demo:
                yield OpenCatalog(engine=engine, sessions=sessions, names=await _names(sessions), demo=False)
                return
        finally:
            await engine.dispose()
    async with _demo_catalog(settings) as catalog:
        yield catalog


@asynccontextmanager
async def _demo_catalog(settings: Settings) -> AsyncIterator[OpenCatalog]:
    engine = create_engine(MEMORY_URL)
    try:
        await upgrade_database(engine)
        sessions = make_session_factory(engine)
        await import_files(sessions, demo_files())
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        note = (
            f"The catalog at {where} holds no titles yet, so Slate is answering from the demo catalog"
            " (in memory). `slate import FILES` loads your own data; `slate demo` loads the demo into it."
        )
        yield OpenCatalog(engine=engine, sessions=sessions, names=await _names(sessions), demo=True, note=note)
    finally:
        await engine.dispose()
