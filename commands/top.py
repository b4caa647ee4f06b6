"""``top [number] [territory, group or channel] [period] [by viewers|share|rating]``: the leaderboard.

One row per title, its best figure in scope, so a series' forty episodes take one place on the board and
leave room for the films. Only whole-audience figures compete (target Total or not stated): a target
group's share is measured on a smaller base and would outrank every country-wide figure.
"""

from __future__ import annotations

import re

from commands.context import CommandContext
from commands.errors import CommandError
from commands.figures import distinct_sources, numbers_text, provenance
from commands.formatting import format_count
from commands.help import CommandHelp
from commands.limits import rows_into_pages
from commands.ratings import headline, parse_audience_query
from commands.reply import Reply, ReplyKind
from storage.audience import Board, BoardRow, Metric, best_figures

HELP = CommandHelp(
    name="top",
    summary="The leaderboard: the titles with the best audience in a territory, group or channel and a period"
    " (`2024`, `this month`, `last 90 days`), by viewers or by share; one row per title.",
    usage="top [number] [territory, group or channel] [period] [by viewers|share|rating]",
    examples=("top mexico 2024", "top latam 2026 by share"),
)

DEFAULT_SIZE = 10
MAX_SIZE = 25
_METRICS: dict[str, Metric] = {"viewers": "viewers", "share": "share", "rating": "rating"}
_SIZE = re.compile(r"^\s*(\d{1,3})(?=\s|$)(?!\s+(?:days?|d[íi]as|g[üu]n)\b)", re.IGNORECASE)


def take_size(text: str, prefix: str) -> tuple[str, int]:
    """``top 5 mexico`` -> ("mexico", 5); a year (4 digits) is left for the period."""
    match = _SIZE.match(text)
    if not match:
        return text, DEFAULT_SIZE
    size = int(match.group(1))
    if not 1 <= size <= MAX_SIZE:
        raise CommandError(f"The board shows 1 to {MAX_SIZE} titles, e.g. `{prefix}top {DEFAULT_SIZE} mexico`.")
    return text[match.end():].strip(), size


async def run_top(text: str, context: CommandContext) -> Reply:
    rest, size = take_size(text, context.reader.prefix)
    query = parse_audience_query(rest, context, "top", ("territory", "company", "date"),
                                 ("viewers", "share", "rating"))
    if isinstance(query, Reply):
        return query
    metric: Metric = _METRICS.get(query.order or "viewers", "viewers")
    board = await best_figures(context.session, query.scope, metric=metric, per="title", limit=size)
    lead = f"Top titles by {metric}"
    if not board.rows:
        missing = "figures" if metric == "viewers" else f"{metric} figures"
        return Reply(headline=headline(f"No audience {missing}", query, context, end=" yet."),
                     kind=ReplyKind.NOT_FOUND,
                     notes=(_whole_audience_note(),) if query.scope.has_period or query.place else ())
    locale = context.reader.locale
    single_place = query.place is not None and query.place.kind == "territory"
    lines = [board_line(place, row, locale, show_territory=not single_place)
             for place, row in enumerate(board.rows, start=1)]
    notes = [_whole_audience_note()]
    if query.scope.has_period:
        notes.append("Figures without an air date are left out of a period.")
    return Reply(
        headline=headline(lead, query, context),
        body=_body(board, len(board.rows), locale),
        pages=rows_into_pages("Leaderboard", lines),
        notes=tuple(notes),
        sources=distinct_sources(row.figure.source for row in board.rows),
    )


def board_line(place: int, row: BoardRow, locale: str, *, show_territory: bool = True) -> str:
    """"1. Small Miracles (2023) — 7,225,000 viewers … (Total, live) · Türkiye · Kanal Lale · … · 32 airings"."""
    figure = row.figure
    name = f"{figure.title_name} ({figure.title_year})" if figure.title_year else figure.title_name
    where = provenance(figure, locale, show_title=False, show_territory=show_territory)
    airings = f"{format_count(row.airings, locale)} {'airing' if row.airings == 1 else 'airings'}"
    line = f"{place}. {name} — {numbers_text(figure, locale)} · {' · '.join(where)} · {airings}"
    if figure.rank_note:
        line += f" — {figure.rank_note}"
    if figure.source:
        line += f" · source: {figure.source}"
    return line


def _body(board: Board, shown: int, locale: str) -> str:
    if board.groups is None:
        return f"The best {shown} titles with figures, one row per title."
    if board.groups > shown:
        return f"The best {shown} of {format_count(board.groups, locale)} titles with figures, one row per title."
    return f"{format_count(board.groups, locale)} {'title' if board.groups == 1 else 'titles'} with figures," \
           " one row per title."


def _whole_audience_note() -> str:
    return ("Ranked on whole-audience figures (target Total or not stated), each title's best;"
            " target groups and every airing are in `ratings`.")
