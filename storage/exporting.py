"""Export the catalog as the same CSV files the importer reads: one file per kind, in the sheet's columns.

The export is the import's inverse and is kept deterministic (canonical number and date forms, stable row
order), so exporting, importing the export into an empty catalog and exporting again gives byte-identical
files; that round trip is how the tests prove the two agree. References are written the shortest way that
is still unambiguous: a title's plain name unless another title answers to it, then ``Name (2019, TR)``;
a company's name unless another company shares it, then ``Name (CC)``.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storage.db import CatalogSession
from storage.importing.references import Entry
from storage.importing.sheets import SHEETS
from storage.importing.values import format_date, format_decimal, format_whole_number
from storage.keys import name_key
from storage.models import (
    Airing,
    AudienceFigure,
    Company,
    Deal,
    Quote,
    Release,
    TerritoryGroup,
    Title,
)


def _cell(value: Any) -> str:
    """The canonical text of a value, as the importer reads it back unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return format_whole_number(value)
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


def _write(directory: Path, kind: str, rows: Iterable[dict[str, Any]]) -> Path:
    path = directory / f"{kind}.csv"
    columns = SHEETS[kind].names
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
    return path


def _write_all(directory: Path, tables: dict[str, list[dict[str, Any]]]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return [_write(directory, kind, tables[kind]) for kind in SHEETS]


def _references(entries: dict[int, Entry], keys: dict[int, set[str]], *, years: bool) -> dict[int, str]:
    """id -> how other sheets should name it: plain when its name fits it alone, else with qualifiers."""
    holders = Counter(key for id_keys in keys.values() for key in id_keys)
    return {
        id_: entry.name if holders[name_key(entry.name)] == 1 else entry.reference(years=years)
        for id_, entry in entries.items()
    }


def _alias_cell(title: Title) -> str:
    parts = []
    for name in title.names:
        if name.kind == "localized":
            tag = f"{name.language}-{name.territory_code}" if name.territory_code else name.language
            parts.append(f"{tag}:{name.name}")
        elif name.kind == "alias":
            parts.append(name.name)
    return "|".join(parts)


async def export_catalog(session: CatalogSession, directory: Path) -> list[Path]:
    """Write ``titles.csv`` ... ``quotes.csv`` (UTF-8, comma, header row) into ``directory``; return the paths."""
    titles = list(await session.scalars(select(Title).options(selectinload(Title.names))))
    companies = list(await session.scalars(select(Company).options(selectinload(Company.aliases))))
    groups = list(await session.scalars(select(TerritoryGroup).options(selectinload(TerritoryGroup.territories))))

    title_ref = _references(
        {t.id: Entry(t.natural_key, t.name, t.year, t.origin) for t in titles},
        {t.id: {t.key, *(n.key for n in t.names)} for t in titles}, years=True,
    )
    company_ref = _references(
        {c.id: Entry(c.natural_key, c.name, None, c.territory_code) for c in companies},
        {c.id: {c.key, *(a.key for a in c.aliases)} for c in companies}, years=False,
    )
    title_nk = {t.id: t.natural_key for t in titles}
    company_nk = {c.id: c.natural_key for c in companies}
    tables: dict[str, list[dict[str, Any]]] = {}
    tables["territory_groups"] = [
        {"group": g.name, "territories": "|".join(t.code for t in g.territories), "source": g.source}
        for g in sorted(groups, key=lambda g: g.key)
    ]
    tables["companies"] = [
        {"name": c.name, "kind": c.kind, "territory": c.territory_code,
         "aliases": "|".join(a.name for a in c.aliases), "source": c.source}
        for c in sorted(companies, key=lambda c: c.natural_key)
    ]
    tables["titles"] = [
        {**{column: getattr(t, column) for column in (
            "original_title", "original_language", "kind", "year", "origin", "genres", "runtime_minutes",
            "episodes", "episode_minutes", "director", "producer", "cast", "logline", "synopsis",
            "highlights", "key_art_url", "trailer_url", "screener_url", "source")},
         "title": t.name, "aliases": _alias_cell(t),
         "remake_of": title_ref[t.remake_of_id] if t.remake_of_id else None}
        for t in sorted(titles, key=lambda t: t.natural_key)
    ]

    deals = list(await session.scalars(select(Deal).options(selectinload(Deal.territories),
                                                            selectinload(Deal.media))))
    deals.sort(key=lambda d: (title_nk[d.title_id], company_nk[d.licensee_id], _cell(d.start_date), d.natural_key))
    tables["deals"] = [
        {"title": title_ref[d.title_id], "licensee": company_ref[d.licensee_id],
         "territories": "|".join(sorted(t.territory_code for t in d.territories)),
         "media": "|".join(sorted(m.media for m in d.media)), "deal_ref": d.deal_ref, "exclusive": d.exclusive,
         "start": d.start_date, "end": d.end_date, "runs": d.runs, "holdback_until": d.holdback_until,
         "status": d.status, "fee": d.fee, "currency": d.currency, "owner": d.owner, "signed_on": d.signed_on,
         "notes": d.notes, "source": d.source}
        for d in deals
    ]

    figures = list((await session.execute(select(AudienceFigure, Airing).join(Airing))).all())
    figures.sort(key=lambda pair: (
        title_nk[pair[1].title_id], pair[1].territory_code, company_nk[pair[1].channel_id], _cell(pair[1].air_date),
        name_key(pair[1].timeslot or ""), pair[1].episode or "", name_key(pair[0].target), pair[0].measurement,
    ))
    tables["ratings"] = [
        {"title": title_ref[a.title_id], "territory": a.territory_code, "channel": company_ref[a.channel_id],
         "air_date": a.air_date, "timeslot": a.timeslot, "episode": a.episode, "viewers": f.viewers,
         "rating_pct": f.rating_pct, "share_pct": f.share_pct, "reach": f.reach, "target": f.target,
         "measurement": f.measurement, "rank_note": f.rank_note, "notes": f.notes, "source": f.source}
        for f, a in figures
    ]

    releases = list(await session.scalars(select(Release)))
    releases.sort(key=lambda r: (title_nk[r.title_id], r.territory_code, _cell(r.release_date)))
    tables["releases"] = [
        {"title": title_ref[r.title_id], "territory": r.territory_code, "release_date": r.release_date,
         "admissions": r.admissions, "gross": r.gross, "currency": r.currency, "rank_note": r.rank_note,
         "source": r.source}
        for r in releases
    ]

    quotes = list(await session.scalars(select(Quote)))
    quotes.sort(key=lambda q: (title_nk[q.title_id], name_key(q.person), _cell(q.said_on), q.natural_key))
    tables["quotes"] = [
        {"title": title_ref[q.title_id], "quote": q.quote, "person": q.person, "role": q.role,
         "organization": q.organization, "date": q.said_on, "source": q.source}
        for q in quotes
    ]
    return await asyncio.to_thread(_write_all, directory, tables)
