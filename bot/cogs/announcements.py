"""Scheduled announcements: the admin's slash commands and the scheduler tick that plans and posts digests.

The tick is one short ``tasks.loop`` reading due work from the database, not a ``tasks.loop(time=...)`` per
zone (which skips runs across zones and never catches up after downtime). Each tick first plans: every due
schedule, locked on its own, gets a digest and ledger rows in one transaction; then posts: every pending
digest, locked on its own, is sent and marked posted. One channel's failure is logged and retried later
without stopping the others or the loop. ``now`` is injected (``clock``) so tests drive time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.announce_post import PostFailed, Sleep, digest_nonce, post_parts, render_digest
from bot.checks import GuildOnly, require_admin
from bot.views import send_reply
from commands.announce import (
    EVERY_DAY,
    Announced,
    ScheduleRule,
    build_digest,
    describe_rule,
    digest_as_reply,
    next_run,
    parse_local_time,
    parse_mode,
    parse_time_zone,
    parse_weekdays,
    plan_due,
    resolve_target,
    resolve_targets,
)
from commands.reply import Reply
from storage import announcements as store
from storage.models import ChannelSchedule
from storage.types import utcnow

if TYPE_CHECKING:
    from bot.app import SlateBot

log = logging.getLogger(__name__)

TICK_SECONDS = 30.0
Clock = Callable[[], dt.datetime]


def rule_of(schedule: ChannelSchedule) -> ScheduleRule:
    mode: Literal["immediate", "daily", "weekdays"] = (
        "daily" if schedule.mode == "daily" else "weekdays" if schedule.mode == "weekdays" else "immediate")
    return ScheduleRule(mode, schedule.weekdays, schedule.local_time, schedule.time_zone)


def retry_delay(attempts: int) -> dt.timedelta:
    """Between ticks: 1, 2, 4 ... minutes, at most an hour."""
    return dt.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


SHUTDOWN_WAIT_SECONDS = 10.0


@dataclass
class TickReport:
    planned: int = 0
    posted: int = 0
    failed: int = 0


class AnnouncementsCog(commands.Cog, name="Announcements"):
    def __init__(self, bot: SlateBot, *, clock: Clock = utcnow, sleep: Sleep = asyncio.sleep) -> None:
        self.bot = bot
        self.clock = clock
        self.sleep = sleep
        self.grace = dt.timedelta(hours=bot.settings.announce_grace_hours)
        self._tick_lock = asyncio.Lock()  # the loop and a manual tick never overlap in one process
        self._soon: set[asyncio.Task[TickReport | None]] = set()

    async def cog_load(self) -> None:
        self.scheduler.start()

    async def cog_unload(self) -> None:
        """Stop the loop between ticks, never inside one (bot.close() unloads every cog).

        Cancelling a tick in the middle of a database call would leave its connection's worker answering an
        event loop that is about to close, and a digest half-way through its bookkeeping; so a running tick
        gets a short while to finish before the loop and any pending immediate ticks are cancelled.
        """
        try:
            async with asyncio.timeout(SHUTDOWN_WAIT_SECONDS):
                await self._tick_lock.acquire()
        except TimeoutError:
            log.warning("an announcement tick was still running after %s s at shutdown; cancelling it",
                        SHUTDOWN_WAIT_SECONDS)
        try:
            self.scheduler.cancel()
            for task in self._soon:
                task.cancel()
        finally:
            if self._tick_lock.locked():
                self._tick_lock.release()

    def tick_soon(self) -> None:
        """Tick now rather than at the next loop turn: an import just landed and `immediately` means now.

        The task is kept until it ends (a bare create_task may be collected mid-run); safe_tick logs failures.
        """
        task = asyncio.create_task(self.safe_tick(self.clock()), name="announcements-after-import")
        self._soon.add(task)
        task.add_done_callback(self._soon.discard)

    async def interaction_check(self, interaction: discord.Interaction[SlateBot], /) -> bool:  # type: ignore[override]
        return await require_admin(self.bot, interaction.user, interaction.guild)

    # --- the tick -----------------------------------------------------------------------------------------

    @tasks.loop(seconds=TICK_SECONDS)
    async def scheduler(self) -> None:
        await self.safe_tick(self.clock())

    async def safe_tick(self, now: dt.datetime) -> TickReport | None:
        """A tick that logs instead of raising (the database may be down): the loop must outlive it."""
        try:
            return await self.tick(now)
        except Exception:
            log.exception("announcement tick failed; the next tick tries again")
            return None

    @scheduler.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def tick(self, now: dt.datetime) -> TickReport:
        """Plan what is due, then post what is planned; each channel and digest in its own transaction."""
        report = TickReport()
        async with self._tick_lock:
            sessions = self.bot.catalog.sessions
            async with sessions() as session:
                schedule_ids = await store.due_schedule_ids(session, now)
            for schedule_id in schedule_ids:
                try:
                    report.planned += await self._plan(schedule_id, now)
                except Exception:
                    log.exception("planning announcements for schedule %s failed", schedule_id)
            async with sessions() as session:
                digest_ids = await store.postable_digest_ids(session, now)
            for digest_id in digest_ids:
                try:
                    posted = await self._post(digest_id, now)
                except Exception:
                    log.exception("posting digest %s failed; it stays pending", digest_id)
                    posted = False
                report.posted += posted
                report.failed += not posted
        return report

    async def _plan(self, schedule_id: int, now: dt.datetime) -> int:
        async with self.bot.catalog.sessions() as session:
            schedule = await store.lock_due_schedule(session, schedule_id, now)
            if schedule is None:
                return 0  # another process holds it, or it is no longer due
            due_at, late = now, False
            if schedule.mode != "immediate":
                assert schedule.next_run_at is not None  # noqa: S101 - due timed schedules have one
                plan = plan_due(rule_of(schedule), schedule.next_run_at, now, self.grace)
                if plan is None:
                    return 0
                schedule.next_run_at = plan.next_run_at
                if plan.skipped_since is not None:
                    log.warning("channel %s: digests due from %s were missed by more than the grace window"
                                " and are skipped; their figures go into the next one",
                                schedule.channel_id, plan.skipped_since.isoformat())
                if plan.post_for is None:
                    await store.record_skipped(session, schedule, due_at=plan.skipped_since or now,
                                               reason="missed by more than the grace window", now=now)
                    await session.commit()
                    return 0
                due_at, late = plan.post_for, plan.late
            found = await store.new_for_channel(session, schedule)
            if found:
                await store.plan_digest(session, schedule, due_at=due_at, late=late,
                                        nonce=digest_nonce(schedule.channel_id, due_at.isoformat()),
                                        candidates=found, now=now)
            await session.commit()
            return 1 if found else 0

    async def _post(self, digest_id: int, now: dt.datetime) -> bool:
        async with self.bot.catalog.sessions() as session:
            digest = await store.claim_digest(session, digest_id, now)
            if digest is None:
                return False
            items = [Announced(row, "correction" if kind == "correction" else "news")
                     for row, kind in await store.digest_figures(session, digest.id)]
            rendered = build_digest(items, due_at=digest.due_at, late=digest.late,
                                    locale=self.bot.settings.default_locale)
            try:
                channel = await self._channel(digest.channel_id)
                ids = await post_parts(channel, render_digest(rendered, ping_role_id=digest.ping_role_id),
                                       nonce=digest.nonce, ping_role_id=digest.ping_role_id, sleep=self.sleep)
            except PostFailed as error:
                retry_at = None if error.permanent else now + retry_delay(digest.attempts + 1)
                log.warning("digest %s to channel %s not posted (%s); %s", digest.id, digest.channel_id, error,
                            "giving up" if retry_at is None else f"retrying at {retry_at.isoformat()}")
                await store.mark_attempt_failed(session, digest, str(error), retry_at=retry_at)
                await session.commit()
                return False
            await store.mark_posted(session, digest, ids, now)
            await session.commit()
            return True

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.HTTPException as error:
                raise PostFailed(f"channel {channel_id}: {error}", permanent=error.status in (403, 404)) from error
        if not isinstance(channel, discord.abc.Messageable):
            raise PostFailed(f"channel {channel_id} cannot take messages", permanent=True)
        return channel

    # --- admin commands -----------------------------------------------------------------------------------

    announce = app_commands.Group(name="announce", description="Post new ratings to a channel, on a schedule")

    @announce.command(name="set", description="What this channel gets, and when (in a time zone)")
    @app_commands.describe(
        when="immediately after each import, daily, or on chosen weekdays",
        at="local time, like 09:00", zone="IANA time zone, like America/Mexico_City",
        days="for weekdays: mon,wed,fri or mon-fri", only="titles, territories or groups, separated by commas",
        ping="a role to ping with each post (nobody otherwise)", channel="the channel (this one if left out)",
    )
    async def announce_set(self, interaction: discord.Interaction[SlateBot],
                           when: Literal["immediately", "daily", "weekdays"], at: str | None = None,
                           zone: str = "UTC", days: str | None = None, only: str | None = None,
                           ping: discord.Role | None = None, channel: discord.TextChannel | None = None) -> None:
        mode = parse_mode(when)
        local_time = parse_local_time(at) if at else None
        if mode != "immediate" and local_time is None:
            local_time = parse_local_time("09:00")
        rule = ScheduleRule(mode, parse_weekdays(days or "") if mode == "weekdays" else EVERY_DAY, local_time,
                            parse_time_zone(zone))
        targets = resolve_targets(self.bot.catalog.names, only or "")
        guild_id, here = _where(interaction)
        channel_id = channel.id if channel else here
        now = self.clock()
        async with self.bot.catalog.sessions() as session:
            schedule = await store.schedule_for(session, channel_id)
            if schedule is None:
                schedule = ChannelSchedule(guild_id=guild_id, channel_id=channel_id, filters=[],
                                           since_batch_id=await store.latest_batch_id(session), created_at=now)
                session.add(schedule)
            elif not schedule.enabled:
                schedule.since_batch_id = await store.latest_batch_id(session)  # off meant off: start afresh
            schedule.mode, schedule.weekdays, schedule.local_time = rule.mode, rule.weekdays, rule.local_time
            schedule.time_zone, schedule.ping_role_id, schedule.enabled = rule.zone, ping.id if ping else None, True
            schedule.ratings, schedule.updated_at = True, now
            schedule.next_run_at = next_run(rule, now)
            store.replace_filters(schedule, [(t.kind, t.ref) for t in targets])
            await session.commit()
        await self._answer(interaction, self._describe(rule, [t.label for t in targets],
                                                       ping, schedule.next_run_at))

    @announce.command(name="show", description="This channel's announcement settings")
    async def announce_show(self, interaction: discord.Interaction[SlateBot]) -> None:
        _, channel_id = _where(interaction)
        async with self.bot.catalog.sessions() as session:
            schedule = await store.schedule_for(session, channel_id)
        if schedule is None or not schedule.enabled:
            await self._answer(interaction, Reply(headline="This channel gets no announcements.",
                                                  body="`/announce set` starts them."))
            return
        labels = [f"{f.kind} {f.ref}" for f in schedule.filters]
        ping = interaction.guild.get_role(schedule.ping_role_id) if interaction.guild and schedule.ping_role_id \
            else None
        await self._answer(interaction, self._describe(rule_of(schedule), labels, ping,
                                                       schedule.next_run_at))

    @announce.command(name="off", description="Stop announcements in this channel")
    async def announce_off(self, interaction: discord.Interaction[SlateBot]) -> None:
        _, channel_id = _where(interaction)
        async with self.bot.catalog.sessions() as session:
            schedule = await store.schedule_for(session, channel_id)
            if schedule is not None:
                schedule.enabled, schedule.updated_at = False, self.clock()
                await session.commit()
        await self._answer(interaction, Reply(headline="Announcements are off in this channel."))

    @announce.command(name="preview", description="The next post, now and only for you; nothing is marked sent")
    async def announce_preview(self, interaction: discord.Interaction[SlateBot]) -> None:
        _, channel_id = _where(interaction)
        async with self.bot.catalog.sessions() as session:
            schedule = await store.schedule_for(session, channel_id)
            if schedule is None or not schedule.enabled:
                await self._answer(interaction, Reply(headline="This channel gets no announcements."))
                return
            found = await store.new_for_channel(session, schedule)
            rows = await store.figures_by_id(session, [c.figure_id for c in found])
        items = [Announced(rows[c.figure_id], "correction" if c.kind == "correction" else "news")
                 for c in found if c.figure_id in rows]
        if not items:
            await self._answer(interaction, Reply(headline="Nothing new to announce here yet."))
            return
        digest = build_digest(items, due_at=schedule.next_run_at or self.clock(), late=False,
                              locale=self.bot.settings.default_locale)
        await self._answer(interaction, digest_as_reply(digest, self.bot.settings.default_locale))

    @app_commands.command(name="subscribe", description="Announce new ratings for a title, territory or group here")
    @app_commands.describe(what="a title, territory or group")
    async def subscribe(self, interaction: discord.Interaction[SlateBot], what: str) -> None:
        target = resolve_target(self.bot.catalog.names, what)
        guild_id, channel_id = _where(interaction)
        async with self.bot.catalog.sessions() as session:
            schedule = await store.schedule_for(session, channel_id)
            if schedule is None or not schedule.enabled:
                if schedule is None:
                    schedule = ChannelSchedule(guild_id=guild_id, channel_id=channel_id,
                                               mode="immediate", time_zone="UTC", filters=[])
                    session.add(schedule)
                else:
                    store.replace_filters(schedule, [])
                schedule.since_batch_id = await store.latest_batch_id(session)
                schedule.enabled, schedule.ratings = True, True
            wanted = {(f.kind, f.ref) for f in schedule.filters} | {(target.kind, target.ref)}
            store.replace_filters(schedule, wanted)
            schedule.updated_at = self.clock()
            await session.commit()
            when = describe_rule(rule_of(schedule))
        await self._answer(interaction, Reply(headline=f"Subscribed: {target.label}",
                                              body=f"New ratings for it are posted here {when}."))

    @app_commands.command(name="unsubscribe", description="Stop announcing a title, territory or group here")
    @app_commands.describe(what="a title, territory or group")
    async def unsubscribe(self, interaction: discord.Interaction[SlateBot], what: str) -> None:
        target = resolve_target(self.bot.catalog.names, what)
        _, channel_id = _where(interaction)
        async with self.bot.catalog.sessions() as session:
            schedule = await store.schedule_for(session, channel_id)
            have = {(f.kind, f.ref) for f in schedule.filters} if schedule else set()
            if schedule is None or (target.kind, target.ref) not in have:
                await self._answer(interaction, Reply(headline=f"This channel is not subscribed to {target.label}."))
                return
            store.replace_filters(schedule, have - {(target.kind, target.ref)})
            # No filter left would mean "everything": a last unsubscribe turns announcements off instead.
            schedule.enabled = len(have) > 1
            schedule.updated_at = self.clock()
            await session.commit()
        note = "" if schedule.enabled else " That was the last one: announcements are off in this channel."
        await self._answer(interaction, Reply(headline=f"Unsubscribed: {target.label}", body=note.strip()))

    @staticmethod
    def _describe(rule: ScheduleRule, labels: list[str], ping: discord.Role | None,
                  next_at: dt.datetime | None) -> Reply:
        lines = [f"When: {describe_rule(rule)}",
                 f"What: new ratings{' for ' + ', '.join(labels) if labels else ' (everything)'}",
                 f"Ping: {ping.name if ping else 'nobody'}"]
        if next_at is not None:
            lines.append(f"Next digest: {next_at:%Y-%m-%d %H:%M} UTC")
        return Reply(headline="Announcements for this channel", body="\n".join(lines))

    async def _answer(self, interaction: discord.Interaction[SlateBot], reply: Reply) -> None:
        await send_reply(interaction, reply, author_id=interaction.user.id, show_confidential=False, ephemeral=True)


def _where(interaction: discord.Interaction[SlateBot]) -> tuple[int, int]:
    """The server and channel a command was used in (``interaction_check`` already refused DMs)."""
    if interaction.guild_id is None or interaction.channel_id is None:
        raise GuildOnly
    return interaction.guild_id, interaction.channel_id


async def setup(bot: SlateBot) -> None:
    await bot.add_cog(AnnouncementsCog(bot))
