"""Every hot query reads through an index, on SQLite and PostgreSQL, so a change cannot quietly make a scan.

The statements are not written down here: the real storage functions the commands call run against a
small catalog while a ``before_cursor_execute`` listener records each statement and its parameters, and
each recorded statement is then explained on the same connection. A query changed tomorrow is checked as
it is then, with no list to keep in step.

- SQLite: ``EXPLAIN QUERY PLAN``; no step may ``SCAN`` a catalog table (with or without an index: a full
  index scan is still a pass over every row). ``SEARCH`` steps, subqueries and the small reference tables
  (territories, groups) are fine.
- PostgreSQL: ``EXPLAIN (FORMAT JSON)`` with ``enable_seqscan = off`` for the transaction. On a tiny table
  the planner would rightly prefer a sequential scan, so the check turns them off: a ``Seq Scan`` that is
  still chosen means no index can answer the query. Full-index passes without a condition
  (an ``Index Scan`` with no ``Index Cond``) count as scans too.

Whole-catalog reads by design (the name index load, an unscoped ``top``, whose count of competing titles
reads the figures until it passes 1,000) are not hot lookups and are not run here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.audience import AudienceScope, _strongest, audience_figures, best_figures
from storage.catalog import title_facts
from storage.db import CatalogSession, SessionFactory
from storage.deals import avails_deals, channel_figures, deal_facts
from storage.models import (
    Airing,
    AudienceFigure,
    Company,
    Deal,
    DealMedia,
    DealTerritory,
    Quote,
    Release,
    TerritoryGroup,
    Title,
)
from storage.press import title_quotes

# The tables that grow with the catalog; a scan of any of them is what this test forbids.
CATALOG_TABLES = {
    "titles", "title_names", "companies", "company_aliases", "deals", "deal_territories", "deal_media", "airings",
    "audience_figures", "releases", "quotes",
}
LATAM = frozenset({"MX", "CL", "CO", "AR"})
Lookup = Callable[[CatalogSession, dict[str, int]], Awaitable[object]]

# The storage calls behind title, ratings (title, territory, group, channel, period), top, deals, avails,
# buyer and press, with the arguments those commands pass.
HOT_LOOKUPS: dict[str, Lookup] = {
    "title card": lambda s, ids: title_facts(s, ids["title"], strongest=6),
    "press facts": lambda s, ids: title_facts(s, ids["title"]),
    "press quotes": lambda s, ids: title_quotes(s, ids["title"]),
    "ratings by title": lambda s, ids: audience_figures(s, AudienceScope(title_id=ids["title"])),
    "ratings by territory": lambda s, ids: audience_figures(s, AudienceScope(territories=frozenset({"MX"}))),
    "ratings by group": lambda s, ids: audience_figures(s, AudienceScope(territories=LATAM)),
    "ratings by channel": lambda s, ids: audience_figures(s, AudienceScope(channel_id=ids["channel"])),
    "ratings by title and territory, period": lambda s, ids: audience_figures(s, AudienceScope(
        title_id=ids["title"], territories=frozenset({"MX"}), start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))),
    "ratings by territory, by date": lambda s, ids: audience_figures(
        s, AudienceScope(territories=frozenset({"MX"})), order="date"),
    "top in a territory": lambda s, ids: best_figures(s, AudienceScope(territories=frozenset({"MX"}))),
    "top in a group, period": lambda s, ids: best_figures(s, AudienceScope(
        territories=LATAM, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)), metric="share"),
    "top on a channel": lambda s, ids: best_figures(s, AudienceScope(channel_id=ids["channel"])),
    "deals by title": lambda s, ids: deal_facts(s, title_id=ids["title"]),
    "deals by territory": lambda s, ids: deal_facts(s, territory_codes={"MX"}),
    "deals by group": lambda s, ids: deal_facts(s, territory_codes=LATAM),
    "deals by group, in statuses": lambda s, ids: deal_facts(s, territory_codes=LATAM, statuses={"active", "expired"}),
    "deals by licensee": lambda s, ids: deal_facts(s, licensee_id=ids["channel"]),
    "avails over a group": lambda s, ids: avails_deals(s, ids["title"], LATAM),
    "buyer's channel figures": lambda s, ids: channel_figures(s, ids["channel"]),
}


async def _small_catalog(session_factory: SessionFactory) -> dict[str, int]:
    """A few rows in every catalog table: enough for each lookup to run and its plan to be made."""
    async with session_factory.begin() as session:
        titles = [Title(name=f"Title {n}", key=f"title {n}", natural_key=f"title {n}||TR", origin="TR")
                  for n in range(3)]
        channel = Company(name="Canal Uno", key="canal uno", natural_key="canal uno|MX", territory_code="MX",
                          kind="broadcaster")
        session.add_all([*titles, channel])
        await session.flush()
        for number, title in enumerate(titles):
            deal = Deal(natural_key=f"deal {number}", title_id=title.id, licensee_id=channel.id, status="signed",
                        exclusive=True, start_date=dt.date(2024, 1, 1), end_date=dt.date(2026, 1, 1),
                        territories=[DealTerritory(territory_code="MX"), DealTerritory(territory_code="CL")],
                        media=[DealMedia(media="free_tv")])
            airing = Airing(natural_key=f"airing {number}", title_id=title.id, territory_code="MX",
                            channel_id=channel.id, air_date=dt.date(2024, 5, number + 1),
                            figures=[AudienceFigure(target="Total", viewers=1000 * (number + 1),
                                                    share_pct=Decimal("12.5"))])
            session.add_all([
                deal, airing,
                Release(natural_key=f"release {number}", title_id=title.id, territory_code="MX"),
                Quote(natural_key=f"quote {number}", title_id=title.id, quote="Moving.", person="A Critic"),
            ])
        group = TerritoryGroup(name="LATAM", key="latam")
        session.add(group)
        await session.flush()
        return {"title": titles[0].id, "channel": channel.id}


class Recorder:
    """The statements an engine runs while recording is on, with their parameters."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.statements: list[tuple[str, Any]] = []
        self.on = False
        event.listen(engine.sync_engine, "before_cursor_execute", self._record)

    def _record(self, _connection: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                executemany: bool) -> None:
        if self.on and not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((statement, parameters))


