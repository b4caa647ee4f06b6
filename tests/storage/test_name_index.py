"""load_name_index reads every name of the catalog in a few bulk queries, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import selectinload

from storage.db import CatalogSession, SessionFactory
from storage.keys import name_key
from storage.models import (
    Company,
    CompanyAlias,
    Territory,
    TerritoryGroup,
    TerritoryName,
    Title,
    TitleName,
    company_natural_key,
    territory_group_members,
    title_natural_key,
)
from storage.name_index import NameEntry, NameIndex, Record
from storage.name_loading import load_name_index


def make_title(name: str, year: int, origin: str, kind: str = "film", original: str | None = None) -> Title:
    key = name_key(name)
    return Title(name=name, key=key, natural_key=title_natural_key(key, year, origin), year=year, origin=origin,
                 kind=kind, original_title=original)


def title_name(name: str, kind: str, language: str) -> TitleName:
    return TitleName(name=name, key=name_key(name), kind=kind, language=language)


async def fill(session_factory: SessionFactory) -> dict[str, int]:
    async with session_factory.begin() as session:
        korean = make_title("Miracle in Cell No. 7", 2013, "KR", original="7번방의 선물")
        turkish = make_title("Miracle in Cell No. 7", 2019, "TR", original="7. Koğuştaki Mucize")
        turkish.names.extend([
            title_name("Miracle in Cell No. 7", "international", "en"),
            title_name("7. Koğuştaki Mucize", "original", "tr"),
            title_name("Koğuştaki Mucize", "localized", "tr"),
            title_name("Milagro en la celda 7", "localized", "es"),
        ])
        imagen = Company(name="Imagen TV", key=name_key("Imagen TV"), kind="broadcaster", territory_code="MX",
                         natural_key=company_natural_key(name_key("Imagen TV"), "MX"))
        imagen.aliases.extend([CompanyAlias(name=n, key=name_key(n)) for n in ("Imagen", "Imagen Televisión")])
        latam = TerritoryGroup(name="LATAM", key="latam")
        latam.territories.extend([await session.get(Territory, code) for code in ("MX", "CL", "CO")])
        session.add_all([korean, turkish, imagen, latam])
        await session.flush()
        return {"korean": korean.id, "turkish": turkish.id, "imagen": imagen.id, "latam": latam.id}


def records_named(index: NameIndex, kind: str, text: str) -> set[int | str]:
    key_id = index.exact(kind, name_key(text))
    assert key_id is not None, text
    return {index.record_at(position).id for position, _ in index.key_records(kind, key_id)}


async def test_every_kind_of_name_is_indexed(session_factory: SessionFactory) -> None:
    ids = await fill(session_factory)
    async with session_factory() as session:
        index = await load_name_index(session)

    assert records_named(index, "title", "miracle in cell no 7") == {ids["korean"], ids["turkish"]}
    for name in ("KOĞUŞTAKİ MUCİZE", "7 kogustaki mucize", "milagro en la celda 7"):
        assert records_named(index, "title", name) == {ids["turkish"]}
    # The original title column counts even without a name row.
    assert records_named(index, "title", "7번방의 선물") == {ids["korean"]}
    turkish = index.record("title", ids["turkish"])
    assert turkish is not None
    assert (turkish.year, turkish.origin, turkish.category) == (2019, "TR", "film")

    for name in ("MX", "MEX", "Mexico", "México", "Meksika"):
        assert records_named(index, "territory", name) == {"MX"}
    assert records_named(index, "territory", "Korea") == {"KR", "KP"}
    territory = index.record("territory", "TR")
    assert territory is not None
    assert territory.name == "Türkiye"

    assert records_named(index, "group", "latam") == {ids["latam"]}
    group = index.record("group", ids["latam"])
    assert group is not None
    assert group.members == ("CL", "CO", "MX")

    for name in ("imagen", "imagen tv", "Imagen Televisión"):
        assert records_named(index, "company", name) == {ids["imagen"]}
    company = index.record("company", ids["imagen"])
    assert company is not None
    assert (company.category, company.territory) == ("broadcaster", "MX")


async def test_loading_takes_a_few_bulk_queries(session_factory: SessionFactory) -> None:
    await fill(session_factory)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    async with session_factory() as session:
        engine = session.bind
        assert engine is not None
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            await load_name_index(session)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) <= 8, statements


async def test_an_empty_catalog_still_knows_its_territories(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        index = await load_name_index(session)
    assert records_named(index, "territory", "meksika") == {"MX"}
    assert index.count("title") == 0


async def every_name(session_factory: SessionFactory) -> NameIndex:
    """The index of every name the catalog holds, read the plain way: ORM rows, no row left out."""
    records: list[Record] = []
    names: list[NameEntry] = []
    async with session_factory() as session:
        for title in await session.scalars(select(Title).order_by(Title.id)):
            records.append(Record("title", title.id, title.name, title.year, title.origin, title.kind))
            if title.original_title:
                names.append(NameEntry("title", title.id, title.original_title, name_key(title.original_title)))
        names += [NameEntry("title", row.title_id, row.name, row.key)
                  for row in await session.scalars(select(TitleName).order_by(TitleName.title_id, TitleName.id))]
        for territory in await session.scalars(select(Territory).order_by(Territory.code)):
            records.append(Record("territory", territory.code, territory.name_en))
        names += [NameEntry("territory", row.territory_code, row.name, row.key) for row in await session.scalars(
            select(TerritoryName).order_by(TerritoryName.territory_code, TerritoryName.id))]
        for group in await session.scalars(
                select(TerritoryGroup).options(selectinload(TerritoryGroup.territories)).order_by(TerritoryGroup.id)):
            members = tuple(sorted(territory.code for territory in group.territories))
            records.append(Record("group", group.id, group.name, members=members))
        for company in await session.scalars(select(Company).order_by(Company.id)):
            records.append(Record("company", company.id, company.name, category=company.kind,
                                  territory=company.territory_code))
        names += [NameEntry("company", row.company_id, row.name, row.key)
                  for row in await session.scalars(select(CompanyAlias).order_by(CompanyAlias.id))]
    return NameIndex.build(records, names)


async def test_the_rows_left_unread_change_nothing(demo_session_factory: SessionFactory) -> None:
    """Name rows repeating a display name's key or the original title are not read: the index is the same."""
    async with demo_session_factory.begin() as session:
        # A name row under the display name's key but spelt otherwise, and one title's display name as
        # another's alias: the records of a shared key keep their order (display names first).
        shouting = make_title("Kiss and Destiny", 2010, "TR", original="Öpücük ve Kader")
        shouting.names.extend([title_name("KISS AND DESTINY!", "alias", ""),
                               title_name("Öpücük ve Kader", "original", "tr")])
        borrowed = make_title("Destiny", 2011, "MX", original="Destino")
        borrowed.names.append(title_name("Kiss and Destiny", "alias", ""))
        same = make_title("Kiss and Destiny", 2012, "KR", original="Kiss and Destiny")
        session.add_all([borrowed, shouting, same])
    async with demo_session_factory() as session:
        index = await load_name_index(session)
    reference = await every_name(demo_session_factory)

    assert index.records == reference.records
    for kind in ("title", "territory", "group", "company"):
        assert index.count(kind) == reference.count(kind)
        for key_id in range(index.count(kind)):
            assert index.key(kind, key_id) == reference.key(kind, key_id)
            assert index.key_records(kind, key_id) == reference.key_records(kind, key_id), index.key(kind, key_id)
    assert len(records_named(index, "title", "kiss and destiny")) == 3


