"""``slate``: the command line. Every subcommand builds its resources here and hands them down.

    slate                      the interactive console (same as ``slate console``)
    slate ask "!title miracle" one answer, then exit (status 1 when nothing was found or on a problem)
    slate import FILE...       load CSV or .xlsx files into the catalog (all or nothing; --dry-run)
    slate export DIR           write the whole catalog as import files
    slate demo                 load the demo catalog into the configured database
    slate db upgrade           create or upgrade the database schema
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.exc import DBAPIError, OperationalError

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
