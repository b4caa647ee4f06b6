"""A deterministic synthetic catalog at scale, bulk-loaded into a database or written as importer CSV files.

At ``--titles 100000`` (the issue's scale) it holds 100,000 titles with international, original, Spanish,
Turkish, Korean (romanized) and alias names, 20,000 companies, 200,000 deals, 1,000,000 airings with about
1.2 audience figures each, releases, quotes and the territory groups; smaller sizes scale every count by
``titles / 100,000``. The titles come from the same seeded generator as ``bench/resolve.py``
(``tests/commands/resolve_catalog.generate_titles``); everything else is drawn here from one seeded
``random.Random``, so the same arguments give the same catalog, row for row.

The database is made the way the app makes it (Alembic migrations, then the territories), then loaded with
SQLAlchemy Core ``insert()`` executemany in chunks: no ORM, no importer, so a million airings load in
seconds. Airings are skewed the way a real catalog is: series air more than films, a few titles air a lot,
and most figures fall in the sales territories (LATAM, MENA, CEE, ...).

``--csv DIR`` writes importer files instead (``companies.csv``, ``titles.csv`` and ``ratings.csv`` with
``--airings`` rows), for the import-throughput benchmark in ``bench/commands.py``.

Run: ``python bench/generate.py sqlite:///bench.db --titles 10000``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "commands"))

from resolve_catalog import GROUPS, SYLLABLES, GeneratedTitle, generate_titles  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine  # noqa: E402

from storage.db import create_engine  # noqa: E402
from storage.keys import name_key  # noqa: E402
from storage.migrate import upgrade_database  # noqa: E402
from storage.models import (  # noqa: E402
    AIRING_COPIES,
    Airing,
    AudienceFigure,
    Company,
    CompanyAlias,
    Deal,
    DealMedia,
    DealTerritory,
    Quote,
    Release,
    TerritoryGroup,
    Title,
    TitleName,
    company_natural_key,
    reading_order_copies,
    territory_group_members,
    title_natural_key,
)

FULL_TITLES = 100_000
SEED = 7
CHUNK = 10_000

# Where the catalog sells, with a weight for how much of its audience data each territory holds.
SALES_TERRITORIES: dict[str, int] = {
    "MX": 10, "CL": 6, "CO": 6, "AR": 6, "PE": 4, "EC": 3, "SV": 2, "HN": 2, "DO": 2, "GT": 2, "CR": 2, "PA": 2,
    "UY": 2, "PY": 2, "BO": 2, "VE": 2, "BR": 4, "ES": 6, "PT": 2, "IT": 3, "FR": 2, "DE": 3, "AT": 1, "CH": 1,
    "PL": 3, "RO": 3, "BG": 2, "HU": 2, "CZ": 2, "SK": 1, "HR": 2, "RS": 2, "GR": 3, "SA": 4, "AE": 3, "QA": 1,
    "KW": 1, "EG": 3, "MA": 2, "IL": 2, "KZ": 2, "AZ": 2, "ID": 3, "MY": 2, "PH": 2, "TH": 2, "VN": 2, "KR": 2,
    "IN": 2, "PK": 2, "ZA": 1, "US": 2, "GB": 1, "TR": 4,
}
COMPANY_KINDS = ["broadcaster"] * 12 + ["pay_tv"] * 3 + ["streaming"] * 3 + ["distributor", "cinema_chain"]
COMPANY_SHAPES = ("{} TV", "Canal {}", "{} Play", "{}visión", "{} Televisión", "Tele {}", "{} Channel", "{} Plus")
DEAL_STATUSES = ["signed"] * 4 + ["active"] * 3 + ["expired"] * 3 + ["negotiating", "offered", "cancelled"]
DEAL_MEDIA = ["free_tv"] * 5 + ["pay_tv"] * 2 + ["svod"] * 3 + ["avod", "tvod_est", "fast", "non_theatrical"]
TARGETS = ["Total", "Households", "18-49", "AB", "Women 25-54"]
TIMESLOTS = ["prime time", "daytime", "access", "late night", None]
SOURCES = ["Nielsen IBOPE", "Kantar", "GfK", "Mediametrie", "Sales team"]
# Korean words, romanized (Revised Romanization): what a Korean title looks like typed on a Latin keyboard.
KOREAN = ["sarang", "bimil", "haneul", "bada", "kkot", "bam", "nal", "gil", "jip", "byeol", "maeum", "sigan",
          "yeoreum", "gyeoul", "nunmul", "yaksok", "gajok", "chingu", "unmyeong", "gieok", "baram", "san", "kkum",
          "seonmul", "gyeolhon", "bokssu", "cheonsa", "dosi", "sonyeo", "wangja"]


@dataclass(frozen=True)
class Sizes:
    titles: int
    companies: int
    deals: int
    airings: int

    @classmethod
    def for_titles(cls, titles: int) -> Sizes:
        share = titles / FULL_TITLES
        return cls(titles, max(50, round(20_000 * share)), round(200_000 * share), round(1_000_000 * share))


@dataclass
class Catalog:
    """The generated rows, table by table, ready for Core ``insert()``."""

    sizes: Sizes
    titles: list[GeneratedTitle]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def count(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.rows.items()}


def _korean(rng: random.Random) -> str:
    return " ".join(rng.choice(KOREAN) for _ in range(rng.choice((2, 2, 3)))).capitalize()


def _person(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3)))).capitalize()


def _title_rows(titles: list[GeneratedTitle], rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    title_rows, name_rows = [], []
    for t in titles:
        language = "tr" if t.origin == "TR" else "ko" if t.origin == "KR" else "es" if t.origin in (
            "ES", "MX", "CO", "AR") else "en"
        original = _korean(rng) if t.origin == "KR" else t.original
        key = name_key(t.international)
        episodes = rng.randrange(8, 160) if t.kind == "series" else None
        title_rows.append({
            "id": t.id, "name": t.international, "key": key, "natural_key": title_natural_key(key, t.year, t.origin),
            "year": t.year, "kind": t.kind, "original_title": original, "original_language": language,
            "origin": t.origin, "genres": rng.choice(("Drama", "Drama|Romance", "Comedy", "Thriller", "Family")),
            "runtime_minutes": rng.randrange(85, 150) if t.kind == "film" else None, "episodes": episodes,
            "episode_minutes": rng.choice((45, 60, 90, 120)) if episodes else None,
            "director": f"{_person(rng)} {_person(rng)}", "logline": f"A story of {t.international.lower()}.",
            "synopsis": f"{t.international} ({t.year}): a {t.kind} from {t.origin}.", "source": "bench",
        })
        names = [("international", "en", t.international, None), ("original", language, original, None)]
        if t.spanish:
            names.append(("localized", "es", t.spanish, None))
        if t.turkish:
            names.append(("localized", "tr", t.turkish, "TR"))
        if t.origin != "KR" and rng.random() < 0.1:
            names.append(("localized", "ko", _korean(rng), "KR"))
        names += [("alias", "", alias, None) for alias in t.aliases]
        seen: set[tuple[str, str, str]] = set()
        for kind, lang, name, territory in names:
            identity = (kind, lang, name_key(name))
            if identity[2] and identity not in seen:
                seen.add(identity)
                name_rows.append({"title_id": t.id, "name": name, "key": identity[2], "kind": kind, "language": lang,
                                  "territory_code": territory})
    return title_rows, name_rows


def _companies(count: int, rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    territories = list(SALES_TERRITORIES)
    weights = list(SALES_TERRITORIES.values())
    rows, aliases, seen = [], [], set()
    while len(rows) < count:
        person = _person(rng)
        name = rng.choice(COMPANY_SHAPES).format(person)
        territory = rng.choices(territories, weights)[0]  # 54 weights: cheap enough per call
        natural = company_natural_key(name_key(name), territory)
        if natural in seen:
            continue
        seen.add(natural)
        company_id = len(rows) + 1
        rows.append({"id": company_id, "name": name, "key": name_key(name), "natural_key": natural,
                     "kind": rng.choice(COMPANY_KINDS), "territory_code": territory, "source": "bench"})
        if rng.random() < 0.3 and name_key(person) != name_key(name):
            aliases.append({"company_id": company_id, "name": person, "key": name_key(person)})
    return rows, aliases


def _skewed_weights(titles: list[GeneratedTitle], rng: random.Random) -> list[float]:
    """How much each title airs: series most, and a long tail (Pareto), capped so no title dwarfs the rest."""
    base = {"series": 6.0, "film": 2.0, "documentary": 1.0, "format": 1.0}
    return [base[t.kind] * min(rng.paretovariate(1.6), 40.0) for t in titles]


def _date(rng: random.Random, first: int = 2015, last: int = 2025) -> dt.date:
    return dt.date(rng.randrange(first, last + 1), rng.randrange(1, 13), rng.randrange(1, 29))


def generate(sizes: Sizes, seed: int = SEED) -> Catalog:
    """Every row of the catalog, in memory (about 2 GB of dicts at full size would be too much, so airings
    and figures are kept as compact dicts and inserted in chunks by the caller)."""
    rng = random.Random(seed)
    titles = generate_titles(sizes.titles, seed=seed)
    catalog = Catalog(sizes, titles)
    catalog.rows["titles"], catalog.rows["title_names"] = _title_rows(titles, rng)
    catalog.rows["companies"], catalog.rows["company_aliases"] = _companies(sizes.companies, rng)
    catalog.rows["territory_groups"] = [
        {"id": number, "name": name, "key": name_key(name), "source": "bench"} for number, name in
        enumerate(GROUPS, 1)]
    catalog.rows["territory_group_members"] = [
        {"group_id": number, "territory_code": code} for number, members in enumerate(GROUPS.values(), 1)
        for code in members]
    _deals(catalog, rng)
    _audience(catalog, rng)
    _releases_and_quotes(catalog, rng)
    return catalog


def _deals(catalog: Catalog, rng: random.Random) -> None:
    companies = catalog.rows["companies"]
    by_territory: dict[str, list[int]] = {}
    for company in companies:
        by_territory.setdefault(company["territory_code"], []).append(company["id"])
    territories, weights = list(SALES_TERRITORIES), list(SALES_TERRITORIES.values())
    title_ids = rng.choices([t.id for t in catalog.titles], _skewed_weights(catalog.titles, rng),
                            k=catalog.sizes.deals)
    homes = rng.choices(territories, weights, k=catalog.sizes.deals)
    deals, deal_territories, deal_media = [], [], []
    for number, title_id, home in zip(range(1, catalog.sizes.deals + 1), title_ids, homes, strict=True):
        covered = {home}
        if rng.random() < 0.25:
            covered.update(rng.sample(territories, rng.randrange(1, 6)))
        if rng.random() < 0.03:
            covered.update(GROUPS["LATAM"])
        licensee = rng.choice(by_territory.get(home) or [c["id"] for c in companies])
        start = _date(rng, 2012, 2026)
        status = rng.choice(DEAL_STATUSES)
        fee = Decimal(rng.randrange(1_000, 400_000)) if rng.random() < 0.7 else None
        deal_ref = f"D{number:07d}"
        deals.append({
            "id": number, "natural_key": f"bench-{number}", "deal_ref": deal_ref, "title_id": title_id,
            "licensee_id": licensee, "exclusive": rng.random() < 0.6, "start_date": start,
            "end_date": start + dt.timedelta(days=rng.randrange(180, 2200)), "runs": rng.randrange(1, 6),
            "holdback_until": None, "status": status, "fee": fee, "currency": "USD" if fee is not None else None,
            "owner": rng.choice(("Ayşe", "Carlos", "Deniz", "María")), "signed_on": start, "notes": None,
            "source": "bench",
        })
        copies = reading_order_copies(status, start, deal_ref)  # a territory row carries its deal's (see the model)
        deal_territories += [{"deal_id": number, "territory_code": code, **copies} for code in sorted(covered)]
        deal_media += [{"deal_id": number, "media": media} for media in sorted(set(rng.sample(DEAL_MEDIA, 2)))]
    catalog.rows["deals"], catalog.rows["deal_territories"] = deals, deal_territories
    catalog.rows["deal_media"] = deal_media


def _audience(catalog: Catalog, rng: random.Random) -> None:
    companies = catalog.rows["companies"]
    channels: dict[str, list[int]] = {}
    for company in companies:
        if company["kind"] in ("broadcaster", "pay_tv", "streaming"):
            channels.setdefault(company["territory_code"], []).append(company["id"])
    territories = [code for code in SALES_TERRITORIES if code in channels]
    weights = [SALES_TERRITORIES[code] for code in territories]
    title_weights = _skewed_weights(catalog.titles, rng)
    titles = catalog.titles
    picks = rng.choices(range(len(titles)), title_weights, k=catalog.sizes.airings)
    places = rng.choices(territories, weights, k=catalog.sizes.airings)
    airings, figures = [], []
    for number, pick, territory in zip(range(1, len(picks) + 1), picks, places, strict=True):
        title = titles[pick]
        undated = rng.random() < 0.03
        episode = str(rng.randrange(1, 120)) if title.kind == "series" else None
        airing = {
            "id": number, "natural_key": f"bench-{number}", "title_id": title.id, "territory_code": territory,
            "channel_id": rng.choice(channels[territory]), "air_date": None if undated else _date(rng),
            "timeslot": rng.choice(TIMESLOTS), "episode": episode,
        }
        airings.append(airing)
        copies = {name: airing[name] for name in AIRING_COPIES}  # a figure carries its airing's (see the model)
        viewers = int(rng.lognormvariate(13, 1.1))
        share = Decimal(rng.randrange(5, 400)) / 10
        targets = ["Total"] + (rng.sample(TARGETS[1:], 1) if rng.random() < 0.2 else [])
        for target in targets:
            figures.append({
                "airing_id": number, **copies, "target": target,
                "measurement": rng.choice(("live", "consolidated", "")),
                "viewers": viewers if target == "Total" else viewers // 3,
                "rating_pct": (share / 3).quantize(Decimal("0.001")), "share_pct": share, "reach": None,
                "rank_note": "#1 in prime time" if rng.random() < 0.01 else None, "notes": None,
                "source": rng.choice(SOURCES),
            })
    catalog.rows["airings"], catalog.rows["audience_figures"] = airings, figures


def _releases_and_quotes(catalog: Catalog, rng: random.Random) -> None:
    releases, quotes = [], []
    for t in catalog.titles:
        if t.kind == "film" and rng.random() < 0.3:
            territory = rng.choice(list(SALES_TERRITORIES))
            releases.append({
                "natural_key": f"bench-{t.id}-{territory}", "title_id": t.id, "territory_code": territory,
                "release_date": _date(rng), "admissions": rng.randrange(1_000, 5_000_000), "gross": None,
                "currency": None, "rank_note": None, "source": "bench",
            })
        for number in range(rng.choice((0, 0, 0, 1, 2))):
            quotes.append({
                "natural_key": f"bench-{t.id}-{number}", "title_id": t.id, "quote": f"A triumph, says critic {number}.",
                "person": _person(rng), "role": "Critic", "organization": "Daily Bench",
                "said_on": _date(rng) if rng.random() < 0.7 else None, "source": "bench",
            })
    catalog.rows["releases"], catalog.rows["quotes"] = releases, quotes


TABLES = (Title, TitleName, Company, CompanyAlias, TerritoryGroup, territory_group_members, Deal, DealTerritory,
          DealMedia, Airing, AudienceFigure, Release, Quote)


def _chunks(rows: Sequence[dict[str, Any]], size: int = CHUNK) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


async def _bulk_insert(connection: AsyncConnection, catalog: Catalog) -> None:
    for model in TABLES:
        table = getattr(model, "__table__", model)
        for chunk in _chunks(catalog.rows[table.name]):
            await connection.execute(insert(table), list(chunk))


async def _reset_sequences(connection: AsyncConnection) -> None:
    """PostgreSQL: explicit ids leave the sequences at 1; move them past the loaded rows."""
    for model in TABLES:
        table = getattr(model, "__table__", model)
        if "id" in table.c:
            await connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"  # noqa: S608 - our own table names
                f" GREATEST((SELECT max(id) FROM {table.name}), 1))"))


async def load(engine: AsyncEngine, catalog: Catalog) -> float:
    """Migrate an empty database and bulk-load the catalog; returns rows per second of the bulk insert."""
    await upgrade_database(engine)
    started = time.perf_counter()
    async with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            # A benchmark file, rebuilt at will: no need to make every page durable while loading it.
            await connection.exec_driver_sql("PRAGMA synchronous=OFF")
        await _bulk_insert(connection, catalog)
        if engine.dialect.name == "postgresql":
            await _reset_sequences(connection)
    elapsed = time.perf_counter() - started
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        # What autovacuum does to a freshly loaded PostgreSQL table a little later: statistics, and the
        # visibility map that lets a count read the index alone (without it, counting a group's 480,000
        # figures visits the table). SQLite only gathers statistics.
        await connection.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    return sum(catalog.count().values()) / elapsed


async def generate_database(url: str, titles: int, *, seed: int = SEED, search_path: str | None = None) -> Catalog:
    catalog = generate(Sizes.for_titles(titles), seed)
    engine = create_engine(url, search_path=search_path)
    try:
        await load(engine, catalog)
    finally:
        await engine.dispose()
    return catalog


# --- importer files ----------------------------------------------------------------------------------


def title_reference(title: dict[str, Any], shared: set[str]) -> str:
    """How a sheet names a title: its name, with the year when another title shares the name."""
    return f"{title['name']} ({title['year']})" if title["key"] in shared else title["name"]


def write_csv(catalog: Catalog, folder: Path, airings: int) -> dict[str, Path]:
    """``companies.csv``, ``titles.csv`` and ``ratings.csv`` (one figure per row, ``airings`` rows) for the importer.

    Titles that share a name and year with another (or whose reference would be ambiguous) are left out of
    the ratings sheet so every row resolves; a ratings row is a fresh airing (its own date and episode).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED + 1)
    titles = catalog.rows["titles"]
    companies = catalog.rows["companies"]
    key_count: dict[str, int] = {}
    for title in titles:
        key_count[title["key"]] = key_count.get(title["key"], 0) + 1
    shared = {key for key, count in key_count.items() if count > 1}
    paths = {kind: folder / f"{kind}.csv" for kind in ("companies", "titles", "ratings")}
    with paths["companies"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "kind", "territory", "source"])
        writer.writerows([c["name"], c["kind"], c["territory_code"], "bench"] for c in companies)
    with paths["titles"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "original_title", "original_language", "kind", "year", "origin", "source"])
        writer.writerows([t["name"], t["original_title"], t["original_language"], t["kind"], t["year"], t["origin"],
                          "bench"] for t in titles)
    company_keys: dict[str, int] = {}
    for company in companies:
        company_keys[company["key"]] = company_keys.get(company["key"], 0) + 1
    channels: dict[str, list[dict[str, Any]]] = {}
    for company in companies:
        channels.setdefault(company["territory_code"], []).append(company)
    territories = [code for code in SALES_TERRITORIES if code in channels]
    usable = [t for t in titles if t["key"] not in shared]
    with paths["ratings"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "territory", "channel", "air_date", "timeslot", "episode", "viewers", "share_pct",
                         "target", "measurement", "source"])
        for number in range(airings):
            title = rng.choice(usable)
            territory = rng.choice(territories)
            channel = rng.choice(channels[territory])
            # A channel name two territories share is written "Name (MX)", as the importer asks.
            channel_name = channel["name"] if company_keys[channel["key"]] == 1 else f"{channel['name']} ({territory})"
            writer.writerow([title_reference(title, shared), territory, channel_name,
                             (dt.date(2016, 1, 1) + dt.timedelta(days=number % 3650)).isoformat(),
                             "prime time", str(number // 3650 + 1), rng.randrange(10_000, 9_000_000),
                             f"{rng.randrange(5, 400) / 10}", "Total", "live", "bench"])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="database to load, e.g. sqlite:///bench.db (must be empty)")
    parser.add_argument("--titles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--csv", type=Path, help="write importer CSV files to this folder instead")
    parser.add_argument("--airings", type=int, default=100_000, help="rows of ratings.csv (with --csv)")
    arguments = parser.parse_args()
    started = time.perf_counter()
    catalog = generate(Sizes.for_titles(arguments.titles), arguments.seed)
    print(f"generated {catalog.count()} in {time.perf_counter() - started:.1f} s")
    if arguments.csv:
        for path in write_csv(catalog, arguments.csv, arguments.airings).values():
            print(f"wrote {path}")
        return
    if not arguments.url:
        parser.error("give a database URL or --csv DIR")

    async def run() -> float:
        engine = create_engine(arguments.url)
        try:
            return await load(engine, catalog)
        finally:
            await engine.dispose()

    rate = asyncio.run(run())
    print(f"loaded into {arguments.url} at {rate:,.0f} rows/s ({time.perf_counter() - started:.1f} s in all)")


if __name__ == "__main__":
    main()
