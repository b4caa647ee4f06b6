"""Name resolution at catalog scale: Slate's resolver against difflib and a plain rapidfuzz WRatio scan.

For generated multilingual catalogs of 1,000, 10,000 and 100,000 titles (each with an original title and
Spanish/Turkish/alias names: about 3.3 names a title), prints the index build time and memory, median and
p99 time per resolution and per autocomplete call, and top-1 accuracy on the same labelled queries, side by
side with ``difflib.get_close_matches`` and ``rapidfuzz.process.extractOne(scorer=WRatio)`` over every
name key (the baselines get the same normalized keys, so normalization is not what is compared).
The baselines are slow at scale, so they run on a sample of the queries there; the table says how many.

Run: ``python bench/resolve.py`` (about 4 minutes on 2 cores); ``--sizes 1000 10000`` for fewer.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "commands"))
sys.path.insert(0, str(ROOT))  # before bench/ itself, whose commands.py would hide the commands package

from rapidfuzz import fuzz, process  # noqa: E402
from resolve_catalog import generate_titles, generated_parts  # noqa: E402
from resolve_queries import EvalQuery, absent_queries, generated_queries, judge  # noqa: E402

from commands.autocomplete import autocomplete  # noqa: E402
from commands.resolve import Found, resolve_title  # noqa: E402
from storage.keys import name_key  # noqa: E402
from storage.name_index import NameIndex  # noqa: E402

FREEZE = True
BASELINE_SAMPLE = {1_000: 400, 10_000: 120, 100_000: 25}
WRATIO_SAMPLE = {1_000: 400, 10_000: 400, 100_000: 120}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(call: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - start) * 1000


def build(parts: tuple[list, list]) -> tuple[NameIndex, float, float]:
    gc.collect()
    index, build_ms = timed(lambda: NameIndex.build(*parts))
    del index
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = NameIndex.build(*parts)
    memory_mb = (tracemalloc.get_traced_memory()[0] - before) / 1e6
    tracemalloc.stop()
    if FREEZE:
        # What the app does after swapping in a new index: long-lived objects leave the collector's
        # generations, so a full collection does not walk a million index objects mid-query.
        gc.collect()
        gc.freeze()
    return index, build_ms, memory_mb


def key_records(parts: tuple[list, list]) -> dict[str, list[str]]:
    """Name key -> title references, for mapping a baseline's best name back to a record."""
    records, names = parts
    found: dict[str, list[str]] = {}
    for record in records:
        if record.kind == "title":
            found.setdefault(name_key(record.name), []).append(record.ref)
    for entry in names:
        if entry.kind == "title":
            refs = found.setdefault(entry.key, [])
            if f"title:{entry.record_id}" not in refs:
                refs.append(f"title:{entry.record_id}")
    return found


def baseline(queries: list[EvalQuery], refs_by_key: dict[str, list[str]],
             pick: Callable[[str], str | None]) -> tuple[list[float], float]:
    """(times in ms, top-1 accuracy) of a one-best-name baseline on the unambiguous queries."""
    times, right = [], 0
    for query in queries:
        best, ms = timed(lambda q=query: pick(name_key(q.text)))
        times.append(ms)
        right += bool(best) and refs_by_key.get(best, [""])[0] in query.expected  # type: ignore[arg-type]
    return times, right / max(len(queries), 1)


