"""Turn raw sheets into validated plain records, collecting every problem; no database here.

Cells are read with ``values`` (numbers, dates, yes/no), vocabularies with ``storage.vocab.canonical``
and lengths are checked against the model columns, so a row that passes here can only still fail on its
references (titles, companies, territories, groups), which ``references`` resolves against the catalog.
A row with any problem yields no record, but all its problems are reported, and so are those of every
other row: the user fixes the file once, not once per error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from rapidfuzz import fuzz, process

from storage.importing import values
from storage.importing.readers import Cell, RawSheet
from storage.importing.records import (
    CompanyRow,
    DealRow,
    GroupRow,
    NameRow,
    QuoteRow,
    RatingRow,
    ReleaseRow,
    TitleRow,
)
from storage.importing.report import ImportProblem, Location
from storage.importing.sheets import SHEETS, ColumnSpec, SheetSpec
from storage.keys import name_key
from storage.models import KEY_LEN
from storage.vocab import VOCABULARIES, canonical

_VOCAB_WORDS = {
    "media": "media right", "status": "deal status", "title_kind": "kind of title",
    "company_kind": "kind of company", "measurement": "measurement",
}
_HEADER_SEPARATORS = re.compile(r"[\s\-]+")
# A BCP-47 tag as the team writes one before an alias: "es", "es-MX", "zh-Hant-TW", "es-419".
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Za-z]{2}|\d{3}))?")
# What may be a language before "name": lower-case like a BCP-47 tag, so "It: Chapter Two" stays a bare name.
_LOOKS_LIKE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_CURRENCIES = frozenset(list_currencies())


def normalize_header(cell: Cell) -> str:
    """``" Original Title "`` -> ``original_title``: headers are case-, space- and hyphen-insensitive."""
    return _HEADER_SEPARATORS.sub("_", (values.parse_text(cell) or "").casefold())


def did_you_mean(text: str, choices: dict[str, str], *, limit: int = 3, cutoff: float = 75) -> str:
    """"; did you mean X or Y?" for the closest choices, or "" when none is close.

    ``choices`` maps each choice's name key to what the user should read. Both sides are already name keys,
    so the processor is explicitly none: folding twice would change the scores, not the keys. Only choices
    close to the best one are offered, so one good suggestion is not drowned by weak ones.
    """
    key = name_key(text)
    if not key or not choices:
        return ""
    matches = process.extract(key, list(choices), scorer=fuzz.WRatio, processor=None, limit=limit * 3,
                              score_cutoff=cutoff)
    seen: list[str] = []
    best = matches[0][1] if matches else 0
    for choice, score, _index in matches:
        shown = choices[choice]
        # Far behind the best match is noise (WRatio's partial matching rates long names generously).
        if score >= best - 10 and shown not in seen:
            seen.append(shown)
    if not seen:
        return ""
    names = seen[:limit]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f"; did you mean {listed}?"


def shown(value: Cell) -> str | None:
    """A cell's text for messages and ``ImportProblem.value``, cut short when it is long."""
    text = values.parse_text(value)
    if text is not None and len(text) > 60:
        return text[:57] + "..."
    return text


@dataclass
class HeaderMap:
    """Which cell index holds which column of the spec."""

    index: dict[str, int] = field(default_factory=dict)


def read_header(sheet: RawSheet, spec: SheetSpec) -> tuple[HeaderMap, list[ImportProblem]]:
    """Map the header to the spec; unknown, repeated, unnamed and missing required columns are problems."""
    problems: list[ImportProblem] = []
    header = HeaderMap()
    known = {name_key(name): name for name in spec.names}

    def has_data(index: int) -> bool:
        # Only asked about a column without a name, so a normal sheet is never scanned cell by cell.
        return any(index < len(cells) and values.parse_text(cells[index]) for _, cells in sheet.rows)

    for index, cell in enumerate(sheet.header):
        raw = values.parse_text(cell)
        name = normalize_header(cell)
        where = ImportProblem(sheet.file, sheet.sheet, 1, None, raw, "")
        if not name:
            if has_data(index):
                problems.append(_with(where, f"column {index + 1} has values but no name in the header row"))
            continue
        if name not in spec.names:
            problems.append(_with(
                where,
                f"'{raw}' is not a column of {spec.kind}{did_you_mean(name, known)} "
                f"(the columns are {', '.join(spec.names)})",
            ))
        elif name in header.index:
            problems.append(_with(where, f"'{raw}' appears twice in the header"))
        else:
            header.index[name] = index
    problems.extend(
        _with(ImportProblem(sheet.file, sheet.sheet, 1, None, None, ""),
              f"the required column '{required}' is missing")
        for required in spec.required if required not in header.index
    )
    return header, problems


