"""The console face of Slate: replies rendered as plain text, ``slate ask`` and the interactive prompt.

It goes through the same dispatcher as the Discord bot, so anything that works here works in chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import textwrap
from pathlib import Path
from typing import TextIO

from sqlalchemy.exc import DBAPIError, OperationalError

from bot.catalog import OpenCatalog
from commands.context import CommandContext, Reader
from commands.dispatch import dispatch
from commands.reply import Chart, Field, Reply, ReplyKind

log = logging.getLogger(__name__)

WIDTH = 100
HISTORY_FILE = Path.home() / ".slate_history"
QUIT_WORDS = {"quit", "exit", "q", ":q"}


def render_text(reply: Reply) -> str:
    """A reply as console text: headline, body, fields, candidates, notes, sources."""
    lines = [reply.headline]
    if reply.kind is ReplyKind.ANSWER and reply.fields:
        lines.append("=" * min(len(reply.headline), WIDTH))
    if reply.body:
        lines += ["", *textwrap.wrap(reply.body, WIDTH)]
    lines += _field_lines(reply.fields)
    for number, page in enumerate(reply.pages, 1):
        if len(reply.pages) > 1:
            lines += ["", f"-- page {number} of {len(reply.pages)} --"]
        lines += _field_lines(page.fields)
    if reply.candidates:
        lines.append("")
        lines += [f"  {number}. {c.label}   ->  {c.query}" for number, c in enumerate(reply.candidates, 1)]
    if reply.notes:
        lines += ["", *(f"Note: {note}" for note in reply.notes)]
    if reply.sources:
        lines += ["", f"Sources: {'; '.join(reply.sources)}"]
    return "\n".join(lines)


def _field_lines(fields: tuple[Field, ...]) -> list[str]:
    lines: list[str] = []
    append = lines.append
    for field in fields:
        append("")
        append(f"{field.name} (confidential)" if field.confidential else field.name)
        for value_line in field.value.splitlines():
            if _fits(value_line):  # most do: appended as they are, not through a list of their own
                append(f"  {value_line}")
            else:
                lines += _wrapped(value_line)
    return lines


def _fits(line: str) -> bool:
    """Does a field's line need no wrapping: short, printable, not blank and not ending in a space (which
    ``textwrap`` would drop)?"""
    return len(line) <= WIDTH - 2 and line.isprintable() and not line.endswith(" ") and bool(line.strip())


def _wrapped(line: str) -> list[str]:
    """A field's line that does not fit as it is (``_fits``), indented and wrapped at ``WIDTH`` exactly as
    ``textwrap`` would.

    A line of plain words (printable, single spaces, no hyphen that ``textwrap`` might break at) is wrapped
    here (``_fill``) unless a word is too long for its line: ``textwrap`` finds its break points with a
    regular expression and took most of a 200-figure list's rendering. It is asked about every other line (it
    also turns tabs and odd whitespace into spaces).
    """
    if (line and line.isprintable() and "-" not in line and "  " not in line and line.strip() == line
            and (filled := _fill(line)) is not None):
        return filled
    return textwrap.wrap(line, WIDTH, initial_indent="  ", subsequent_indent="    ") or [""]


def _fill(line: str) -> list[str] | None:
    """Words into lines of at most ``WIDTH``: the first indented by two spaces, the rest by four. Each line
    ends at the last space that fits (``rfind``), as many words as fit, as a word-by-word fill would; the
    caller has checked that single spaces part the words. None when a word does not fit on its line (no
    space to end the line at), which ``textwrap`` breaks in its own way.

    Checking the words' lengths up front (splitting the line) cost more than the fill itself.
    """
    lines = []
    indent = "  "
    while len(indent) + len(line) > WIDTH:
        cut = line.rfind(" ", 0, WIDTH - len(indent) + 1)
        if cut < 0:
            return None
        lines.append(indent + line[:cut])
        line = line[cut + 1:]
        indent = "    "
    lines.append(indent + line)
    return lines


def save_chart(chart: Chart, folder: Path) -> Path:
    """The console cannot show a picture: the chart goes to a file and the reply says where."""
    path = (folder / chart.filename).resolve()
    path.write_bytes(chart.png)
    return path


def show(reply: Reply, out: TextIO, chart_folder: Path) -> None:
    print(render_text(reply), file=out)
    if reply.chart is not None:
        print(f"\nChart saved to {save_chart(reply.chart, chart_folder)}", file=out)


async def answer(text: str, catalog: OpenCatalog, reader: Reader) -> Reply:
    """One command, one session: the console's edge, where unexpected failures become one sentence."""
    try:
        async with catalog.sessions() as session:
            return await dispatch(text, CommandContext(session=session, reader=reader, names=catalog.names))
    except (OperationalError, DBAPIError, OSError) as error:
        log.warning("database unreachable while answering %r: %s", text, error)
        return Reply(
            headline="The catalog database is not answering right now; nothing was changed."
            " Check SLATE_DATABASE_URL and that the server is up, then ask again.",
            kind=ReplyKind.PROBLEM,
        )
    except Exception:
        log.exception("unexpected error answering %r", text)
        return Reply(headline="Something went wrong answering that; the details are in the log.",
                     kind=ReplyKind.PROBLEM)


async def ask(text: str, catalog: OpenCatalog, reader: Reader, out: TextIO = sys.stdout) -> int:
    """``slate ask``: print the answer; exit status 0 for an answer or a choice, 1 otherwise."""
    reply = await answer(text, catalog, reader)
    show(reply, out, Path.cwd())
    return 0 if reply.ok else 1


def _setup_history() -> None:
    with contextlib.suppress(ImportError, OSError):
        import readline

        readline.set_history_length(1000)
        if HISTORY_FILE.exists():
            readline.read_history_file(HISTORY_FILE)


def _save_history() -> None:
    with contextlib.suppress(ImportError, OSError):
        import readline

        readline.write_history_file(HISTORY_FILE)


async def run_console(catalog: OpenCatalog, reader: Reader, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """The interactive prompt (with history on a terminal); reads plain lines when input is piped."""
    interactive = stdin.isatty()
    if interactive:
        _setup_history()
        print(f"Slate console. Type {reader.prefix}help for the commands, quit to leave.", file=out)
    try:
        while True:
            if interactive:
                try:
                    line = await asyncio.to_thread(input, "slate> ")
                except EOFError:
                    print(file=out)
                    break
            else:
                line = await asyncio.to_thread(stdin.readline)
                if not line:
                    break
            line = line.strip()
            if not line:
                continue
            if line.casefold() in QUIT_WORDS:
                break
            reply = await answer(line, catalog, reader)
            show(reply, out, Path.cwd())
            print(file=out)
    except KeyboardInterrupt:
        print(file=out)
    finally:
        if interactive:
            _save_history()
    return 0
