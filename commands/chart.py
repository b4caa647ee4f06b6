"""``chart <title, territory, group or channel> [period]``: the ratings as a picture, and the same data as text.

A title is charted across territories (its best figure in each); a territory, group or channel by its top
titles. Bars show the best viewers and, beside them, the best share, never one metric dressed as the
other. Drawing uses matplotlib's object API (``Figure`` on an Agg canvas, never ``pyplot``, whose global
state is not safe across threads) and runs in a worker thread, so the bot's event loop keeps answering
while a chart renders. DejaVu Sans, which ships with matplotlib, has the Turkish and Spanish letters.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from anyascii import anyascii
from babel.numbers import format_compact_decimal
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from commands.context import CommandContext
from commands.errors import CommandError
from commands.figures import distinct_sources
from commands.formatting import format_count, format_count_short, format_day, format_points
from commands.help import CommandHelp
from commands.limits import HEADLINE_MAX, clip, rows_into_pages
from commands.ratings import AudienceQuery, describe, headline, parse_audience_query
from commands.reply import Chart, Reply, ReplyKind
from storage.audience import AudienceRow, BoardRow, GroupBy, Metric, best_figures

HELP = CommandHelp(
    name="chart",
    summary="A chart of the ratings: a title's best audience in each territory, or the top titles of a"
    " territory, group or channel, with the same numbers as text.",
    usage="chart <title, territory, group or channel> [period] [by viewers|share]",
    examples=("chart small miracles", "chart mexico 2024"),
)

WIDTH_PX, HEIGHT_PX, DPI = 1000, 600, 100
MAX_BARS = {"territory": 15, "title": 10}
LABEL_CHARS = 30
ALT_TEXT_MAX = 1000  # Discord's attachment description holds 1024


@dataclass(frozen=True)
class Bars:
    """One panel: a metric's best value per category (None where the category has none)."""

    metric: Metric
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartData:
    title: str
    per: GroupBy
    categories: tuple[str, ...]
    panels: tuple[Bars, ...]
    locale: str


async def run_chart(text: str, context: CommandContext) -> Reply:
    prefix = context.reader.prefix
    if not text.strip():
        raise CommandError(f"A chart of what? Name a title, territory, group or channel,"
                           f" e.g. `{prefix}chart small miracles` or `{prefix}chart mexico 2024`.")
    query = parse_audience_query(text, context, "chart", ("title", "territory", "company", "date"),
                                 ("viewers", "share"))
    if isinstance(query, Reply):
        return query
    if not (query.title or query.place or query.company):
        raise CommandError(f"A chart of which title, territory, group or channel? e.g. `{prefix}chart mexico`.")
    per: GroupBy = "territory" if query.title else "title"
    first: Metric = "share" if query.order == "share" else "viewers"
    second: Metric = "viewers" if first == "share" else "share"
    limit = MAX_BARS[per]
    boards = {metric: await best_figures(context.session, query.scope, metric=metric, per=per, limit=200)
              for metric in (first, second)}
    keyed = {metric: {_key(row.figure, per): row for row in board.rows} for metric, board in boards.items()}
    order = list(dict.fromkeys([*keyed[first], *keyed[second]]))[:limit]
    if not order:
        return Reply(headline=headline("No audience figures", query, context, before_title=" for",
                                       end=" to chart yet."), kind=ReplyKind.NOT_FOUND)
    locale = context.reader.locale
    labels = {key: _label(row.figure, per) for rows in keyed.values() for key, row in rows.items()}
    panels = tuple(
        Bars(metric, tuple(_value(keyed[metric].get(key), metric) for key in order))
        for metric in ("viewers", "share") if any(key in keyed[metric] for key in order)
    )
    data = ChartData(_chart_title(query, context, per), per, tuple(labels[key] for key in order), panels, locale)
    png = await asyncio.to_thread(render_png, data)
    lines = [_data_line(labels[key], [keyed[m].get(key) for m in ("viewers", "share")], locale) for key in order]
    rows = [row for rows in keyed.values() for key, row in rows.items() if key in order]
    return Reply(
        headline=clip(f"Chart: {data.title}", HEADLINE_MAX),
        body=f"Each bar is the {per}'s strongest whole-audience figure (target Total or not stated);"
             f" its viewers and its share may come from different airings.",
        pages=rows_into_pages("Data", lines),
        sources=distinct_sources(row.figure.source for row in rows),
        chart=Chart(png=png, filename=_filename(query), alt_text=alt_text(data)),
    )


