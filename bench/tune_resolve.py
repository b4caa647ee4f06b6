"""Tune the found-vs-ambiguous rule of commands/resolve.py on the labelled evaluation set.

Ranks every evaluation query once, then replays the decision for a grid of (found, margin) thresholds and
prints, per setting: unambiguous queries found right, found wrong (silent mistakes, the costly kind),
asked (the right record offered first or among the candidates), absent titles wrongly found, and ambiguous
queries answered silently. Run: ``python bench/tune_resolve.py`` (about 10 s).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "commands"))
sys.path.insert(0, str(ROOT))  # before bench/ itself, whose commands.py would hide the commands package

from resolve_catalog import demo_parts, generate_titles, generated_parts  # noqa: E402
from resolve_queries import (  # noqa: E402
    DEMO_QUERIES,
    absent_queries,
    generated_queries,
    group_and_company_queries,
    judge,
    territory_queries,
)

from commands import resolve  # noqa: E402
from commands.resolve import Rule  # noqa: E402
from storage.keys import name_key  # noqa: E402
from storage.name_index import NameIndex  # noqa: E402


def ranked_queries() -> list[tuple[NameIndex, object, list]]:
    demo = NameIndex.build(*demo_parts())
    titles = generate_titles(2000, seed=7)
    parts = generated_parts(titles, with_demo=False)
    generated = NameIndex.build(*parts)
    sets = [(demo, DEMO_QUERIES + territory_queries() + group_and_company_queries()),
            (generated, generated_queries(titles, parts) + absent_queries(parts))]
    rows = []
    for index, queries in sets:
        for query in queries:
            words = name_key(query.text).split()
            if query.kind == "title":
                ranked = resolve.rank_title(index, words).ranked
            elif query.kind == "territory":
                ranked = resolve.rank_places(index, words)
            else:
                ranked = resolve.rank(index, "company", words)
            rows.append((index, query, ranked))
    return rows


def main() -> None:
    rows = ranked_queries()
    unambiguous = sum(not q.ambiguous and q.category != "absent" for _, q, _ in rows)
    print(f"{len(rows)} queries ({unambiguous} unambiguous)")
    print(f"{'found':>5} {'margin':>6} | {'right':>6} {'wrong':>5} {'asked1':>6} {'asked':>5} {'none':>4} |"
          f" {'absent found':>12} {'amb. silent':>11} {'amb. missing':>12}")
    for found in (60, 65, 70, 75, 80, 85):
        for margin in (2, 4, 6, 8, 10, 12, 15):
            rule = Rule(found=found, margin=margin)
            verdicts = [judge(q, resolve.decide(index, q.text, ranked, rule)).verdict for index, q, ranked in rows]
            count = verdicts.count
            absent_found = sum(v == "found_wrong" and row[1].category == "absent"
                               for v, row in zip(verdicts, rows, strict=True))
            print(f"{found:>5} {margin:>6} | {count('found_right') / unambiguous:>6.1%} {count('found_wrong'):>5}"
                  f" {count('asked_top1'):>6} {count('asked'):>5} {count('not_found'):>4} |"
                  f" {absent_found:>12} {count('ambiguous_silent'):>11} {count('ambiguous_missing'):>12}")

if __name__ == "__main__":
    main()
