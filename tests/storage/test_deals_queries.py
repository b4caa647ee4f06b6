"""The deal queries behind ``deals``, ``avails`` and ``buyer``: filters, order, what is loaded, on both engines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from storage.db import SessionFactory
from storage.deals import AvailsDeal, DealFact, DealTitle, avails_deals, channel_figures, deal_facts, find_deals
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.models import Company, Title

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
        found = await find_deals(session, title_id=miracle)
    # Read after the session closed: a lazy load would raise here.
    refs = [deal.deal_ref for deal in found.deals]
    assert not found.truncated
    assert refs[0] == "IM-2025-031"
    assert refs[-2:] == ["IM-2026-044", "IM-2024-012"]
    vista = found.deals[0]
    assert vista.title.name == "Miracle in Cell No. 7"
    assert vista.licensee.name == "Vista Play"
    assert {t.territory_code for t in vista.territories} == LATAM
    assert [m.media for m in vista.media] == ["svod"]


async def test_filters_territories_licensee_status_and_limit(demo: SessionFactory) -> None:
    imagen = await company_id(demo, "Imagen TV")
    async with demo() as session:
        mexico = await find_deals(session, territory_codes={"MX"})
        latam_active = await find_deals(session, territory_codes=LATAM, statuses={"active"})
        by_imagen = await find_deals(session, licensee_id=imagen)
        first_three = await find_deals(session, territory_codes={"MX"}, limit=3)
    assert len(mexico.deals) == 16
    assert {"IM-M7-001", "IM-2025-031"} <= {d.deal_ref for d in mexico.deals}
    assert len(latam_active.deals) == 14
    assert {d.status for d in latam_active.deals} == {"active"}
    assert [d.deal_ref for d in by_imagen.deals] == ["IM-M7-001"]
    assert first_three.truncated
    assert [d.deal_ref for d in first_three.deals] == [d.deal_ref for d in mexico.deals[:3]]


async def test_deal_facts_are_find_deals_as_plain_data(demo: SessionFactory) -> None:
    """The same deals, order, truncation and values as the ORM query, for every filter the commands use."""
    miracle = await title_id(demo, "Miracle in Cell No. 7", "TR")
    imagen = await company_id(demo, "Imagen TV")
    filters: list[dict[str, Any]] = [
        {"title_id": miracle}, {"territory_codes": {"MX"}}, {"territory_codes": LATAM, "statuses": {"active"}},
        {"licensee_id": imagen}, {"territory_codes": {"MX"}, "limit": 3}, {"territory_codes": {"MX"}, "limit": None},
        {"title_id": miracle, "territory_codes": {"ZW"}},
    ]
    for given in filters:
        async with demo() as session:
            orm = await find_deals(session, **given)
            plain = await deal_facts(session, **given)
        assert plain.truncated == orm.truncated, given
        assert plain.deals == tuple(
            DealFact(
                id=d.id, deal_ref=d.deal_ref, title=DealTitle(d.title.id, d.title.name, d.title.year),
                licensee=d.licensee.name, territories=tuple(t.territory_code for t in d.territories),
                media=tuple(m.media for m in d.media), exclusive=d.exclusive, start_date=d.start_date,
                end_date=d.end_date, runs=d.runs, holdback_until=d.holdback_until, status=d.status, fee=d.fee,
                currency=d.currency, owner=d.owner, signed_on=d.signed_on, notes=d.notes, source=d.source,
            )
            for d in orm.deals
        ), given
    assert plain.deals == ()  # the last filter: a territory the title has no deal in


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
