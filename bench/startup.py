"""Start-up to ready, phase by phase, and the peak RSS of a fresh process on one catalog database.

Each run is a new child process (so the peak RSS is the start-up's alone) that does what
``bot.catalog.open_catalog`` does, one timed step at a time: the schema check (``upgrade_database`` up to
the territory sync), the territory sync, reading the names (``load_name_index`` up to ``NameIndex.build``),
building the index, then ``gc.collect()`` + ``gc.freeze()``. A last child times ``open_catalog`` itself, so
the phases can be checked against the real thing. Runs alternate with ``--compare`` (another worktree's
code on the same database) so both sides see the same machine load; medians are printed.

Run: ``python bench/startup.py sqlite:////tmp/catalog.db --runs 3``. The database should be at head
already (a migration would be timed as part of the check).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("imports", "schema_check", "territory_sync", "read_names", "build_index", "gc_freeze", "total")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def phases(url: str) -> dict[str, float]:
    """Seconds per phase of ``open_catalog``'s work, in one process."""
    started = time.perf_counter()
    from storage import migrate, name_index
    from storage.db import create_engine, make_session_factory

    try:
        from storage.name_loading import load_name_index
    except ImportError:  # a checkout from before the reading moved out of storage/name_index.py (--compare)
        load_name_index = name_index.load_name_index  # type: ignore[attr-defined]

    times: dict[str, float] = {"imports": time.perf_counter() - started}
    # Reading ends where the build starts: NameIndexBuilder.build, or NameIndex.build in older code.
    builder: Any = getattr(name_index, "NameIndexBuilder", name_index.NameIndex)
    real_build = builder.build
    real_sync = migrate.sync_territories
    marks: dict[str, float] = {}

    def build(*args: Any, **kwargs: Any) -> Any:
        marks["build_start"] = time.perf_counter()
        return real_build(*args, **kwargs)

    async def sync(*args: Any, **kwargs: Any) -> Any:
        marks["sync_start"] = time.perf_counter()
        return await real_sync(*args, **kwargs)

    builder.build = build  # the builder's method gets self first; NameIndex.build is called on the class
    migrate.sync_territories = sync  # type: ignore[assignment]
    begun = time.perf_counter()
    engine = create_engine(url)
    try:
        await migrate.upgrade_database(engine)
        synced = time.perf_counter()
        times["schema_check"] = marks["sync_start"] - begun
        times["territory_sync"] = synced - marks["sync_start"]
        async with make_session_factory(engine)() as session:
            index = await load_name_index(session)
        built = time.perf_counter()
        times["read_names"] = marks["build_start"] - synced
        times["build_index"] = built - marks["build_start"]
        gc.collect()
        gc.freeze()
        times["gc_freeze"] = time.perf_counter() - built
        times["total"] = time.perf_counter() - begun
        times["title_keys"] = index.count("title")
    finally:
        await engine.dispose()
    return times


async def whole(url: str) -> dict[str, float]:
    """Seconds of ``open_catalog`` as the app calls it (the figure bench/commands.py reports)."""
    from bot.catalog import open_catalog
    from bot.settings import Settings

    started = time.perf_counter()
    async with open_catalog(Settings(database_url=url)):
        return {"open_catalog": time.perf_counter() - started}


def child(url: str, mode: str) -> None:
    result = asyncio.run(phases(url) if mode == "phases" else whole(url))
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def run_child(root: Path, url: str, mode: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(root / "bench" / "startup.py"), url, "--child", mode],
        capture_output=True, text=True, cwd=root, env=env, check=False)
    if done.returncode:
        raise RuntimeError(f"child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL, e.g. sqlite:////tmp/catalog.db")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="another checkout to alternate with (its bench/startup.py)")
    parser.add_argument("--child", choices=["phases", "whole"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.url, arguments.child)
        return
    roots = {"this": ROOT, **({"compare": arguments.compare.resolve()} if arguments.compare else {})}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in roots}
    for run in range(arguments.runs):
        for name, root in roots.items():
            phased = run_child(root, arguments.url, "phases")
            phased["phases_rss_mb"] = phased.pop("peak_rss_mb")
            phased.update(run_child(root, arguments.url, "whole"))
            results[name].append(phased)
            print(f"run {run + 1} {name}: " + " ".join(f"{k}={v:.2f}" for k, v in phased.items()), flush=True)
    columns = (*PHASES, "phases_rss_mb", "open_catalog", "peak_rss_mb")
    print(f"\nmedians of {arguments.runs} runs (s; MB): " + " ".join(f"{c:>14}" for c in columns))
    for name, runs in results.items():
        print(f"{name:10} {roots[name]!s:30}" + " ".join(
            f"{statistics.median(r[c] for r in runs):14.2f}" for c in columns))


if __name__ == "__main__":
    main()
