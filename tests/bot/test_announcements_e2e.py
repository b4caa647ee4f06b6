"""Announcements end to end: the real bot against the Discord stand-in, time driven by the test.

Every case counts what the channel received: each figure exactly once, under Discord errors, a crash
between posting and recording, a database outage and a repeated import; corrections as corrections.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import pytest
from database_support import POSTGRES_URL, require_postgres
from sqlalchemy import text
from standin import CLIENT_OPTIONS, DiscordStandin, Guild, running
from standin.state import Message

from bot.app import SlateBot
from bot.catalog import OpenCatalog
from bot.cogs.announcements import AnnouncementsCog
from bot.settings import Settings
from storage import announcements as store
from storage.db import create_engine, make_session_factory
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.models import Base, ChannelSchedule, Territory, TerritoryName
from storage.name_loading import load_name_index

REFERENCE_TABLES = {Territory.__tablename__, TerritoryName.__tablename__}

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
HEADER = "title,territory,channel,air_date,viewers,share_pct,source\n"
FIGURES = HEADER + ('"Miracle in Cell No. 7 (2019, TR)",CL,Canal 13,2025-02-01,1234567,11.6,announce test\n'
                    '"Miracle in Cell No. 7 (2019, TR)",MX,Imagen TV,2025-02-02,2345678,,announce test\n')


def cog_of(bot: SlateBot) -> AnnouncementsCog:
    cog = bot.get_cog("Announcements")
    # load_extension executes the module afresh, so its class is not this import's: compare by name.
    assert type(cog).__name__ == AnnouncementsCog.__name__
    return cast(AnnouncementsCog, cog)


@pytest.fixture
async def scheduler(bot: SlateBot) -> AnnouncementsCog:
    """The bot's scheduler with its loop stopped: each test ticks it at the time it chooses."""
    cog = cog_of(bot)
    cog.scheduler.cancel()
    cog.clock = lambda: NOW

    async def no_wait(_seconds: float) -> None:
        return None

    cog.sleep = no_wait
    return cog


async def import_text(catalog: OpenCatalog, tmp_path: Path, content: str, name: str = "ratings.csv") -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    await import_files(catalog.sessions, [path])


async def announce(standin: DiscordStandin, team: Guild, channel: str = "general", **options: object) -> str:
    run = await standin.send_interaction("announce set", user=team.member("carol"), channel=team.channel(channel),
                                         options=options)
    answer = await run.answer()
    return str(answer.embeds[0]["title"]) if answer.embeds else str(answer.content)


def posts(standin: DiscordStandin, team: Guild, bot: SlateBot, channel: str = "general") -> list[Message]:
    assert bot.user is not None
    return [m for m in standin.state.messages_in(team.channel(channel))
            if m.author.id == bot.user.id and not m.ephemeral and m.embeds
            and str(m.embeds[0].get("title", "")).startswith("Ratings:")]


def figure_lines(messages: list[Message]) -> list[str]:
    return [line for m in messages for field in m.embeds[0].get("fields", [])
            for line in str(field["value"]).split("\n")]


async def test_only_admins_set_announcements(standin: DiscordStandin, team: Guild, scheduler: AnnouncementsCog) -> None:
    run = await standin.send_interaction("announce set", user=team.member("bob"), channel=team.channel("general"),
                                         options={"when": "immediately"})
    answer = await run.answer()
    assert "You need the Slate Admin role" in str(answer.content) + str(answer.embeds)
    async with scheduler.bot.catalog.sessions() as session:
        assert await store.schedule_for(session, team.channel("general").id) is None


async def test_immediate_then_the_same_import_again_then_a_correction(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog, scheduler: AnnouncementsCog,
        tmp_path: Path) -> None:
    assert await announce(standin, team, when="immediately") == "Announcements for this channel"
    await scheduler.tick(NOW)
    assert posts(standin, team, bot) == [], "what the catalog held before the schedule is not news"

    await import_text(catalog, tmp_path, FIGURES)
    report = await scheduler.tick(NOW + dt.timedelta(seconds=30))
    assert (report.planned, report.posted) == (1, 1)
    [first] = posts(standin, team, bot)
    assert first.allowed_mentions == {"parse": []}
    assert first.mentions == []
    lines = figure_lines([first])
    assert len(lines) == 2
    assert lines[0].startswith("Mexico · Imagen TV: 2,345,678 viewers")  # best first
    assert "<t:" in lines[0], "air dates as Discord timestamps"

    await import_text(catalog, tmp_path, FIGURES)
    await scheduler.tick(NOW + dt.timedelta(seconds=60))
    assert len(posts(standin, team, bot)) == 1, "the same import twice announces nothing new"

    await import_text(catalog, tmp_path, FIGURES.replace("1234567", "1300000"))
    await scheduler.tick(NOW + dt.timedelta(seconds=90))
    messages = posts(standin, team, bot)
    assert len(messages) == 2
    assert figure_lines(messages[1:]) == [figure_lines(messages[1:])[0]]
    assert figure_lines(messages[1:])[0].startswith("**Correction:** Chile · Canal 13: 1,300,000 viewers")
    assert messages[1].embeds[0]["title"] == "Ratings: 1 correction"


