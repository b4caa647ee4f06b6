"""``ratings <title and/or territory, group or channel> [period] [by date|share|viewers|rating]``.

Every figure comes with its provenance (channel, date or "date not stated", timeslot, target, live or
consolidated, source), because a salesperson quotes it on the phone and the press team prints it. Rating
and share are always labelled: they are different numbers and confusing them is the worst mistake a
ratings answer can make. The query parsing here (sort words, "last 90 days", resolving the parts) is
shared with ``top`` and ``chart``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from commands.context import CommandContext
from commands.errors import CommandError
from commands.figures import distinct_sources, numbers_text, provenance
from commands.formatting import format_count, format_day
from commands.help import CommandHelp
from commands.limits import HEADLINE_MAX, clip, rows_into_pages
from commands.reply import Reply, ReplyKind
from commands.resolve import Ambiguous, Found, NotFound, label
from commands.resolving import unresolved_reply
from commands.split import ParsedQuery, Part, Period, split_query
from storage.audience import FIGURES_COUNTED_UP_TO, AudienceRow, AudienceScope, FigureOrder, audience_figures
from storage.name_index import Record

HELP = CommandHelp(
    name="ratings",
    summary="Audience figures with where they come from, best first: by title, territory, group or channel,"
    " or a title in a territory; optional period and `by date`, `by share`, `by viewers` or `by rating`.",
    usage="ratings <title and/or territory, group or channel> [period] [by date|share|viewers|rating]",
    examples=("ratings miracle in cell no. 7 turkish mexico", "ratings latam 2024 by share"),
)

# Enough for twenty pages; past that a question needs narrowing, and the reply says so.
MAX_FIGURES = 200
MAX_DAYS = 3660

# Sort words in English, Spanish and Turkish (Turkish letters also typed in ASCII).
_SORT_WORDS: dict[FigureOrder, tuple[str, ...]] = {
    "date": (r"by\s+date", r"por\s+fecha", r"tarihe\s+g[öo]re"),
    "share": (r"by\s+share", r"por\s+(?:cuota|share)", r"paya\s+g[öo]re", r"share(?:'?e)?\s+g[öo]re"),
    "viewers": (r"by\s+viewers", r"por\s+(?:espectadores|audiencia)", r"izleyiciye\s+g[öo]re"),
    "rating": (r"by\s+rating", r"por\s+rating", r"reytinge\s+g[öo]re", r"rating(?:'?e)?\s+g[öo]re"),
}
_SORTS = [(order, re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE))
          for order, words in _SORT_WORDS.items()]
# "by <something>" at the end that is none of the above: said plainly, never read as Belarus (BY).
_UNKNOWN_SORT = re.compile(r"(?<!\w)(by|por)\s+(\S+)\s*$|(?<!\w)(\S+)\s+g[öo]re\s*$", re.IGNORECASE)
_EXAMPLES = {"ratings": "ratings small miracles mexico 2024 by date", "top": "top latam last 90 days by share",
             "chart": "chart small miracles"}
_LAST_DAYS = re.compile(
    r"(?<!\w)(?:last|past|[úu]ltimos|son)\s+(\d{1,5})\s+(?:days?|d[íi]as|g[üu]n)(?!\w)", re.IGNORECASE
)


@dataclass(frozen=True)
class AudienceQuery:
    """A ratings-style question with every part resolved to one record (or absent)."""

    title: Record | None
    place: Record | None  # a territory or a territory group
    company: Record | None
    period: Period | None
    order: FigureOrder | None
    scope: AudienceScope


def take_sort_words(text: str, allowed: Sequence[FigureOrder]) -> tuple[str, FigureOrder | None]:
    """The text without its sort words, and the order they ask for; an unknown "by ..." is an error."""
    found: FigureOrder | None = None
    for order, pattern in _SORTS:
        if pattern.search(text):
            if order not in allowed:
                raise CommandError(f"This command sorts {_or_list(f'by {o}' for o in allowed)}, not by {order}.")
            if found and found != order:
                raise CommandError(f"Sort one way at a time: by {found} or by {order}.")
            found = order
            text = pattern.sub(" ", text)
    if match := _UNKNOWN_SORT.search(text):
        asked = match.group(0).strip()
        raise CommandError(f"I can't sort “{asked}”; this command sorts {_or_list(f'by {o}' for o in allowed)}.")
    return " ".join(text.split()), found


def take_last_days(text: str, today: dt.date) -> tuple[str, Period | None]:
    """``last 90 days`` / ``últimos 90 días`` / ``son 90 gün``: the period ending today, taken out of the text."""
    match = _LAST_DAYS.search(text)
    if not match:
        return text, None
    days = int(match.group(1))
    if not 1 <= days <= MAX_DAYS:
        raise CommandError(f"“{match.group(0)}” is not a period I can look back over (1 to {MAX_DAYS} days).")
    period = Period(match.group(0), today - dt.timedelta(days=days - 1), today)
    return " ".join((text[: match.start()] + " " + text[match.end():]).split()), period


def parse_audience_query(text: str, context: CommandContext, command: str, wants: Sequence[Part],
                         sorts: Sequence[FigureOrder]) -> AudienceQuery | Reply:
    """Resolve the question's parts; a part that is unclear or unknown comes back as the reply to send."""
    example = f"`{context.reader.prefix}{_EXAMPLES[command]}`"
    try:
        rest, order = take_sort_words(text, sorts)
        rest, days = take_last_days(rest, context.today)
    except CommandError as error:
        raise CommandError(f"{error} For example {example}.") from None
    parsed = split_query(context.names, rest, wants=wants, today=context.today)
    if days and parsed.period:
        raise CommandError(f"One period at a time: “{days.text}” or “{parsed.period.text}”, e.g. {example}.")
    if parsed.leftover:
        words = " ".join(parsed.leftover)
        raise CommandError(f"I don't know what “{words}” means here: no {_what(wants, 'or')} is called that."
                           f" For example {example}.")
    extras = [words for words in (days.text if days else None, _sort_text(order)) if words]
    records: dict[str, Record | None] = {}
    for part, resolution in (("title", parsed.title), ("place", parsed.place), ("company", parsed.company)):
        if resolution is None:
            records[part] = None
            continue
        if isinstance(resolution, Ambiguous | NotFound):
            return _unresolved(part, resolution, parsed, extras, command, context)
        assert isinstance(resolution, Found)  # noqa: S101 - the three kinds are exhaustive
        records[part] = context.names.record(resolution.candidate.kind, resolution.id)
    period = days or parsed.period
    place = records["place"]
    territories = None
    if place is not None:
        territories = frozenset(place.members) if place.kind == "group" else frozenset({str(place.id)})
    title, company = records["title"], records["company"]
    scope = AudienceScope(
        title_id=int(title.id) if title else None, territories=territories,
        channel_id=int(company.id) if company else None,
        start=period.start if period else None, end=period.end if period else None,
    )
    return AudienceQuery(title, place, company, period, order, scope)


