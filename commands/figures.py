"""One way to say an audience figure in a line, shared by the title card and the buyer's view.

Rating and share are always named ("rating 5.45%", "share 19%"): they are different numbers, and a line
that dropped the word would let a press officer swap them.
"""

from __future__ import annotations

from commands.formatting import format_count, format_count_short, format_day, format_points
from storage.catalog import FigureFact
from storage.vocab import MEASUREMENTS


def figure_numbers(figure: FigureFact, locale: str) -> str:
    """``3.1 million viewers, share 19%`` then the target group: ``rating 5.45% (Households)``."""
    numbers = []
    if figure.viewers is not None:
        numbers.append(f"{format_count_short(figure.viewers, locale)} viewers")
    if figure.rating_pct is not None:
        numbers.append(f"rating {format_points(figure.rating_pct, locale)}")
    if figure.share_pct is not None:
        numbers.append(f"share {format_points(figure.share_pct, locale)}")
    if figure.reach is not None:
        numbers.append(f"reach {format_count(figure.reach, locale)}")
    text = ", ".join(numbers) or "no number stated"
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
