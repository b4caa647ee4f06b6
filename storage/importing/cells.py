"""Read one row's cells by column: each cell checked and converted, each bad one a problem; no database.

``RowReader`` is what every kind's parser (``parse``) reads a row with: text with its length limit,
whole numbers, decimals, percentages, dates, yes/no, vocabularies, currencies and language tags, each
through ``values`` and each remembered where a sheet repeats itself (dates, shares, vocabulary words).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import Any, TypeVar

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies

from storage.importing import values
from storage.importing.readers import Cell
from storage.importing.report import ImportProblem, Location
from storage.importing.sheets import ColumnSpec, SheetSpec
from storage.keys import name_key
from storage.models import KEY_LEN
from storage.vocab import VOCABULARIES, canonical

_VOCAB_WORDS = {
    "media": "media right", "status": "deal status", "title_kind": "kind of title",
    "company_kind": "kind of company", "measurement": "measurement",
}
# A BCP-47 tag as the team writes one before an alias: "es", "es-MX", "zh-Hant-TW", "es-419".
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Za-z]{2}|\d{3}))?")
_CURRENCIES = frozenset(list_currencies())
T = TypeVar("T")


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
    text_cells: bool = False  # every cell is a str (a CSV file), so a row's texts are read the quick way

    @cached_property
    def width(self) -> int:
        """How many cells a row needs to hold every mapped column."""
        return max(self.index.values(), default=-1) + 1

    @cached_property
    def pick(self) -> Callable[[list[Cell]], tuple[Cell, ...]]:
        """The mapped columns' cells of a row, in ``index`` order, picked in one C call."""
        positions = tuple(self.index.values())
        if len(positions) == 1:
            (position,) = positions
            return lambda cells: (cells[position],)
        return itemgetter(*positions)  # type: ignore[return-value]


_SPEC_COLUMNS: dict[int, tuple[SheetSpec, dict[str, ColumnSpec], dict[str, int]]] = {}
_NO_LIMIT = 1 << 62


def columns_of(spec: SheetSpec) -> tuple[dict[str, ColumnSpec], dict[str, int]]:
    """``spec``'s columns by name, and their length limits (``_NO_LIMIT`` if none), built once per spec.

    ``SheetSpec.column`` is a linear scan per call. Keyed by identity (hashing a spec walks all its
    columns); the entry keeps the spec alive, so its id cannot be reused by another spec.
    """
    entry = _SPEC_COLUMNS.get(id(spec))
    if entry is None or entry[0] is not spec:
        columns = {column.name: column for column in spec.columns}
        limits = {column.name: column.max_length or _NO_LIMIT for column in spec.columns}
        entry = _SPEC_COLUMNS[id(spec)] = (spec, columns, limits)
    return entry[1], entry[2]


@lru_cache(maxsize=4096)
def canonical_word(vocabulary: str, text: str) -> str | None:
    """``vocab.canonical``, remembered: a sheet repeats a few words (live, svod) on every row."""
    return canonical(vocabulary, text)


def _remembered_for_text(parser: Callable[[Cell], T]) -> Callable[[Cell], T]:
    """``parser``, remembering what each text cell gave: a sheet repeats its dates and shares on every row.

    Only values are remembered (a ``CellError`` is raised again for each bad cell); the dates and
    Decimals handed out are immutable, so rows may share them, which also keeps a million rows smaller.
    """
    remembered = lru_cache(maxsize=1 << 16)(parser)

    def parse(value: Cell) -> T:
        return remembered(value) if type(value) is str else parser(value)

    return parse


read_percent = _remembered_for_text(values.parse_percent)
read_date = _remembered_for_text(values.parse_date)


PLAIN_DIGITS = 100  # digits a plain whole number may have before int() is asked (values.parse_whole_number)


class RowReader:
    """Reads one row's cells by column, recording a problem (and returning None) for each bad one."""

    __slots__ = ("at", "cells", "columns", "index", "limits", "problems", "spec", "texts")
    problems: list[ImportProblem]

    def __init__(self, spec: SheetSpec, header: HeaderMap, at: Location, cells: list[Cell]) -> None:
        self.spec, self.at, self.problems = spec, at, []
        self.columns, self.limits = columns_of(spec)
        self.index, self.cells = header.index, cells
        # Each mapped cell's stripped text, read once: the checks below ask for it several times per cell;
        # an empty cell's is "" or None. A CSV row (str cells only, rows running to millions) is stripped in
        # one pass of C calls.
        self.texts: dict[str, str | None]
        if header.text_cells and len(cells) >= header.width:
            self.texts = dict(zip(header.index, map(str.strip, header.pick(cells)), strict=True))  # type: ignore[arg-type]
        else:
            parse_text, width = values.parse_text, len(cells)
            self.texts = {name: parse_text(cells[i]) if i < width else None for name, i in header.index.items()}

    def fail(self, column: str | None, message: str, value: Cell = None) -> None:
        self.problems.append(self.at.problem(column, shown(value), message))

    def raw(self, column: str) -> Cell:
        i = self.index.get(column)
        return self.cells[i] if i is not None and i < len(self.cells) else None

    def cell_text(self, column: str) -> str | None:
        """``values.parse_text(self.raw(column))``, from the texts read when the row was."""
        return self.texts.get(column) or None

    def text(self, column: str) -> str | None:
        text = self.texts.get(column)
        if not text:
            if self.columns[column].required:
                self.fail(column, f"the cell is empty; every row needs a {column}")
            return None
        if len(text) > self.limits[column]:
            return self.check_length(self.columns[column], text)  # reports the problem
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
        if not self.texts.get(column):
            if self.columns[column].required:
                self.fail(column, f"the cell is empty; every row needs a {column}")
            return None
        value = self.cells[self.index[column]]  # a mapped cell within the row: it has a text
        try:
            return parser(value)
        except values.CellError as error:
            self.fail(column, str(error), value)
            return None

    def whole(self, column: str, low: int = 0, high: int | None = None) -> int | None:
        text = self.texts.get(column)
        number: int | None
        if text and len(text) <= PLAIN_DIGITS and text.isascii() and text.isdigit():
            number = int(text)  # what parse_whole_number makes of it, whatever the cell's type, in one step
        else:
            number = self.parsed(column, values.parse_whole_number)
        if number is not None and (number < low or (high is not None and number > high)):
            limits = f"from {low} to {high}" if high is not None else f"of {low} or more"
            self.fail(column, f"'{shown(self.raw(column))}' is out of range; write a number {limits}", self.raw(column))
            return None
        return number

    def decimal(self, column: str) -> Decimal | None:
        return self.parsed(column, values.parse_decimal)  # type: ignore[no-any-return]

    def percent(self, column: str) -> Decimal | None:
        return self.parsed(column, read_percent)  # type: ignore[no-any-return]

    def date(self, column: str) -> dt.date | None:
        return self.parsed(column, read_date)  # type: ignore[no-any-return]

    def bool(self, column: str) -> bool | None:
        return self.parsed(column, values.parse_bool)  # type: ignore[no-any-return]

    def vocab(self, column: str, text: str | None = None) -> str | None:
        spec = self.columns[column]
        vocabulary = spec.vocabulary or ""
        text = text if text is not None else self.cell_text(column)
        if text is None:
            return None
        value = canonical_word(vocabulary, text)
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
