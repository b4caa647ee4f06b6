"""Announcement rules with no Discord and no database in them: when a channel's digest is due, and what it says.

Time is always passed in (``now``), never read here, so the scheduler, the tests and a preview agree on it.
Local times are wall-clock times in an IANA zone, resolved with ``zoneinfo`` on the day they happen: a daily
09:00 Europe/Madrid is 09:00 in Madrid in both winter and summer. Two DST edge cases have a rule each:

- a time that does not exist that day (02:30 on the spring-forward night) runs at the first minute that does;
- a time that happens twice (02:30 on the autumn night) runs once, at its first occurrence (``fold=0``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from commands.errors import CommandError
from commands.figures import distinct_sources, numbers_text
from commands.formatting import format_day
from commands.limits import lines_into_fields, paginate
from commands.reply import Reply
from commands.resolve import (
    Ambiguous,
    Candidate,
    Found,
    NotFound,
    Resolution,
    resolve_territory,
    resolve_title,
)
from storage.audience import AudienceRow
from storage.name_index import NameIndex

Mode = Literal["immediate", "daily", "weekdays"]
Kind = Literal["news", "correction"]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = 0b1111111
WORKING_DAYS = 0b0011111
# A digest posted this long after it was due carries a note saying so; a tick is ~30 s, so this is downtime.
LATE_AFTER = dt.timedelta(minutes=5)
_MAX_GAP = dt.timedelta(hours=3)  # no zone skips more than this at once (the largest real jump is 1 h)
_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


class AnnounceError(CommandError):
    """An announcement setting that cannot be used; the message is the sentence the admin reads."""


@dataclass(frozen=True)
class ScheduleRule:
    """When a channel's digest runs: on the days in ``weekdays`` (bit 0 = Monday) at ``local_time`` in ``zone``."""

    mode: Mode
    weekdays: int = EVERY_DAY
    local_time: dt.time | None = None
    zone: str = "UTC"

    @property
    def timed(self) -> bool:
        return self.mode != "immediate"


# --- when --------------------------------------------------------------------------------------------


