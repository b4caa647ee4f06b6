"""From parsed rows to the records to write: references resolved, natural keys computed, duplicates found.

Everything here happens before the first write, so one bad reference anywhere stops the whole import.
Kinds resolve in dependency order (groups, companies, titles, then what points at titles), and each kind
sees the catalog plus what the import adds, so a deal may name a title that only this import creates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Protocol, TypeVar

from storage.db import CatalogSession
from storage.importing.parse import did_you_mean
from storage.importing.records import CompanyRow, DealRow, GroupRow, QuoteRow, RatingRow, ReleaseRow, TitleRow
from storage.importing.references import (
    Entry,
    NameIndex,
    Places,
    ReferenceProblem,
    TerritoryIndex,
    UnknownName,
    all_names,
    cached_name_key,
    load_companies,
    load_groups,
    load_territories,
    load_titles,
    split_qualifiers,
)
from storage.importing.report import Location, Problems
from storage.importing.values import format_date
from storage.importing.wanted_figures import WantedFigure, fit_key, wanted_figure, wanted_figures
from storage.keys import name_key
from storage.models import company_natural_key, title_natural_key

T = TypeVar("T")


def short_digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]  # noqa: S324 - an identity, not a secret


@dataclass(slots=True)
class Wanted:
    """One record as the import wants it: natural key, plain column values, references, child rows."""

    at: Location
    natural_key: str
    fields: dict[str, Any]
    refs: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # column -> (kind, natural key)
    children: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""


@dataclass
class Parsed:
    """The valid rows of every sheet, by kind."""

    groups: list[GroupRow] = field(default_factory=list)
    companies: list[CompanyRow] = field(default_factory=list)
    titles: list[TitleRow] = field(default_factory=list)
    deals: list[DealRow] = field(default_factory=list)
    ratings: list[RatingRow] = field(default_factory=list)
    releases: list[ReleaseRow] = field(default_factory=list)
    quotes: list[QuoteRow] = field(default_factory=list)


_DUPLICATE_WHAT = {
    "territory_groups": "group name",
    "companies": "name and territory",
    "titles": "title, year and origin",
    "deals": "deal (deal_ref, or title, licensee, start, territories and media)",
    "ratings": "title, territory, channel, air_date, timeslot, episode, target and measurement",
    "releases": "title, territory and release_date",
    "quotes": "title, person and quote",
}


def _drained(rows: list[T], size: int) -> Iterator[list[T]]:
    """``rows`` from first to last in lists of ``size``, each let go by ``rows`` as it is handed out."""
    rows.reverse()
    while rows:
        chunk = rows[-size:]
        del rows[-size:]
        chunk.reverse()
        yield chunk


class EarlyWriter(Protocol):
    """Writes ratings as they resolve, while every row so far is valid (``Resolver.run``)."""

    async def before_ratings(self, wanted: dict[str, list[Any]], rows: int, titles: Iterable[str],
                             channels: Iterable[str]) -> bool:
        """Write every kind before ratings and get ready for ``rows`` ratings records naming ``titles`` and
        ``channels`` (natural keys, or more); whether ratings are to be handed over as they resolve."""

    async def ratings(self, figures: list[WantedFigure]) -> None:
        """Write these ratings records."""

    async def after_ratings(self) -> None:
        """Every ratings record was handed over and valid: finish writing them."""


_CHUNK = 500  # ratings rows resolved in one go (see wanted_figures)
_TITLE, _LICENSEE, _CHANNEL, _REMAKE_OF = map(attrgetter, ("title", "licensee", "channel", "remake_of"))


class Resolver:
    """Resolves every parsed row of one import; collects problems instead of stopping at the first."""

    def __init__(self, session: CatalogSession, problems: Problems) -> None:
        self.session, self.problems = session, problems
        self.unknown: list[tuple[str, Location, str, str]] = []  # (kind, at, column, text)
        self.wanted: dict[str, dict[Any, Any]] = {}  # kind -> natural key -> Wanted (WantedFigure for ratings)
        self.title_of_row: dict[int, Wanted] = {}  # id(TitleRow) -> its record, for the remake_of pass

    def _ref(self, fn: Callable[[str], Any], kind: str, at: Location, column: str, text: str) -> Any:
        try:
            return fn(text)
        except UnknownName:
            self.unknown.append((kind, at, column, text))
        except ReferenceProblem as error:
            self.problems.add(at.problem(column, text, str(error)))
        return None

    def _want(self, kind: str, wanted: Wanted | WantedFigure) -> bool:
        seen = self.wanted.setdefault(kind, {})
        natural_key = wanted.natural_key
        first = seen.setdefault(natural_key, wanted)
        if first is not wanted:
            self.problems.add(wanted.at.problem(
                None, None, f"repeats {first.at.label(wanted.at)}: the same {_DUPLICATE_WHAT[kind]}"))
            return False
        return True

    def _clean(self) -> bool:
        """No problem so far, in any file, and no reference left unknown."""
        return not self.problems and not self.unknown

    async def run(self, parsed: Parsed, early: EarlyWriter | None = None) -> dict[str, list[Any]]:
        """Every record to write, by kind; the problems go to ``problems``.

        With ``early``, ratings are written as they resolve (after the kinds before them), as long as no
        problem is found anywhere: a problem later on stops the writing, and the import's transaction must
        then roll back what was written (``import_files`` raises the problems, and rolls back).
        """
        self.territories = territories = await load_territories(self.session)
        self.places = Places(territories)
        await load_groups(self.session, self.places)
        self.companies = NameIndex("company", "companies", territories, years=False)
        self.titles = NameIndex("title", "titles", territories, years=True)
        # Distinct texts only: a ratings file repeats the same titles and channels on every row.
        company_refs = set(map(_LICENSEE, parsed.deals)).union(map(_CHANNEL, parsed.ratings))
        title_refs = set(map(_TITLE, parsed.deals)).union(*(map(_TITLE, rows) for rows in (
            parsed.ratings, parsed.releases, parsed.quotes)), filter(None, map(_REMAKE_OF, parsed.titles)))
        await load_companies(self.session, self.companies, self._keys(company_refs, territories))
        await load_titles(self.session, self.titles, self._keys(title_refs, territories))
        del company_refs, title_refs
        for group in parsed.groups:
            self._group(group)
        for company in parsed.companies:
            self._company(company)
        for title in parsed.titles:
            self._title(title)
        for title in parsed.titles:  # second pass: remake_of may name a title further down the sheet
            self._remake(title)
        for deal in parsed.deals:
            self._deal(deal)
        writing = early is not None and bool(parsed.ratings) and self._clean() and await early.before_ratings(
            {kind: list(records.values()) for kind, records in self.wanted.items()}, len(parsed.ratings),
            self.titles.entries, self.companies.entries)
        for chunk in _drained(parsed.ratings, _CHUNK):  # each chunk's parsed records go as its wanted ones come
            figures = self._ratings(chunk)
            if writing and (writing := self._clean()):
                await early.ratings(figures)  # type: ignore[union-attr]
        if writing:
            await early.after_ratings()  # type: ignore[union-attr]
        for release in parsed.releases:
            self._release(release)
        for quote in parsed.quotes:
            self._quote(quote)
        await self._explain_unknown()
        return {kind: list(records.values()) for kind, records in self.wanted.items()}

    @staticmethod
    def _keys(distinct: set[str], territories: TerritoryIndex) -> set[str]:
        """The name keys to look up in the catalog: each text's, and its name's without qualifiers."""
        keys = {cached_name_key(text) for text in distinct}
        for text in distinct:
            if qualified := split_qualifiers(text, territories):
                keys.add(cached_name_key(qualified[0]))
        return keys

    async def _explain_unknown(self) -> None:
        """Add "did you mean" to unknown titles and companies, reading all their names once, on error only."""
        choices: dict[str, dict[str, str]] = {}
        hints: dict[tuple[str, str], str] = {}  # one fuzzy search per distinct unknown name, not per row
        for kind, at, column, text in self.unknown:
            index = self.titles if kind == "title" else self.companies
            if kind not in choices:
                choices[kind] = await all_names(self.session, kind, index)
            hint = hints.get((kind, text))
            if hint is None:
                qualified = split_qualifiers(text, self.territories, years=kind == "title")
                hint = hints[(kind, text)] = did_you_mean(qualified[0] if qualified else text, choices[kind])
            self.problems.add(at.problem(column, text, f"'{text}' is not a {kind} in the catalog or this import{hint}"))

    def _territory(self, at: Location, column: str, text: str | None) -> str | None:
        return self._ref(self.territories.resolve, "territory", at, column, text) if text else None

    def _title_ref(self, at: Location, column: str, text: str) -> str | None:
        return self._ref(self.titles.resolve, "title", at, column, text)  # type: ignore[no-any-return]

    def _company_ref(self, at: Location, column: str, text: str) -> str | None:
        return self._ref(self.companies.resolve, "company", at, column, text)  # type: ignore[no-any-return]

    def _places(self, at: Location, parts: list[str], *, groups: bool = True) -> list[str] | None:
        codes: set[str] = set()
        ok = True
        for part in parts:
            found = self._ref(self.places.resolve if groups else lambda t: [self.territories.resolve(t)],
                              "territory", at, "territories", part)
            ok = ok and found is not None
            codes.update(found or ())
        return sorted(codes) if ok else None

    def _group(self, row: GroupRow) -> None:
        codes = self._places(row.at, row.territories, groups=False)
        if codes is None:
            return
        self.places.add_group(row.name, row.key, codes)
        self._want("territory_groups", Wanted(row.at, row.key, {"name": row.name, "source": row.source},
                                              children={"territories": codes}))

    def _company(self, row: CompanyRow) -> None:
        territory = self._territory(row.at, "territory", row.territory)
        if row.territory and territory is None:
            return
        natural_key = company_natural_key(row.key, territory)
        aliases: dict[str, str] = {}
        for alias in row.aliases:
            aliases.setdefault(name_key(alias), alias)
        self.companies.add(Entry(natural_key, row.name, None, territory), {row.key, *aliases})
        fields = {"name": row.name, "key": row.key, "kind": row.kind, "territory_code": territory, "source": row.source}
        self._want("companies", Wanted(row.at, natural_key, fields,
                                       children={"aliases": aliases}))

    def _title(self, row: TitleRow) -> None:
        origin = self._territory(row.at, "origin", row.origin)
        if row.origin and origin is None:
            return
        natural_key = title_natural_key(row.key, row.year, origin)
        names: dict[tuple[str, str, str], tuple[str, str | None]] = {}
        for name in row.names:
            language, territory = name.language, None
            if name.region and name.region in self.territories.label:
                territory = name.region
            elif name.region:
                language = f"{name.language}-{name.region}"  # es-419: a region that is no country
            names.setdefault((name.kind, language, name_key(name.name)), (name.name, territory))
        self.titles.add(Entry(natural_key, row.name, row.year, origin), {identity[2] for identity in names})
        fields = {
            "name": row.name, "key": row.key, "year": row.year, "kind": row.kind, "origin": origin,
            "original_title": row.original_title, "original_language": row.original_language,
            "genres": row.genres, "runtime_minutes": row.runtime_minutes, "episodes": row.episodes,
            "episode_minutes": row.episode_minutes, "director": row.director, "producer": row.producer,
            "cast": row.cast, "logline": row.logline, "synopsis": row.synopsis, "highlights": row.highlights,
            "key_art_url": row.key_art_url, "trailer_url": row.trailer_url, "screener_url": row.screener_url,
            "source": row.source,
        }
        wanted = Wanted(row.at, natural_key, fields, refs={"remake_of_id": ("title", None)},
                        children={"names": names})
        if self._want("titles", wanted):
            self.title_of_row[id(row)] = wanted

    def _remake(self, row: TitleRow) -> None:
        wanted = self.title_of_row.get(id(row))
        if wanted is None or not row.remake_of:
            return
        remake_of = self._title_ref(row.at, "remake_of", row.remake_of)
        if remake_of == wanted.natural_key:
            self.problems.add(row.at.problem("remake_of", row.remake_of, "a title cannot be a remake of itself"))
        wanted.refs["remake_of_id"] = ("title", remake_of)

    def _deal(self, row: DealRow) -> None:
        title = self._title_ref(row.at, "title", row.title)
        licensee = self._company_ref(row.at, "licensee", row.licensee)
        codes = self._places(row.at, row.territories)
        if title is None or licensee is None or codes is None:
            return
        if row.deal_ref:
            natural_key = "ref:" + row.deal_ref
        else:
            parts = [title, licensee, format_date(row.start) if row.start else "", ",".join(codes), ",".join(row.media)]
            natural_key = "sha1:" + hashlib.sha1("\n".join(parts).encode()).hexdigest()  # noqa: S324
        fields = {
            "deal_ref": row.deal_ref, "exclusive": row.exclusive, "start_date": row.start, "end_date": row.end,
            "runs": row.runs, "holdback_until": row.holdback_until, "status": row.status, "fee": row.fee,
            "currency": row.currency, "owner": row.owner, "signed_on": row.signed_on, "notes": row.notes,
            "source": row.source,
        }
        self._want("deals", Wanted(row.at, natural_key, fields,
                                   refs={"title_id": ("title", title), "licensee_id": ("company", licensee)},
                                   children={"territories": codes, "media": list(row.media)}))

    def _rating(self, row: RatingRow) -> WantedFigure | None:
        title = self._title_ref(row.at, "title", row.title)
        territory = self._territory(row.at, "territory", row.territory)
        channel = self._company_ref(row.at, "channel", row.channel)
        if title is not None and territory is not None and channel is not None:
            figure = wanted_figure(row, title, territory, channel)
            if self._want("ratings", figure):
                return figure
        return None

    def _ratings(self, rows: list[RatingRow]) -> list[WantedFigure]:
        """A chunk of ratings rows: in one go when every reference resolves, else row by row; the records
        taken (a row with a problem, or repeating another, has none)."""
        figures = wanted_figures(rows, self.titles, self.territories, self.companies)
        if figures is None:
            return [figure for row in rows if (figure := self._rating(row)) is not None]
        seen = self.wanted.setdefault("ratings", {})
        keys = [figure.natural_key for figure in figures]
        if len(set(keys)) == len(keys) and seen.keys().isdisjoint(keys):
            seen.update(zip(keys, figures, strict=True))
            return figures
        # a figure repeated: each repeat is its own problem
        return [figure for figure in figures if self._want("ratings", figure)]

    def _release(self, row: ReleaseRow) -> None:
        title = self._title_ref(row.at, "title", row.title)
        territory = self._territory(row.at, "territory", row.territory)
        if title is None or territory is None:
            return
        date = format_date(row.release_date) if row.release_date else ""
        fields = {"territory_code": territory, "release_date": row.release_date, "admissions": row.admissions,
                  "gross": row.gross, "currency": row.currency, "rank_note": row.rank_note, "source": row.source}
        self._want("releases", Wanted(row.at, fit_key(f"{title}|{territory}|{date}"), fields,
                                      refs={"title_id": ("title", title)}))

    def _quote(self, row: QuoteRow) -> None:
        title = self._title_ref(row.at, "title", row.title)
        if title is None:
            return
        natural_key = fit_key(f"{title}|{row.person_key}|{short_digest(name_key(row.quote))}")
        fields = {"quote": row.quote, "person": row.person, "role": row.role, "organization": row.organization,
                  "said_on": row.said_on, "source": row.source}
        self._want("quotes", Wanted(row.at, natural_key, fields, refs={"title_id": ("title", title)}))
