"""Commands at scale: every lookup from text in to rendered text out, on SQLite and PostgreSQL, with baselines.

For each size (``--titles``; default a quick 10,000) it generates the catalog (``bench/generate.py``), then
one engine at a time bulk-loads it (into a SQLite file, or a PostgreSQL database of its own on 127.0.0.1,
dropped at the end), lets the machine settle (``settle``: writeback, PostgreSQL's checkpoint and autovacuum)
and measures in a fresh child process per database, so each start-up and peak RSS is the app's alone:

- start-up to ready: ``bot.catalog.open_catalog`` (migrations checked, territories synced, name index built,
  ``gc.freeze()``), exactly what ``slate`` does before it answers;
- per command (``title``, ``ratings`` by title / territory / group, ``deals`` by title / territory,
  ``avails`` over a group, ``buyer``, ``top``, ``press``): median and p99 of ``bot.console.answer`` (one
  session, ``dispatch``) plus ``render_text``, over varied queries (random titles, the most aired ones,
  every group...), over all rounds and ("again") over the rounds after the first, when each question is
  asked a second time (its statements built, its pages in SQLite's cache: the first round of a fresh
  process reads much of the catalog from the disk); autocomplete: ``commands.autocomplete`` plus the
  choice names, for prefixes of titles;
- 50 concurrent commands (``asyncio.gather``, each with its own session) against the same 50 one by one,
  in turns, after a pass at once that warms every pooled connection (``_concurrent``);
- peak RSS of the child (``VmHWM``; ``resource.getrusage`` where there is no ``/proc``);
- the machine's pace before and after the child's lookups (``lookup_texts.pace_ms``: a fixed piece of
  Python), so a run's medians can be read against how fast the machine ran while they were taken.

Baselines in the same run: the same commands on a copy of each database without the project's secondary
indexes (every ``ix_*`` index dropped; unique constraints stay, they are the data's rules), and PostgreSQL
over SQLite: from the engines' own runs ("pg/sqlite", minutes apart) and from ``--interleave`` pairs of
runs of the two in turns ("in turns", the figure to trust on a machine whose speed moves). Import
throughput: ``--import-airings`` ratings rows through the real importer (one transaction, all-or-nothing;
in a fresh child process, as ``slate import`` runs) into a catalog holding the titles and companies, beside
a plain Core bulk insert of the same airings and figures (in this process).

Every phase is bounded (``--budget`` seconds per command and database); queries never leave 127.0.0.1.
Run: ``python bench/commands.py`` (quick) or ``python bench/commands.py --titles 10000 100000``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
from lookup_texts import LOOKUPS, command_texts, pace_ms, percentile  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from storage.db import create_engine  # noqa: E402
from storage.models import Airing, AudienceFigure  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
GROUP_NAMES = list(generate.GROUPS)

# The targets of the scale issue (docs/performance.md), for SQLite at 100,000 titles and 1,000,000 airings.
LOOKUP_MEDIAN_MS = 10.0
LOOKUP_P99_MS = 50.0
AUTOCOMPLETE_P99_MS = 5.0
STARTUP_S = 5.0
PEAK_RSS_MB = 500.0
IMPORT_ROWS_S = 25_000.0
PG_OVER_SQLITE = 2.0


# --- queries -----------------------------------------------------------------------------------------


def queries_for(catalog: generate.Catalog, count: int, seed: int = 11) -> dict[str, list[str]]:
    """The query texts per command: random titles and companies plus the heaviest ones (most airings)."""
    rng = random.Random(seed)
    titles = catalog.rows["titles"]
    keys: dict[str, int] = {}
    for title in titles:
        keys[title["key"]] = keys.get(title["key"], 0) + 1
    airings: dict[int, int] = {}
    channel_airings: dict[int, int] = {}
    for airing in catalog.rows["airings"]:
        airings[airing["title_id"]] = airings.get(airing["title_id"], 0) + 1
        channel_airings[airing["channel_id"]] = channel_airings.get(airing["channel_id"], 0) + 1
    by_id = {title["id"]: title for title in titles}
    heavy = [by_id[i] for i in sorted(airings, key=airings.__getitem__, reverse=True)[:5]]
    picked = [*heavy, *rng.sample(titles, count - len(heavy))]
    names = [t["name"] if keys[t["key"]] == 1 else f"{t['name']} {t['year']}" for t in picked]
    companies = {c["id"]: c for c in catalog.rows["companies"]}
    busy = sorted(channel_airings, key=channel_airings.__getitem__, reverse=True)[:5]
    buyers = [companies[i]["name"] for i in busy] + [c["name"] for c in rng.sample(list(companies.values()),
                                                                                    count - len(busy))]
    territories = rng.sample(["Mexico", "Chile", "Colombia", "Argentina", "Spain", "Poland", "Romania",
                              "Saudi Arabia", "Egypt", "Brazil", "Indonesia", "Greece", "Germany", "Türkiye",
                              "Peru", "Italy", "Kazakhstan", "Israel", "Vietnam", "Portugal"], 20)
    return command_texts(names, buyers, territories, [name.casefold() for name in GROUP_NAMES], rng)


# --- the child: one database, one process ------------------------------------------------------------


async def _measure(call: Callable[[str], Awaitable[object]], texts: list[str], repeat: int,
                   budget: float) -> dict[str, Any]:
    """Times in ms of ``call`` over ``texts`` ``repeat`` times, stopping at ``budget`` seconds (3 calls at least)."""
    times: list[float] = []
    first = 0  # how many of ``times`` are the first round's: each query asked for the first time
    answered = 0
    started = time.perf_counter()
    for round_ in range(repeat):
        for query in texts:
            before = time.perf_counter()
            outcome = await call(query)
            times.append((time.perf_counter() - before) * 1000)
            first += round_ == 0
            answered += round_ == 0 and outcome == "answer"
            if time.perf_counter() - started > budget and len(times) >= 3:
                break
        else:
            continue
        break
    again = times[first:] or times  # the later rounds: the same questions asked again
    return {"median": statistics.median(times), "p99": percentile(times, 0.99), "n": len(times),
            "again_median": statistics.median(again), "again_p99": percentile(again, 0.99),
            "answered": answered / min(len(texts), len(times))}


# Rounds of the same commands one by one and all at once, in turns (fewer when the budget runs out).
CONCURRENT_ROUNDS = 5


async def _concurrent(one: Callable[[str], Awaitable[object]], mixed: list[str], budget: float) -> dict[str, Any]:
    """The rate of ``mixed`` asked one by one and all at once (``asyncio.gather``, each its own session), the
    medians of up to ``CONCURRENT_ROUNDS`` rounds in turns.

    One pass of fifty commands takes a fraction of a second, and the first pass at once is the first to use
    the pool's other connections, each SQLite connection with its own page cache, cold: a single pass each
    gave 0.53-0.81 of one-by-one's rate in full runs and 0.81-1.13 in the same child run alone. So a pass at
    once warms every connection first, and then the two alternate.
    """
    await asyncio.gather(*(one(query) for query in mixed))
    serial: list[float] = []
    together: list[float] = []
    started = time.perf_counter()
    while len(serial) < CONCURRENT_ROUNDS and (not serial or time.perf_counter() - started < budget):
        before = time.perf_counter()
        for query in mixed:
            await one(query)
        serial.append(len(mixed) / (time.perf_counter() - before))
        before = time.perf_counter()
        await asyncio.gather(*(one(query) for query in mixed))
        together.append(len(mixed) / (time.perf_counter() - before))
    return {"n": len(mixed), "rounds": len(serial), "serial_per_s": statistics.median(serial),
            "concurrent_per_s": statistics.median(together)}


async def child(url: str, queries: dict[str, list[str]], repeat: int, budget: float) -> dict[str, Any]:
    from bot.catalog import open_catalog
    from bot.console import answer, render_text
    from bot.settings import Settings
    from commands.autocomplete import autocomplete
    from commands.context import Reader

    result: dict[str, Any] = {}
    started = time.perf_counter()
    async with open_catalog(Settings(database_url=url)) as catalog:
        result["startup_s"] = time.perf_counter() - started
        reader = Reader()
        pace_before = pace_ms()

        async def one(query: str) -> str:
            reply = await answer(query, catalog, reader)
            render_text(reply)
            return str(reply.kind)

        async def complete(query: str) -> str:
            choices = autocomplete(catalog.names, "title", query)
            "\n".join(choice.name for choice in choices)
            return "answer" if choices else "none"

        for name, texts in queries.items():
            call = complete if name == "autocomplete" else one
            for query in texts[:3]:  # warm the caches and code paths
                await call(query)
            result[name] = await _measure(call, texts, repeat, budget)
        mixed = [texts[i % len(texts)] for i in range(10) for name, texts in queries.items()
                 if name in LOOKUPS][:50]
        result["concurrent"] = await _concurrent(one, mixed, budget)
        result["pace_ms"] = [pace_before, pace_ms()]
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def peak_rss_mb() -> float:
    """This process's peak RSS. Linux's VmHWM belongs to the address space exec made, so it is the child's
    own; ``ru_maxrss`` is not: a forked child starts from its parent's peak (here, the generated catalog)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(url: str, queries: dict[str, list[str]], repeat: int, budget: float, workdir: Path) -> dict[str, Any]:
    query_file = workdir / "queries.json"
    query_file.write_text(json.dumps(queries))
    timeout = budget * (len(queries) + 2) + 300
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", url, "--query-file", str(query_file), "--repeat", str(repeat),
         "--budget", str(budget)], capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode:
        raise RuntimeError(f"child failed on {url}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- databases ---------------------------------------------------------------------------------------


def sqlite_without_indexes(path: Path, copy: Path) -> list[str]:
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix\\_%' ESCAPE '\\'")]
        for name in names:
            connection.execute(f'DROP INDEX "{name}"')
        connection.execute("ANALYZE")
    return names


async def _pg(sql: str, database: str = "test") -> list[Any]:
    engine = create_engine(PG_SERVER.rsplit("/", 1)[0] + f"/{database}")
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            result = await connection.execute(text(sql))
            return list(result) if result.returns_rows else []
    finally:
        await engine.dispose()


def pg_url(database: str) -> str:
    return PG_SERVER.rsplit("/", 1)[0] + f"/{database}"


async def pg_without_indexes(source: str, copy: str) -> list[str]:
    await _pg(f"CREATE DATABASE {copy} TEMPLATE {source}")
    names = [row[0] for row in await _pg(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'ix\\_%'", copy)]
    for name in names:
        await _pg(f'DROP INDEX "{name}"', copy)
    await _pg("VACUUM ANALYZE", copy)
    return names


# --- import throughput -------------------------------------------------------------------------------


async def import_child(target: Path, csv: Path) -> dict[str, Any]:
    """Import ``csv`` into the catalog at ``target`` (this process does nothing else): seconds, rows, peak RSS."""
    from storage.db import make_session_factory
    from storage.importing import import_files

    engine = create_engine(f"sqlite:///{target}")
    try:
        started = time.perf_counter()
        report = await import_files(make_session_factory(engine), [csv])
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {"importer_s": seconds, "inserted": sum(kind.inserted for kind in report.kinds),
            "importer_peak_rss_mb": peak_rss_mb()}


async def import_throughput(catalog: generate.Catalog, airings: int, workdir: Path) -> dict[str, Any]:
    """Rows/s of ``ratings.csv`` through the importer (in a child process) into a catalog with titles and
    companies, beside a Core bulk insert of the same airings and figures (in this process)."""
    files = generate.write_csv(catalog, workdir / "csv", airings)
    base = generate.Catalog(catalog.sizes, catalog.titles, {
        table: rows if table in ("titles", "title_names", "companies", "company_aliases", "territory_groups",
                                 "territory_group_members") else [] for table, rows in catalog.rows.items()})
    template = workdir / "import-base.db"
    template.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{template}")
    try:
        await generate.load(engine, base)
    finally:
        await engine.dispose()
    result: dict[str, Any] = {"rows": airings}
    target = workdir / "import.db"
    shutil.copyfile(template, target)
    # In a fresh interpreter, as `slate import` runs: not in this process, which holds the generated catalog.
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, __file__, "--import-child", str(target), str(files["ratings"])],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"import child failed:\n{done.stderr[-3000:]}")
    result.update(json.loads(done.stdout.strip().splitlines()[-1]))
    shutil.copyfile(template, target)
    rows = catalog.rows["airings"][:airings]
    figures = [figure for figure in catalog.rows["audience_figures"]
               if figure["airing_id"] <= len(rows)][:airings]
    engine = create_engine(f"sqlite:///{target}")
    try:
        started = time.perf_counter()
        async with engine.begin() as connection:
            for model, data in ((Airing, rows), (AudienceFigure, figures)):
                for chunk in generate._chunks(data):
                    await connection.execute(insert(model), list(chunk))
        result["core_s"] = time.perf_counter() - started
    finally:
        await engine.dispose()
    result["importer_rows_s"] = airings / result["importer_s"]
    result["core_rows_s"] = airings / result["core_s"]
    return result


# --- the report --------------------------------------------------------------------------------------


def interleaved(urls: dict[str, str], queries: dict[str, list[str]], pairs: int, budget: float,
                workdir: Path) -> dict[str, float]:
    """PostgreSQL's median over SQLite's, per command, from children of the two engines run in turns (one
    round of the queries each): the median of the ``pairs`` ratios. The engines' own runs are minutes apart,
    and a shared machine's speed moves by a third between them; run in turns, both see the same machine."""
    ratios: dict[str, list[float]] = {}
    for _ in range(pairs):
        sqlite = run_child(urls["sqlite"], queries, 1, budget, workdir)
        postgresql = run_child(urls["postgresql"], queries, 1, budget, workdir)
        for name in (*LOOKUPS, "autocomplete"):
            ratios.setdefault(name, []).append(postgresql[name]["median"] / sqlite[name]["median"])
    print(f"measured sqlite and postgresql in turns, {pairs} pairs", flush=True)
    return {name: statistics.median(values) for name, values in ratios.items()}


def report(size: int, results: dict[str, dict[str, Any]], dropped: list[str]) -> None:
    print(f"\n## {size:,} titles (baselines without: {', '.join(dropped)})")
    print(f"{'command':20} {'engine':10} {'median':>8} {'p99':>8} {'n':>5} {'ans':>5} | {'again med':>9} "
          f"{'again p99':>9} | {'no-idx med':>10} {'no-idx p99':>10} {'x':>7} | {'pg/sqlite':>9} {'in turns':>8}")
    engines = [e for e in ("sqlite", "postgresql") if e in results]
    for name in (*LOOKUPS, "autocomplete"):
        for engine in engines:
            ours, bare = results[engine][name], results[f"{engine} no-index"][name]
            ratio = ours["median"] / results["sqlite"][name]["median"] if engine != "sqlite" else 1.0
            turns = results["interleaved"][name] if engine != "sqlite" and "interleaved" in results else 1.0
            print(f"{name:20} {engine:10} {ours['median']:8.2f} {ours['p99']:8.2f} {ours['n']:5} "
                  f"{ours['answered']:5.0%} | {ours['again_median']:9.2f} {ours['again_p99']:9.2f} | "
                  f"{bare['median']:10.2f} {bare['p99']:10.2f} {bare['median'] / ours['median']:7.1f} | {ratio:9.2f}"
                  f" {turns:8.2f}")
    for engine in engines:
        for variant in (engine, f"{engine} no-index"):
            r = results[variant]
            c = r["concurrent"]
            print(f"{variant:22} start-up {r['startup_s']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB,"
                  f" {c['n']} commands: {c['concurrent_per_s']:.0f}/s concurrent vs {c['serial_per_s']:.0f}/s"
                  f" one by one (x{c['concurrent_per_s'] / c['serial_per_s']:.2f}, medians of {c['rounds']}"
                  f" round{'s' if c['rounds'] != 1 else ''}); machine pace"
                  f" {' then '.join(f'{pace:.1f}' for pace in r['pace_ms'])} ms")


def verdicts(results: dict[str, dict[str, Any]], imported: dict[str, Any] | None) -> list[str]:
    """Each target against this run's figures: met or missed, with the figure that decides it (the worst)."""

    def line(what: str, worst: tuple[float, str], limit: float, unit: str, *, digits: int = 2,
             at_least: bool = False) -> str:
        value, where = worst
        met = value >= limit if at_least else value < limit
        figure = f"{value:,.{digits}f}{unit}"
        if where:
            figure = f"{'lowest' if at_least else 'highest'} {figure}, {where}"
        return f"{what}: {'met' if met else 'MISSED'} ({figure})"

    sqlite = results["sqlite"]
    lines = [
        line(f"lookup medians under {LOOKUP_MEDIAN_MS:g} ms", max((sqlite[n]["median"], n) for n in LOOKUPS),
             LOOKUP_MEDIAN_MS, " ms"),
        line(f"lookup p99 under {LOOKUP_P99_MS:g} ms", max((sqlite[n]["p99"], n) for n in LOOKUPS),
             LOOKUP_P99_MS, " ms"),
        line(f"autocomplete p99 under {AUTOCOMPLETE_P99_MS:g} ms", (sqlite["autocomplete"]["p99"], ""),
             AUTOCOMPLETE_P99_MS, " ms"),
        line(f"start-up under {STARTUP_S:g} s", (sqlite["startup_s"], ""), STARTUP_S, " s"),
        line(f"peak RSS under {PEAK_RSS_MB:g} MB", (sqlite["peak_rss_mb"], ""), PEAK_RSS_MB, " MB", digits=0),
    ]
    if imported is not None:
        lines.append(line(f"import at {IMPORT_ROWS_S:,.0f} rows/s or more", (imported["importer_rows_s"], ""),
                          IMPORT_ROWS_S, " rows/s", digits=0, at_least=True))
    if "postgresql" in results:
        own = max((results["postgresql"][n]["median"] / sqlite[n]["median"], n) for n in LOOKUPS)
        lines.append(line(f"PostgreSQL within {PG_OVER_SQLITE:g}x of SQLite, engines' own runs", own,
                          PG_OVER_SQLITE, "x"))
        if "interleaved" in results:
            turns = max((results["interleaved"][n], n) for n in LOOKUPS)
            lines.append(line(f"PostgreSQL within {PG_OVER_SQLITE:g}x of SQLite, in turns", turns,
                              PG_OVER_SQLITE, "x"))
    return lines


async def load_engine(catalog: generate.Catalog, engine_name: str, size: int, workdir: Path) -> str:
    """The generated catalog loaded into a new database of the engine; its URL."""
    if engine_name == "sqlite":
        path = workdir / f"bench-{size}.db"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        database = f"slate_bench_{size}_{os.getpid()}"
        await _pg(f"CREATE DATABASE {database}")
        url = pg_url(database)
    engine = create_engine(url)
    try:
        rate = await generate.load(engine, catalog)
    finally:
        await engine.dispose()
    print(f"loaded {engine_name} at {rate:,.0f} rows/s", flush=True)
    return url


async def settle() -> None:
    """Let the machine finish what loading left it doing before anything is timed: the kernel's writeback of
    the files just written (``sync``), PostgreSQL's checkpoint of what it loaded, and any autovacuum worker
    (waited for, up to five minutes). Before, SQLite was timed right after PostgreSQL had loaded gigabytes,
    while it was still writing them out."""
    started = time.perf_counter()
    await asyncio.to_thread(os.sync)
    with contextlib.suppress(OSError):  # no PostgreSQL server: nothing of it to wait for
        await _pg("CHECKPOINT")
        for _ in range(300):
            if not await _pg("SELECT 1 FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"):
                break
            await asyncio.sleep(1)
    print(f"settled in {time.perf_counter() - started:.1f} s", flush=True)


def _remove_databases(workdir: Path, size: int) -> None:
    for path in workdir.glob(f"bench-{size}*.db"):
        path.unlink()


async def main_async(arguments: argparse.Namespace) -> None:
    workdir: Path = arguments.workdir
    print(f"# bench/commands.py on {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
          f" SQLite {sqlite3.sqlite_version}")
    for size in arguments.titles:
        started = time.perf_counter()
        catalog = generate.generate(generate.Sizes.for_titles(size))
        print(f"generated {size:,} titles: {catalog.count()} in {time.perf_counter() - started:.0f} s", flush=True)
        pg_databases: list[str] = []
        try:
            queries = queries_for(catalog, arguments.queries)
            results: dict[str, dict[str, Any]] = {}
            dropped: list[str] = []
            urls: dict[str, str] = {}
            # One engine at a time, loaded just before it is measured: the other's loading is not going on.
            for engine_name in arguments.engines:
                url = urls[engine_name] = await load_engine(catalog, engine_name, size, workdir)
                if engine_name == "postgresql":
                    pg_databases.append(url.rsplit("/", 1)[1])
                await settle()
                results[engine_name] = run_child(url, queries, arguments.repeat, arguments.budget, workdir)
                print(f"measured {engine_name}", flush=True)
                if engine_name == "sqlite":
                    bare = workdir / f"bench-{size}-noindex.db"
                    dropped = sqlite_without_indexes(Path(url.removeprefix("sqlite:///")), bare)
                    bare_url = f"sqlite:///{bare}"
                else:
                    copy = f"{pg_databases[0]}_noindex"
                    pg_databases.append(copy)
                    dropped = await pg_without_indexes(pg_databases[0], copy)
                    bare_url = pg_url(copy)
                await settle()
                results[f"{engine_name} no-index"] = run_child(bare_url, queries, 1, arguments.baseline_budget,
                                                               workdir)
                print(f"measured {engine_name} without indexes", flush=True)
            if arguments.interleave and len(urls) == 2:
                await settle()
                results["interleaved"] = interleaved(urls, queries, arguments.interleave, arguments.budget, workdir)
            report(size, results, dropped)
            imported = None
            if arguments.import_airings:
                rows = min(arguments.import_airings, len(catalog.rows["airings"]))
                await settle()
                i = imported = await import_throughput(catalog, rows, workdir)
                print(f"import of {rows:,} ratings rows (SQLite): importer {i['importer_rows_s']:,.0f} rows/s"
                      f" ({i['importer_s']:.1f} s, {i['inserted']:,} inserted, peak RSS"
                      f" {i['importer_peak_rss_mb']:,.0f} MB); Core bulk insert of the same airings and figures"
                      f" {i['core_rows_s']:,.0f} rows/s (x{i['core_rows_s'] / i['importer_rows_s']:.1f})")
            if "sqlite" in results:
                print(f"\n## targets at {size:,} titles (set for SQLite at 100,000 titles and 1,000,000 airings)")
                print("\n".join(verdicts(results, imported)), flush=True)
        finally:
            for database in reversed(pg_databases):
                await _pg(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            if not arguments.keep:
                await asyncio.to_thread(_remove_databases, workdir, size)
        del catalog
        gc.collect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, nargs="+", default=[10_000], help="catalog sizes (10000 100000)")
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--queries", type=int, default=40, help="distinct queries per command")
    parser.add_argument("--repeat", type=int, default=3, help="rounds over the queries (indexed databases)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per command and database, at most")
    parser.add_argument("--baseline-budget", type=float, default=20.0, help="the same, without indexes")
    parser.add_argument("--import-airings", type=int, default=100_000, help="ratings rows to import (0: skip)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "slate-bench")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files")
    parser.add_argument("--interleave", type=int, default=2,
                        help="pairs of SQLite and PostgreSQL runs in turns, for pg/sqlite (0: none)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--import-child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--query-file", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.import_child:
        print(json.dumps(asyncio.run(import_child(*arguments.import_child))))
        return
    if arguments.child:
        queries = json.loads(arguments.query_file.read_text())
        print(json.dumps(asyncio.run(child(arguments.child, queries, arguments.repeat, arguments.budget))))
        return
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    asyncio.run(main_async(arguments))


if __name__ == "__main__":
    main()
