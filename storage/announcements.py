"""Announcement queries: schedules, what is new for a channel, planning digests into the ledger, claiming work.

The exactly-once promise rests on two things here (docs/announcements.md has the whole design):

- **Planning writes the ledger.** A digest and its ledger rows are inserted in one transaction, and the
  ledger's unique key (channel, record, version) means a figure version can be planned into one digest for
  a channel, ever. Two processes that plan at once cannot both succeed: the second gets an IntegrityError.
- **Claiming locks a row.** On PostgreSQL the schedule (to plan) and the digest (to post) are locked with
  ``SELECT ... FOR UPDATE SKIP LOCKED``: another process skips what is being worked on instead of waiting
  for it, and a crashed process's lock dies with its connection. SQLite ignores ``FOR UPDATE``; one process
  is assumed there.

Each function takes the caller's session and never commits: the scheduler commits once per unit of work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, update
from sqlalchemy.orm import aliased, selectinload

from storage.audience import ROW_WIDTH, AudienceRow, audience_row, row_columns, with_provenance
from storage.db import CatalogSession
from storage.models import (
    Airing,
    AnnouncementDigest,
    AnnouncementLedger,
    AudienceFigure,
    ChannelSchedule,
    ImportBatch,
    ScheduleFilter,
    territory_group_members,
)

FIGURE = "figure"


@dataclass(frozen=True)
class Candidate:
    """A figure version not yet announced to a channel; ``kind`` is correction when an older one was."""

    figure_id: int
    version: int
    kind: str


# --- schedules -----------------------------------------------------------------------------------------


async def latest_batch_id(session: CatalogSession) -> int:
    """The newest import batch: records written up to it are not news to a schedule made now."""
    return int(await session.scalar(select(func.max(ImportBatch.id))) or 0)


async def schedule_for(session: CatalogSession, channel_id: int) -> ChannelSchedule | None:
    return await session.scalar(
        select(ChannelSchedule).where(ChannelSchedule.channel_id == channel_id)
        .options(selectinload(ChannelSchedule.filters))
    )


def replace_filters(schedule: ChannelSchedule, wanted: Iterable[tuple[str, str]]) -> None:
    """Make the schedule's filters exactly ``wanted`` ((kind, ref) pairs), keeping rows that stay."""
    keep = set(wanted)
    schedule.filters[:] = [f for f in schedule.filters if (f.kind, f.ref) in keep]
    have = {(f.kind, f.ref) for f in schedule.filters}
    schedule.filters.extend(ScheduleFilter(kind=kind, ref=ref) for kind, ref in sorted(keep - have))


async def due_schedule_ids(session: CatalogSession, now: dt.datetime) -> list[int]:
    """Enabled schedules that may have work: timed ones whose run has come, and every immediate one."""
    rows = await session.scalars(
        select(ChannelSchedule.id).where(ChannelSchedule.enabled.is_(True), _is_due(now))
        .order_by(ChannelSchedule.next_run_at.nulls_first(), ChannelSchedule.id)
    )
    return list(rows)


async def lock_due_schedule(session: CatalogSession, schedule_id: int, now: dt.datetime) -> ChannelSchedule | None:
    """The schedule, locked for this transaction, if it is still due and no other process holds it."""
    statement = (
        select(ChannelSchedule)
        .where(ChannelSchedule.id == schedule_id, ChannelSchedule.enabled.is_(True), _is_due(now))
        .with_for_update(skip_locked=True, of=ChannelSchedule)
        .options(selectinload(ChannelSchedule.filters))
    )
    return await session.scalar(statement)


def _is_due(now: dt.datetime) -> ColumnElement[bool]:
    return or_(ChannelSchedule.mode == "immediate", ChannelSchedule.next_run_at <= now)


# --- what is new for a channel ------------------------------------------------------------------------


def _figure_scope(schedule: ChannelSchedule) -> ColumnElement[bool] | None:
    """Filters are a union: a title anywhere, or anything in a territory or a group's territories."""
    titles = [int(f.ref) for f in schedule.filters if f.kind == "title" and f.ref.isdigit()]
    codes = [f.ref for f in schedule.filters if f.kind == "territory"]
    groups = [int(f.ref) for f in schedule.filters if f.kind == "group" and f.ref.isdigit()]
    if not schedule.filters:
        return None
    clauses: list[ColumnElement[bool]] = []
    if titles:
        clauses.append(Airing.title_id.in_(titles))
    if codes:
        clauses.append(Airing.territory_code.in_(codes))
    if groups:
        members = select(territory_group_members.c.territory_code).where(
            territory_group_members.c.group_id.in_(groups)
        )
        clauses.append(Airing.territory_code.in_(members))
    return or_(*clauses) if clauses else false()


def _candidates_statement(schedule: ChannelSchedule) -> Select[int, int | None, bool]:
    same = aliased(AnnouncementLedger)
    older = aliased(AnnouncementLedger)
    announced = exists().where(
        same.channel_id == schedule.channel_id, same.subject == FIGURE,
        same.subject_id == AudienceFigure.id, same.version == AudienceFigure.batch_id,
    )
    seen_before = exists().where(
        older.channel_id == schedule.channel_id, older.subject == FIGURE, older.subject_id == AudienceFigure.id,
    )
    statement = (
        select(AudienceFigure.id, AudienceFigure.batch_id, seen_before)
        .join(Airing, AudienceFigure.airing_id == Airing.id)
        .where(AudienceFigure.batch_id > schedule.since_batch_id, ~announced)
        .order_by(AudienceFigure.id)
    )
    scope = _figure_scope(schedule)
    return statement if scope is None else statement.where(scope)


