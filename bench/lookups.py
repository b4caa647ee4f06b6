"""Lookups on one ready catalog: median and p99 of each lookup command, with profiles on request.

Unlike ``bench/commands.py`` it generates nothing: it opens an existing catalog (a SQLite file from
``bench/generate.py``, or a PostgreSQL URL) once, exactly as the app does (``bot.catalog.open_catalog``), picks
its query texts from the database (the most-aired titles plus a seeded random sample; a name two titles share
gets its year), and times each command as ``bench/commands.py --child`` does: ``bot.console.answer`` (one
session, ``dispatch``) plus ``render_text``.

``--profile NAME`` adds a cProfile of that command's queries (top functions by cumulative and own time) and
the SQL statements each query ran with their time (``before/after_cursor_execute``).

``--slowest N`` lists each command's N slowest asks (time, round, text), to find what makes a p99.

``--replies FILE`` writes every reply's console text first, to check that a change left the answers alone.

The machine's pace (``lookup_texts.pace_ms``) is printed after the medians, as taken before and after them:
two runs' medians compare only at a like pace.

Run: ``python bench/lookups.py /tmp/slate-work/title100k.db`` (add ``--profile title``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import pstats
import random
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lookup_texts import LOOKUPS, command_texts, pace_ms, percentile  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bot.catalog import open_catalog  # noqa: E402
from bot.console import answer, render_text  # noqa: E402
from bot.settings import Settings  # noqa: E402
from commands.context import Reader  # noqa: E402

TERRITORIES = ("Mexico", "Spain", "Turkey", "Chile", "Poland", "Brazil", "Germany", "Egypt", "Indonesia", "Peru")


def queries_for(path: Path, count: int, seed: int = 11) -> dict[str, list[str]]:
    """The query texts of ``bench/commands.py`` read from a ready catalog: titles (the 5 most aired, then a
    random sample; with the year when two titles share a name), buyers (the 5 busiest channels, then a
    sample), ten territories, every group."""
    rng = random.Random(seed)
    with sqlite3.connect(path) as connection:
        heavy = [row[0] for row in connection.execute(
            "SELECT title_id FROM airings GROUP BY title_id ORDER BY count(*) DESC LIMIT 5")]
        top_ids = [row[0] for row in connection.execute("SELECT max(id) FROM titles")]
        ids = heavy + rng.sample(range(1, top_ids[0] + 1), count - len(heavy))
        names = []
        for title_id in ids:
            row = connection.execute("SELECT name, key, year FROM titles WHERE id = ?", (title_id,)).fetchone()
            if row is None:
                continue
            name, key, year = row
            shared = connection.execute("SELECT count(*) FROM titles WHERE key = ?", (key,)).fetchone()[0]
            names.append(f"{name} {year}" if shared > 1 and year else name)
        busy = [row[0] for row in connection.execute(
            "SELECT companies.name FROM airings JOIN companies ON companies.id = airings.channel_id"
            " GROUP BY airings.channel_id ORDER BY count(*) DESC LIMIT 5")]
        companies = [row[0] for row in connection.execute("SELECT name FROM companies ORDER BY id")]
        groups = [row[0].casefold() for row in connection.execute("SELECT name FROM territory_groups ORDER BY id")]
    buyers = busy + rng.sample(companies, count - len(busy))
    return command_texts(names, buyers, TERRITORIES, groups, rng)


class StatementTimer:
    """Each SQL statement's time, summed per statement text, while ``on``."""

    def __init__(self, engine: Any) -> None:
        self.on = False
        self.times: dict[str, list[float]] = defaultdict(list)
        self._started: list[float] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, *_args: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        started = self._started.pop()
        if self.on:
            self.times[" ".join(statement.split())[:160]].append((time.perf_counter() - started) * 1000)


async def main_async(arguments: argparse.Namespace) -> None:
    queries = queries_for(arguments.database, arguments.count)
    url = arguments.url or f"sqlite:///{arguments.database}"
    async with open_catalog(Settings(database_url=url)) as catalog:
        reader = Reader(may_see_fees=arguments.fees)

        async def one(query: str) -> str:
            reply = await answer(query, catalog, reader)
            render_text(reply)
            return str(reply.kind)

        if arguments.replies:
            # Every reply once, as the console shows it: compare two versions' files to see that a change
            # left the answers alone, byte for byte.
            with arguments.replies.open("w", encoding="utf-8") as out:
                for name in arguments.only or LOOKUPS:
                    for query in queries[name]:
                        out.write(f"### {query}\n{render_text(await answer(query, catalog, reader))}\n")
        pace_before = pace_ms()
        print(f"{'command':18} {'median':>8} {'p99':>8} {'max':>8} {'n':>5} answered")
        for name in arguments.only or LOOKUPS:
            texts = queries[name]
            for query in texts[:3]:
                await one(query)
            times: list[float] = []
            kinds: list[str] = []
            asked: list[tuple[float, int, str]] = []  # (ms, round, text) of every ask
            for round_number in range(arguments.repeat):
                for query in texts:
                    before = time.perf_counter()
                    kinds.append(await one(query))
                    times.append((time.perf_counter() - before) * 1000)
                    asked.append((times[-1], round_number + 1, query))
            answered = sum(kind == "answer" for kind in kinds) / len(kinds)
            print(f"{name:18} {statistics.median(times):8.2f} {percentile(times, 0.99):8.2f} {max(times):8.2f}"
                  f" {len(times):5} {answered:.0%}", flush=True)
            for spent, round_number, query in sorted(asked, reverse=True)[: arguments.slowest]:
                print(f"{'':18} {spent:8.2f} ms, round {round_number}: {query}")
        print(f"machine pace {pace_before:.1f} ms before, {pace_ms():.1f} after (lookup_texts.pace_ms)")
        for name in arguments.profile:
            texts = queries[name]
            timer = StatementTimer(catalog.engine)
            timer.on = True
            profiler = cProfile.Profile()
            gc.collect()
            profiler.enable()
            for query in texts:
                await one(query)
            profiler.disable()
            timer.on = False
            print(f"\n## profile of {name} ({len(texts)} queries)")
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(arguments.top)
            stats.sort_stats("tottime").print_stats(arguments.top)
            print(out.getvalue())
            print(f"## SQL of {name}: total ms, calls, statement")
            for statement, spent in sorted(timer.times.items(), key=lambda item: -sum(item[1])):
                print(f"{sum(spent):9.1f} {len(spent):5}  {statement}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="the SQLite catalog (query texts are read from it)")
    parser.add_argument("--url", help="answer from this database instead (the same catalog in PostgreSQL)")
    parser.add_argument("--count", type=int, default=30, help="distinct titles")
    parser.add_argument("--repeat", type=int, default=5, help="rounds over the queries")
    parser.add_argument("--fees", action="store_true", help="the reader may see fees")
    parser.add_argument("--profile", nargs="*", default=[], choices=LOOKUPS)
    parser.add_argument("--only", nargs="*", choices=LOOKUPS, help="time only these commands")
    parser.add_argument("--top", type=int, default=30, help="profile lines")
    parser.add_argument("--slowest", type=int, default=0, help="list each command's N slowest asks")
    parser.add_argument("--replies", type=Path, help="write every reply's console text to this file first")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