def _with(problem: ImportProblem, message: str) -> ImportProblem:
    return ImportProblem(problem.file, problem.sheet, problem.row, problem.column, problem.value, message)


_SPEC_COLUMNS: dict[int, tuple[SheetSpec, dict[str, ColumnSpec]]] = {}


def _columns_of(spec: SheetSpec) -> dict[str, ColumnSpec]:
    """``spec``'s columns by name, built once per spec: ``SheetSpec.column`` is a linear scan per call.

    Keyed by identity (hashing a spec walks all its columns); the entry keeps the spec alive, so its id
    cannot be reused by another spec.
    """
    entry = _SPEC_COLUMNS.get(id(spec))
    if entry is None or entry[0] is not spec:
        entry = _SPEC_COLUMNS[id(spec)] = (spec, {column.name: column for column in spec.columns})
    return entry[1]


@lru_cache(maxsize=4096)
def _canonical(vocabulary: str, text: str) -> str | None:
    """``vocab.canonical``, remembered: a sheet repeats a few words (live, svod) on every row."""
    return canonical(vocabulary, text)


class RowReader:
    """Reads one row's cells by column, recording a problem (and returning None) for each bad one."""

    __slots__ = ("at", "cells", "columns", "problems", "spec", "texts")

    def __init__(self, spec: SheetSpec, header: HeaderMap, at: Location, cells: list[Cell]) -> None:
        self.spec, self.at, self.problems = spec, at, list[ImportProblem]()
        self.columns = _columns_of(spec)
        width = len(cells)
        self.cells = {name: cells[i] if i < width else None for name, i in header.index.items()}
        # Each cell's stripped text, read once: the checks below ask for it several times per cell. CSV
        # cells (str) are stripped here directly, the one case worth a shortcut: rows run to millions.
        parse_text = values.parse_text
        self.texts = {name: (cell.strip() or None) if type(cell) is str else parse_text(cell)
                      for name, cell in self.cells.items()}

    def fail(self, column: str | None, message: str, value: Cell = None) -> None:
        self.problems.append(self.at.problem(column, shown(value), message))

    def raw(self, column: str) -> Cell:
        return self.cells.get(column)

    def cell_text(self, column: str) -> str | None:
        """``values.parse_text(self.raw(column))``, from the texts read when the row was."""
        return self.texts.get(column)

    def text(self, column: str) -> str | None:
        spec = self.columns[column]
        text = self.texts.get(column)
        if text is None:
            if spec.required:
                self.fail(column, f"the cell is empty; every row needs a {column}")
            return None
        if spec.max_length is not None and len(text) > spec.max_length:
            return self.check_length(spec, text)  # reports the problem
        return text

    def check_length(self, spec: ColumnSpec, text: str, value: Cell = None) -> str | None:
        if spec.max_length is not None and len(text) > spec.max_length:
            self.fail(spec.name, f"'{shown(text)}' is {len(text)} characters long; the limit is {spec.max_length}",
                      value if value is not None else text)
            return None
        return text

    def name(self, column: str) -> tuple[str, str] | None:
        """A text cell that names something: (name, name_key), the key non-empty and short enough."""
        text = self.text(column)
        if text is None:
            return None
        key = name_key(text)
        if not key:
            self.fail(column, f"'{text}' has no letters or digits to look it up by", text)
            return None
        if len(key) > KEY_LEN:
            self.fail(column, f"'{shown(text)}' is too long once written in plain letters (limit {KEY_LEN})", text)
            return None
        return text, key

    def parsed(self, column: str, parser: Callable[[Cell], Any]) -> Any:
        if self.texts.get(column) is None:
            if self.columns[column].required:
                self.fail(column, f"the cell is empty; every row needs a {column}")
            return None
        value = self.cells[column]
        try:
            return parser(value)
        except values.CellError as error:
            self.fail(column, str(error), value)
            return None

    def whole(self, column: str, low: int = 0, high: int | None = None) -> int | None:
        number: int | None = self.parsed(column, values.parse_whole_number)
        if number is not None and (number < low or (high is not None and number > high)):
            limits = f"from {low} to {high}" if high is not None else f"of {low} or more"
            self.fail(column, f"'{shown(self.raw(column))}' is out of range; write a number {limits}", self.raw(column))
            return None
        return number

    def decimal(self, column: str) -> Decimal | None:
        return self.parsed(column, values.parse_decimal)  # type: ignore[no-any-return]

    def percent(self, column: str) -> Decimal | None:
        return self.parsed(column, values.parse_percent)  # type: ignore[no-any-return]

    def date(self, column: str) -> dt.date | None:
        return self.parsed(column, values.parse_date)  # type: ignore[no-any-return]

    def bool(self, column: str) -> bool | None:
        return self.parsed(column, values.parse_bool)  # type: ignore[no-any-return]

    def vocab(self, column: str, text: str | None = None) -> str | None:
        spec = self.columns[column]
        vocabulary = spec.vocabulary or ""
        text = text if text is not None else self.cell_text(column)
        if text is None:
            return None
        value = _canonical(vocabulary, text)
        if value is None:
            accepted = ", ".join(VOCABULARIES[vocabulary])
            self.fail(column, f"'{text}' is not a {_VOCAB_WORDS[vocabulary]}; write one of {accepted}", text)
        return value

    def vocab_list(self, column: str) -> tuple[str, ...] | None:
        parts = values.split_multi(self.raw(column))
        if not parts:
            if self.columns[column].required:
                self.fail(column, f"the cell is empty; every row needs at least one {column} value")
            return None
        found = [self.vocab(column, part) for part in parts]
        if any(value is None for value in found):
            return None
        return tuple(sorted({value for value in found if value}))

    def parts(self, column: str) -> list[str] | None:
        parts = values.split_multi(self.raw(column))
        if not parts and self.columns[column].required:
            self.fail(column, f"the cell is empty; every row needs at least one {column} value")
            return None
        return parts

    def joined(self, column: str) -> str | None:
        """A ``|``-list stored as one text (genres, cast, highlights), normalized to ``a|b``."""
        parts = values.split_multi(self.raw(column))
        return self.check_length(self.columns[column], "|".join(parts), self.raw(column)) if parts else None

    def currency(self, column: str) -> str | None:
        text = self.cell_text(column)
        if text is None:
            return None
        if text.upper() not in _CURRENCIES:
            self.fail(column, f"'{text}' is not an ISO 4217 currency code; write one such as USD, EUR, TRY", text)
            return None
        return text.upper()

    def language(self, column: str) -> str | None:
        text = self.cell_text(column)
        if text is None:
            return None
        parsed = parse_language(text)
        if parsed is None:
            self.fail(column, f"'{text}' is not a language tag; write one such as tr, es or es-MX", text)
            return None
        return self.check_length(self.columns[column], parsed[2])