async def _territory_groups(session: CatalogSession) -> dict[str, frozenset[str]]:
    """Every territory group with its member codes, by group name, read straight from the tables."""
    rows = await session.execute(
        select(TerritoryGroup.name, territory_group_members.c.territory_code)
        .join(territory_group_members, territory_group_members.c.group_id == TerritoryGroup.id))
    groups: dict[str, set[str]] = {}
    for name, code in rows:
        groups.setdefault(name, set()).add(code)
    return {name: frozenset(codes) for name, codes in groups.items()}


async def test_the_index_knows_each_group_as_the_catalog_does(demo_session_factory: SessionFactory) -> None:
    """Deals, avails, buyer replies and title cards name whole groups from the index (``territory_groups``),
    as the catalog's tables have them; a group without members names nothing, so it is left out of both."""
    async with demo_session_factory.begin() as session:
        session.add(TerritoryGroup(name="Nowhere Yet", key="nowhere yet"))
    async with demo_session_factory() as session:
        index = await load_name_index(session)
        from_catalog = await _territory_groups(session)
    assert dict(index.territory_groups) == from_catalog
    assert from_catalog["LATAM"] >= {"MX", "CL", "BR"}
    assert "Nowhere Yet" not in index.territory_groups
    assert any(record.kind == "group" and record.name == "Nowhere Yet" for record in index.records)  # still asked for
