"""The Bot itself and the ``slate`` program's Discord commands: how the bot is built (intents, mentions,
prefix, cogs from the registry, no sync on start), ``slate run`` (refusing without a token, serving, and a
clean stop on SIGTERM) and ``slate sync``, all against the local stand-in."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from pathlib import Path

import discord
import pytest
from standin import CLIENT_OPTIONS, DiscordStandin, Guild, running

from bot import cli
from bot.app import SlateBot, slate_intents
from bot.catalog import OpenCatalog
from bot.cogs.catalog import COMMAND_OPTIONS, PROFILES, build_command, compose_line, reader_locale
from bot.settings import Secret, Settings
from commands.dispatch import COMMANDS, Command

COMMANDS_ROUTE = "/applications/{application_id}/commands"
ADMIN_SLASH = ("import", "announce", "subscribe", "unsubscribe")  # the admin cogs' slash commands


def test_intents_are_the_minimum_for_prefix_commands() -> None:
    intents = slate_intents()
    assert intents == discord.Intents(guilds=True, guild_messages=True, dm_messages=True, message_content=True)
    assert not intents.members
    assert not intents.presences


async def test_the_bot_pings_nobody_and_answers_its_own_help(settings: Settings, catalog: OpenCatalog) -> None:
    async with SlateBot(settings, catalog) as bot:
        assert bot.allowed_mentions is not None
        assert bot.allowed_mentions.to_dict() == {"parse": []}
        assert bot.help_command is None
        assert bot.settings is settings
        assert bot.catalog is catalog


async def test_setup_loads_every_registered_command_and_never_syncs(
        standin: DiscordStandin, team: Guild, settings: Settings, catalog: OpenCatalog,
        registry: dict[str, Command]) -> None:
    bot = SlateBot(settings, catalog, **CLIENT_OPTIONS)
    async with running(bot, standin):
        assert {c.name for c in bot.commands} == {*registry, "sync", "import"}
        assert {c.name for c in bot.tree.get_commands()} == {*registry, *ADMIN_SLASH}
        asked = await standin.send_message(team.channel("general"), team.member("bob"), "!help")
        await standin.state.wait_for_message(team.channel("general"), after=asked)
    assert not standin.state.calls_to("PUT", COMMANDS_ROUTE)
    assert not standin.state.global_commands


def test_every_registry_entry_becomes_a_hybrid_command(settings: Settings) -> None:
    assert set(COMMAND_OPTIONS.values()) <= set(PROFILES), "each option set has its method"
    for name, entry in COMMANDS.items():
        command = build_command(name, entry, settings)
        assert command.app_command is not None
        assert len(command.app_command.description) <= 100
        assert next(iter(command.clean_params)) == "query", "the first keyword-only parameter takes the rest"


def test_a_slash_answer_is_one_line_of_text_and_references() -> None:
    assert compose_line("ratings", " miracle ", ["territory:CL", None, " "]) == "ratings miracle territory:CL"
    assert compose_line("title", "", ["title:42"]) == "title title:42"
    assert compose_line("help", "", []) == "help"


def test_the_reader_locale_is_their_discord_language_when_slate_speaks_it() -> None:
    assert reader_locale(None, "en") == "en"


# --- the slate program ---------------------------------------------------------------------------------------


def test_run_without_a_token_explains_and_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("SLATE_DATABASE_URL", f"sqlite:///{tmp_path / 'slate.db'}")
    assert cli.run(["--env-file", str(tmp_path / "none.env"), "run"]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN is not set" in err
    assert "slate console" in err
    assert "docs/discord.md" in err
    assert not (tmp_path / "slate.db").exists(), "nothing is opened before the settings are complete"


def test_run_without_servers_names_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "a-token")
    monkeypatch.delenv("SLATE_GUILD_IDS", raising=False)
    assert cli.run(["--env-file", str(tmp_path / "none.env"), "sync"]) == 2
    err = capsys.readouterr().err
    assert "SLATE_GUILD_IDS is not set" in err
    assert "a-token" not in err


def _settings_on(database: Path, standin: DiscordStandin, team: Guild) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{database}", discord_token=Secret(standin.token),
                    guild_ids=frozenset({team.id}))


async def test_slate_run_serves_and_stops_cleanly_on_sigterm(
        standin: DiscordStandin, team: Guild, demo_template: Path, tmp_path: Path,
        registry: dict[str, Command]) -> None:
    database = tmp_path / "slate.db"
    shutil.copyfile(demo_template, database)
    serving = asyncio.create_task(cli._run_bot(_settings_on(database, standin, team), standin.token))
    await standin.wait_for_gateway("IDENTIFY", timeout=10)
    asked = await standin.send_message(team.channel("general"), team.member("bob"), "!title 7. Koğuştaki Mucize")
    answer = await standin.state.wait_for_message(team.channel("general"), after=asked, timeout=5)
    assert "Mehmet Ada Öztekin" in str(answer.embeds)
    assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, "slate run handles SIGTERM itself"
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(serving, 10) == 0
    assert any(entry["op"] == "CLOSED" for entry in standin.state.gateway_log)
    assert not standin.state.calls_to("PUT", COMMANDS_ROUTE), "serving never syncs"


async def test_slate_sync_publishes_the_commands(standin: DiscordStandin, team: Guild, demo_template: Path,
                                                 tmp_path: Path, registry: dict[str, Command],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "slate.db"
    shutil.copyfile(demo_template, database)
    settings = _settings_on(database, standin, team)
    assert await cli._sync(settings, standin.token, None) == 0
    assert {c["name"] for c in standin.state.global_commands} == {*registry, *ADMIN_SLASH}
    assert await cli._sync(settings, standin.token, team.id) == 0
    assert {c["name"] for c in standin.state.guild_commands[team.id]} == {*registry, *ADMIN_SLASH}
    assert "synced" in capsys.readouterr().out
    assert not any(entry["op"] == "IDENTIFY" for entry in standin.state.gateway_log), "REST only"
