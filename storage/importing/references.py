"""Resolve the references in a sheet (titles, companies, territories, groups) exactly, never by guess.

A reference is compared by ``name_key`` with every name of what the catalog holds *plus* what the same
import adds (an imported title replaces its catalog version, names and all). It must fit exactly one
record; ``Name (2019)``, ``Name (TR)`` or ``Name (2019, TR)`` narrows a title by year and origin, and
``Name (CC)`` a company by home territory. Fuzzy matching only suggests what the user may have meant.

The index classes are pure (built from plain tuples, testable without a database); the ``load_*``
functions fill them from the catalog, asking only for the names the import mentions. Each remembers what
a text resolved to (or the problem it raised) until the index changes: a ratings file names the same few
hundred titles, channels and territories on every row, and each row still gets its own problem.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, repeat
from operator import is_
from typing import Any

from sqlalchemy import func, select

from storage.db import CatalogSession
from storage.importing.bulk import VALUES, rows_where_in
from storage.importing.parse import did_you_mean
from storage.keys import name_key
from storage.models import (
    Company,
    CompanyAlias,
    Territory,
    TerritoryGroup,
    TerritoryName,
    Title,
    TitleName,
)

_QUALIFIED = re.compile(r"(?P<name>.*?\S)\s*\((?P<qualifiers>[^()]*)\)")
_YEAR = re.compile(r"\d{4}")

# name_key of a reference, remembered: an import repeats the same few thousand titles, channels and
# territories on every row, and transliterating each again showed high in profiles. name_key is pure.
cached_name_key = lru_cache(maxsize=1 << 16)(name_key)


# Keys for at least a quarter of the catalog's titles: read every title once rather than by key.
_READ_ALL_FROM_SHARE = 4


class ReferenceProblem(ValueError):
    """A reference that fits nothing or more than one record; the text is the sentence the user reads."""


class UnknownName(ReferenceProblem):
    """A name that fits nothing; the "did you mean" is added once the whole catalog's names are at hand."""

    def __init__(self, text: str, what: str) -> None:
        super().__init__(f"'{text}' is not {what} in the catalog or in this import")
        self.text = text


class _Memo:
    """What ``resolve`` gave for each text: the answer, or the problem to raise again for the next row.

    A problem is raised afresh (without the traceback of its first raise) so a file repeating one bad
    name a million times does not grow one traceback a million frames long. Answers and problems are
    kept apart so the usual case, a text already answered, is one dictionary lookup (``answers.get``,
    which callers on the hot path make themselves before calling ``get``).
    """

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}  # never None: natural keys, codes, tuples of codes
        self.problems: dict[str, ReferenceProblem] = {}

    def get(self, text: str, resolve: Callable[[str], Any]) -> Any:
        answer = self.answers.get(text)
        if answer is not None:
            return answer
        problem = self.problems.get(text)
        if problem is None:
            try:
                answer = self.answers[text] = resolve(text)
            except ReferenceProblem as raised:
                problem = self.problems[text] = raised
            else:
                return answer
        raise problem.with_traceback(None)

    def each(self, texts: Sequence[str], resolve: Callable[[str], Any]) -> list[Any]:
        """``get`` of each text, in C-level passes of lookups: the texts not answered yet are resolved first,
        each once (a chunk of a big file names many titles for the first time, each on several rows)."""
        answers = list(map(self.answers.get, texts))
        if None not in answers:
            return answers
        for text in dict.fromkeys(compress(texts, map(is_, answers, repeat(None)))):
            self.get(text, resolve)  # answered now, or its problem raised
        return list(map(self.answers.__getitem__, texts))

    def clear(self) -> None:
        self.answers.clear()
        self.problems.clear()


def _listed(items: list[str]) -> str:
    return ", ".join(items)