async def new_for_channel(session: CatalogSession, schedule: ChannelSchedule) -> list[Candidate]:
    """Figure versions written since the schedule began that this channel has not had, news or correction.

    A figure's version is the import batch that last changed it; an unchanged re-import keeps the batch,
    so importing the same file twice yields nothing here.
    """
    if not schedule.ratings:
        return []
    rows = await session.execute(_candidates_statement(schedule))
    return [Candidate(int(row[0]), int(row[1] or 0), "correction" if row[2] else "news") for row in rows]


# --- digests and the ledger ---------------------------------------------------------------------------


async def plan_digest(session: CatalogSession, schedule: ChannelSchedule, *, due_at: dt.datetime, late: bool,
                      nonce: str, candidates: Sequence[Candidate], now: dt.datetime) -> AnnouncementDigest:
    """Insert a pending digest and its ledger rows; the ledger's unique key refuses a figure planned before."""
    digest = AnnouncementDigest(
        guild_id=schedule.guild_id, channel_id=schedule.channel_id, due_at=due_at, mode=schedule.mode,
        state="pending", late=late, ping_role_id=schedule.ping_role_id, nonce=nonce, attempts=0,
        next_attempt_at=now, created_at=now,
    )
    session.add(digest)
    await session.flush()
    session.add_all(
        AnnouncementLedger(channel_id=schedule.channel_id, subject=FIGURE, subject_id=c.figure_id,
                           version=c.version, kind=c.kind, digest_id=digest.id)
        for c in candidates
    )
    await session.flush()
    return digest


async def record_skipped(session: CatalogSession, schedule: ChannelSchedule, *, due_at: dt.datetime,
                         reason: str, now: dt.datetime) -> None:
    """A run too old to post (past the grace window): kept as a row so the skip can be seen later."""
    session.add(AnnouncementDigest(
        guild_id=schedule.guild_id, channel_id=schedule.channel_id, due_at=due_at, mode=schedule.mode,
        state="skipped", late=True, nonce="-", attempts=0, next_attempt_at=now, last_error=reason[:500],
        created_at=now,
    ))
    await session.flush()


async def postable_digest_ids(session: CatalogSession, now: dt.datetime) -> list[int]:
    rows = await session.scalars(
        select(AnnouncementDigest.id)
        .where(AnnouncementDigest.state == "pending", AnnouncementDigest.next_attempt_at <= now)
        .order_by(AnnouncementDigest.due_at, AnnouncementDigest.id)
    )
    return list(rows)


async def claim_digest(session: CatalogSession, digest_id: int, now: dt.datetime) -> AnnouncementDigest | None:
    """The digest, locked until this transaction ends, if it still waits to be posted and nobody holds it.

    The lock is held while the digest is posted: a second process skips it, and if this process dies the
    lock goes with its connection and the digest is posted again later, under the same nonces.
    """
    return await session.scalar(
        select(AnnouncementDigest)
        .where(AnnouncementDigest.id == digest_id, AnnouncementDigest.state == "pending",
               AnnouncementDigest.next_attempt_at <= now)
        .with_for_update(skip_locked=True)
    )


async def digest_figures(session: CatalogSession, digest_id: int) -> list[tuple[AudienceRow, str]]:
    """The digest's figures with their provenance, and whether each is news or a correction."""
    base = (
        select(*row_columns(), AnnouncementLedger.kind)
        .select_from(AnnouncementLedger)
        .join(AudienceFigure, and_(AnnouncementLedger.subject == FIGURE,
                                   AnnouncementLedger.subject_id == AudienceFigure.id))
        .join(Airing, AudienceFigure.airing_id == Airing.id)
        .where(AnnouncementLedger.digest_id == digest_id)
        .order_by(AnnouncementLedger.id)
    )
    return [(audience_row(values), str(values[ROW_WIDTH])) for values in await session.execute(with_provenance(base))]


async def mark_posted(session: CatalogSession, digest: AnnouncementDigest, message_ids: Sequence[int],
                      now: dt.datetime) -> None:
    digest.state = "posted"
    digest.posted_at = now
    digest.attempts += 1
    digest.message_ids = "|".join(str(message_id) for message_id in message_ids) or None
    digest.last_error = None
    await session.execute(
        update(AnnouncementLedger).where(AnnouncementLedger.digest_id == digest.id).values(posted_at=now)
    )
    await session.flush()


async def mark_attempt_failed(session: CatalogSession, digest: AnnouncementDigest, error: str, *,
                              retry_at: dt.datetime | None) -> None:
    """Count a failed attempt; ``retry_at`` None gives up (the channel is gone or refuses the bot)."""
    digest.attempts += 1
    digest.last_error = error[:500]
    if retry_at is None:
        digest.state = "failed"
    else:
        digest.next_attempt_at = retry_at
    await session.flush()



async def figures_by_id(session: CatalogSession, figure_ids: Sequence[int]) -> dict[int, AudienceRow]:
    """Figures with their provenance by id (a preview shows candidates before any ledger row exists)."""
    if not figure_ids:
        return {}
    base = (select(*row_columns()).select_from(AudienceFigure).join(Airing, AudienceFigure.airing_id == Airing.id)
            .where(AudienceFigure.id.in_(list(figure_ids))))
    rows = await session.execute(with_provenance(base))
    return {row.figure_id: row for row in map(audience_row, rows)}
