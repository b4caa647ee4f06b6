"""Turn raw sheets into validated plain records, collecting every problem; no database here.

Cells are read with ``cells.RowReader`` (numbers, dates and yes/no through ``values``, vocabularies
through ``storage.vocab.canonical``, lengths against the model columns), so a row that passes here can
only still fail on its references (titles, companies, territories, groups), which ``references``
resolves against the catalog.
A row with any problem yields no record, but all its problems are reported, and so are those of every
other row: the user fixes the file once, not once per error.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from typing import Any

from rapidfuzz import fuzz, process

from storage.importing import values
from storage.importing.cells import HeaderMap, RowReader, parse_language
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
from storage.importing.report import ImportProblem
from storage.importing.sheets import SHEETS, SheetSpec
from storage.keys import name_key

_HEADER_SEPARATORS = re.compile(r"[\s\-]+")
# What may be a language before "name": lower-case like a BCP-47 tag, so "It: Chapter Two" stays a bare name.
_LOOKS_LIKE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


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


def read_header(sheet: RawSheet, spec: SheetSpec) -> tuple[HeaderMap, list[ImportProblem]]:
    """Map the header to the spec; unknown, repeated, unnamed and missing required columns are problems."""
    problems: list[ImportProblem] = []
    header = HeaderMap(text_cells=sheet.text_cells)
    known = {name_key(name): name for name in spec.names}

    def has_data(index: int) -> bool:
        # Only asked about a column without a name, so a normal sheet is never scanned cell by cell. A
        # malformed CSV row ends the scan: with the header in doubt, the rows are not read further.
        try:
            return any(index < len(cells) and values.parse_text(cells[index]) for _, cells in sheet.rows())
        except csv.Error:
            return False

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


_FIGURE_CELLS = ("viewers", "rating_pct", "share_pct", "reach", "rank_note")


def _rating(r: RowReader) -> RatingRow:
    row = RatingRow(
        r.at, r.text("title") or "", r.text("territory") or "", r.text("channel") or "", r.date("air_date"),
        r.text("timeslot"), r.text("episode"), r.whole("viewers"), r.percent("rating_pct"), r.percent("share_pct"),
        r.whole("reach"), r.text("target") or "", r.vocab("measurement") or "", r.text("rank_note"),
        r.text("notes"), r.text("source"),
    )
    if not r.problems and not any(map(r.texts.get, _FIGURE_CELLS)):  # every one empty ("" or None)
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
