"""Deal territories carry their deal's reading-order keys, and a territory's or group's deals come off them in
exactly the order a plain sort of the deals gives, on both engines.

The copies (``DealTerritory.status_rank``, ``start_date``, ``deal_ref``) must match their deal after every
way a deal is written: the importer (first import and a re-import that changes a deal), the ORM (a deal made,
changed, a territory added on its own). The order is checked against a plain SQL statement over ``deals``
(the one the lists ran before the copies existed) on a generated catalog where deals span several
territories, every status, shared start dates and missing starts and references.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from import_helpers import run, write
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from storage.db import CatalogSession, SessionFactory
from storage.deals import deal_facts
from storage.demo_catalog import demo_files
from storage.models import Company, Deal, DealMedia, DealTerritory, Title
from storage.vocab import STATUS_RANK

POOL = ("MX", "CL", "CO", "AR", "ES", "TR")
STATUSES = ("active", "signed", "negotiating", "offered", "expired", "cancelled", "")
# Few start dates, so many deals tie on status and start and the reference and id decide.
STARTS = ("2024-01-01", "2024-06-01", "2025-03-01", "")

# What the lists ran before territory rows carried their deal's keys: every deal of the territories, sorted.
PLAIN_ORDER = """
SELECT deals.id FROM deals
WHERE deals.id IN (SELECT deal_id FROM deal_territories WHERE territory_code IN ({codes})) {status_filter}
ORDER BY CASE deals.status WHEN 'negotiating' THEN 1 WHEN 'offered' THEN 1 WHEN 'expired' THEN 2
              WHEN 'cancelled' THEN 2 ELSE 0 END,
         deals.start_date DESC NULLS LAST, deals.deal_ref, deals.id
"""


def generated_deals(count: int, seed: int = 5) -> str:
    """A deals sheet of ``count`` seeded deals over a few titles and licensees; about a third without a
    reference (told apart by their title, licensee and territories)."""
    rng = random.Random(seed)  # noqa: S311 - a seeded, repeatable catalog, not a secret
    lines = ["deal_ref,title,licensee,territories,media,start,status"]
    unreferenced: set[str] = set()  # what tells a deal without a reference apart (its natural key)
    for number in range(count):
        deal = (f"{rng.choice(('Small Miracles', 'Paper Kites'))},{rng.choice(('Imagen TV', 'Canal 13'))},"
                f"{'|'.join(sorted(rng.sample(POOL, rng.choice((1, 1, 2, 3, 6)))))},"
                f"{rng.choice(('svod', 'free_tv', 'svod|avod'))},{rng.choice(STARTS)}")
        ref = f"G-{rng.randrange(10_000):04d}-{number}"
        if rng.random() < 0.35 and deal not in unreferenced:
            unreferenced.add(deal)
            ref = ""
        lines.append(f"{ref},{deal},{rng.choice(STATUSES)}")
    return "\n".join(lines) + "\n"


BASE = {
    "companies.csv": "name,kind,territory\nImagen TV,broadcaster,MX\nCanal 13,broadcaster,CL\n",
    "titles.csv": "title,kind,year,origin\nSmall Miracles,series,2023,TR\nPaper Kites,film,2021,TR\n",
}


@pytest.fixture
async def generated(session_factory: SessionFactory, tmp_path: Path) -> SessionFactory:
    files = [write(tmp_path, name, content) for name, content in BASE.items()]
    await run(session_factory, [*files, write(tmp_path, "deals.csv", generated_deals(120))])
    return session_factory


async def copies_out_of_step(session: CatalogSession) -> list[tuple[object, ...]]:
    """Territory rows whose copies differ from their deal's values (none, when all is well)."""
    rows = (await session.execute(
        select(DealTerritory.deal_id, DealTerritory.territory_code, DealTerritory.status_rank,
               DealTerritory.start_date, DealTerritory.deal_ref, Deal.status, Deal.start_date, Deal.deal_ref)
        .join(Deal, Deal.id == DealTerritory.deal_id))).all()
    assert rows
    return [tuple(row) for row in rows
            if (row[2], row[3], row[4]) != (STATUS_RANK[row[5]], row[6], row[7])]


async def plain_order(session: CatalogSession, codes: set[str], statuses: set[str] | None = None) -> list[int]:
    status_filter = f"AND deals.status IN ({', '.join(repr(s) for s in sorted(statuses))})" if statuses else ""
    statement = PLAIN_ORDER.format(codes=", ".join(repr(code) for code in sorted(codes)), status_filter=status_filter)
    return list(await session.scalars(text(statement)))


# --- the copies --------------------------------------------------------------------------------------


async def test_every_territory_row_carries_its_deals_keys_after_importing_the_demo(
        session_factory: SessionFactory) -> None:
    await run(session_factory, demo_files())
    async with session_factory() as session:
        assert await copies_out_of_step(session) == []


async def test_every_territory_row_carries_its_deals_keys_after_importing_a_generated_catalog(
        generated: SessionFactory) -> None:
    async with generated() as session:
        assert await copies_out_of_step(session) == []
        spread = await session.scalar(text(
            "SELECT count(*) FROM (SELECT deal_id FROM deal_territories GROUP BY deal_id HAVING count(*) > 1) AS s"))
        missing = await session.scalar(select(Deal.id).where(Deal.deal_ref.is_(None)).limit(1))
    assert (spread or 0) > 20, "the catalog should hold deals covering several territories"
    assert missing is not None, "and deals without a reference"