async def _captured(engine: AsyncEngine, session_factory: SessionFactory) -> dict[str, list[tuple[str, Any]]]:
    ids = await _small_catalog(session_factory)
    recorder = Recorder(engine)
    captured: dict[str, list[tuple[str, Any]]] = {}
    for name, lookup in HOT_LOOKUPS.items():
        recorder.statements = []
        recorder.on = True
        async with session_factory() as session:
            await lookup(session, ids)
        recorder.on = False
        captured[name] = recorder.statements
    return captured


_SQLITE_SCAN = re.compile(r"^SCAN (\w+)")


def sqlite_scans(plan_rows: list[Any]) -> list[str]:
    """The plan steps that read a whole catalog table (``SCAN deals``, ``SCAN airings USING INDEX ...``)."""
    found = []
    for row in plan_rows:
        detail = str(row[-1])
        match = _SQLITE_SCAN.match(detail)
        if match and match.group(1) in CATALOG_TABLES:
            found.append(detail)
    return found


def _plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


def postgres_scans(plan: Any) -> list[str]:
    """Sequential scans, and index passes with no condition, of catalog tables anywhere in the plan tree."""
    found = []
    for node in _plan_nodes(plan[0]["Plan"]):
        table = node.get("Relation Name")
        if table not in CATALOG_TABLES:
            continue
        kind = node["Node Type"]
        if kind == "Seq Scan" or (kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node):
            found.append(f"{kind} on {table}" + (f" ({node['Index Name']})" if "Index Name" in node else ""))
    return found


async def _explain(engine: AsyncEngine, statement: str, parameters: Any) -> list[str]:
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)).all()
            return sqlite_scans(rows)
        await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = (await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)).scalar_one()
        await connection.rollback()
        return postgres_scans(json.loads(plan) if isinstance(plan, str) else plan)


async def test_every_hot_lookup_reads_through_indexes(engine: AsyncEngine, session_factory: SessionFactory) -> None:
    captured = await _captured(engine, session_factory)
    failures = []
    for name, statements in captured.items():
        assert statements, f"{name}: no statement was captured"
        for statement, parameters in statements:
            scans = await _explain(engine, statement, parameters)
            if scans:
                failures.append(f"{name}: {'; '.join(scans)}\n    {' '.join(statement.split())[:400]}")
    assert not failures, "full scans in hot queries:\n" + "\n".join(failures)


def test_sqlite_scan_detection() -> None:
    rows = [(2, 0, 0, "SEARCH deals USING INDEX ix_deals_title_id (title_id=?)"), (3, 0, 0, "SCAN territories"),
            (4, 0, 0, "SCAN audience_figures USING INDEX ix_audience_figures_airing_id"), (5, 0, 0, "SCAN ranked")]
    assert sqlite_scans(rows) == ["SCAN audience_figures USING INDEX ix_audience_figures_airing_id"]


def test_postgres_scan_detection() -> None:
    plan = [{"Plan": {"Node Type": "Nested Loop", "Plans": [
        {"Node Type": "Index Scan", "Relation Name": "deals", "Index Name": "ix_deals_title_id",
         "Index Cond": "(title_id = 1)"},
        {"Node Type": "Seq Scan", "Relation Name": "airings"},
        {"Node Type": "Seq Scan", "Relation Name": "territories"},
    ]}}]
    assert postgres_scans(plan) == ["Seq Scan on airings"]


