"""Fixtures for the bot's tests: the demo catalog in a SQLite file, a team server and a stranger's server in
the Discord stand-in, and the real ``SlateBot`` connected to it.

The demo is imported once per run into a template file (the real importer, the real migrations) and
copied for each test, so every test starts from the same catalog in milliseconds and may change it.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from standin import CLIENT_OPTIONS, DiscordStandin, Guild, create_guild, discord_standin, running

from bot.app import SlateBot
from bot.catalog import OpenCatalog
from bot.settings import Roles, Settings
from commands.dispatch import COMMANDS, Command
from storage.db import create_engine, make_session_factory
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.name_loading import load_name_index

SALES, ADMIN = "Sales", "Slate Admin"


async def _import_demo(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        await import_files(make_session_factory(engine), demo_files())
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    with ThreadPoolExecutor(max_workers=1) as pool:  # a loop of its own: this may be first asked in a test's
        pool.submit(asyncio.run, _import_demo(path)).result()
    return path


@pytest.fixture
async def catalog(demo_template: Path, tmp_path: Path) -> AsyncIterator[OpenCatalog]:
    """The demo catalog as ``slate run`` opens a catalog: engine, sessions and the name index in memory."""
    path = tmp_path / "catalog.db"
    shutil.copyfile(demo_template, path)
    engine = create_engine(f"sqlite:///{path}")
    sessions = make_session_factory(engine)
    async with sessions() as session:
        names = await load_name_index(session)
    yield OpenCatalog(engine=engine, sessions=sessions, names=names, demo=False)
    await engine.dispose()


@pytest.fixture
async def standin() -> AsyncIterator[DiscordStandin]:
    async with discord_standin() as standin:
        yield standin


@pytest.fixture
def team(standin: DiscordStandin) -> Guild:
    """The team's server: alice sells (may see fees), bob does not, carol administers Slate."""
    return create_guild(standin.state, "Inter Sales", channels=["general", "deals"],
                        roles={SALES: 0, ADMIN: 0}, members={"alice": [SALES], "bob": [], "carol": [ADMIN]})


@pytest.fixture
def elsewhere(standin: DiscordStandin) -> Guild:
    """A server the bot was invited to that is not the team's."""
    return create_guild(standin.state, "Elsewhere", channels=["lobby"], roles={SALES: 0, ADMIN: 0},
                        members={"mallory": [SALES, ADMIN]})


@pytest.fixture
def settings(team: Guild) -> Settings:
    return Settings(guild_ids=frozenset({team.id}), sales_roles=Roles(names=frozenset({SALES.casefold()})),
                    sales_role_label=SALES, admin_roles=Roles(names=frozenset({ADMIN.casefold()})),
                    admin_role_label=ADMIN, cooldown_seconds=30.0)


@pytest.fixture
def registry() -> dict[str, Command]:
    """The commands the bot serves: whatever ``commands.dispatch`` registers, picked up as it is."""
    return COMMANDS


@pytest.fixture
async def bot(standin: DiscordStandin, team: Guild, elsewhere: Guild, settings: Settings,
              catalog: OpenCatalog, registry: dict[str, Command]) -> AsyncIterator[SlateBot]:
    """Slate connected to the stand-in, its slash commands synced globally as `slate sync` would."""
    slate = SlateBot(settings, catalog, **CLIENT_OPTIONS)
    async with running(slate, standin):
        await slate.tree.sync()
        yield slate