async def test_reimporting_deals_with_a_new_status_start_and_territories_rewrites_their_copies(
        generated: SessionFactory, tmp_path: Path) -> None:
    sheet = generated_deals(120).splitlines()
    referenced = [number for number, line in enumerate(sheet) if line.startswith("G-")]
    changed = {}
    for number in referenced[:12]:
        cells = sheet[number].split(",")
        cells[5], cells[6] = ("2030-01-01", "cancelled") if cells[6] != "cancelled" else ("", "active")
        if number in referenced[:4]:  # and a territory given up for another: rows deleted and added
            cells[3] = "ES|TR" if "MX" in cells[3] else "MX"
        sheet[number] = ",".join(cells)
        changed[cells[0]] = (cells[6], cells[5])
    await run(generated, [write(tmp_path, "deals.csv", "\n".join(sheet) + "\n")])
    async with generated() as session:
        assert await copies_out_of_step(session) == []
        rows = (await session.execute(
            select(DealTerritory.deal_ref, DealTerritory.status_rank, DealTerritory.start_date)
            .where(DealTerritory.deal_ref.in_(changed)))).all()
        found = await deal_facts(session, territory_codes=set(POOL), limit=None)
        expected = await plain_order(session, set(POOL))
    assert {(ref, rank, start) for ref, rank, start in rows} == {
        (ref, STATUS_RANK[status], dt.date.fromisoformat(start) if start else None)
        for ref, (status, start) in changed.items()}
    assert [deal.id for deal in found.deals] == expected


async def test_the_orm_keeps_the_copies_in_step(session_factory: SessionFactory) -> None:
    """A deal made with its territories, then changed (with its territories loaded or not), and a territory
    added with only the deal's id: the rows carry the deal's keys each time, in the session too."""
    async with session_factory() as session:
        title = Title(name="Paper Kites", key="paper kites", natural_key="paper kites||TR")
        licensee = Company(name="Canal 13", key="canal 13", natural_key="canal 13|CL", kind="broadcaster")
        session.add_all([title, licensee])
        await session.flush()
        deal = Deal(natural_key="d1", deal_ref="R-1", title_id=title.id, licensee_id=licensee.id, status="offered",
                    start_date=dt.date(2024, 1, 1), territories=[DealTerritory(territory_code="CL")],
                    media=[DealMedia(media="svod")])
        session.add(deal)
        await session.flush()
        assert await copies_out_of_step(session) == []

        deal.status, deal.start_date = "active", dt.date(2025, 5, 1)
        deal.territories.append(DealTerritory(territory_code="AR"))
        await session.flush()
        assert await copies_out_of_step(session) == []
        assert {(t.territory_code, t.status_rank, t.start_date) for t in deal.territories} == {
            ("CL", 0, dt.date(2025, 5, 1)), ("AR", 0, dt.date(2025, 5, 1))}

        session.add(DealTerritory(deal_id=deal.id, territory_code="MX"))
        await session.commit()
    async with session_factory() as session:
        unloaded = await session.get_one(Deal, deal.id)  # its territories are not loaded
        unloaded.status, unloaded.deal_ref = "expired", "R-2"
        await session.commit()
    async with session_factory() as session:
        assert await copies_out_of_step(session) == []
        reloaded = await session.scalar(select(Deal).options(selectinload(Deal.territories)))
    assert reloaded is not None
    assert [(t.territory_code, t.status_rank, t.deal_ref) for t in reloaded.territories] == [
        ("AR", 2, "R-2"), ("CL", 2, "R-2"), ("MX", 2, "R-2")]


# --- the order ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("codes", [{"MX"}, {"MX", "CL"}, set(POOL)], ids=["territory", "pair", "group"])
@pytest.mark.parametrize("statuses", [None, {"active"}, {"negotiating", "expired"}], ids=["any", "one", "two"])
async def test_a_territory_or_group_lists_deals_in_the_plain_order(
        generated: SessionFactory, codes: set[str], statuses: set[str] | None) -> None:
    """Each territory's first deals off the index, merged and each deal once: the plain sort's first ``limit``,
    with ``truncated`` exactly when there are more."""
    async with generated() as session:
        expected = await plain_order(session, codes, statuses)
        assert len(expected) > 5
        for limit in (1, 2, 5, len(expected) // 2, len(expected) - 1, len(expected), len(expected) + 1, None):
            found = await deal_facts(session, territory_codes=codes, statuses=statuses, limit=limit)
            ids = [deal.id for deal in found.deals]
            assert ids == expected[:limit], f"limit {limit}"
            assert found.truncated == (limit is not None and len(expected) > limit), f"limit {limit}"
            assert all(set(deal.territories) & codes for deal in found.deals)
            if statuses:
                assert {deal.status for deal in found.deals} <= statuses


async def test_a_deal_in_several_territories_of_a_group_is_listed_once(generated: SessionFactory) -> None:
    async with generated() as session:
        found = await deal_facts(session, territory_codes=set(POOL), limit=None)
        total = await session.scalar(text("SELECT count(*) FROM deals"))
        nowhere = await deal_facts(session, territory_codes=set())  # a group without members
    ids = [deal.id for deal in found.deals]
    assert len(ids) == len(set(ids)) == total
    assert sum(len(deal.territories) > 1 for deal in found.deals) > 20
    assert (nowhere.deals, nowhere.truncated) == ((), False)