def describe(query: AudienceQuery, context: CommandContext) -> str:
    """What the question is about: "Small Miracles (2023, Türkiye, series) in Mexico in 2024", "in LATAM"."""
    parts = []
    if query.title:
        parts.append(label(context.names, query.title))
    if query.company:
        parts.append(f"on {query.company.name}")
    if query.place:
        parts.append(f"in {query.place.name}")
    if query.period:
        parts.append(describe_period(query.period, context.reader.locale))
    return " ".join(parts) or "in all territories"


def headline(lead: str, query: AudienceQuery, context: CommandContext, *, before_title: str = ":",
             end: str = "") -> str:
    """"Ratings: <title> in Mexico" when a title leads, "Ratings in Mexico" otherwise; within 256 characters."""
    subject = describe(query, context)
    return clip(f"{lead}{before_title} {subject}{end}" if query.title else f"{lead} {subject}{end}", HEADLINE_MAX)


def describe_period(period: Period, locale: str) -> str:
    start, end = period.start, period.end
    if start is None or end is None:
        return period.text
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"in {start.year}"
    if start == end:
        return f"on {format_day(start, locale)}"
    return f"from {format_day(start, locale)} to {format_day(end, locale)}"


def figure_line(row: AudienceRow, locale: str, *, show_title: bool = True, show_territory: bool = True) -> str:
    where = " · ".join(provenance(row, locale, show_title=show_title, show_territory=show_territory))
    line = f"{where}: {numbers_text(row, locale)}"
    if row.rank_note:
        line += f" — {row.rank_note}"
    if row.notes:
        line += f" · note: {row.notes}"
    if row.source:
        line += f" · source: {row.source}"
    return line


