"""The console face end to end: the demo catalog through the real importer, the dispatcher and the
text renderer, and the ``slate`` program itself in a fresh folder with no configuration."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.console import WIDTH, render_text
from commands.context import CommandContext, Reader
from commands.dispatch import dispatch
from commands.reply import Candidate, Field, Reply, ReplyKind
from storage.db import SessionFactory
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.name_loading import load_name_index

SLATE = Path(sys.executable).with_name("slate")


async def ask_demo(session_factory: SessionFactory, line: str, locale: str = "en") -> Reply:
    await import_files(session_factory, demo_files())
    async with session_factory() as session:
        names = await load_name_index(session)
        return await dispatch(line, CommandContext(session, Reader(locale=locale), names))


def unwrapped(reply: Reply) -> str:
    """The reply's text without the console's line wrapping, so facts can be looked for whole."""
    parts = [reply.headline, reply.body, *(f"{f.name}\n{f.value}" for f in reply.fields), *reply.sources]
    return "\n".join(parts)


async def test_title_card_holds_every_press_release_fact(session_factory: SessionFactory) -> None:
    reply = await ask_demo(session_factory, "!title Miracle in Cell No. 7 (2019, TR)")
    text = unwrapped(reply)
    assert reply.kind is ReplyKind.ANSWER, text
    for fact in (
        "Miracle in Cell No. 7 (2019, Türkiye, film)",
        "Original title (Turkish): 7. Koğuştaki Mucize",
        "Mehmet Ada Öztekin",
        "Mexico · Imagen TV · date not stated · Prime time: 3.1 million viewers, share 19%",
        "#1 in prime time",
        "rating 5.45% (Households)",
        "Chile · Canal 13 · date not stated",
        "share 11.6%",
        "Türkiye · released October 11, 2019: 5.3 million admissions — Most-watched movie of 2019",
        "Remake of",
        "Miracle in Cell No. 7 (2013, South Korea, film)",
        "93rd Academy Awards",
        "Inter Medya press release",
        "Trade article on Miracle in Cell No. 7",
    ):
        assert fact in text, f"missing {fact!r} in:\n{text}"
    assert len(reply.sources) == len(set(reply.sources)), "each source is named once"
    deals = next(f.value for f in reply.fields if f.name == "Deals")
    assert "LATAM" in deals, "a territory group the deals cover whole is named, not its members one by one"
    assert "Israel" in deals


async def test_title_card_follows_the_readers_locale(session_factory: SessionFactory) -> None:
    reply = await ask_demo(session_factory, "!title Miracle in Cell No. 7 (2019, TR)", locale="tr")
    text = unwrapped(reply)
    assert "3,1 milyon viewers" in text
    assert "share %19" in text
    assert "11 Ekim 2019" in text


async def test_shared_name_offers_the_candidates(session_factory: SessionFactory) -> None:
    reply = await ask_demo(session_factory, "!title miracle in cell no 7")
    assert reply.kind is ReplyKind.CHOICE
    labels = [c.label for c in reply.candidates]
    assert "Miracle in Cell No. 7 (2013, South Korea, film)" in labels
    assert "Miracle in Cell No. 7 (2019, Türkiye, film)" in labels
    assert all(c.query.startswith("!title Miracle in Cell No. 7 (") for c in reply.candidates)


@pytest.mark.parametrize("query", ["Milagro en la celda 7", "KOĞUŞTAKİ MUCİZE", "7. Kogustaki Mucize"])
async def test_other_names_find_the_title(session_factory: SessionFactory, query: str) -> None:
    reply = await ask_demo(session_factory, f"!title {query}")
    assert reply.kind is ReplyKind.ANSWER, render_text(reply)
    assert reply.headline == "Miracle in Cell No. 7 (2019, Türkiye, film)"


async def test_a_typo_in_a_shared_name_still_asks_which(session_factory: SessionFactory) -> None:
    reply = await ask_demo(session_factory, "!title Miracle in Cel No 7")
    assert reply.kind is ReplyKind.CHOICE
    assert "!title Miracle in Cell No. 7 (2019, TR)" in [c.query for c in reply.candidates]


async def test_unknown_title_says_so(session_factory: SessionFactory) -> None:
    reply = await ask_demo(session_factory, "!title Zzyzx Qwrtp")
    assert reply.kind is ReplyKind.NOT_FOUND
    assert reply.headline.startswith("No title is called “Zzyzx Qwrtp”")


def test_render_text_shows_every_part() -> None:
    reply = Reply(
        headline="Head",
        body="Body text.",
        fields=(Field("Deals", "2 deals"), Field("Fee", "USD 40,000", confidential=True)),
        candidates=(Candidate("One (2019)", "!title One (2019)"),),
        notes=("A note.",),
        sources=("Press release", "sample data"),
    )
    assert render_text(reply).splitlines() == [
        "Head", "====", "", "Body text.", "", "Deals", "  2 deals", "", "Fee (confidential)", "  USD 40,000",
        "", "  1. One (2019)   ->  !title One (2019)", "", "Note: A note.", "", "Sources: Press release; sample data",
    ]


@pytest.mark.parametrize("line", [
    "Active · IM-2025-031", "x" * 98, "x" * 99, "word " * 30, "ends with a space ", "   ", "", "  indented",
    "tab\there", "no-break\xa0space", "ideographic\u3000space", "Territories: " + ", ".join(["Mexico"] * 20),
])
def test_field_lines_wrap_as_textwrap_does(line: str) -> None:
    """Short lines skip ``textwrap``; every line still comes out exactly as ``textwrap`` would write it."""
    reply = Reply(headline="Head", fields=(Field("Name", line),))
    expected = textwrap.wrap(line, WIDTH, initial_indent="  ", subsequent_indent="    ") or [""]
    assert render_text(reply).split("\n")[4:] == (expected if line else [])


def test_long_plain_lines_wrap_as_textwrap_does() -> None:
    """Lines of plain words take the word-by-word path: thousands of them, of every length, against ``textwrap``."""
    rng = random.Random(7)  # noqa: S311 - deterministic test data, not security
    words = ["Mexico", "·", "Imagen", "TV", "12", "March", "2024", "3,100,000", "viewers", "(3.1", "million),",
             "rating", "5.45%", "Kantar", "IBOPE", "x" * 40, "y" * 95, "z" * 96, "ep.", "—", "%19", "share"]
    too_long = ["a" * 97, "b" * 98, "c" * 99, "d" * 150]  # for a line after the first, or for any line
    for _ in range(3000):
        line = " ".join(rng.choice(words) for _ in range(rng.randint(1, 60)))
        if rng.random() < 0.2:
            at = rng.randint(0, len(line))
            line = f"{line[:at]} {rng.choice(too_long)} {line[at:]}".strip().replace("  ", " ")
        reply = Reply(headline="Head", fields=(Field("Name", line),))
        expected = textwrap.wrap(line, WIDTH, initial_indent="  ", subsequent_indent="    ")
        assert render_text(reply).split("\n")[4:] == expected, line


def run_slate(*args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None,
              ) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLATE_", "DISCORD_"))}
    return subprocess.run(  # noqa: S603 - our own program, fixed arguments
        [str(SLATE), *args], cwd=cwd, env={**clean, **(env or {})}, input=stdin,
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_slate_ask_in_a_fresh_folder_answers_from_the_demo(tmp_path: Path) -> None:
    result = run_slate("ask", "!title Milagro en la celda 7", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Miracle in Cell No. 7 (2019, Türkiye, film)" in result.stdout
    assert "demo catalog" in result.stderr
    assert not (tmp_path / "slate.db").exists(), "trying the demo must not create a database"


def test_slate_ask_exit_status_when_nothing_is_found(tmp_path: Path) -> None:
    result = run_slate("ask", "!title Zzyzx Road Qwerty", cwd=tmp_path)
    assert result.returncode == 1
    assert "No title is called" in result.stdout


def test_console_reads_piped_commands(tmp_path: Path) -> None:
    result = run_slate(cwd=tmp_path, stdin="!help\n\n!title Miracle in Cell No. 7 (2013)\nquit\n!help\n")
    assert result.returncode == 0, result.stderr
    assert "Slate answers questions about the catalog" in result.stdout
    assert "Miracle in Cell No. 7 (2013, South Korea, film)" in result.stdout
    assert result.stdout.count("Slate answers questions") == 1, "nothing after quit is answered"


def test_demo_then_own_database_answers_without_the_demo_note(tmp_path: Path) -> None:
    loaded = run_slate("demo", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    result = run_slate("ask", "!title Miracle in Cell No. 7 (2022)", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "demo catalog" not in result.stderr
    assert "Miracle in Cell No. 7 (2022, Indonesia, film)" in result.stdout


def test_bad_setting_stops_with_one_sentence(tmp_path: Path) -> None:
    result = run_slate("ask", "!help", cwd=tmp_path, env={"SLATE_LOCALE": "xx"})
    assert result.returncode == 2
    assert result.stderr.strip().startswith("slate: SLATE_LOCALE must be one of")
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_said_plainly(tmp_path: Path) -> None:
    result = run_slate("ask", "!help", cwd=tmp_path,
                       env={"SLATE_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"})
    assert result.returncode == 2
    assert "not reachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_import_failure_lists_the_problems_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "titles.csv"
    bad.write_text("title,year\nGood Title,2020\nBad Year,20x0\n", encoding="utf-8")
    result = run_slate("import", str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert "row 3" in result.stderr
    assert "year" in result.stderr
    with sqlite3.connect(tmp_path / "slate.db") as database:
        assert database.execute("SELECT count(*) FROM titles").fetchone() == (0,), "the good row was written"
