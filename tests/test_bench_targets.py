"""The scale targets' verdicts that ``bench/commands.py`` prints: each one names the figure that decides it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "commands.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_commands", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved  # the bench puts its folders first on the path
    return module


def _results(bench: ModuleType, *, slowest: float = 9.7, turns: float = 1.13) -> dict[str, dict[str, Any]]:
    """A run's results: every lookup at 5 ms but ``ratings group`` (``slowest``); PostgreSQL 1.5x slower, 1.9x on
    ``deals title``; in turns 1.0x, ``turns`` on ``top``."""
    sqlite: dict[str, Any] = {name: {"median": 5.0, "p99": 20.0} for name in bench.LOOKUPS}
    sqlite["ratings group"] = {"median": slowest, "p99": 27.5}
    sqlite["autocomplete"] = {"median": 0.25, "p99": 1.4}
    sqlite |= {"startup_s": 2.7, "peak_rss_mb": 420.0}
    postgresql = {name: {"median": sqlite[name]["median"] * (1.9 if name == "deals title" else 1.5)}
                  for name in bench.LOOKUPS}
    interleaved = dict.fromkeys(bench.LOOKUPS, 1.0) | {"top": turns}
    return {"sqlite": sqlite, "postgresql": postgresql, "interleaved": interleaved}


def test_every_target_met_names_its_worst_figure(bench: ModuleType) -> None:
    lines = bench.verdicts(_results(bench), {"importer_rows_s": 27_354.0})
    assert lines == [
        "lookup medians under 10 ms: met (highest 9.70 ms, ratings group)",
        "lookup p99 under 50 ms: met (highest 27.50 ms, ratings group)",
        "autocomplete p99 under 5 ms: met (1.40 ms)",
        "start-up under 5 s: met (2.70 s)",
        "peak RSS under 500 MB: met (420 MB)",
        "import at 25,000 rows/s or more: met (27,354 rows/s)",
        "PostgreSQL within 2x of SQLite, engines' own runs: met (highest 1.90x, deals title)",
        "PostgreSQL within 2x of SQLite, in turns: met (highest 1.13x, top)",
    ]


def test_a_target_missed_is_said_so(bench: ModuleType) -> None:
    lines = bench.verdicts(_results(bench, slowest=10.0, turns=2.3), {"importer_rows_s": 24_999.0})
    missed = [line for line in lines if "MISSED" in line]
    assert missed == [
        "lookup medians under 10 ms: MISSED (highest 10.00 ms, ratings group)",
        "import at 25,000 rows/s or more: MISSED (24,999 rows/s)",
        "PostgreSQL within 2x of SQLite, in turns: MISSED (highest 2.30x, top)",
    ]


def test_no_import_and_no_postgresql_leave_their_targets_out(bench: ModuleType) -> None:
    results = _results(bench)
    lines = bench.verdicts({"sqlite": results["sqlite"]}, None)
    assert len(lines) == 5
    assert not any("import" in line or "PostgreSQL" in line for line in lines)
