"""How an audience figure is said in a line, and which sources a reply names: shared by every command.

Rating and share are always named ("rating 5.45%", "share 19%"): they are different numbers, and a line
that dropped the word would let a press officer swap them.
"""

from __future__ import annotations

from collections.abc import Iterable

from commands.formatting import format_count, format_count_short, format_day, format_points
from storage.audience import AudienceRow
from storage.catalog import FigureFact
from storage.vocab import MEASUREMENTS


def _labelled(figure: FigureFact, viewers: str | None, locale: str) -> str:
    """The numbers a figure states, each labelled (viewers as the caller wrote them), or that it states none."""
    numbers = [viewers] if viewers else []
    if (rating := figure.rating_pct) is not None:
        numbers.append(f"rating {format_points(rating, locale)}")
    if (share := figure.share_pct) is not None:
        numbers.append(f"share {format_points(share, locale)}")
    if (reach := figure.reach) is not None:
        numbers.append(f"reach {format_count(reach, locale)}")
    return ", ".join(numbers) or "no number stated"


def figure_numbers(figure: FigureFact, locale: str) -> str:
    """``3.1 million viewers, share 19%`` then the target group: ``rating 5.45% (Households)``."""
    viewers = None if figure.viewers is None else f"{format_count_short(figure.viewers, locale)} viewers"
    text = _labelled(figure, viewers, locale)
    return f"{text} ({figure.target})" if figure.target else text


def figure_summary(figure: FigureFact, locale: str) -> str:
    """``Mexico · Imagen TV · date not stated · Prime time: 3.1 million viewers, share 19% — #1 in prime time``."""
    where = [figure.territory_name, figure.channel, format_day(figure.air_date, locale)]
    if figure.timeslot:
        where.append(figure.timeslot)
    if figure.episode:
        where.append(f"episode {figure.episode}")
    if figure.measurement:
        where.append(MEASUREMENTS.get(figure.measurement, figure.measurement).lower())
    rank = f" — {figure.rank_note}" if figure.rank_note else ""
    return f"{' · '.join(where)}: {figure_numbers(figure, locale)}{rank}"


def numbers_text(row: FigureFact, locale: str) -> str:
    """The figure's numbers, each labelled, then its target and measurement: "rating 5.45% (Households)".

    Written for a list's 200 lines at a time: each figure's attribute read once, and the target and
    measurement placed without a generator and a join (together 1.2 of 5 µs a line).
    """
    viewers = None
    if (count := row.viewers) is not None:
        whole = format_count(count, locale)
        viewers = (f"{whole} viewers ({format_count_short(count, locale)})" if count >= 1_000_000
                   else f"{whole} viewers")
    text = _labelled(row, viewers, locale)
    target, measurement = row.target, row.measurement
    if target and measurement:
        return f"{text} ({target}, {measurement})"
    if target or measurement:
        return f"{text} ({target or measurement})"
    return text


def provenance(row: AudienceRow, locale: str, *, show_title: bool, show_territory: bool) -> list[str]:
    """Where and when: title, territory, channel, date, timeslot and episode, each when it tells something."""
    where = []
    if show_title:
        where.append(f"{row.title_name} ({row.title_year})" if row.title_year else row.title_name)
    if show_territory:
        where.append(row.territory_name)
    where += [row.channel, format_day(row.air_date, locale)]
    if row.timeslot:
        where.append(row.timeslot)
    if row.episode:
        where.append(f"ep. {row.episode}")
    return where


def distinct_sources(cells: Iterable[str | None]) -> tuple[str, ...]:
    """Each source once, in order of first mention; a cell may name several, separated by ``;``. A list's 200
    cells repeat a few sources: each distinct cell is split once."""
    seen: dict[str, None] = {}
    for cell in dict.fromkeys(cells):
        for source in (cell or "").split(";"):
            if source := source.strip():
                seen.setdefault(source)
    return tuple(seen)