class _Resolving:
    """A reference index whose answers (and problems) are remembered per text in ``memo``: ``resolve`` one
    text, or ``resolve_each`` of a sheet's column; ``_resolve`` works one out."""

    memo: _Memo

    def resolve(self, text: str) -> str:
        """What ``text`` names, exactly one; ``ReferenceProblem`` (or ``UnknownName``) when not."""
        return self.memo.answers.get(text) or self.memo.get(text, self._resolve)  # type: ignore[no-any-return]

    def resolve_each(self, texts: Sequence[str]) -> list[str]:
        """``resolve`` of each text (a column of a sheet)."""
        return self.memo.each(texts, self._resolve)

    def _resolve(self, text: str) -> str:
        raise NotImplementedError


class TerritoryIndex(_Resolving):
    """Every territory by code (alpha-2, alpha-3) and by every name it answers to."""

    def __init__(self, territories: Iterable[tuple[str, str, str]], names: Iterable[tuple[str, str]]) -> None:
        self.label: dict[str, str] = {}
        self.by_code: dict[str, str] = {}
        for code, alpha3, name_en in territories:
            self.label[code] = f"{name_en} ({code})"
            self.by_code[code.upper()] = code
            self.by_code[alpha3.upper()] = code
        self.by_key: dict[str, set[str]] = defaultdict(set)
        for code, key in names:
            self.by_key[key].add(code)
        self.choices = {key: self.label[next(iter(sorted(codes)))] for key, codes in self.by_key.items()}
        self.memo = _Memo()  # the index never changes once built

    def code(self, text: str) -> str | None:
        """The territory a code names (``mx``, ``MEX``), or None."""
        return self.by_code.get(text.strip().upper())

    def matches(self, text: str) -> set[str]:
        code = self.code(text)
        return {code} if code else set(self.by_key.get(cached_name_key(text), ()))

    def _resolve(self, text: str) -> str:
        """The one territory ``text`` names; ``ReferenceProblem`` when it names none or several."""
        codes = self.matches(text)
        if len(codes) == 1:
            return next(iter(codes))
        if codes:
            raise ReferenceProblem(
                f"'{text}' fits {len(codes)} territories: {_listed([self.label[c] for c in sorted(codes)])};"
                " write the code of the one you mean"
            )
        raise ReferenceProblem(f"'{text}' is not a territory{did_you_mean(text, self.choices)}")


class Places:
    """Territories plus territory groups, for ``territories`` cells where a group expands to its members."""

    def __init__(self, territories: TerritoryIndex) -> None:
        self.territories = territories
        self.groups: dict[str, tuple[str, tuple[str, ...]]] = {}  # key -> (name, codes)
        self.memo = _Memo()

    def add_group(self, name: str, key: str, codes: Iterable[str]) -> None:
        self.groups[key] = (name, tuple(sorted(set(codes))))
        self.memo.clear()

    def resolve(self, text: str) -> list[str]:
        """The territory codes ``text`` names (a group's members); ``ReferenceProblem`` when it names none."""
        return list(self.memo.get(text, self._resolve))

    def _resolve(self, text: str) -> tuple[str, ...]:
        codes = self.territories.matches(text)
        group = self.groups.get(name_key(text))
        if group and not codes:
            return group[1]
        if len(codes) == 1 and not group:
            return tuple(codes)
        if group or codes:
            return (self.territories.resolve(text),)  # raises the "fits N territories" message
        choices = {**self.territories.choices, **{key: name for key, (name, _) in self.groups.items()}}
        raise ReferenceProblem(f"'{text}' is neither a territory nor a territory group{did_you_mean(text, choices)}")


def split_qualifiers(text: str, territories: TerritoryIndex, *, years: bool = True) -> tuple[str, int | None,
                                                                                             str | None] | None:
    """``Name (2019, TR)`` -> ("Name", 2019, "TR"); None when the text ends in no such qualifier."""
    match = _QUALIFIED.fullmatch(text.strip())
    if match is None:
        return None
    year: int | None = None
    origin: str | None = None
    for part in (piece.strip() for piece in match["qualifiers"].split(",")):
        if years and year is None and _YEAR.fullmatch(part):
            year = int(part)
        elif origin is None and (code := territories.code(part)) and len(part) in (2, 3):
            origin = code
        else:
            return None
    return match["name"], year, origin


