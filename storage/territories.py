"""Territories: every ISO 3166-1 country with its English, Spanish and Turkish names.

Codes come from pycountry (ISO 3166-1), names from Babel's CLDR data, so both stay current with their
maintainers. ``ALIASES`` adds only what those sources miss: the short forms, old names and other languages'
everyday words people type in chat and spreadsheets. An alias may fit two countries ("Korea", "Congo"):
lookups then ask which one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pycountry
from babel import Locale
from sqlalchemy import delete, insert, select

from storage.db import CatalogSession
from storage.keys import name_key
from storage.models import Territory, TerritoryName

LANGUAGES = ("en", "es", "tr")

ALIASES: dict[str, tuple[str, ...]] = {
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland",
           "Inglaterra", "Gran Bretaña", "İngiltere", "Britanya"),
    "US": ("USA", "U.S.", "U.S.A.", "America", "United States of America", "EEUU", "EE.UU.", "EE UU",
           "Estados Unidos de América", "ABD", "Amerika"),
    "TR": ("Turkey", "Turkiye", "Turquia", "Türkei", "Turkei"),
    "KR": ("Korea", "S. Korea", "Republic of Korea", "ROK", "Corea", "Kore", "Güney Kore"),
    "KP": ("Korea", "N. Korea", "DPRK", "Corea", "Kore"),
    "NL": ("Holland", "The Netherlands", "Holanda", "Hollanda"),
    "AE": ("UAE", "U.A.E.", "Emirates", "EAU", "BAE"),
    "CI": ("Ivory Coast", "Cote d'Ivoire", "Costa de Marfil", "Fildişi Sahili"),
    "CZ": ("Czech Republic", "República Checa", "Çek Cumhuriyeti"),
    "MK": ("Macedonia", "FYROM"),
    "SZ": ("Swaziland",),
    "CD": ("DR Congo", "DRC", "Congo", "Congo-Kinshasa", "RDC"),
    "CG": ("Congo", "Congo-Brazzaville", "Republic of the Congo"),
    "PS": ("Palestine",),
    "VA": ("Vatican", "Holy See"),
    "RU": ("Russian Federation",),
    "MM": ("Burma",),
    "CV": ("Cape Verde",),
    "TL": ("East Timor",),
    "BA": ("Bosnia", "Bosnia-Herzegovina"),
    "DO": ("Dominican Rep.", "Rep. Dominicana", "RD"),
    "SA": ("KSA", "Saudi", "Arabia Saudita", "Suudi Arabistan"),
    "HK": ("Hong Kong",),
    "MO": ("Macau", "Macao"),
    "TW": ("Taiwan",),
    "BO": ("Bolivia",),
    "VE": ("Venezuela",),
    "IR": ("Iran",),
    "SY": ("Syria",),
    "LA": ("Laos",),
    "MD": ("Moldova",),
    "TZ": ("Tanzania",),
    "VN": ("Vietnam", "Viet Nam"),
    "DE": ("Deutschland", "Alemania", "Almanya"),
}


@dataclass(frozen=True)
class TerritoryData:
    code: str
    alpha3: str
    numeric: str
    names: dict[str, str]  # language -> name (en, es, tr)
    other_names: tuple[tuple[str, str], ...]  # (name, source language or "iso" / "alias")


def territory_data() -> list[TerritoryData]:
    """All ISO 3166-1 countries with CLDR names in English, Spanish and Turkish, plus ISO names and aliases."""
    locales = {language: Locale(language) for language in LANGUAGES}
    rows = []
    for country in pycountry.countries:
        code = country.alpha_2
        names = {language: locale.territories.get(code, country.name) for language, locale in locales.items()}
        others: list[tuple[str, str]] = [(code, "iso"), (country.alpha_3, "iso"), (country.name, "iso")]
        for attribute in ("official_name", "common_name"):
            if value := getattr(country, attribute, None):
                others.append((value, "iso"))
        others.extend((alias, "alias") for alias in ALIASES.get(code, ()))
        rows.append(TerritoryData(code, country.alpha_3, country.numeric, names, tuple(others)))
    return rows


def _names_of(data: TerritoryData) -> Iterator[tuple[str, str, str]]:
    """(name, key, language) for every distinct key of one territory, CLDR names first."""
    seen: set[str] = set()
    for name, language in (*((n, lang) for lang, n in data.names.items()), *data.other_names):
        key = name_key(name)
        if key and key not in seen:
            seen.add(key)
            yield name, key, language


async def sync_territories(session: CatalogSession, rows: Iterable[TerritoryData] | None = None) -> int:
    """Make the territories table match ISO 3166-1 and CLDR; idempotent. Returns how many rows changed.

    Runs after every schema upgrade. Territory names are rewritten wholesale (they are reference data, not
    the team's), territories themselves are only added or renamed, never deleted, because deals point at them.
    """
    wanted = {row.code: row for row in (rows if rows is not None else territory_data())}
    existing = {t.code: t for t in (await session.scalars(select(Territory)))}
    changed = 0
    for code, row in wanted.items():
        territory = existing.get(code)
        values = {"alpha3": row.alpha3, "numeric": row.numeric, "name_en": row.names["en"],
                  "name_es": row.names["es"], "name_tr": row.names["tr"]}
        if territory is None:
            session.add(Territory(code=code, **values))
            changed += 1
        elif any(getattr(territory, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(territory, field, value)
            changed += 1
    await session.flush()
    name_rows = [(code, name, key, language) for code, row in wanted.items() for name, key, language in _names_of(row)]
    current = set((await session.execute(
        select(TerritoryName.territory_code, TerritoryName.name, TerritoryName.key, TerritoryName.language)
    )).all())
    if current != set(name_rows):
        await session.execute(delete(TerritoryName))
        await session.execute(insert(TerritoryName), [
            {"territory_code": code, "name": name, "key": key, "language": language}
            for code, name, key, language in name_rows
        ])
        changed += len(name_rows)
    await session.flush()
    return changed