async def test_a_daily_digest_posts_at_the_local_time_once(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog, scheduler: AnnouncementsCog,
        tmp_path: Path) -> None:
    await announce(standin, team, when="daily", at="09:00", zone="america/mexico_city")
    await import_text(catalog, tmp_path, FIGURES)
    nine_in_mexico = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)  # UTC-6 all year since 2022

    await scheduler.tick(nine_in_mexico - dt.timedelta(minutes=1))
    assert posts(standin, team, bot) == []
    await scheduler.tick(nine_in_mexico + dt.timedelta(seconds=10))
    await scheduler.tick(nine_in_mexico + dt.timedelta(seconds=40))
    [digest] = posts(standin, team, bot)
    assert len(figure_lines([digest])) == 2
    assert "Posted late" not in str(digest.embeds[0].get("description", ""))
    async with catalog.sessions() as session:
        schedule = await store.schedule_for(session, team.channel("general").id)
    assert schedule is not None
    assert schedule.next_run_at == nine_in_mexico + dt.timedelta(days=1)


async def test_a_digest_missed_while_down_posts_late_within_grace(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog, scheduler: AnnouncementsCog,
        tmp_path: Path) -> None:
    await announce(standin, team, when="daily", at="09:00", zone="Europe/Istanbul")
    await import_text(catalog, tmp_path, FIGURES)
    await scheduler.tick(dt.datetime(2026, 3, 3, 6 + 5, 0, tzinfo=dt.UTC))  # five hours after 09:00 in Istanbul
    [digest] = posts(standin, team, bot)
    assert "Posted late: this digest was due <t:1772517600:f>." in str(digest.embeds[0]["description"])
    await scheduler.tick(dt.datetime(2026, 3, 4, 6 + 7, 0, tzinfo=dt.UTC))  # seven hours late: skipped
    assert len(posts(standin, team, bot)) == 1


async def test_discord_500_then_200_and_a_lost_answer_post_once(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog, scheduler: AnnouncementsCog,
        tmp_path: Path) -> None:
    await announce(standin, team, when="immediately")
    await import_text(catalog, tmp_path, FIGURES)
    route = f"/channels/{team.channel('general').id}/messages"
    standin.state.inject_fault("POST", route, status=500)
    standin.state.inject_fault("POST", route, status=502, after_handling=True)  # stored, the answer lost
    await scheduler.tick(NOW)
    assert len(posts(standin, team, bot)) == 1
    assert len(figure_lines(posts(standin, team, bot))) == 2