def parse_language(text: str) -> tuple[str, str | None, str] | None:
    """(language, region, tag) of a BCP-47 tag (``es-mx`` -> ``es``, ``MX``, ``es-MX``), or None."""
    pieces = text.strip().replace("_", "-").split("-")
    pieces = [pieces[0].lower(), *(p.title() if len(p) == 4 else p.upper() for p in pieces[1:])]
    tag = "-".join(pieces)
    if not _LANGUAGE_TAG.fullmatch(tag):
        return None
    try:
        locale = Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        return None
    return locale.language, locale.territory, tag


def title_names(reader: RowReader, title: str, original: str | None, language: str | None) -> list[NameRow] | None:
    """The title's names: international, original and each alias (``lang:name`` localized, else a bare alias)."""
    names = [NameRow("international", "", None, title)]
    if original:
        names.append(NameRow("original", language or "", None, original))
    spec = reader.spec.column("aliases")
    ok = True
    for part in values.split_multi(reader.raw("aliases")):
        prefix, colon, rest = part.partition(":")
        tag = None
        if colon and _LOOKS_LIKE_TAG.fullmatch(prefix.strip()):
            tag = parse_language(prefix)
            if tag is None:
                reader.fail("aliases", f"'{part}' starts with '{prefix}:', which is not a language; "
                            "write a language such as es or es-MX before the colon", part)
                ok = False
                continue
        kind, name = ("localized", rest.strip()) if tag else ("alias", part)
        if not name_key(name):
            reader.fail("aliases", f"'{part}' has no name to look the title up by", part)
            ok = False
            continue
        if reader.check_length(spec, name, part) is None:
            ok = False
            continue
        names.append(NameRow(kind, tag[0] if tag else "", tag[1] if tag else None, name))
    seen: dict[tuple[str, str, str], NameRow] = {}
    for row in names:
        identity = (row.kind, row.language, name_key(row.name))
        if identity in seen and seen[identity].region != row.region:
            reader.fail("aliases", f"'{row.name}' is listed twice for language {row.language}; "
                        "a name is stored once per language, so keep one of them", row.name)
            ok = False
        seen.setdefault(identity, row)
    return list(seen.values()) if ok else None


