"""The deal queries behind ``deals``, ``avails`` and ``buyer``: filters, order, what is loaded, on both engines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storage.catalog import title_facts
from storage.db import SessionFactory
from storage.deals import AvailsDeal, DealFact, DealTitle, avails_deals, channel_figures, deal_facts
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.models import Company, Deal, Title

LATAM = frozenset({"MX", "GT", "SV", "HN", "NI", "CR", "PA", "CU", "DO", "PR", "CO", "VE", "EC", "PE", "BO", "CL",
                   "AR", "UY", "PY", "BR"})


@pytest.fixture
async def demo(session_factory: SessionFactory) -> SessionFactory:
    await import_files(session_factory, demo_files())
    return session_factory


async def title_id(session_factory: SessionFactory, name: str, origin: str | None = None) -> int:
    async with session_factory() as session:
        query = select(Title.id).where(Title.name == name)
        if origin:
            query = query.where(Title.origin == origin)
        found = (await session.scalars(query)).one()
    return int(found)


async def company_id(session_factory: SessionFactory, name: str) -> int:
    async with session_factory() as session:
        return int((await session.scalars(select(Company.id).where(Company.name == name))).one())


async def test_deals_of_a_title_in_reading_order_with_everything_loaded(demo: SessionFactory) -> None:
    miracle = await title_id(demo, "Miracle in Cell No. 7", "TR")
    async with demo() as session:
        found = await deal_facts(session, title_id=miracle)
    refs = [deal.deal_ref for deal in found.deals]
    assert not found.truncated
    assert refs[0] == "IM-2025-031"
    assert refs[-2:] == ["IM-2026-044", "IM-2024-012"]
    vista = found.deals[0]
    assert vista.title == DealTitle(miracle, "Miracle in Cell No. 7", 2019)
    assert vista.licensee == "Vista Play"
    assert set(vista.territories) == LATAM
    assert list(vista.territories) == sorted(vista.territories)
    assert vista.media == ("svod",)


async def test_filters_territories_licensee_status_and_limit(demo: SessionFactory) -> None:
    imagen = await company_id(demo, "Imagen TV")
    miracle = await title_id(demo, "Miracle in Cell No. 7", "TR")
    async with demo() as session:
        mexico = await deal_facts(session, territory_codes={"MX"})
        latam_active = await deal_facts(session, territory_codes=LATAM, statuses={"active"})
        by_imagen = await deal_facts(session, licensee_id=imagen)
        first_three = await deal_facts(session, territory_codes={"MX"}, limit=3)
        unlimited = await deal_facts(session, territory_codes={"MX"}, limit=None)
        nowhere = await deal_facts(session, title_id=miracle, territory_codes={"ZW"})
    assert len(mexico.deals) == 16
    assert {"IM-M7-001", "IM-2025-031"} <= {d.deal_ref for d in mexico.deals}
    assert len(latam_active.deals) == 14
    assert {d.status for d in latam_active.deals} == {"active"}
    assert [d.deal_ref for d in by_imagen.deals] == ["IM-M7-001"]
    assert first_three.truncated
    assert [d.deal_ref for d in first_three.deals] == [d.deal_ref for d in mexico.deals[:3]]
    assert unlimited == mexico
    assert (nowhere.deals, nowhere.truncated) == ((), False)


async def test_deal_facts_carry_every_column_of_the_deal(demo: SessionFactory) -> None:
    """Each plain deal holds what its row, title, licensee, territories and media hold (fees included: the
    reply decides who sees them)."""
    async with demo() as session:
        found = await deal_facts(session, limit=None)
        rows = {deal.id: deal for deal in await session.scalars(select(Deal).options(
            selectinload(Deal.title), selectinload(Deal.licensee), selectinload(Deal.territories),
            selectinload(Deal.media)))}
    assert len(found.deals) == len(rows) > 20
    for plain in found.deals:
        d = rows[plain.id]
        assert plain == DealFact(
            id=d.id, deal_ref=d.deal_ref, title=DealTitle(d.title.id, d.title.name, d.title.year),
            licensee=d.licensee.name, territories=tuple(sorted(t.territory_code for t in d.territories)),
            media=tuple(sorted(m.media for m in d.media)), exclusive=d.exclusive, start_date=d.start_date,
            end_date=d.end_date, runs=d.runs, holdback_until=d.holdback_until, status=d.status, fee=d.fee,
            currency=d.currency, owner=d.owner, signed_on=d.signed_on, notes=d.notes, source=d.source,
        )


async def test_avails_deals_are_plain_data_with_every_territory_and_status(demo: SessionFactory) -> None:
    miracle = await title_id(demo, "Miracle in Cell No. 7", "TR")
    async with demo() as session:
        deals = await avails_deals(session, miracle, ["MX", "AE"])
    by_ref = {deal.deal_ref: deal for deal in deals}
    assert set(by_ref) == {"IM-M7-001", "IM-2025-031", "IM-2024-012"}  # the expired MENA deal too
    assert by_ref["IM-2025-031"].territories == LATAM  # all of the deal's territories, not only Mexico
    assert by_ref["IM-M7-001"] == AvailsDeal(
        deal_id=by_ref["IM-M7-001"].deal_id, deal_ref="IM-M7-001", licensee="Imagen TV",
        territories=frozenset({"MX"}), media=frozenset({"free_tv"}), exclusive=None, start=None, end=None,
        holdback_until=None, status="signed", source="Inter Medya press release",
    )
    assert not hasattr(by_ref["IM-2025-031"], "fee")


async def test_channel_figures_are_the_companys_own_audience(demo: SessionFactory) -> None:
    imagen = await company_id(demo, "Imagen TV")
    miracle = await title_id(demo, "Miracle in Cell No. 7", "TR")
    async with demo() as session:
        figures = await channel_figures(session, imagen)
        none = await channel_figures(session, imagen, title_ids=[miracle + 1000])
    assert [(f.title_name, f.title_year) for f in figures] == [("Miracle in Cell No. 7", 2019)] * 2
    assert {(f.figure.viewers, f.figure.share_pct, f.figure.rating_pct, f.figure.target) for f in figures} == {
        (3_100_000, Decimal(19), None, ""), (None, None, Decimal("5.45"), "Households"),
    }
    assert all(f.figure.air_date is None and f.figure.channel == "Imagen TV" for f in figures)
    assert none == []


async def test_a_title_cards_footprint_is_its_deals_but_the_cancelled_ones(demo: SessionFactory) -> None:
    """``title_facts``' footprint, read in one statement, against the title's deals read one by one: every
    deal counted, the territories and media of those not cancelled, each once and sorted."""
    miracle = await title_id(demo, "Miracle in Cell No. 7", "TR")
    async with demo.begin() as session:  # one deal cancelled, so that the footprint must leave it out
        cancelled = (await session.scalars(select(Deal).where(Deal.title_id == miracle, Deal.deal_ref == "IM-2024-012")
                                           .options(selectinload(Deal.territories), selectinload(Deal.media)))).one()
        cancelled.status = "cancelled"
    async with demo() as session:
        facts = await title_facts(session, miracle)
        deals = (await session.scalars(select(Deal).where(Deal.title_id == miracle)
                                       .options(selectinload(Deal.territories), selectinload(Deal.media)))).all()
    assert facts is not None
    live = [deal for deal in deals if deal.status != "cancelled"]
    assert len(live) < len(deals)
    assert facts.footprint.deals == len(deals)
    assert facts.footprint.territories == tuple(sorted({t.territory_code for d in live for t in d.territories}))
    assert facts.footprint.media == tuple(sorted({m.media for d in live for m in d.media}))
    assert set(facts.footprint.territories) != {t.territory_code for d in deals for t in d.territories} or \
        set(facts.footprint.media) != {m.media for d in deals for m in d.media}  # the cancelled deal did differ