async def test_a_groups_walks_are_merged_without_sorting_them_on_sqlite(sqlite_engine: AsyncEngine) -> None:
    """A group's strongest figures: each territory's index walked in order and merged (``_merged_walks``); no
    territory's rows sorted again on the way, in every order a list or board asks for. (The form before sorted
    every territory's 200 rows in a temporary B-tree.) By date only ties of a day are ordered further."""
    group = AudienceScope(territories=LATAM)
    statements = [_strongest(group, order, 200, None, "sqlite") for order in ("best", "date", "share", "rating")]
    statements += [_strongest(group, metric, 200, per, "sqlite") for metric in ("viewers", "share") for per in
                   ("title", "territory")]
    async with sqlite_engine.connect() as connection:
        for statement in statements:
            compiled = statement.compile(sqlite_engine.sync_engine, compile_kwargs={"literal_binds": True})
            plan = [str(row[-1]) for row in (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")).all()]
            walks = [step for step in plan if step.startswith("SEARCH audience_figures USING COVERING INDEX")]
            assert len(walks) == len(LATAM), plan
            assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


async def _sqlite_plan(engine: AsyncEngine, statement: Any) -> list[str]:
    compiled = statement.compile(engine.sync_engine, compile_kwargs={"literal_binds": True})
    async with engine.connect() as connection:
        return [str(row[-1]) for row in (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")).all()]


# Statistics as ANALYZE wrote them for the 100,000-title bench catalog (1,200,060 figures, 22,224 dates). With
# them SQLite's planner reads a group's period off the date index and sorts it, whatever its size; the
# readings ``_period_read`` chooses must hold against that too.
BENCH_STATISTICS = (
    ("ix_audience_figures_territory_date", "1200060 22224 7 1 1 1 1 1"),
    ("ix_audience_figures_territory_viewers", "1200060 22224 1 1 1 1 1 1 1"),
    ("ix_audience_figures_territory_share", "1200060 22224 57 1 1 1 1 1"),
    ("ix_audience_figures_territory_rating", "1200060 22224 57 1 1 1 1 1"),
    ("ix_audience_figures_viewers", "1200060 2 1 1 1 1 1 1 1"),
    ("ix_audience_figures_title_viewers", "1200060 13 1 1 1 1 1"),
    ("ix_audience_figures_channel_viewers", "1200060 67 1 1 1 1 1 1"),
    ("sqlite_autoindex_audience_figures_1", "1200060 2 1 1"),
)


async def _with_bench_statistics(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE")  # makes sqlite_stat1, then holds the bench's figures
        await connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'audience_figures'")
        for index, stat in BENCH_STATISTICS:
            await connection.exec_driver_sql(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('audience_figures', ?, ?)", (index, stat))
        await connection.exec_driver_sql("ANALYZE sqlite_schema")  # SQLite reads its statistics again
    await engine.dispose()  # and so does every new connection


@pytest.mark.parametrize("statistics", ["none", "bench"])
async def test_a_period_is_walked_or_sorted_as_told_on_sqlite(sqlite_engine: AsyncEngine, statistics: str) -> None:
    """A period holding many figures ("walked") walks the best-first index for viewers, which carries the
    date, with no sort: each territory's for places, the whole catalog's for everything. One holding few
    ("sorted") reads its days off the date index and sorts them. Either holds whatever the planner would
    choose by itself: without statistics it walks; with the bench catalog's it sorted LATAM's year (12 ms
    for the board, 0.4 walked)."""
    if statistics == "bench":
        await _with_bench_statistics(sqlite_engine)
    start = dt.date(2024, 1, 1)
    boards = (("best", None), ("viewers", "title"), ("viewers", "territory"))
    for days in (6, 365):
        period = {"start": start, "end": start + dt.timedelta(days=days)}
        for order, per in boards:
            statement = _strongest(AudienceScope(**period), order, 200, per, "sqlite", "walked")  # type: ignore[arg-type]
            plan = await _sqlite_plan(sqlite_engine, statement)
            walk = "audience_figures USING COVERING INDEX ix_audience_figures_viewers"
            expected = f"SCAN {walk}" if per is None else f"SEARCH {walk} (viewers>?)"  # a board: figures with viewers
            assert [step for step in plan if "audience_figures" in step] == [expected], plan
        for territories in (frozenset({"MX"}), LATAM):
            scope = AudienceScope(territories=territories, **period)
            for period_read in ("walked", "sorted"):
                for order, per in boards:
                    statement = _strongest(scope, order, 200, per, "sqlite", period_read)  # type: ignore[arg-type]
                    plan = await _sqlite_plan(sqlite_engine, statement)
                    reads = [step for step in plan if step.startswith("SEARCH audience_figures")]
                    assert len(reads) == len(territories), plan
                    if period_read == "sorted":
                        assert all("ix_audience_figures_territory_date (territory_code=? AND air_date>? AND"
                                   " air_date<?)" in step for step in reads), plan
                    else:
                        assert all("ix_audience_figures_territory_viewers" in step for step in reads), plan
                        assert not any("TEMP B-TREE" in step for step in plan), plan