@dataclass(frozen=True)
class Entry:
    """A title or company a reference may point at: its natural key and what tells it apart."""

    natural_key: str
    name: str
    year: int | None
    origin: str | None  # a title's origin, a company's home territory

    def reference(self, *, years: bool = True) -> str:
        """The unambiguous way to write this record: ``Name (2019, TR)``."""
        qualifiers = [str(self.year)] if years and self.year else []
        qualifiers += [self.origin] if self.origin else []
        return f"{self.name} ({', '.join(qualifiers)})" if qualifiers else self.name


class NameIndex(_Resolving):
    """Titles or companies by every name key; resolves a reference to exactly one natural key."""

    def __init__(self, what: str, plural: str, territories: TerritoryIndex, *, years: bool) -> None:
        self.what, self.plural, self.territories, self.years = what, plural, territories, years
        self.entries: dict[str, Entry] = {}
        self.by_key: dict[str, set[str]] = defaultdict(set)
        self.keys_of: dict[str, set[str]] = {}
        self.memo = _Memo()  # cleared whenever a record comes or goes

    def add(self, entry: Entry, keys: Iterable[str]) -> None:
        """Add a record under all its name keys, replacing a catalog record the import rewrites."""
        self.add_all([(entry, keys)])

    def add_all(self, records: Iterable[tuple[Entry, Iterable[str]]]) -> None:
        """``add`` each record (the catalog's, loaded by the hundred thousand)."""
        self.memo.clear()
        entries, keys_of, by_key = self.entries, self.keys_of, self.by_key
        for entry, keys in records:
            natural_key = entry.natural_key
            if natural_key in entries:
                self.drop(natural_key)
            entries[natural_key] = entry
            keys_of[natural_key] = names = set(keys)
            for key in names:
                by_key[key].add(natural_key)

    def drop(self, natural_key: str) -> None:
        """Forget a record (its names may change when the import rewrites it)."""
        self.memo.clear()
        self.entries.pop(natural_key, None)
        for key in self.keys_of.pop(natural_key, ()):
            self.by_key[key].discard(natural_key)

    def _resolve(self, text: str) -> str:
        """The natural key of the one record ``text`` names; ``UnknownName`` or ``ReferenceProblem`` if not."""
        qualified = split_qualifiers(text, self.territories, years=self.years)
        if qualified and self.by_key.get(cached_name_key(qualified[0])):
            name, year, origin = qualified
            return self._pick(text, self.by_key[cached_name_key(name)], year, origin)
        if found := self.by_key.get(cached_name_key(text)):
            return self._pick(text, found, None, None)
        raise UnknownName(text, f"a {self.what}")

    def _pick(self, text: str, natural_keys: set[str], year: int | None, origin: str | None) -> str:
        candidates = [self.entries[nk] for nk in natural_keys]
        fitting = [e for e in candidates if (year is None or e.year == year) and (origin is None or e.origin == origin)]
        if len(fitting) == 1:
            return fitting[0].natural_key
        shown = sorted(e.reference(years=self.years) for e in (fitting or candidates))
        if not fitting:
            raise ReferenceProblem(
                f"no {self.what} '{text}' is in the catalog or this import; with that name there is "
                f"{_listed(shown)}"
            )
        raise ReferenceProblem(
            f"'{text}' fits {len(fitting)} {self.plural}: {_listed(shown)}; write one of them as shown"
        )


async def load_territories(session: CatalogSession) -> TerritoryIndex:
    territories = (await session.execute(select(Territory.code, Territory.alpha3, Territory.name_en))).all()
    names = (await session.execute(select(TerritoryName.territory_code, TerritoryName.key))).all()
    return TerritoryIndex([tuple(row) for row in territories], [tuple(row) for row in names])  # type: ignore[misc]


