"""What the command benches ask and how they summarize the answer times, shared by ``bench/commands.py`` (a
generated catalog) and ``bench/lookups.py`` (a catalog already on disk)."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Sequence

LOOKUPS = ("title", "ratings title", "ratings territory", "ratings group", "deals title", "deals territory",
           "deals group", "avails group", "buyer", "top", "press")


def command_texts(names: Sequence[str], buyers: Sequence[str], territories: Sequence[str],
                  groups: Sequence[str], rng: random.Random) -> dict[str, list[str]]:
    """The query texts per lookup (and the prefixes autocomplete is timed on) for these titles, companies,
    territories and groups; ``top`` asks the first ten territories and every group, with and without a
    period."""
    places = [*territories[:10], *groups]
    return {
        "title": [f"!title {n}" for n in names],
        "ratings title": [f"!ratings {n}" for n in names],
        "ratings territory": [f"!ratings {t}" for t in territories],
        "ratings group": [f"!ratings {g}" for g in groups],
        "deals title": [f"!deals {n}" for n in names],
        "deals territory": [f"!deals {t}" for t in territories],
        "deals group": [f"!deals {g}" for g in groups],
        "avails group": [f"!avails {n} {rng.choice(groups)}" for n in names],
        "buyer": [f"!buyer {b}" for b in buyers],
        "top": [f"!top {p}{rng.choice(('', ' 2024', ' last 365 days'))}" for p in places] + ["!top", "!top 2024"],
        "press": [f"!press {n}" for n in names],
        "autocomplete": sorted({n[:length] for n in names for length in (1, 2, 3, 5, 8, len(n))}),
    }


def percentile(values: list[float], share: float) -> float:
    """The value ``share`` of the way up the sorted values (0.99: the p99; at n < 100, near the maximum)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def pace_ms(rounds: int = 7) -> float:
    """How fast this machine runs Python right now: milliseconds for a fixed piece of work like a list's
    (counts written into text, split and looked up), the median of ``rounds``.

    A shared 2-core machine's speed drifts by tens of percent from one stretch of minutes to the next, and
    every timing with it. Read beside a run's medians, the pace tells a slower processor from a slower
    change. It does not measure memory: two runs at the same pace (41-42 ms) gave the place lists, whose 200
    rows are scattered pages, 9.7-10.5 ms and 8.1-8.5 ms (docs/performance.md, the ninth round).
    """

    def once() -> float:
        started = time.perf_counter()
        seen: dict[str, int] = {}
        for i in range(20_000):
            text = f"{i * 7919:,} viewers · share {i % 997 / 10}%"
            seen[text[:5]] = seen.get(text[:5], 0) + len(text.split(" · "))
        return (time.perf_counter() - started) * 1000

    return statistics.median(once() for _ in range(rounds))
