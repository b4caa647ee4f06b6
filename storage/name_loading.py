"""Reading the name index from the catalog: a few Core queries, streamed into a ``NameIndexBuilder``.

At 100,000 titles this is about 300,000 rows, so the reading stays lean: Core ``select``s of exactly the
columns the index keeps (rows are plain tuples, no ORM objects), fetched ``ROWS_PER_FETCH`` at a time so only
one batch is alive at once, and no row the index would drop anyway (see ``load_name_index``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import Select, select

from storage.db import CatalogSession
from storage.keys import name_key
from storage.models import Company, CompanyAlias, Territory, TerritoryGroup, TerritoryName, Title, TitleName
from storage.models import territory_group_members as members_table
from storage.name_index import NameIndex, NameIndexBuilder, Record, collector_paused

# Rows fetched per round trip while reading names: the rows of one batch are the only ones alive at once.
ROWS_PER_FETCH = 20_000


async def _batches(session: CatalogSession, statement: Select[Any]) -> AsyncIterator[Sequence[Any]]:
    """The rows of ``statement`` (plain tuples), a batch at a time."""
    result = await session.stream(statement.execution_options(yield_per=ROWS_PER_FETCH))
    async for rows in result.partitions():
        yield rows


async def load_name_index(session: CatalogSession) -> NameIndex:
    """Read every name of the catalog in a few bulk queries and build the index.

    Display names use the stored ``key`` column, which the importer fills with ``name_key(name)`` as it
    does for every name row (whose keys the index has always used as stored).
    """
    with collector_paused():
        return await _read_names(session)


async def _read_names(session: CatalogSession) -> NameIndex:
    builder = NameIndexBuilder()
    titles, title_names = Title.__table__.c, TitleName.__table__.c
    originals: list[tuple[int, str, str]] = []
    async for rows in _batches(session, select(
        titles.id, titles.name, titles.key, titles.year, titles.origin, titles.kind, titles.original_title
    ).order_by(titles.id)):
        for id_, name, key, year, origin, kind, original in rows:
            builder.add_record(Record("title", id_, name, year, origin, kind), key)
            # The original title is a column too: a title imported without name rows still answers to it.
            if original and original != name:
                originals.append((id_, original, name_key(original)))
    builder.add_names("title", originals)
    del originals
    # A record keeps the first name it carries under a key, and its display name and original title come
    # first: a name row under the display name's key or spelt as the original title would change nothing,
    # so it is not read (the international and original rows: two in three at 100,000 generated titles).
    async for rows in _batches(session, select(title_names.title_id, title_names.name, title_names.key)
                               .join(Title.__table__, titles.id == title_names.title_id)
                               .where(title_names.key != titles.key,
                                      title_names.name.is_distinct_from(titles.original_title))
                               .order_by(title_names.title_id, title_names.id)):
        builder.add_names("title", rows)

    territories, territory_names = Territory.__table__.c, TerritoryName.__table__.c
    async for rows in _batches(session, select(territories.code, territories.name_en).order_by(territories.code)):
        for code, name in rows:
            builder.add_record(Record("territory", code, name))
    async for rows in _batches(session, select(
        territory_names.territory_code, territory_names.name, territory_names.key
    ).order_by(territory_names.territory_code, territory_names.id)):
        builder.add_names("territory", rows)

    members: dict[int, list[str]] = {}
    async for rows in _batches(session, select(members_table.c.group_id, members_table.c.territory_code)
                               .order_by(members_table.c.group_id, members_table.c.territory_code)):
        for group_id, code in rows:
            members.setdefault(group_id, []).append(code)
    groups = TerritoryGroup.__table__.c
    async for rows in _batches(session, select(groups.id, groups.name, groups.key).order_by(groups.id)):
        for id_, name, key in rows:
            builder.add_record(Record("group", id_, name, members=tuple(members.get(id_, ()))), key)

    companies, aliases = Company.__table__.c, CompanyAlias.__table__.c
    async for rows in _batches(session, select(
        companies.id, companies.name, companies.key, companies.kind, companies.territory_code
    ).order_by(companies.id)):
        for id_, name, key, kind, territory in rows:
            builder.add_record(Record("company", id_, name, category=kind, territory=territory), key)
    async for rows in _batches(session, select(aliases.company_id, aliases.name, aliases.key)
                               .order_by(aliases.id)):
        builder.add_names("company", rows)
    return builder.build()
