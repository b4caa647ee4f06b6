"""The announcement ledger and claims on both engines: what is new for a channel, at most once ever, news or
correction, filters, claim semantics; on PostgreSQL, two connections never claim the same work."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from import_helpers import base_files, run, write
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.announcements import (
    Candidate,
    claim_digest,
    digest_figures,
    latest_batch_id,
    lock_due_schedule,
    mark_posted,
    new_for_channel,
    plan_digest,
    postable_digest_ids,
    replace_filters,
    schedule_for,
)
from storage.db import SessionFactory, create_engine, make_session_factory
from storage.models import AnnouncementLedger, ChannelSchedule, TerritoryGroup, Title

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
CHANNEL = 900
RATINGS = "title,territory,channel,air_date,viewers,rating_pct,share_pct,target,source\n"
MX_CL = (RATINGS + "Small Miracles,MX,Imagen TV,2024-01-01,1000,,,,s\n"
         + "Small Miracles (2023),CL,Canal 13 (CL),2024-01-02,2000,,,,s\n")


async def add_schedule(sessions: SessionFactory, *, channel_id: int = CHANNEL, mode: str = "immediate",
                       filters: tuple[tuple[str, str], ...] = ()) -> int:
    async with sessions() as session:
        schedule = ChannelSchedule(
            guild_id=1, channel_id=channel_id, mode=mode, local_time=dt.time(9) if mode != "immediate" else None,
            time_zone="Europe/Madrid", since_batch_id=await latest_batch_id(session),
            next_run_at=NOW if mode != "immediate" else None, filters=[],
        )
        replace_filters(schedule, filters)
        session.add(schedule)
        await session.commit()
        return schedule.id


async def candidates(sessions: SessionFactory, channel_id: int = CHANNEL) -> list[Candidate]:
    async with sessions() as session:
        schedule = await schedule_for(session, channel_id)
        assert schedule is not None
        return await new_for_channel(session, schedule)


async def plan(sessions: SessionFactory, found: list[Candidate], *, channel_id: int = CHANNEL,
               due_at: dt.datetime = NOW) -> int:
    async with sessions() as session:
        schedule = await schedule_for(session, channel_id)
        assert schedule is not None
        digest = await plan_digest(session, schedule, due_at=due_at, late=False, nonce=f"n{due_at:%H%M%S}",
                                   candidates=found, now=NOW)
        await session.commit()
        return digest.id


@pytest.fixture
async def catalog(session_factory: SessionFactory, tmp_path: Path) -> SessionFactory:
    await run(session_factory, base_files(tmp_path))
    return session_factory


async def test_only_figures_imported_after_the_schedule_are_news(catalog: SessionFactory, tmp_path: Path) -> None:
    old = RATINGS + "Small Miracles,MX,Imagen TV,2023-05-01,5,,,,s\n"
    await run(catalog, [write(tmp_path, "ratings-old.csv", old)])
    await add_schedule(catalog)
    assert await candidates(catalog) == []

    await run(catalog, [write(tmp_path, "ratings.csv", MX_CL)])
    found = await candidates(catalog)
    assert [c.kind for c in found] == ["news", "news"]

    digest_id = await plan(catalog, found)
    assert await candidates(catalog) == []  # planned is taken: no second digest gets them
    async with catalog() as session:
        rows = await digest_figures(session, digest_id)
    assert [(row.territory_code, row.viewers, kind) for row, kind in rows] == [("MX", 1000, "news"),
                                                                               ("CL", 2000, "news")]


async def test_the_same_import_twice_is_nothing_new_and_a_correction_is_a_correction(
        catalog: SessionFactory, tmp_path: Path) -> None:
    await add_schedule(catalog)
    await run(catalog, [write(tmp_path, "ratings.csv", MX_CL)])
    await plan(catalog, await candidates(catalog))

    await run(catalog, [write(tmp_path, "ratings.csv", MX_CL)])
    assert await candidates(catalog) == []

    await run(catalog, [write(tmp_path, "ratings.csv", MX_CL.replace(",2000,", ",2100,"))])
    corrected = await candidates(catalog)
    assert [c.kind for c in corrected] == ["correction"]
    digest_id = await plan(catalog, corrected, due_at=NOW + dt.timedelta(minutes=1))
    async with catalog() as session:
        [(row, kind)] = await digest_figures(session, digest_id)
    assert (row.viewers, kind) == (2100, "correction")


async def test_a_figure_version_is_in_the_ledger_of_a_channel_at_most_once(catalog: SessionFactory,
                                                                           tmp_path: Path) -> None:
    await add_schedule(catalog)
    await add_schedule(catalog, channel_id=CHANNEL + 1)
    await run(catalog, [write(tmp_path, "ratings.csv", MX_CL)])
    found = await candidates(catalog)
    await plan(catalog, found)
    with pytest.raises(IntegrityError):
        await plan(catalog, found, due_at=NOW + dt.timedelta(minutes=1))
    await plan(catalog, await candidates(catalog, CHANNEL + 1), channel_id=CHANNEL + 1)  # another channel may
    async with catalog() as session:
        ledger = (await session.scalars(select(AnnouncementLedger))).all()
    assert sorted((entry.channel_id, entry.kind) for entry in ledger) == [(CHANNEL, "news")] * 2 + [
        (CHANNEL + 1, "news")] * 2


async def test_filters_are_a_union_of_titles_territories_and_groups(catalog: SessionFactory, tmp_path: Path) -> None:
    await run(catalog, [write(tmp_path, "territory_groups.csv", "group,territories\nSouth Cone,CL|AR\n")])
    async with catalog() as session:
        group_id = await session.scalar(select(TerritoryGroup.id))
        title_id = await session.scalar(select(Title.id).where(Title.name == "Small Miracles"))
    await add_schedule(catalog, channel_id=1, filters=(("territory", "MX"),))
    await add_schedule(catalog, channel_id=2, filters=(("group", str(group_id)),))
    await add_schedule(catalog, channel_id=3, filters=(("title", str(title_id)), ("territory", "ES")))
    await add_schedule(catalog, channel_id=4, filters=(("territory", "ES"),))
    await run(catalog, [write(tmp_path, "ratings.csv", MX_CL)])
    assert [len(await candidates(catalog, channel)) for channel in (1, 2, 3, 4)] == [1, 1, 2, 0]


async def test_a_claimed_digest_is_claimed_once_and_a_posted_one_never_again(catalog: SessionFactory,
                                                                             tmp_path: Path) -> None:
    await add_schedule(catalog)
    await run(catalog, [write(tmp_path, "ratings.csv", MX_CL)])
    digest_id = await plan(catalog, await candidates(catalog))
    async with catalog() as session:
        assert await postable_digest_ids(session, NOW - dt.timedelta(seconds=1)) == []  # not yet
        assert await postable_digest_ids(session, NOW) == [digest_id]
        digest = await claim_digest(session, digest_id, NOW)
        assert digest is not None
        await mark_posted(session, digest, [11, 12], NOW)
        await session.commit()
    async with catalog() as session:
        assert await claim_digest(session, digest_id, NOW) is None
        assert await postable_digest_ids(session, NOW) == []
        posted = (await session.scalars(select(AnnouncementLedger.posted_at))).all()
    assert posted == [NOW, NOW]


async def test_a_timed_schedule_is_locked_only_when_due(catalog: SessionFactory) -> None:
    schedule_id = await add_schedule(catalog, mode="daily")
    async with catalog() as session:
        assert await lock_due_schedule(session, schedule_id, NOW - dt.timedelta(seconds=1)) is None
        locked = await lock_due_schedule(session, schedule_id, NOW)
        assert locked is not None
        assert locked.filters == []


# --- PostgreSQL: two processes ----------------------------------------------------------------------------


@pytest.fixture
async def second_engine(engine: AsyncEngine, engine_name: str) -> AsyncIterator[AsyncEngine]:
    """Another engine on the same database and schema: what a second bot process would have."""
    assert engine_name == "postgresql", "two processes are a PostgreSQL set-up; SQLite assumes one"
    other = create_engine(engine.url.render_as_string(hide_password=False),
                          search_path=await _search_path(engine))
    yield other
    await other.dispose()


async def _search_path(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        return str((await connection.exec_driver_sql("SHOW search_path")).scalar())


# Row locks with SKIP LOCKED are PostgreSQL's; on SQLite one bot process is assumed (docs/announcements.md).
POSTGRES_ONLY = pytest.mark.parametrize("engine_name", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                                        indirect=True)


@POSTGRES_ONLY
async def test_two_connections_never_claim_the_same_digest(catalog: SessionFactory, second_engine: AsyncEngine,
                                                           tmp_path: Path) -> None:
    await add_schedule(catalog)
    await run(catalog, [write(tmp_path, "ratings.csv", MX_CL)])
    digest_id = await plan(catalog, await candidates(catalog))
    other = make_session_factory(second_engine)
    async with catalog() as first, other() as second:
        claimed = await claim_digest(first, digest_id, NOW)
        assert claimed is not None
        # SKIP LOCKED: the second process moves on at once instead of waiting for the first.
        assert await claim_digest(second, digest_id, NOW) is None
        await mark_posted(first, claimed, [1], NOW)
        await first.commit()
        assert await claim_digest(second, digest_id, NOW) is None  # posted: nothing left to claim


@POSTGRES_ONLY
async def test_two_connections_never_plan_the_same_schedule(catalog: SessionFactory, second_engine: AsyncEngine,
                                                            tmp_path: Path) -> None:
    schedule_id = await add_schedule(catalog)
    await run(catalog, [write(tmp_path, "ratings.csv", MX_CL)])
    other = make_session_factory(second_engine)
    async with catalog() as first, other() as second:
        mine = await lock_due_schedule(first, schedule_id, NOW)
        assert mine is not None
        assert await lock_due_schedule(second, schedule_id, NOW) is None
        await plan_digest(first, mine, due_at=NOW, late=False, nonce="a", candidates=await new_for_channel(
            first, mine), now=NOW)
        await first.commit()
        theirs = await lock_due_schedule(second, schedule_id, NOW)
        assert theirs is not None
        assert await new_for_channel(second, theirs) == []  # what the first planned is not new any more
