"""``title <query>``: the title card.

The title is found by the resolver (any of its names, typos, qualifiers such as a year or origin); when
several titles could be meant the reader is asked which, and nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from commands.context import CommandContext
from commands.figures import distinct_sources, figure_summary
from commands.formatting import babel_locale, format_count, format_count_short, format_day
from commands.help import CommandHelp
from commands.reply import Field, Reply, problem
from commands.resolve import Found, resolve_title, territory_name
from commands.resolving import unresolved_reply
from storage.catalog import ReleaseFact, TitleFacts, title_facts
from storage.models import Title
from storage.vocab import MEDIA_RIGHTS, TITLE_KINDS

SYNOPSIS_LIMIT = 700
BEST_FIGURES = 6  # the strongest figures a card shows; the ratings command lists them all

HELP = CommandHelp(
    name="title",
    summary="The title card: every title it goes by, year, kind, runtime, synopsis, remake-of, best audience"
    " figures, box office, where it is licensed, links.",
    usage="title <name>",
    examples=("title Miracle in Cell No. 7 turkish", "title 7. Koğuştaki Mucize", "title milagro en la celda 7"),
)


def title_label(title: Title, countries: Mapping[str, str]) -> str:
    """How a title is told apart from look-alikes: name (year, origin country, kind)."""
    details = [str(title.year) if title.year else None, countries.get(title.origin or "", title.origin),
               TITLE_KINDS.get(title.kind or "", "").lower() or None]
    return f"{title.name} ({', '.join(d for d in details if d)})" if any(details) else title.name


async def run_title(query: str, context: CommandContext) -> Reply:
    prefix = context.reader.prefix
    if not query:
        return problem(f"Which title? Type a name after the command, e.g. `{prefix}title miracle in cell no. 7`.")
    resolution = resolve_title(context.names, query)
    if not isinstance(resolution, Found):
        return unresolved_reply(resolution, "title", query, context.names, lambda words: f"{prefix}title {words}")
    facts = await title_facts(context.session, int(resolution.id), strongest=BEST_FIGURES)
    if facts is None:  # deleted since the name index was built
        return problem(f"“{query}” was just removed from the catalog; ask again in a moment.")
    # Territory names and groups come with the name index (the territories table, in English): no query.
    origins = {code for code in (facts.title.origin, getattr(facts.title.remake_of, "origin", None)) if code}
    names = {code: territory_name(context.names, code) or code for code in origins.union(facts.footprint.territories)}
    return title_card(facts, Places(names, context.names.territory_groups), context.reader.locale)


@dataclass(frozen=True)
class Places:
    """What the card says a place is called: territories by code, and every territory group."""

    territories: Mapping[str, str]  # code -> English name, of every code the card names (origins, footprint)
    groups: Mapping[str, frozenset[str]]


def title_card(facts: TitleFacts, places: Places, locale: str) -> Reply:
    """The card of a title whose facts hold its ``BEST_FIGURES`` strongest figures (``title_facts``)."""
    title = facts.title
    fields: list[Field] = []
    if names := _other_names(title, locale):
        fields.append(Field(name="Also known as", value="\n".join(names)))
    fields.append(Field(name="Facts", value=" · ".join(_facts_line(title, places.territories)), inline=True))
    for label, value in (("Director", title.director), ("Producer", title.producer), ("Cast", title.cast)):
        if value:
            fields.append(Field(name=label, value=value.replace("|", ", "), inline=True))
    if title.remake_of is not None:
        fields.append(Field(name="Remake of", value=title_label(title.remake_of, places.territories)))
    if facts.figures:
        fields.append(Field(name="Audience", value="\n".join(_best_figures(facts, locale))))
    if facts.releases:
        fields.append(Field(name="Box office", value="\n".join(_release_line(r, locale) for r in facts.releases)))
    if title.highlights:
        fields.append(Field(name="Highlights", value="\n".join(title.highlights.split("|"))))
    if facts.footprint.deals:
        fields.append(Field(name="Deals", value=_footprint_line(facts, places)))
    links = [f"{label}: {url}" for label, url in (("Key art", title.key_art_url), ("Trailer", title.trailer_url),
                                                  ("Screener", title.screener_url)) if url]
    if links:
        fields.append(Field(name="Links", value="\n".join(links)))
    body, notes = _synopsis(title)
    return Reply(
        headline=title_label(title, places.territories),
        body=body,
        fields=tuple(fields),
        notes=tuple(notes),
        sources=distinct_sources((title.source, *facts.figure_sources, *(r.source for r in facts.releases))),
    )


def _other_names(title: Title, locale: str) -> list[str]:
    languages = babel_locale(locale).languages
    lines = []
    for name in title.names:
        if name.kind == "international":
            continue
        language = languages.get(name.language, name.language) if name.language else ""
        kind = {"original": "Original title", "localized": language or "Localized", "alias": "Also"}[name.kind]
        if name.kind == "original" and language:
            kind = f"Original title ({language})"
        where = f", {name.territory_code}" if name.territory_code else ""
        lines.append(f"{kind}{where}: {name.name}")
    return lines


def _facts_line(title: Title, countries: Mapping[str, str]) -> Iterable[str]:
    if title.kind:
        yield TITLE_KINDS[title.kind]
    if title.year:
        yield str(title.year)
    if title.origin:
        yield countries.get(title.origin, title.origin)
    if title.runtime_minutes:
        yield f"{title.runtime_minutes} min"
    if title.episodes:
        yield f"{title.episodes} x {title.episode_minutes} min" if title.episode_minutes else f"{title.episodes} ep."
    if title.genres:
        yield ", ".join(title.genres.split("|"))


def _best_figures(facts: TitleFacts, locale: str) -> list[str]:
    """The strongest figures first (most viewers, then highest share, then rating), and how many more."""
    lines = [figure_summary(f, locale) for f in facts.figures]
    if facts.figures_held > len(facts.figures):
        lines.append(f"… and {facts.figures_held - len(facts.figures)} more figures (ratings command)")
    return lines


def _release_line(release: ReleaseFact, locale: str) -> str:
    parts = [release.territory_name, f"released {format_day(release.release_date, locale)}"]
    numbers = []
    if release.admissions is not None:
        numbers.append(f"{format_count_short(release.admissions, locale)} admissions")
    if release.gross is not None:
        numbers.append(f"{format_count(int(release.gross), locale)} {release.currency or ''}".strip())
    rank = f" — {release.rank_note}" if release.rank_note else ""
    return f"{' · '.join(parts)}: {', '.join(numbers) or 'no figures'}{rank}"


def covering_groups(codes: set[str], groups: Mapping[str, frozenset[str]]) -> list[str]:
    """The groups whose every member is in ``codes``, largest first, skipping groups inside a chosen one."""
    chosen: list[str] = []
    covered: set[str] = set()
    # Only the groups inside ``codes`` are sorted: usually none are (a 200-deal list asks this per deal).
    inside = [(name, members) for name, members in groups.items() if members and members <= codes]
    for name, members in sorted(inside, key=lambda item: (-len(item[1]), item[0])):
        if not members <= covered:
            chosen.append(name)
            covered |= members
    return chosen


def _footprint_line(facts: TitleFacts, places: Places) -> str:
    """Where a title is licensed, short: "11 deals in 39 territories: LATAM, MENA, Israel, Spain (Free TV)";
    the groups that cover its territories, the other territories by name."""
    footprint = facts.footprint
    codes = set(footprint.territories)
    groups = covering_groups(codes, places.groups)
    in_groups = set().union(*(places.groups[g] for g in groups)) if groups else set()
    others = sorted(places.territories[code] for code in codes - in_groups)
    places_named = [*groups, *others]
    count = len(codes)
    media = ", ".join(MEDIA_RIGHTS[m] for m in footprint.media)
    deals = f"{footprint.deals} {'deal' if footprint.deals == 1 else 'deals'}"
    line = f"{deals} in {count} {'territory' if count == 1 else 'territories'}: {', '.join(places_named)}"
    return f"{line} ({media})" if media else line


def _synopsis(title: Title) -> tuple[str, list[str]]:
    text = title.synopsis or title.logline or ""
    if len(text) <= SYNOPSIS_LIMIT:
        return text, []
    cut = text.rfind(". ", 0, SYNOPSIS_LIMIT)
    cut = cut + 1 if cut > SYNOPSIS_LIMIT // 2 else text.rfind(" ", 0, SYNOPSIS_LIMIT)
    return text[:cut].rstrip() + " …", ["The synopsis is cut short here; the full text is in the catalog export."]
