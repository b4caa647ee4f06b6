"""Write resolved records by natural key: insert what is new, update what differs, leave the rest alone.

Plain ORM upserts, the same on SQLite and PostgreSQL: the existing rows of one kind are loaded in chunked
``IN`` queries with their child collections, compared field by field (children included) and only a record
that differs is touched, so an unchanged record keeps the batch that last really wrote it. Child rows are
diffed rather than replaced, so a name kept from one import to the next is never deleted and re-inserted
(which would also trip the unique constraints inside one flush). Ratings, the kind that runs to millions
of rows, have their own writer (``figures.write_ratings``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from storage.db import CatalogSession, in_chunks
from storage.importing.bulk import VALUES, rows_where_in
from storage.importing.report import Location
from storage.importing.resolve import Wanted
from storage.models import (
    Company,
    CompanyAlias,
    Deal,
    DealMedia,
    DealTerritory,
    Quote,
    Release,
    Territory,
    TerritoryGroup,
    Title,
    TitleName,
)

Tick = Callable[[], None]
BatchOf = Callable[[Location], int]  # the id of the import batch (file, sheet) a row came from
INSERTED, UPDATED, UNCHANGED = "inserted", "updated", "unchanged"


async def existing(session: CatalogSession, column: InstrumentedAttribute[str], keys: Iterable[str],
                   *options: Any) -> dict[str, Any]:
    """The rows whose ``column`` is one of ``keys``, by that key, loaded in chunks with ``options``."""
    found: dict[str, Any] = {}
    for chunk in in_chunks(sorted(set(keys))):
        for row in await session.scalars(select(column.class_).where(column.in_(chunk)).options(*options)):
            found[getattr(row, column.key)] = row
    return found


async def ids_of(session: CatalogSession, column: InstrumentedAttribute[str], keys: Iterable[str]) -> dict[str, int]:
    """Natural key -> id, for resolving references once the referenced kind is written."""
    await session.flush()  # the rows are read as plain rows, which flush nothing themselves
    query = select(column, column.class_.id).where(column.in_(VALUES))
    return dict(await rows_where_in(session, query, keys))


def set_fields(row: Any, fields: dict[str, Any]) -> bool:
    """Set the fields that differ; True when any did. Decimal('5.450') equals Decimal('5.45'), as it should."""
    changed = False
    for name, value in fields.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _finish(row: Any, wanted: Wanted, changed: bool, is_new: bool, batch_id: int) -> None:
    wanted.outcome = INSERTED if is_new else UPDATED if changed else UNCHANGED
    if changed or is_new:
        row.batch_id = batch_id


def _sync(collection: list[Any], wanted: dict[Any, Any], identity: Callable[[Any], Any],
          make: Callable[[Any, Any], Any], update: Callable[[Any, Any], bool] | None = None) -> bool:
    """Make a child collection hold exactly ``wanted`` (identity -> data); True when anything changed."""
    changed = False
    current = {identity(child): child for child in collection}
    for key, child in current.items():
        if key not in wanted:
            collection.remove(child)
            changed = True
    for key, data in wanted.items():
        child = current.get(key)
        if child is None:
            collection.append(make(key, data))
            changed = True
        elif update is not None and update(child, data):
            changed = True
    return changed


async def write_groups(session: CatalogSession, wanted: list[Wanted], batch_of: BatchOf, tick: Tick) -> None:
    rows = await existing(session, TerritoryGroup.key, (w.natural_key for w in wanted),
                          selectinload(TerritoryGroup.territories))
    codes = {code for w in wanted for code in w.children["territories"]}
    territories = {t.code: t for t in await session.scalars(select(Territory).where(Territory.code.in_(codes)))}
    for w in wanted:
        row = rows.get(w.natural_key)
        is_new = row is None
        if row is None:
            row = TerritoryGroup(key=w.natural_key, territories=[])
            session.add(row)
        changed = set_fields(row, w.fields)
        if [t.code for t in row.territories] != w.children["territories"]:
            row.territories = [territories[code] for code in w.children["territories"]]
            changed = True
        _finish(row, w, changed, is_new, batch_of(w.at))
        tick()
    await session.flush()


async def write_companies(session: CatalogSession, wanted: list[Wanted], batch_of: BatchOf, tick: Tick) -> None:
    rows = await existing(session, Company.natural_key, (w.natural_key for w in wanted),
                          selectinload(Company.aliases))
    for w in wanted:
        row = rows.get(w.natural_key)
        is_new = row is None
        if row is None:
            row = Company(natural_key=w.natural_key, aliases=[])
            session.add(row)
        changed = set_fields(row, w.fields)
        changed |= _sync(row.aliases, w.children["aliases"], lambda a: a.key,
                         lambda key, name: CompanyAlias(key=key, name=name),
                         lambda a, name: set_fields(a, {"name": name}))
        _finish(row, w, changed, is_new, batch_of(w.at))
        tick()
    await session.flush()


def _make_name(identity: tuple[str, str, str], data: tuple[str, str | None]) -> TitleName:
    kind, language, key = identity
    return TitleName(kind=kind, language=language, key=key, name=data[0], territory_code=data[1])


async def write_titles(session: CatalogSession, wanted: list[Wanted], batch_of: BatchOf, tick: Tick) -> None:
    """Titles in two passes: every title first, then ``remake_of``, which may point further down the sheet."""
    rows = await existing(session, Title.natural_key, (w.natural_key for w in wanted), selectinload(Title.names))
    written: dict[int, Title] = {}
    for w in wanted:
        row = rows.get(w.natural_key)
        is_new = row is None
        if row is None:
            row = Title(natural_key=w.natural_key, names=[])
            session.add(row)
        changed = set_fields(row, w.fields)
        changed |= _sync(row.names, w.children["names"], lambda n: (n.kind, n.language, n.key), _make_name,
                         lambda n, data: set_fields(n, {"name": data[0], "territory_code": data[1]}))
        _finish(row, w, changed, is_new, batch_of(w.at))
        written[id(w)] = row
    await session.flush()
    remakes = await ids_of(session, Title.natural_key, (nk for w in wanted if (nk := w.refs["remake_of_id"][1])))
    for w in wanted:
        row = written[id(w)]
        target = w.refs["remake_of_id"][1]
        remake_of_id = remakes[target] if target else None
        if row.remake_of_id != remake_of_id:
            row.remake_of_id = remake_of_id
            _finish(row, w, True, w.outcome == INSERTED, batch_of(w.at))
        tick()
    await session.flush()


async def resolve_ids(session: CatalogSession, wanted: list[Wanted]) -> dict[tuple[str, str], int]:
    """(kind, natural key) -> id for every title and company these records point at."""
    wanted_keys: dict[str, set[str]] = {"title": set(), "company": set()}
    for w in wanted:
        for kind, natural_key in w.refs.values():
            if natural_key is not None:
                wanted_keys[kind].add(natural_key)
    titles = await ids_of(session, Title.natural_key, wanted_keys["title"])
    companies = await ids_of(session, Company.natural_key, wanted_keys["company"])
    return {**{("title", k): v for k, v in titles.items()}, **{("company", k): v for k, v in companies.items()}}


def _with_ids(w: Wanted, ids: dict[tuple[str, str], int]) -> dict[str, Any]:
    return {column: ids[(kind, nk)] for column, (kind, nk) in w.refs.items() if nk is not None}


async def write_deals(session: CatalogSession, wanted: list[Wanted], batch_of: BatchOf, tick: Tick) -> None:
    """Deals with their territories and media. A territory row carries copies of its deal's status rank, start
    and reference (``DealTerritory``); the model's flush events write them, so a new row takes its deal's and a
    deal whose status, start or reference changed rewrites all of its rows in one UPDATE."""
    ids = await resolve_ids(session, wanted)
    rows = await existing(session, Deal.natural_key, (w.natural_key for w in wanted),
                          selectinload(Deal.territories), selectinload(Deal.media))
    for w in wanted:
        row = rows.get(w.natural_key)
        is_new = row is None
        if row is None:
            row = Deal(natural_key=w.natural_key, territories=[], media=[])
            session.add(row)
        changed = set_fields(row, {**w.fields, **_with_ids(w, ids)})
        changed |= _sync(row.territories, dict.fromkeys(w.children["territories"]), lambda t: t.territory_code,
                         lambda code, _: DealTerritory(territory_code=code))
        changed |= _sync(row.media, dict.fromkeys(w.children["media"]), lambda m: m.media,
                         lambda media, _: DealMedia(media=media))
        _finish(row, w, changed, is_new, batch_of(w.at))
        tick()
    await session.flush()


async def write_releases(session: CatalogSession, wanted: list[Wanted], batch_of: BatchOf, tick: Tick) -> None:
    await _write_plain(session, Release, wanted, batch_of, tick)


async def write_quotes(session: CatalogSession, wanted: list[Wanted], batch_of: BatchOf, tick: Tick) -> None:
    await _write_plain(session, Quote, wanted, batch_of, tick)


async def _write_plain(session: CatalogSession, model: type[Release] | type[Quote], wanted: list[Wanted],
                       batch_of: BatchOf, tick: Tick) -> None:
    ids = await resolve_ids(session, wanted)
    rows = await existing(session, model.natural_key, (w.natural_key for w in wanted))
    for w in wanted:
        row = rows.get(w.natural_key)
        is_new = row is None
        if row is None:
            row = model(natural_key=w.natural_key)
            session.add(row)
        changed = set_fields(row, {**w.fields, **_with_ids(w, ids)})
        _finish(row, w, changed, is_new, batch_of(w.at))
        tick()
    await session.flush()


WRITERS = {
    "territory_groups": write_groups, "companies": write_companies, "titles": write_titles, "deals": write_deals,
    "releases": write_releases, "quotes": write_quotes,
}
