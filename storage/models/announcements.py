"""The announcement tables: channel schedules and their filters, planned digests, and the ledger."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, one_of
from storage.types import UTCDateTime, utcnow

# --- announcements -----------------------------------------------------------------------------------
#
# Why four tables: a schedule says what a channel wants and when; a digest is one planned post, planned
# once per (channel, due time) and posted once; the ledger says which version of which record went into
# which digest, and its unique key is the promise "announced to a channel at most once, ever". A record's
# version is the import batch that last really changed it (an unchanged re-import keeps the batch, see
# storage/importing/upserts.py), so re-importing a file announces nothing and a correction is a new version.

ANNOUNCE_MODES = ("immediate", "daily", "weekdays")
ANNOUNCE_FILTERS = ("title", "territory", "group")
ANNOUNCE_SUBJECTS = ("figure", "deal")
ANNOUNCE_KINDS = ("news", "correction")
DIGEST_STATES = ("pending", "posted", "skipped", "failed")


class ChannelSchedule(Base):
    """A channel's announcement settings: what to post, which records, and when in which time zone."""

    __tablename__ = "channel_schedules"
    __table_args__ = (
        CheckConstraint(one_of("mode", ANNOUNCE_MODES, nullable=False), name="mode"),
        CheckConstraint("weekdays >= 0 AND weekdays <= 127", name="weekdays"),
        CheckConstraint("mode = 'immediate' OR local_time IS NOT NULL", name="timed_has_time"),
        Index("ix_channel_schedules_due", "enabled", "next_run_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    ratings: Mapped[bool] = mapped_column(Boolean, default=True)
    deals: Mapped[bool] = mapped_column(Boolean, default=False)
    mode: Mapped[str] = mapped_column(String(16))
    weekdays: Mapped[int] = mapped_column(Integer, default=127)  # bit 0 = Monday ... bit 6 = Sunday
    local_time: Mapped[dt.time | None] = mapped_column(Time)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    ping_role_id: Mapped[int | None] = mapped_column(BigInteger)
    # Records written by batches up to this one existed before the schedule and are not news to it.
    since_batch_id: Mapped[int] = mapped_column(Integer, default=0)
    next_run_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    filters: Mapped[list[ScheduleFilter]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="(ScheduleFilter.kind, ScheduleFilter.ref)"
    )


class ScheduleFilter(Base):
    """One title, territory or group a schedule is limited to; a schedule with none takes everything.

    ``ref`` is the title or group id as text, or the territory code: one portable key column instead of
    three nullable foreign keys, which a unique constraint could not keep apart (NULLs never collide).
    """

    __tablename__ = "schedule_filters"
    __table_args__ = (CheckConstraint(one_of("kind", ANNOUNCE_FILTERS, nullable=False), name="kind"),)

    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("channel_schedules.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), primary_key=True)


class AnnouncementDigest(Base):
    """One post to one channel, planned once (unique per channel and due time) and posted once.

    ``nonce`` is derived from the digest, so a retry after a lost response is deduplicated by Discord.
    """

    __tablename__ = "announcement_digests"
    __table_args__ = (
        UniqueConstraint("channel_id", "due_at"),
        CheckConstraint(one_of("state", DIGEST_STATES, nullable=False), name="state"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_announcement_digests_work", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    mode: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    ping_role_id: Mapped[int | None] = mapped_column(BigInteger)
    nonce: Mapped[str] = mapped_column(String(25))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    message_ids: Mapped[str | None] = mapped_column(Text)  # "|"-separated, in posting order
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    entries: Mapped[list[AnnouncementLedger]] = relationship(
        lazy="raise", order_by="AnnouncementLedger.id", viewonly=True
    )


class AnnouncementLedger(Base):
    """Which version of which record was put into which digest for a channel; at most once, ever."""

    __tablename__ = "announcement_ledger"
    __table_args__ = (
        UniqueConstraint("channel_id", "subject", "subject_id", "version"),
        CheckConstraint(one_of("subject", ANNOUNCE_SUBJECTS, nullable=False), name="subject"),
        CheckConstraint(one_of("kind", ANNOUNCE_KINDS, nullable=False), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    subject: Mapped[str] = mapped_column(String(8))
    subject_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)  # the import batch that last changed the record
    kind: Mapped[str] = mapped_column(String(16))
    digest_id: Mapped[int] = mapped_column(
        ForeignKey("announcement_digests.id", ondelete="RESTRICT"), index=True
    )
    posted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