def parse_row(kind: str, reader: RowReader) -> Any:
    """The record of one row, or None when the row has problems (they are in ``reader.problems``)."""
    record = _PARSERS[kind](reader)
    return None if reader.problems else record


def _group(r: RowReader) -> GroupRow:
    named = r.name("group")
    return GroupRow(r.at, *(named or ("", "")), r.parts("territories") or [], r.text("source"))


def _company(r: RowReader) -> CompanyRow:
    named = r.name("name")
    aliases = []
    for alias in values.split_multi(r.raw("aliases")):
        if r.check_length(r.spec.column("aliases"), alias, alias) is not None and name_key(alias):
            aliases.append(alias)
    return CompanyRow(r.at, *(named or ("", "")), r.vocab("kind"), r.cell_text("territory"),
                      aliases, r.text("source"))


def _title(r: RowReader) -> TitleRow | None:
    named = r.name("title")
    original, language = r.text("original_title"), r.language("original_language")
    if named is None:
        return None
    names = title_names(r, named[0], original, language)
    return TitleRow(
        r.at, named[0], named[1], r.vocab("kind"), r.whole("year", 1870, 2100), r.cell_text("origin"),
        original, language, r.joined("genres"), r.whole("runtime_minutes", 1), r.whole("episodes", 1),
        r.whole("episode_minutes", 1), r.text("director"), r.text("producer"), r.joined("cast"), r.text("logline"),
        r.text("synopsis"), r.joined("highlights"), r.cell_text("remake_of"), names or [],
        r.text("key_art_url"), r.text("trailer_url"), r.text("screener_url"), r.text("source"),
    )


def _deal(r: RowReader) -> DealRow:
    start, end = r.date("start"), r.date("end")
    if start and end and end < start:
        r.fail("end", f"'{values.format_date(end)}' is before the start, {values.format_date(start)}",
               values.format_date(end))
    fee, currency = r.decimal("fee"), r.currency("currency")
    if fee is not None and currency is None and not r.problems:
        r.fail("currency", "a deal with a fee needs its currency; write one such as USD")
    return DealRow(
        r.at, r.text("title") or "", r.text("licensee") or "", r.parts("territories") or [],
        r.vocab_list("media") or (), r.text("deal_ref"), r.bool("exclusive"), start, end, r.whole("runs"),
        r.date("holdback_until"), r.vocab("status"), fee, currency, r.text("owner"), r.date("signed_on"),
        r.text("notes"), r.text("source"),
    )


def _rating(r: RowReader) -> RatingRow:
    row = RatingRow(
        r.at, r.text("title") or "", r.text("territory") or "", r.text("channel") or "", r.date("air_date"),
        r.text("timeslot"), r.text("episode"), r.whole("viewers"), r.percent("rating_pct"), r.percent("share_pct"),
        r.whole("reach"), r.text("target") or "", r.vocab("measurement") or "", r.text("rank_note"),
        r.text("notes"), r.text("source"),
    )
    figures = ("viewers", "rating_pct", "share_pct", "reach", "rank_note")
    if not r.problems and all(r.cell_text(column) is None for column in figures):
        r.fail(None, "the row has no figure; fill in at least one of viewers, rating_pct, share_pct, reach "
                     "or rank_note")
    return row


def _release(r: RowReader) -> ReleaseRow:
    gross, currency = r.decimal("gross"), r.currency("currency")
    if gross is not None and currency is None and not r.problems:
        r.fail("currency", "a release with a gross needs its currency; write one such as USD")
    return ReleaseRow(r.at, r.text("title") or "", r.text("territory") or "", r.date("release_date"),
                      r.whole("admissions"), gross, currency, r.text("rank_note"), r.text("source"))


def _quote(r: RowReader) -> QuoteRow:
    person = r.name("person")
    return QuoteRow(r.at, r.text("title") or "", r.text("quote") or "", *(person or ("", "")),
                    r.text("role"), r.text("organization"), r.date("date"), r.text("source"))


_PARSERS: dict[str, Callable[[RowReader], Any]] = {
    "territory_groups": _group, "companies": _company, "titles": _title, "deals": _deal,
    "ratings": _rating, "releases": _release, "quotes": _quote,
}


def parse_sheet_rows(sheet: RawSheet) -> tuple[SheetSpec, HeaderMap | None, list[ImportProblem]]:
    """The spec and header map of a sheet, or None (and why) when its header is unusable."""
    spec = SHEETS[sheet.kind]
    header, problems = read_header(sheet, spec)
    return spec, (None if problems else header), problems