async def run_ratings(text: str, context: CommandContext) -> Reply:
    prefix = context.reader.prefix
    if not text.strip():
        raise CommandError(f"Ratings for what? Name a title, territory, group or channel,"
                           f" e.g. `{prefix}ratings mexico` or `{prefix}ratings miracle in cell no. 7 turkish chile`.")
    query = parse_audience_query(text, context, "ratings", ("title", "territory", "company", "date"),
                                 ("date", "share", "viewers", "rating"))
    if isinstance(query, Reply):
        return query
    if not (query.title or query.place or query.company):
        raise CommandError(f"Ratings for which title, territory, group or channel? e.g. `{prefix}ratings mexico"
                           f"{' ' + query.period.text if query.period else ''}`; `{prefix}top` ranks them all.")
    figures = await audience_figures(context.session, query.scope, order=query.order or "best", limit=MAX_FIGURES)
    locale = context.reader.locale
    notes = []
    if figures.undated_left_out:
        notes.append(f"{_count(figures.undated_left_out, 'figure', locale)} without a date "
                     f"{'is' if figures.undated_left_out == 1 else 'are'} left out of the period.")
    if not figures.rows:
        return Reply(headline=headline("No audience figures", query, context, before_title=" for", end=" yet."),
                     kind=ReplyKind.NOT_FOUND, notes=tuple(notes))
    single_place = query.place is not None and query.place.kind == "territory"
    lines = [figure_line(row, locale, show_title=query.title is None, show_territory=not single_place)
             for row in figures.rows]
    order_text = {"best": "best first", "viewers": "most viewers first", "share": "highest share first",
                  "rating": "highest rating first", "date": "newest first, undated last"}[query.order or "best"]
    if figures.total is None:
        counted = f"More than {_count(FIGURES_COUNTED_UP_TO, 'figure', locale)}"
        notes.append(f"Showing {len(figures.rows)} of more than {format_count(FIGURES_COUNTED_UP_TO, locale)}"
                     " figures; add a title, channel or period to narrow the list.")
    else:
        counted = _count(figures.total, "figure", locale)
        if figures.total > len(figures.rows):
            notes.append(f"Showing {len(figures.rows)} of {format_count(figures.total, locale)} figures;"
                         " add a title, channel or period to narrow the list.")
    notes.append("Rating is a percent of all homes or people; share a percent of those watching TV at the time.")
    return Reply(
        headline=headline("Ratings", query, context),
        body=f"{counted}, {order_text}.",
        pages=rows_into_pages("Figures", lines),
        notes=tuple(notes),
        sources=distinct_sources(row.source for row in figures.rows),
    )


def _unresolved(part: str, resolution: Ambiguous | NotFound, parsed: ParsedQuery, extras: Sequence[str],
                command: str, context: CommandContext) -> Reply:
    """"Which one?" or "nothing is called that", each candidate with the whole line that asks again."""
    key = "territory" if part == "place" else part
    typed = " ".join(parsed.words.get(key, ())) or getattr(resolution, "query", "")
    skip = {key}
    if part == "title" and (year_of := _year_candidates(resolution, parsed.period, context)):
        # "miracle in cell no. 7 2019 mexico": the year was the title's, not a period; ask only among that
        # year's titles, and the line that picks one no longer repeats the year.
        resolution, skip = year_of, {key, "date"}
    others = " ".join([*(" ".join(words) for p, words in parsed.words.items() if p not in skip), *extras])

    def line_for(words: str) -> str:
        return f"{context.reader.prefix}{command} {words} {others}".rstrip()

    return unresolved_reply(resolution, key, typed, context.names, line_for)


def _year_candidates(resolution: Ambiguous | NotFound, period: Period | None,
                     context: CommandContext) -> Ambiguous | None:
    """The candidates made in the year a query named, when that year reads better as the title's."""
    if not isinstance(resolution, Ambiguous) or period is None or not re.fullmatch(r"\d{4}", period.text):
        return None
    year = int(period.text)
    kept = tuple(c for c in resolution.candidates
                 if (record := context.names.record(c.kind, c.id)) is not None and record.year == year)
    return Ambiguous(kept) if kept else None


def _count(number: int, word: str, locale: str) -> str:
    return f"{format_count(number, locale)} {word if number == 1 else word + 's'}"


def _or_list(items: Iterable[str]) -> str:
    listed = list(items)
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"


def _sort_text(order: FigureOrder | None) -> str | None:
    return f"by {order}" if order else None


def _what(wants: Sequence[Part], joiner: str) -> str:
    names = {"title": "title", "territory": "territory, group", "company": "channel", "date": "period"}
    listed = [names[part] for part in wants if part in names]
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} {joiner} {listed[-1]}"
