"""Read a chunk of CSV ratings rows column by column, when every cell of it is plainly valid.

A ratings file runs to a million rows of the same few columns. Read a row at a time (``cells.RowReader``),
each row costs some thirty Python calls; here a chunk of rows becomes columns (``zip``), each column is
checked and read with C-level ``map`` and comprehensions over the readers ``RowReader`` uses, and the
records are made in one ``map``. It is only a shortcut: at the first cell of the chunk that is not plainly
valid (a required cell empty, a text too long, a number or date that does not read, a row without a
figure) it gives up, and ``load`` reads every row of that chunk the usual way, which finds and words each
problem. So a chunk read here gives exactly the records ``parse`` gives (a test holds the two together).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any

from storage.importing import values
from storage.importing.cells import PLAIN_DIGITS, HeaderMap, canonical_word, columns_of, read_date, read_percent
from storage.importing.readers import Cell, Row
from storage.importing.records import RatingRow
from storage.importing.report import Location
from storage.importing.sheets import SheetSpec

_NUMBER, _CELLS = itemgetter(0), itemgetter(1)
_FIGURES = ("viewers", "rating_pct", "share_pct", "reach", "rank_note")  # at least one filled per row


class _NotPlain(Exception):
    """A cell that is not plainly valid: the chunk is read row by row instead."""


def _whole(cell: Cell, text: str) -> int | None:
    """``RowReader.whole``'s reading of a non-required cell, low 0, no high."""
    if not text:
        return None
    if len(text) <= PLAIN_DIGITS and text.isascii() and text.isdigit():
        return int(text)
    number = values.parse_whole_number(cell)
    if number < 0:
        raise _NotPlain
    return number


class _Columns:
    """One chunk's cells by column (raw, and stripped), each column read at most once."""

    def __init__(self, header: HeaderMap, spec: SheetSpec, rows: Sequence[Row]) -> None:
        self.size = len(rows)
        self.limits = columns_of(spec)[1]
        picked = zip(*map(header.pick, map(_CELLS, rows)), strict=True)
        self.raw: dict[str, tuple[Cell, ...]] = dict(zip(header.index, picked, strict=True))
        self.stripped: dict[str, list[str]] = {}

    def cells(self, column: str) -> Sequence[Cell]:
        return self.raw.get(column) or (None,) * self.size  # a column the sheet leaves out: all empty

    def texts(self, column: str) -> list[str]:
        """The column's cells stripped ("" when empty), as ``RowReader`` reads a CSV row."""
        texts = self.stripped.get(column)
        if texts is None:
            raw = self.raw.get(column)
            texts = self.stripped[column] = list(map(str.strip, raw)) if raw else [""] * self.size  # type: ignore[arg-type]
        return texts

    def text(self, column: str, *, required: bool = False) -> list[str | None]:
        """``RowReader.text`` for each row."""
        texts = self.texts(column)
        if max(map(len, texts)) > self.limits[column] or (required and not all(texts)):
            raise _NotPlain
        return [text or None for text in texts]

    def parsed(self, column: str, parser: Callable[[Cell], Any]) -> list[Any]:
        """``RowReader.parsed`` for each row: the parser reads the raw cell of each non-empty text, once per
        distinct cell (a chunk repeats its dates and shares)."""
        cells, texts = self.cells(column), self.texts(column)
        if set(map(type, cells)) != {str}:  # a spreadsheet's 5 and 5.0 are one key of a dict, but not one cell
            return [parser(cell) if text else None for cell, text in zip(cells, texts, strict=True)]
        read = {cell: parser(cell) if text else None for cell, text in dict(zip(cells, texts, strict=True)).items()}
        return list(map(read.__getitem__, cells))

    def wholes(self, column: str) -> list[int | None]:
        """``_whole`` for each row; in one pass of ``int`` when every cell is plain digits, as in most files."""
        texts = self.texts(column)
        joined = "".join(texts)
        if not joined:
            return [None] * len(texts)
        if joined.isascii() and joined.isdigit() and all(texts) and max(map(len, texts)) <= PLAIN_DIGITS:
            return list(map(int, texts))
        return list(map(_whole, self.cells(column), texts))


def ratings_from_columns(header: HeaderMap, spec: SheetSpec, file: str, sheet: str | None,
                         rows: Sequence[Row]) -> list[RatingRow] | None:
    """The records ``parse`` would make of these rows of a CSV ratings sheet, or None if any row has a problem."""
    if not rows or not header.text_cells or min(map(len, map(_CELLS, rows))) < header.width:
        return None
    try:
        return _ratings(_Columns(header, spec, rows), file, sheet, rows)
    except (_NotPlain, values.CellError):
        return None


def _ratings(c: _Columns, file: str, sheet: str | None, rows: Sequence[Row]) -> list[RatingRow]:
    # In RatingRow's order, as parse._rating reads them.
    title, territory, channel = (c.text(column, required=True) for column in ("title", "territory", "channel"))
    air_date = c.parsed("air_date", read_date)
    timeslot, episode = c.text("timeslot"), c.text("episode")
    viewers = c.wholes("viewers")
    rating, share = c.parsed("rating_pct", read_percent), c.parsed("share_pct", read_percent)
    reach = c.wholes("reach")
    target = [text or "" for text in c.text("target")]
    measurement = [canonical_word("measurement", text) if text else "" for text in c.texts("measurement")]
    if None in measurement:  # a word that is no measurement
        raise _NotPlain
    rank_note, notes, source = c.text("rank_note"), c.text("notes"), c.text("source")
    if not all(map(any, zip(*map(c.texts, _FIGURES), strict=True))):  # a row without any figure
        raise _NotPlain
    at = map(Location, repeat(file), repeat(sheet), map(_NUMBER, rows))
    return list(map(RatingRow, at, title, territory, channel, air_date, timeslot, episode, viewers, rating, share,
                    reach, target, measurement, rank_note, notes, source))
