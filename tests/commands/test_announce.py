"""Announcement rules with an explicit clock: local times across DST in several zones, weekdays, the grace
window, argument parsing, and digests grouped by title, best first, with corrections marked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from commands.announce import (
    EVERY_DAY,
    WORKING_DAYS,
    Announced,
    AnnounceError,
    ScheduleRule,
    build_digest,
    digest_as_reply,
    next_run,
    parse_local_time,
    parse_mode,
    parse_time_zone,
    parse_weekdays,
    plan_due,
)
from storage.audience import AudienceRow

UTC = dt.UTC
GRACE = dt.timedelta(hours=6)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def daily(at: str, zone: str, weekdays: int = EVERY_DAY) -> ScheduleRule:
    hour, minute = map(int, at.split(":"))
    return ScheduleRule("daily" if weekdays == EVERY_DAY else "weekdays", weekdays, dt.time(hour, minute), zone)


# --- local time, DST ---------------------------------------------------------------------------------

# (rule, after, the next run in UTC): each row one day's run, seen from the evening before.
DST_TABLE = [
    # Madrid, spring forward on 31 March 2024 (02:00 CET -> 03:00 CEST): 09:00 local both days.
    (daily("09:00", "Europe/Madrid"), utc(2024, 3, 29, 20), utc(2024, 3, 30, 8)),
    (daily("09:00", "Europe/Madrid"), utc(2024, 3, 30, 20), utc(2024, 3, 31, 7)),
    # Madrid, fall back on 27 October 2024 (03:00 CEST -> 02:00 CET).
    (daily("09:00", "Europe/Madrid"), utc(2024, 10, 25, 20), utc(2024, 10, 26, 7)),
    (daily("09:00", "Europe/Madrid"), utc(2024, 10, 26, 20), utc(2024, 10, 27, 8)),
    # 02:30 does not exist on 31 March in Madrid: the first valid minute after is 03:00 CEST (01:00 UTC).
    (daily("02:30", "Europe/Madrid"), utc(2024, 3, 30, 20), utc(2024, 3, 31, 1)),
    (daily("02:30", "Europe/Madrid"), utc(2024, 3, 31, 2), utc(2024, 4, 1, 0, 30)),
    # 02:30 happens twice on 27 October: once, at the first (CEST, 00:30 UTC); then 02:30 CET the next day.
    (daily("02:30", "Europe/Madrid"), utc(2024, 10, 26, 20), utc(2024, 10, 27, 0, 30)),
    (daily("02:30", "Europe/Madrid"), utc(2024, 10, 27, 0, 30), utc(2024, 10, 28, 1, 30)),
    (daily("02:30", "Europe/Madrid"), utc(2024, 10, 27, 1, 30), utc(2024, 10, 28, 1, 30)),
    # Mexico City kept summer time until October 2022 (UTC-5) and is UTC-6 all year since.
    (daily("09:00", "America/Mexico_City"), utc(2022, 6, 1, 0), utc(2022, 6, 1, 14)),
    (daily("09:00", "America/Mexico_City"), utc(2024, 4, 7, 0), utc(2024, 4, 7, 15)),
    (daily("09:00", "America/Mexico_City"), utc(2024, 6, 1, 0), utc(2024, 6, 1, 15)),
    (daily("09:00", "America/Mexico_City"), utc(2024, 11, 1, 0), utc(2024, 11, 1, 15)),
    # Istanbul is UTC+3 all year: unmoved by Europe's change days.
    (daily("09:00", "Europe/Istanbul"), utc(2024, 3, 30, 20), utc(2024, 3, 31, 6)),
    (daily("09:00", "Europe/Istanbul"), utc(2024, 10, 26, 20), utc(2024, 10, 27, 6)),
    (daily("09:00", "Europe/Istanbul"), utc(2024, 1, 15, 6), utc(2024, 1, 16, 6)),  # strictly after
]


@pytest.mark.parametrize(("rule", "after", "expected"), DST_TABLE)
def test_next_run_is_the_local_time_on_both_sides_of_dst(rule: ScheduleRule, after: dt.datetime,
                                                          expected: dt.datetime) -> None:
    assert next_run(rule, after) == expected


def test_a_year_of_madrid_mornings_is_always_nine_local() -> None:
    rule = daily("09:00", "Europe/Madrid")
    moment = utc(2024, 1, 1)
    seen = set()
    for _ in range(366):
        run = next_run(rule, moment)
        assert run is not None
        local = run.astimezone(ZoneInfo("Europe/Madrid"))
        assert (local.hour, local.minute) == (9, 0)
        assert run.date() not in seen  # exactly one run per day
        seen.add(run.date())
        moment = run
    assert len(seen) == 366


def test_weekdays_skip_the_days_not_chosen() -> None:
    rule = daily("09:00", "Europe/Istanbul", weekdays=parse_weekdays("mon,wed,fri"))
    friday_run = utc(2024, 5, 17, 6)  # Friday 17 May 2024, 09:00 in Istanbul
    assert next_run(rule, utc(2024, 5, 16, 7)) == friday_run  # from Thursday
    assert next_run(rule, friday_run) == utc(2024, 5, 20, 6)  # then Monday


def test_immediate_and_dayless_schedules_have_no_next_run() -> None:
    assert next_run(ScheduleRule("immediate"), utc(2024, 1, 1)) is None
    assert next_run(daily("09:00", "UTC", weekdays=0), utc(2024, 1, 1)) is None


# --- due, late, skipped --------------------------------------------------------------------------------


def test_not_due_before_its_time() -> None:
    assert plan_due(daily("09:00", "Europe/Madrid"), utc(2024, 5, 2, 7), utc(2024, 5, 2, 6, 59), GRACE) is None


def test_on_time_posts_and_moves_to_tomorrow() -> None:
    plan = plan_due(daily("09:00", "Europe/Madrid"), utc(2024, 5, 2, 7), utc(2024, 5, 2, 7, 0, 30), GRACE)
    assert plan is not None
    assert (plan.post_for, plan.late, plan.skipped_since) == (utc(2024, 5, 2, 7), False, None)
    assert plan.next_run_at == utc(2024, 5, 3, 7)


def test_within_the_grace_window_posts_late_with_a_note() -> None:
    plan = plan_due(daily("09:00", "Europe/Madrid"), utc(2024, 5, 2, 7), utc(2024, 5, 2, 12, 59), GRACE)
    assert plan is not None
    assert (plan.post_for, plan.late) == (utc(2024, 5, 2, 7), True)


def test_past_the_grace_window_skips_and_waits_for_the_next_run() -> None:
    plan = plan_due(daily("09:00", "Europe/Madrid"), utc(2024, 5, 2, 7), utc(2024, 5, 2, 13, 1), GRACE)
    assert plan is not None
    assert (plan.post_for, plan.skipped_since, plan.next_run_at) == (None, utc(2024, 5, 2, 7), utc(2024, 5, 3, 7))


def test_after_days_down_only_the_latest_run_within_grace_posts() -> None:
    plan = plan_due(daily("09:00", "Europe/Madrid"), utc(2024, 4, 28, 7), utc(2024, 5, 2, 7, 10), GRACE)
    assert plan is not None
    assert (plan.post_for, plan.late, plan.skipped_since) == (utc(2024, 5, 2, 7), True, utc(2024, 4, 28, 7))
    assert plan.next_run_at == utc(2024, 5, 3, 7)


def test_two_schedules_due_in_the_same_minute_both_post() -> None:
    madrid, istanbul = daily("09:00", "Europe/Madrid"), daily("11:00", "Europe/Istanbul")
    now = utc(2024, 1, 10, 8, 0, 20)  # 09:00 CET and 11:00 in Istanbul are both 08:00 UTC
    plans = [plan_due(rule, utc(2024, 1, 10, 8), now, GRACE) for rule in (madrid, istanbul)]
    assert [(plan.post_for, plan.late) for plan in plans if plan] == [(utc(2024, 1, 10, 8), False)] * 2


# --- parsing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("09:00", dt.time(9)), ("9:30", dt.time(9, 30)), ("18:45", dt.time(18, 45)), ("9am", dt.time(9)),
    ("12am", dt.time(0)), ("12pm", dt.time(12)), ("7 pm", dt.time(19)),
])
def test_local_times(typed: str, expected: dt.time) -> None:
    assert parse_local_time(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "9:75", "13pm", "noonish", ""])
def test_bad_local_times_are_one_sentence(typed: str) -> None:
    with pytest.raises(AnnounceError, match=r"is not a time of day; write it as 09:00 or 18:30\.$"):
        parse_local_time(typed)


def test_time_zones_are_iana_names_any_case() -> None:
    assert parse_time_zone("europe/madrid") == "Europe/Madrid"
    assert parse_time_zone("America/Mexico City") == "America/Mexico_City"
    with pytest.raises(AnnounceError, match="not a time zone I know"):
        parse_time_zone("CET+1")


def test_weekdays_and_modes() -> None:
    assert parse_weekdays("mon-fri") == WORKING_DAYS
    assert parse_weekdays("fri-mon") == 0b1110001
    assert parse_weekdays("Tuesday, thursday") == 0b0001010
    assert parse_weekdays("") == EVERY_DAY
    with pytest.raises(AnnounceError, match="'funday'"):
        parse_weekdays("mon,funday")
    assert [parse_mode(word) for word in ("Immediately", "daily", "weekdays")] == ["immediate", "daily", "weekdays"]
    with pytest.raises(AnnounceError, match="immediately, daily or weekdays"):
        parse_mode("hourly")


# --- digests --------------------------------------------------------------------------------------------


def row(figure_id: int, title_id: int, title: str, viewers: int | None, share: str | None = None,
        aired: dt.date | None = None) -> AudienceRow:
    return AudienceRow(
        figure_id=figure_id, title_id=title_id, title_name=title, title_year=2019, title_origin="TR",
        title_kind="film", territory_code="MX", territory_name="Mexico", channel_id=1, channel="Imagen TV",
        air_date=aired, timeslot="prime time", episode=None, target="Total", measurement="",
        viewers=viewers, rating_pct=None, share_pct=Decimal(share) if share else None, reach=None,
        rank_note=None, notes=None, source="Nielsen IBOPE México",
    )


def test_digest_groups_by_title_best_first_with_corrections_marked() -> None:
    items = [
        Announced(row(1, 10, "Small Film", 200_000), "news"),
        Announced(row(2, 20, "Miracle in Cell No. 7", 1_000_000, aired=dt.date(2020, 2, 3)), "news"),
        Announced(row(3, 20, "Miracle in Cell No. 7", 3_100_000, "19"), "correction"),
        Announced(row(4, 10, "Small Film", None, "4.5"), "news"),
    ]
    digest = build_digest(items, due_at=utc(2024, 5, 2, 7), late=False)
    assert [group.title for group in digest.groups] == ["Miracle in Cell No. 7 (2019)", "Small Film (2019)"]
    miracle = digest.groups[0].lines
    assert [line.kind for line in miracle] == ["correction", "news"]
    assert miracle[0].text.startswith("Mexico · Imagen TV · prime time: 3,100,000 viewers")
    assert "source: Nielsen IBOPE México" in miracle[0].text
    assert miracle[1].aired == dt.date(2020, 2, 3)
    assert [line.text.split(": ")[1][:7] for line in digest.groups[1].lines] == ["200,000", "share 4"]
    assert digest.headline == "Ratings: 3 new audience figures and 1 correction"
    assert digest.sources == ("Nielsen IBOPE México",)

    reply = digest_as_reply(digest)
    values = [field.value for page in reply.pages for field in page.fields]
    assert values[0].startswith("Correction: Mexico")
    assert values[0].endswith("· February 3, 2020")


def test_a_late_digest_says_so() -> None:
    digest = build_digest([Announced(row(1, 10, "Film", 5), "news")], due_at=utc(2024, 5, 2, 7), late=True)
    assert digest_as_reply(digest).notes[0] == "Posted late: this digest was due at 2024-05-02 07:00 UTC."