async def load_groups(session: CatalogSession, places: Places) -> None:
    from sqlalchemy.orm import selectinload

    for group in await session.scalars(select(TerritoryGroup).options(selectinload(TerritoryGroup.territories))):
        places.add_group(group.name, group.key, (t.code for t in group.territories))


async def load_titles(session: CatalogSession, index: NameIndex, keys: set[str]) -> None:
    """Add the catalog's titles that have a name among ``keys``, with all their names.

    When the keys are many compared with the catalog (a ratings file naming most titles), every title
    and name is read in one pass and the matching ones kept: a thousand ``IN`` queries of 500 keys
    cost several times that pass.
    """
    columns = (Title.id, Title.natural_key, Title.name, Title.year, Title.origin, Title.key)
    names: dict[int, set[str]] = defaultdict(set)
    if len(keys) * _READ_ALL_FROM_SHARE >= (await session.scalar(select(func.count()).select_from(Title)) or 0):
        connection = await session.connection()
        for title_id, key in await connection.execute(select(TitleName.title_id, TitleName.key)):
            names[title_id].add(key)
        titles = [row for row in (await connection.execute(select(*columns))).all()
                  if row.key in keys or not keys.isdisjoint(names[row.id])]
    else:
        title_ids = {row[0] for query in (select(TitleName.title_id).where(TitleName.key.in_(VALUES)),
                                          select(Title.id).where(Title.key.in_(VALUES)))
                     for row in await rows_where_in(session, query, keys)}
        titles = await rows_where_in(session, select(*columns).where(Title.id.in_(VALUES)), title_ids)
        for title_id, key in await rows_where_in(
            session, select(TitleName.title_id, TitleName.key).where(TitleName.title_id.in_(VALUES)), title_ids
        ):
            names[title_id].add(key)
    for row in titles:
        names[row.id].add(row.key)
    index.add_all((Entry(row.natural_key, row.name, row.year, row.origin), names[row.id])
                  for row in sorted(titles, key=lambda row: row.id))


async def load_companies(session: CatalogSession, index: NameIndex, keys: set[str]) -> None:
    """Add the catalog's companies that have a name or alias among ``keys``, with all their names."""
    company_ids = {row[0] for query in (select(Company.id).where(Company.key.in_(VALUES)),
                                        select(CompanyAlias.company_id).where(CompanyAlias.key.in_(VALUES)))
                   for row in await rows_where_in(session, query, keys)}
    names: dict[int, set[str]] = defaultdict(set)
    for company_id, key in await rows_where_in(
        session, select(CompanyAlias.company_id, CompanyAlias.key).where(CompanyAlias.company_id.in_(VALUES)),
        company_ids,
    ):
        names[company_id].add(key)
    columns = (Company.id, Company.natural_key, Company.name, Company.territory_code, Company.key)
    companies = await rows_where_in(session, select(*columns).where(Company.id.in_(VALUES)), company_ids)
    index.add_all((Entry(row.natural_key, row.name, None, row.territory_code), {row.key, *names[row.id]})
                  for row in sorted(companies, key=lambda row: row.id))


async def all_names(session: CatalogSession, kind: str, index: NameIndex) -> dict[str, str]:
    """Every name key -> name of titles or companies (catalog and import), for "did you mean"."""
    if kind == "title":
        queries = (select(TitleName.key, TitleName.name), select(Title.key, Title.name))
    else:
        queries = (select(Company.key, Company.name), select(CompanyAlias.key, CompanyAlias.name))
    rows = [tuple(row) for query in queries for row in (await session.execute(query)).all()]
    choices: dict[str, str] = dict(rows)  # type: ignore[arg-type]
    for entry in index.entries.values():
        choices.setdefault(name_key(entry.name), entry.name)
    return choices
