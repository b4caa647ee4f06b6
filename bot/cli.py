"""``slate``: the command line. Every subcommand builds its resources here and hands them down.

    slate                      the interactive console (same as ``slate console``)
    slate ask "!title miracle" one answer, then exit (status 1 when nothing was found or on a problem)
    slate import FILE...       load CSV or .xlsx files into the catalog (all or nothing; --dry-run)
    slate export DIR           write the whole catalog as import files
    slate demo                 load the demo catalog into the configured database
    slate db upgrade           create or upgrade the database schema
    slate run                  connect to Discord and serve the team's servers (needs DISCORD_TOKEN)
    slate sync [--guild ID]    publish the slash commands to Discord (everywhere, or to one server at once)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import discord
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.app import SlateBot
from bot.catalog import open_catalog
from bot.console import ask, run_console
from bot.settings import Settings, SettingsError, configure_logging, load_settings
from commands.context import Reader
from storage.db import create_engine, make_session_factory
from storage.demo_catalog import demo_files
from storage.exporting import export_catalog
from storage.importing import ImportFailed, import_files
from storage.migrate import MigrationError, current_revision, upgrade_database

log = logging.getLogger("slate")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="slate", description="Slate: the sales and press desk in team chat.")
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="settings file (default: .env)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("console", help="interactive console (the default)")
    ask_parser = sub.add_parser("ask", help='answer one command, e.g. slate ask "!title miracle"')
    ask_parser.add_argument("text", nargs="+", help="the command, as typed in chat")
    import_parser = sub.add_parser("import", help="load CSV or .xlsx files into the catalog")
    import_parser.add_argument("paths", nargs="+", type=Path, metavar="FILE")
    import_parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    export_parser = sub.add_parser("export", help="write the catalog as import files")
    export_parser.add_argument("directory", type=Path, metavar="DIR")
    sub.add_parser("demo", help="load the demo catalog into the configured database")
    db_parser = sub.add_parser("db", help="database schema")
    db_sub = db_parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="create or upgrade the schema")
    db_sub.add_parser("current", help="print the schema revision")
    sub.add_parser("run", help="connect to Discord and answer in the team's servers (needs DISCORD_TOKEN)")
    sync_parser = sub.add_parser("sync", help="publish the slash commands to Discord")
    sync_parser.add_argument("--guild", type=int, metavar="ID", help="only this server, at once (default: all)")
    return parser


def _reader(settings: Settings) -> Reader:
    # The console runs on the user's own machine against their own database: they may see fees.
    return Reader(locale=settings.default_locale, may_see_fees=True, prefix=settings.command_prefix)


async def _console(settings: Settings, text: str | None) -> int:
    async with open_catalog(settings, demo_when_empty=True) as catalog:
        if catalog.note:
            print(catalog.note, file=sys.stderr)
        if text is not None:
            return await ask(text, catalog, _reader(settings))
        return await run_console(catalog, _reader(settings))


def _progress_bar() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def draw(done: int, total: int) -> None:
        filled = 30 * done // total if total else 30
        sys.stderr.write(f"\r  [{'#' * filled}{' ' * (30 - filled)}] {done:,}/{total:,} rows")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return draw


async def _import(settings: Settings, paths: Sequence[Path], dry_run: bool) -> int:
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"slate: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    engine = create_engine(settings.database_url)
    try:
        await upgrade_database(engine)
        try:
            report = await import_files(make_session_factory(engine), paths, dry_run=dry_run,
                                        progress=_progress_bar())
        except ImportFailed as failure:
            print(failure, file=sys.stderr)
            for problem in failure.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        print("\n".join(report.lines()))
        return 0
    finally:
        await engine.dispose()


async def _export(settings: Settings, directory: Path) -> int:
    engine = create_engine(settings.database_url)
    try:
        await upgrade_database(engine)
        async with make_session_factory(engine)() as session:
            written = await export_catalog(session, directory)
        for path in written:
            print(f"wrote {path}")
        return 0
    finally:
        await engine.dispose()


async def _db(settings: Settings, action: str) -> int:
    engine = create_engine(settings.database_url)
    try:
        if action == "upgrade":
            await upgrade_database(engine)
        print(f"schema revision: {await current_revision(engine) or 'none'}")
        return 0
    finally:
        await engine.dispose()


HOW_TO_CONNECT = ("docs/discord.md shows how to create the bot in Discord's Developer Portal, switch on its"
                  " Message Content intent and invite it to your server.")


def _discord_settings(settings: Settings) -> str | None:
    """The token, after checking what the bot needs; None (and the reason printed) when something is missing."""
    try:
        token = settings.require_token()
        settings.require_guilds()
    except SettingsError as error:
        print(f"slate: {error}", file=sys.stderr)
        if not settings.discord_token:
            print(HOW_TO_CONNECT, file=sys.stderr)
        return None
    return token


async def _run_bot(settings: Settings, token: str) -> int:
    """Serve until SIGINT or SIGTERM, then close the gateway and the database cleanly."""
    async with open_catalog(settings) as catalog, SlateBot(settings, catalog) as bot:
        loop = asyncio.get_running_loop()
        closing: set[asyncio.Task[None]] = set()

        def stop(signal_name: str) -> None:
            log.info("%s received: closing the connection to Discord", signal_name)
            task = loop.create_task(bot.close())
            closing.add(task)
            task.add_done_callback(closing.discard)

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C still interrupts asyncio.run
                loop.add_signal_handler(sig, stop, sig.name)
        try:
            await bot.start(token)
        except discord.LoginFailure:
            print("slate: Discord refused the token in DISCORD_TOKEN; reset it in the Developer Portal"
                  " (Bot -> Reset Token) and put the new one in .env", file=sys.stderr)
            return 2
        except discord.PrivilegedIntentsRequired:
            print("slate: Discord refused the Message Content intent: switch it on in the Developer Portal"
                  " (Bot -> Privileged Gateway Intents -> Message Content Intent); see docs/discord.md",
                  file=sys.stderr)
            return 2
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.remove_signal_handler(sig)
    log.info("stopped")
    return 0


async def _sync(settings: Settings, token: str, guild_id: int | None) -> int:
    """Log in over REST only (no gateway) and publish the command tree the bot would serve."""
    async with open_catalog(settings) as catalog, SlateBot(settings, catalog) as bot:
        try:
            await bot.login(token)  # runs setup_hook, which loads the cogs and so fills the tree
            if guild_id is None:
                synced = await bot.tree.sync()
                where = "globally (Discord may take a few minutes to show changes)"
            else:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                where = f"to server {guild_id}"
        except discord.LoginFailure:
            print("slate: Discord refused the token in DISCORD_TOKEN", file=sys.stderr)
            return 2
        except discord.HTTPException as error:
            print(f"slate: Discord refused the sync: {error}", file=sys.stderr)
            return 1
    print(f"synced {len(synced)} slash commands {where}: {', '.join(sorted(c.name for c in synced))}")
    return 0


def run(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        settings = load_settings(arguments.env_file)
    except SettingsError as error:
        print(f"slate: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    command = arguments.command or "console"
    try:
        if command == "console":
            return asyncio.run(_console(settings, None))
        if command == "ask":
            return asyncio.run(_console(settings, " ".join(arguments.text)))
        if command == "import":
            return asyncio.run(_import(settings, arguments.paths, arguments.dry_run))
        if command == "demo":
            return asyncio.run(_import(settings, demo_files(), dry_run=False))
        if command == "export":
            return asyncio.run(_export(settings, arguments.directory))
        if command in ("run", "sync"):
            token = _discord_settings(settings)
            if token is None:
                return 2
            if command == "run":
                return asyncio.run(_run_bot(settings, token))
            return asyncio.run(_sync(settings, token, arguments.guild))
        return asyncio.run(_db(settings, arguments.db_command))
    except MigrationError as error:
        print(f"slate: {error}", file=sys.stderr)
        return 2
    except (OSError, OperationalError, DBAPIError) as error:
        log.debug("database unreachable", exc_info=True)
        print(f"slate: the database is not reachable ({error}); check SLATE_DATABASE_URL", file=sys.stderr)
        return 2


def main() -> None:
    sys.exit(run())