def local_moment(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """``at`` on ``day`` in ``zone`` as a UTC instant: the first occurrence of a repeated time, and the first
    existing minute after a time the clocks skipped."""
    wall = dt.datetime.combine(day, at.replace(tzinfo=None, fold=0))
    candidate = wall
    while candidate - wall <= _MAX_GAP:
        aware = candidate.replace(tzinfo=zone, fold=0)
        instant = aware.astimezone(dt.UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == candidate:  # it exists on this day's clock
            return instant
        candidate = (candidate + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    raise ValueError(f"{wall} does not exist in {zone.key} within {_MAX_GAP}")  # no real zone gets here


def runs_on(rule: ScheduleRule, day: dt.date) -> bool:
    return bool(rule.weekdays & (1 << day.weekday()))


def next_run(rule: ScheduleRule, after: dt.datetime) -> dt.datetime | None:
    """The first run strictly after ``after`` (aware), in UTC; None for immediate or dayless schedules."""
    if not rule.timed or rule.local_time is None or not rule.weekdays & EVERY_DAY:
        return None
    zone = ZoneInfo(rule.zone)
    day = after.astimezone(zone).date() - dt.timedelta(days=1)  # a gap may push yesterday's run past midnight
    for offset in range(9):
        candidate_day = day + dt.timedelta(days=offset)
        if runs_on(rule, candidate_day):
            moment = local_moment(candidate_day, rule.local_time, zone)
            if moment > after:
                return moment
    return None  # unreachable: a non-empty weekday mask runs within a week


def last_run(rule: ScheduleRule, at_or_before: dt.datetime) -> dt.datetime | None:
    """The latest run at or before ``at_or_before``, in UTC (the one a late digest catches up with)."""
    if not rule.timed or rule.local_time is None or not rule.weekdays & EVERY_DAY:
        return None
    zone = ZoneInfo(rule.zone)
    day = at_or_before.astimezone(zone).date() + dt.timedelta(days=1)
    for offset in range(9):
        candidate_day = day - dt.timedelta(days=offset)
        if runs_on(rule, candidate_day):
            moment = local_moment(candidate_day, rule.local_time, zone)
            if moment <= at_or_before:
                return moment
    return None


@dataclass(frozen=True)
class DuePlan:
    """What a tick does with a schedule whose ``next_run_at`` has come.

    ``post_for`` is the run to post now (None: nothing within the grace window), ``late`` says it is posted
    after a delay the reader should be told about, ``skipped_since`` is the first missed run that is now too
    old to post (logged), and ``next_run_at`` is the run after ``now``: missed runs are not replayed one by
    one, since the next digest carries every figure they would have carried.
    """

    post_for: dt.datetime | None
    late: bool
    skipped_since: dt.datetime | None
    next_run_at: dt.datetime | None


def plan_due(rule: ScheduleRule, next_run_at: dt.datetime, now: dt.datetime, grace: dt.timedelta) -> DuePlan | None:
    """None while the schedule is not due; otherwise the plan for the latest run that is."""
    if next_run_at > now:
        return None
    latest = last_run(rule, now)
    following = next_run(rule, now)
    if latest is None or latest < next_run_at:
        latest = next_run_at  # the stored run (the rule may have changed since it was computed)
    if now - latest > grace:
        return DuePlan(post_for=None, late=False, skipped_since=next_run_at, next_run_at=following)
    skipped = next_run_at if next_run_at < latest else None
    return DuePlan(post_for=latest, late=now - latest > LATE_AFTER, skipped_since=skipped, next_run_at=following)


# --- parsing the admin's arguments --------------------------------------------------------------------


def parse_mode(text: str) -> Mode:
    word = text.strip().lower()
    if word in ("immediate", "immediately", "now"):
        return "immediate"
    if word in ("daily", "every day"):
        return "daily"
    if word in ("weekdays", "days", "weekly"):
        return "weekdays"
    raise AnnounceError(f"'{text}' is not a schedule; use immediately, daily or weekdays.")


def parse_weekdays(text: str) -> int:
    """``mon,wed,fri``, ``mon-fri``, ``weekdays`` or ``every day`` as a mask (bit 0 = Monday)."""
    cleaned = text.strip().lower()
    if cleaned in ("", "every day", "daily", "all"):
        return EVERY_DAY
    if cleaned in ("weekdays", "working days", "mon-fri"):
        return WORKING_DAYS
    mask = 0
    for part in re.split(r"[\s,]+", cleaned):
        if not part:
            continue
        first, _, last = part.partition("-")
        start, end = _weekday(first, text), _weekday(last or first, text)
        day = start
        while True:
            mask |= 1 << day
            if day == end:
                break
            day = (day + 1) % 7
    return mask


def _weekday(word: str, typed: str) -> int:
    for number, name in enumerate(WEEKDAY_NAMES):
        if word[:3] == name:
            return number
    raise AnnounceError(f"'{typed}' has a day I don't know ('{word}'); write days like mon,wed,fri or mon-fri.")


def parse_local_time(text: str) -> dt.time:
    """``09:00``, ``9:30``, ``9am``, ``18:45``: a wall-clock time to the minute."""
    match = _TIME.match(text)
    if match:
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
        if half:
            hour = hour % 12 + (12 if half == "pm" else 0) if 1 <= hour <= 12 else 99
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise AnnounceError(f"'{text}' is not a time of day; write it as 09:00 or 18:30.")


def parse_time_zone(text: str) -> str:
    """An IANA zone name, matched without regard to case (``europe/madrid`` is ``Europe/Madrid``)."""
    typed = text.strip().replace(" ", "_")
    known = {name.lower(): name for name in available_timezones()}
    name = known.get(typed.lower())
    if name is None:
        raise AnnounceError(f"'{text}' is not a time zone I know; use an IANA name such as "
                            "America/Mexico_City or Europe/Istanbul.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AnnounceError(f"The time zone '{name}' cannot be loaded on this server.") from None
    return name


def weekdays_text(mask: int) -> str:
    if mask & EVERY_DAY == EVERY_DAY:
        return "every day"
    if mask == WORKING_DAYS:
        return "Monday to Friday"
    return ", ".join(name.capitalize() for number, name in enumerate(WEEKDAY_NAMES) if mask & (1 << number))


def describe_rule(rule: ScheduleRule) -> str:
    if not rule.timed or rule.local_time is None:
        return "immediately after each import"
    return f"{weekdays_text(rule.weekdays)} at {rule.local_time:%H:%M} ({rule.zone})"


# --- what a digest says -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Announced:
    """One figure as the ledger planned it: news, or a correction of a figure announced before."""

    row: AudienceRow
    kind: Kind


@dataclass(frozen=True)
class DigestLine:
    """One figure's line; ``aired`` is left as a date so the renderer can show it as a Discord timestamp."""

    kind: Kind
    text: str
    aired: dt.date | None


@dataclass(frozen=True)
class DigestGroup:
    title: str
    lines: tuple[DigestLine, ...]


@dataclass(frozen=True)
class Digest:
    """A channel's announcement, grouped by title with the best title first; ``late_since`` when delayed."""

    headline: str
    groups: tuple[DigestGroup, ...]
    notes: tuple[str, ...]
    sources: tuple[str, ...]
    due_at: dt.datetime
    late: bool

    @property
    def count(self) -> int:
        return sum(len(group.lines) for group in self.groups)


def _strength(row: AudienceRow) -> tuple[int, float, float, int]:
    """Best first, as the ratings command orders: viewers, then share, then rating; the id keeps ties stable."""
    return (-(row.viewers or -1), -float(row.share_pct or -1), -float(row.rating_pct or -1), row.figure_id)


def figure_text(row: AudienceRow, locale: str) -> str:
    """Territory, channel, timeslot, episode and the numbers with their provenance; the date goes apart."""
    where = [row.territory_name, row.channel, *(part for part in (row.timeslot,) if part)]
    if row.episode:
        where.append(f"ep. {row.episode}")
    line = f"{' · '.join(where)}: {numbers_text(row, locale)}"
    if row.rank_note:
        line += f" — {row.rank_note}"
    if row.source:
        line += f" · source: {row.source}"
    return line


def build_digest(items: Sequence[Announced], *, due_at: dt.datetime, late: bool, locale: str = "en") -> Digest:
    """The digest for ``items``: titles ordered by their best figure, figures best first within a title."""
    by_title: dict[int, list[Announced]] = {}
    for item in items:
        by_title.setdefault(item.row.title_id, []).append(item)
    ordered = sorted(by_title.values(), key=lambda group: min(_strength(item.row) for item in group))
    groups = []
    for group in ordered:
        group.sort(key=lambda item: _strength(item.row))
        first = group[0].row
        name = f"{first.title_name} ({first.title_year})" if first.title_year else first.title_name
        groups.append(DigestGroup(name, tuple(
            DigestLine(item.kind, figure_text(item.row, locale), item.row.air_date) for item in group
        )))
    corrections = sum(1 for item in items if item.kind == "correction")
    news = len(items) - corrections
    parts = [f"{news} new audience figure{'s' if news != 1 else ''}"] if news else []
    if corrections:
        parts.append(f"{corrections} correction{'s' if corrections != 1 else ''}")
    notes = ("Corrections replace figures announced earlier.",) if corrections else ()
    return Digest(
        headline="Ratings: " + " and ".join(parts or ["nothing new"]),
        groups=tuple(groups), notes=notes, sources=distinct_sources(item.row.source for item in items),
        due_at=due_at, late=late,
    )


def digest_as_reply(digest: Digest, locale: str = "en") -> Reply:
    """The digest as a plain neutral reply (dates as text), for the console and for tests that read it."""
    fields = []
    for group in digest.groups:
        lines = [f"{'Correction: ' if line.kind == 'correction' else ''}{line.text} · {format_day(line.aired, locale)}"
                 for line in group.lines]
        fields += lines_into_fields(group.title, lines)
    notes = digest.notes
    if digest.late:
        notes = (f"Posted late: this digest was due at {digest.due_at:%Y-%m-%d %H:%M} UTC.", *notes)
    return Reply(headline=digest.headline, pages=paginate(fields), notes=notes, sources=digest.sources)



# --- what a channel subscribes to -----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A title, territory or group a schedule is limited to, as stored (``kind``, ``ref``) and as shown."""

    kind: str
    ref: str
    label: str


def resolve_target(index: NameIndex, text: str) -> Target:
    """A territory or group first (``mexico``, ``LATAM``), else a title; anything unclear is refused."""
    places = resolve_territory(index, text)
    if isinstance(places, Found):
        return Target(places.candidate.kind, str(places.candidate.id), places.candidate.label)
    titles = resolve_title(index, text)
    if isinstance(titles, Found):
        return Target("title", str(titles.candidate.id), titles.candidate.label)
    options = [c.label for c in (*_candidates(titles), *_candidates(places))][:5]
    if options:
        raise AnnounceError(f"'{text}' could mean {'; '.join(options)}; type the one you mean more fully.")
    raise AnnounceError(f"No title, territory or group is called '{text}'.")


def resolve_targets(index: NameIndex, text: str) -> list[Target]:
    """Several targets separated by commas or ``|``; nothing means everything."""
    return [resolve_target(index, part.strip()) for part in re.split(r"[,|]", text) if part.strip()]


def _candidates(resolution: Resolution) -> tuple[Candidate, ...]:
    if isinstance(resolution, Ambiguous):
        return resolution.candidates
    if isinstance(resolution, NotFound):
        return resolution.suggestions
    return ()