def render_png(data: ChartData) -> bytes:
    """The chart as PNG bytes, exactly WIDTH_PX x HEIGHT_PX. Pure and thread-safe: no pyplot, no globals."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, len(data.panels), sharey=True, squeeze=False)[0]
    positions = list(range(len(data.categories)))
    for ax, panel in zip(axes, data.panels, strict=True):
        fmt = _formatter(panel.metric, data.locale)
        values = [value or 0.0 for value in panel.values]
        bars = ax.barh(positions, values, height=0.6, color="#1f6f8b" if panel.metric == "viewers" else "#e07a1f")
        ax.bar_label(bars, labels=[fmt(v) if v is not None else "no figure" for v in panel.values],
                     padding=3, fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ticks = _tick_formatter(panel.metric, data.locale)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos, ticks=ticks: ticks(x)))
        ax.set_title(f"Best {panel.metric}", fontsize=11)
        ax.margins(x=0.3)
        ax.grid(axis="x", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_yticks(positions, [clip(c, LABEL_CHARS) for c in data.categories], fontsize=9)
    # The strongest on top, and a few bars keep a bar's width instead of filling the whole height.
    axes[0].set_ylim(max(len(positions), 4) - 0.5, -0.5)
    figure.suptitle(clip(data.title, 90), fontsize=13)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def alt_text(data: ChartData) -> str:
    """What the chart shows, in words, for readers who cannot see it."""
    parts = []
    for panel in data.panels:
        fmt = _formatter(panel.metric, data.locale)
        shown = [f"{name} {fmt(value)}" for name, value in zip(data.categories, panel.values, strict=True)
                 if value is not None]
        parts.append(f"best {panel.metric} per {data.per}: {', '.join(shown)}")
    return clip(f"Bar chart of {data.title}; {'; '.join(parts)}.", ALT_TEXT_MAX)


def _formatter(metric: Metric, locale: str) -> Callable[[float], str]:
    if metric == "viewers":
        return lambda value: format_count_short(round(value), locale)
    return lambda value: format_points(Decimal(str(round(value, 2))).normalize(), locale)


def _tick_formatter(metric: Metric, locale: str) -> Callable[[float], str]:
    """Axis ticks in the short form (3 M, 3 mn), which stays readable where ticks sit close together."""
    if metric == "viewers":
        return lambda value: format_compact_decimal(value, format_type="short", fraction_digits=1, locale=locale)
    return _formatter(metric, locale)


def _key(figure: AudienceRow, per: GroupBy) -> str:
    return figure.territory_code if per == "territory" else str(figure.title_id)


def _label(figure: AudienceRow, per: GroupBy) -> str:
    if per == "territory":
        return figure.territory_name
    return f"{figure.title_name} ({figure.title_year})" if figure.title_year else figure.title_name


def _value(row: BoardRow | None, metric: Metric) -> float | None:
    if row is None:
        return None
    value = row.figure.viewers if metric == "viewers" else row.figure.share_pct
    return None if value is None else float(value)


def _data_line(name: str, rows: Sequence[BoardRow | None], locale: str) -> str:
    viewers, share = rows
    parts = []
    if viewers is not None and viewers.figure.viewers is not None:
        parts.append(f"{format_count(viewers.figure.viewers, locale)} viewers ({viewers.figure.channel},"
                     f" {format_day(viewers.figure.air_date, locale)})")
    if share is not None and share.figure.share_pct is not None:
        parts.append(f"share {format_points(share.figure.share_pct, locale)} ({share.figure.channel},"
                     f" {format_day(share.figure.air_date, locale)})")
    return f"{name}: {'; '.join(parts)}"


def _chart_title(query: AudienceQuery, context: CommandContext, per: GroupBy) -> str:
    if per == "territory":
        return f"{describe(query, context)}: best audience by territory"
    return f"Top titles {describe(query, context)}"


def _filename(query: AudienceQuery) -> str:
    """``chart-miracle-in-cell-no-7-2019.png``: ASCII, so every client and file system takes it."""
    words = []
    if query.title:
        words += [query.title.name, str(query.title.year or "")]
    for record in (query.company, query.place):
        if record:
            words.append(record.name)
    if query.period:
        words.append(query.period.text)
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(" ".join(words)).casefold()).strip("-")[:80].strip("-")
    return f"chart-{slug or 'ratings'}.png"