def run(size: int) -> dict[str, object]:
    titles = generate_titles(size, seed=7)
    parts = generated_parts(titles, with_demo=False)
    title_names = sum(1 for entry in parts[1] if entry.kind == "title") + len(titles)
    index, build_ms, memory_mb = build(parts)
    queries = generated_queries(titles, parts, sample=150, seed=11) + absent_queries(parts, count=20)
    unambiguous = [q for q in queries if not q.ambiguous and q.category != "absent"]

    for query in queries[:50]:  # warm caches and code paths
        resolve_title(index, query.text)
    resolve_times, outcomes = [], []
    for query in queries:
        resolution, ms = timed(lambda q=query: resolve_title(index, q.text))
        resolve_times.append(ms)
        outcomes.append(judge(query, resolution))
    by_query = {o.query: o for o in outcomes}
    found_right = sum(by_query[q].verdict == "found_right" for q in unambiguous) / len(unambiguous)
    top1 = sum(by_query[q].verdict in ("found_right", "asked_top1") for q in unambiguous) / len(unambiguous)
    absent_found = sum(o.verdict == "found_wrong" for o in outcomes if o.query.category == "absent")

    complete_times = []
    for query in queries:
        text = query.text
        for length in sorted({1, 2, 3, 5, 8, len(text)}):
            if length <= len(text):
                _, ms = timed(lambda t=text[:length]: autocomplete(index, "title", t))
                complete_times.append(ms)

    refs_by_key = key_records(parts)
    all_keys = list(refs_by_key)
    difflib_queries = unambiguous[: BASELINE_SAMPLE[size]]
    difflib_times, difflib_accuracy = baseline(
        difflib_queries, refs_by_key,
        lambda key: next(iter(difflib.get_close_matches(key, all_keys, n=1, cutoff=0.6)), None),
    )
    wratio_queries = unambiguous[: WRATIO_SAMPLE[size]]
    wratio_times, wratio_accuracy = baseline(
        wratio_queries, refs_by_key,
        lambda key: (process.extractOne(key, all_keys, scorer=fuzz.WRatio, processor=None) or (None,))[0],
    )
    # Slate on exactly the queries each baseline saw, for a like-for-like accuracy.
    slate_on = {
        name: sum(by_query[q].verdict in ("found_right", "asked_top1") for q in sample) / len(sample)
        for name, sample in (("difflib", difflib_queries), ("wratio", wratio_queries))
    }
    found_in = sum(isinstance(resolve_title(index, q.text), Found) for q in unambiguous)
    return {
        "size": size, "names": title_names, "keys": index.count("title"), "build_ms": build_ms,
        "memory_mb": memory_mb, "queries": len(queries), "unambiguous": len(unambiguous),
        "resolve": resolve_times, "complete": complete_times, "found_right": found_right, "top1": top1,
        "absent_found": absent_found, "absent": sum(q.category == "absent" for q in queries),
        "difflib": difflib_times, "difflib_accuracy": difflib_accuracy, "difflib_n": len(difflib_queries),
        "wratio": wratio_times, "wratio_accuracy": wratio_accuracy, "wratio_n": len(wratio_queries),
        "slate_on": slate_on, "found_in": found_in,
    }


def report(result: dict[str, object]) -> None:
    def stats(values: object) -> str:
        times = values  # type: ignore[assignment]
        return f"{statistics.median(times):8.3f} {percentile(times, 0.99):8.3f}"  # type: ignore[arg-type]

    r = result
    median = statistics.median
    print(f"\n## {r['size']:,} titles: {r['names']:,} title names, {r['keys']:,} distinct keys;"
          f" index build {r['build_ms'] / 1000:.2f} s, {r['memory_mb']:.0f} MB (whole index, all kinds)")
    print(f"{'':28} {'median ms':>9} {'p99 ms':>8} {'top-1':>7} {'queries':>8} {'x slower':>9}")
    print(f"{'slate resolve_title':28} {stats(r['resolve'])} {r['top1']:>7.1%} {r['queries']:>8}        1")
    print(f"{'slate autocomplete':28} {stats(r['complete'])} {'':>7} {len(r['complete']):>8}")  # type: ignore[arg-type]
    ours = median(r["resolve"])  # type: ignore[arg-type]
    for name, label in (("difflib", "difflib.get_close_matches"), ("wratio", "extractOne(WRatio)")):
        print(f"{label:28} {stats(r[name])} {r[name + '_accuracy']:>7.1%} {r[name + '_n']:>8}"
              f" {median(r[name]) / ours:>9.0f}   (slate on the same queries: {r['slate_on'][name]:.1%})")  # type: ignore
    print(f"slate: found-right {r['found_right']:.1%} of {r['unambiguous']} unambiguous queries (the rest asked),"
          f" absent titles wrongly found {r['absent_found']}/{r['absent']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--no-freeze", action="store_true", help="leave the index in the GC generations")
    arguments = parser.parse_args()
    global FREEZE  # noqa: PLW0603
    FREEZE = not arguments.no_freeze
    print(f"# bench/resolve.py on {platform.processor() or platform.machine()}, Python {platform.python_version()},"
          f" {__import__('os').cpu_count()} CPUs, gc.freeze() after build: {FREEZE}")
    for size in arguments.sizes:
        started = time.perf_counter()
        report(run(size))
        print(f"(section took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