async def test_a_crash_between_posting_and_recording_does_not_post_twice(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog, settings: Settings,
        scheduler: AnnouncementsCog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await announce(standin, team, when="immediately")
    await import_text(catalog, tmp_path, FIGURES)

    async def crash(*_args: object, **_kwargs: object) -> None:
        raise ConnectionResetError("the process died before it could record the post")

    with monkeypatch.context() as patch:
        patch.setattr(store, "mark_posted", crash)
        report = await scheduler.tick(NOW)
    assert (report.planned, report.posted) == (1, 0)
    assert len(posts(standin, team, bot)) == 1

    await bot.remove_cog("Announcements")  # the restart: a new process reads the same database
    restarted = SlateBot(settings, catalog, **CLIENT_OPTIONS)
    async with running(restarted, standin):
        cog = cog_of(restarted)
        cog.scheduler.cancel()
        await cog.tick(NOW + dt.timedelta(seconds=30))  # the pending digest is sent again, same nonce
        await cog.tick(NOW + dt.timedelta(seconds=60))
    assert len(posts(standin, team, bot)) == 1, "Discord answered the repeated nonce with the first message"
    async with catalog.sessions() as session:
        assert await store.postable_digest_ids(session, NOW + dt.timedelta(days=365)) == [], "recorded now"
    sent = standin.state.calls_to("POST", f"/channels/{team.channel('general').id}/messages")
    assert len([call for call in sent if call.status == 200]) >= 2, "it was really sent twice"


async def test_the_database_down_during_a_tick_loses_nothing(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog, scheduler: AnnouncementsCog,
        tmp_path: Path) -> None:
    await announce(standin, team, when="immediately")
    await import_text(catalog, tmp_path, FIGURES)
    working = catalog.sessions
    down = create_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    catalog.sessions = make_session_factory(down)
    try:
        assert await scheduler.safe_tick(NOW) is None, "the tick logs the outage instead of dying"
    finally:
        catalog.sessions = working
        await down.dispose()
    assert posts(standin, team, bot) == []
    await scheduler.safe_tick(NOW + dt.timedelta(seconds=30))
    await scheduler.safe_tick(NOW + dt.timedelta(seconds=60))
    assert len(figure_lines(posts(standin, team, bot))) == 2


async def test_a_role_to_ping_is_the_only_mention(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog, scheduler: AnnouncementsCog,
        tmp_path: Path) -> None:
    sales = team.role("Sales")
    await announce(standin, team, when="immediately", ping=sales)
    await import_text(catalog, tmp_path, FIGURES)
    await scheduler.tick(NOW)
    [digest] = posts(standin, team, bot)
    assert digest.content == f"<@&{sales.id}>"
    assert digest.allowed_mentions == {"parse": [], "roles": [sales.id]}


async def test_subscribe_limits_the_channel_and_preview_marks_nothing(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog, scheduler: AnnouncementsCog,
        tmp_path: Path) -> None:
    carol, general = team.member("carol"), team.channel("general")
    subscribed = await (await standin.send_interaction("subscribe", user=carol, channel=general,
                                                       options={"what": "chile"})).answer()
    assert "Subscribed: Chile" in str(subscribed.embeds[0]["title"])
    await import_text(catalog, tmp_path, FIGURES)
    preview = await (await standin.send_interaction("announce preview", user=carol, channel=general)).answer()
    assert preview.ephemeral
    assert "Canal 13" in str(preview.embeds)
    await scheduler.tick(NOW)
    assert [line.split(":")[0] for line in figure_lines(posts(standin, team, bot))] == ["Chile · Canal 13"]
    await (await standin.send_interaction("unsubscribe", user=carol, channel=general,
                                          options={"what": "chile"})).answer()
    async with catalog.sessions() as session:
        schedule = await store.schedule_for(session, general.id)
    assert schedule is not None
    assert not schedule.enabled, "no filter left would mean everything: the last unsubscribe turns it off"



# --- PostgreSQL: two bot processes, one database, one Discord --------------------------------------------


@pytest.fixture
async def postgres_catalogs(request: pytest.FixtureRequest) -> AsyncIterator[tuple[OpenCatalog, OpenCatalog]]:
    """Two catalogs on one PostgreSQL schema, each with its own engine: what two processes would have."""
    require_postgres()
    schema = request.getfixturevalue("postgres_schema")
    engines = [create_engine(POSTGRES_URL, search_path=schema) for _ in range(2)]
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables if t.name not in REFERENCE_TABLES)
    async with engines[0].begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await import_files(make_session_factory(engines[0]), demo_files())
    catalogs = []
    for engine in engines:
        sessions = make_session_factory(engine)
        async with sessions() as session:
            names = await load_name_index(session)
        catalogs.append(OpenCatalog(engine=engine, sessions=sessions, names=names, demo=False))
    yield catalogs[0], catalogs[1]
    for engine in engines:
        await engine.dispose()


@pytest.mark.postgres
async def test_two_bot_processes_post_every_announcement_once(
        standin: DiscordStandin, team: Guild, settings: Settings,
        postgres_catalogs: tuple[OpenCatalog, OpenCatalog], tmp_path: Path) -> None:
    first, second = postgres_catalogs
    channels = [team.channel("general"), team.channel("deals")]
    one, two = SlateBot(settings, first, **CLIENT_OPTIONS), SlateBot(settings, second, **CLIENT_OPTIONS)
    async with running(one, standin), running(two, standin):
        cogs = [cog_of(one), cog_of(two)]
        for cog in cogs:
            cog.scheduler.cancel()  # the test's clock drives both
        async with first.sessions() as session:
            since = await store.latest_batch_id(session)
            session.add_all(ChannelSchedule(guild_id=team.id, channel_id=channel.id, mode="immediate",
                                            since_batch_id=since, filters=[]) for channel in channels)
            await session.commit()
        await import_text(first, tmp_path, FIGURES)
        for offset in range(3):  # both ticking at the same moments, as two processes would
            at = NOW + dt.timedelta(seconds=30 * offset)
            await asyncio.gather(*(cog.tick(at) for cog in cogs))
        assert one.user is not None
        for channel in channels:
            sent = [m for m in standin.state.messages_in(channel) if m.author.id == one.user.id and m.embeds]
            assert len(sent) == 1, channel.name
            assert len(figure_lines(sent)) == 2


async def test_an_import_in_chat_announces_at_once(
        standin: DiscordStandin, team: Guild, bot: SlateBot, scheduler: AnnouncementsCog) -> None:
    """`immediately` means right after the import, not at the scheduler's next turn (its loop is stopped here)."""
    await announce(standin, team, when="immediately")
    await scheduler.tick(NOW)
    scheduler.clock = lambda: NOW + dt.timedelta(seconds=5)
    run = await standin.send_interaction("import", user=team.member("carol"), channel=team.channel("general"),
                                         options={"file": ("ratings.csv", FIGURES.encode())})
    await run.answer(timeout=10)
    for _ in range(100):
        if posts(standin, team, bot):
            break
        await asyncio.sleep(0.05)
    [post] = posts(standin, team, bot)
    assert len(figure_lines([post])) == 2
