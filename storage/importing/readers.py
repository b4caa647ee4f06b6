"""Read CSV files and Excel workbooks into sheets of raw cells, and tell which kind each sheet holds.

Which kind a file holds is decided by its name, never by its columns, so a misnamed file is an error rather
than a guess: the kind is the file's stem (``titles.csv``), or the stem's first part before a ``-``, ``_``,
``.`` or space (``deals-2024.csv``, ``ratings_mx.csv``); ``territory-groups`` and ``Territory Groups`` count
as ``territory_groups``. A workbook is read sheet by sheet with the same rule on each sheet's name; a
sheet whose name is no kind is skipped (a "Notes" tab) and reported, except that a workbook named after a
kind with a single sheet ("titles.xlsx" with "Sheet1") holds that kind.

A CSV file's rows are read when they are asked for (``RawSheet.rows``), straight from its bytes, so an
import of a million rows never holds a million rows of raw cells: each row is parsed and let go.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import compress, count, tee
from pathlib import Path
from typing import cast

from storage.importing.report import ImportProblem
from storage.importing.sheets import KIND_ORDER
from storage.importing.values import format_decimal

Cell = object  # str from CSV; str, int, float, Decimal, bool, date, datetime, time or None from openpyxl

_SEPARATORS = re.compile(r"[\s\-_.]+")
_KINDS_WORDS = ", ".join(KIND_ORDER)


Row = tuple[int, list[Cell]]  # the row's number as the spreadsheet shows it (the header is 1), its cells


@dataclass
class RawSheet:
    """One file or workbook sheet: its header and its data rows, which ``rows()`` reads on each call.

    ``size`` is how many data rows it holds: exact for a workbook sheet; for a CSV file, an upper bound
    (its line count) until the rows have been read, for a progress bar that must start before that.
    """

    file: str
    sheet: str | None
    kind: str
    sha256: str
    header: list[Cell]
    size: int = 0
    workbook_rows: list[Row] = field(default_factory=list)  # a workbook sheet's, read with the workbook
    csv_source: tuple[bytes, str] | None = None  # a CSV file's bytes and delimiter, read row by row

    def rows(self) -> Iterator[Row]:
        """The data rows without the empty ones; a CSV file's raise ``csv.Error`` where it is malformed."""
        if self.csv_source is None:
            yield from self.workbook_rows
            return
        records = _csv_records(*self.csv_source)
        next(records, None)  # the header
        # The rows where some cell holds more than spaces, numbered as the spreadsheet shows them, picked in
        # C: a Python loop over a million rows took 3 s of a ratings import.
        records, texts = tee(records)
        numbered = cast(Iterator[Row], zip(count(2), records))
        yield from compress(numbered, map(str.strip, map("".join, texts)))

    @property
    def text_cells(self) -> bool:
        """Whether every cell is a str, as in a CSV file (a workbook's cells may be numbers or dates)."""
        return self.csv_source is not None

    def release(self, size: int) -> None:
        """Forget the rows once read (the import keeps the sheet for its batch), keeping how many there were."""
        self.size, self.workbook_rows, self.csv_source = size, [], None


@dataclass
class ReadResult:
    sheets: list[RawSheet] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def kind_of(name: str) -> str | None:
    """The kind a file stem or sheet name stands for (see the module docstring), or None."""
    words = [word for word in _SEPARATORS.split(name.strip().casefold()) if word]
    for kind in sorted(KIND_ORDER, key=len, reverse=True):  # "territory_groups" before any shorter kind
        kind_words = kind.split("_")
        if words[: len(kind_words)] == kind_words:
            return kind
    return None


def read_files(paths: list[Path]) -> ReadResult:
    result = ReadResult()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            result.problems.append(ImportProblem(path.name, None, None, None, None, f"cannot be read ({error})"))
            continue
        suffix = path.suffix.casefold()
        if suffix == ".xlsx":
            _read_workbook(path.name, data, result)
        elif suffix in (".csv", ".txt"):
            _read_csv(path.name, data, result)
        else:
            result.problems.append(ImportProblem(
                path.name, None, None, None, None,
                f"is neither CSV nor Excel (.xlsx); save it as CSV UTF-8 or .xlsx (this is '{path.suffix}')",
            ))
    return result


def _unknown_kind(file_name: str, what: str) -> ImportProblem:
    return ImportProblem(
        file_name, None, None, None, None,
        f"{what} names no kind of record; name it after one of {_KINDS_WORDS} (e.g. titles.csv or deals-2024.csv)",
    )


def _read_csv(file_name: str, data: bytes, result: ReadResult) -> None:
    kind = kind_of(Path(file_name).stem)
    if kind is None:
        result.problems.append(_unknown_kind(file_name, "the file name"))
        return
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte order mark
    except UnicodeDecodeError as error:
        result.problems.append(ImportProblem(
            file_name, None, None, None, None,
            f"is not UTF-8 text (byte {error.start + 1}); save it as \"CSV UTF-8\"",
        ))
        return
    header_line = text.split("\n", 1)[0]
    # The header names contain no commas or semicolons, so whichever the header line uses is the separator.
    delimiter = max((";", ",", "\t"), key=header_line.count) if header_line.strip() else ","
    if not any(separator in header_line for separator in ";,\t"):
        delimiter = ","
    lines = text.count("\n")  # no fewer than the data rows: one per row before the last, and the header's
    del text  # the rows are read from the bytes when parsed (see RawSheet.rows)
    try:
        header: list[Cell] = list(next(_csv_records(data, delimiter), []))
    except csv.Error as error:
        result.problems.append(not_valid_csv(file_name, error))
        return
    result.sheets.append(RawSheet(file_name, None, kind, hashlib.sha256(data).hexdigest(), header, size=lines,
                                  csv_source=(data, delimiter)))


def _csv_records(data: bytes, delimiter: str) -> Iterator[list[str]]:
    # newline="" as the csv module asks; the bytes are decoded as they are read (a StringIO of the whole
    # text would hold four bytes per character).
    return csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), delimiter=delimiter)


def not_valid_csv(file_name: str, error: csv.Error) -> ImportProblem:
    return ImportProblem(file_name, None, None, None, None, f"is not valid CSV ({error})")


def _percent_cell(value: Cell, number_format: str) -> Cell:
    """An Excel cell shown as ``19%`` stores 0.19; hand it on as the text the user sees."""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in number_format:
        return f"{format_decimal(Decimal(str(value)) * 100)}%"
    return value


def _read_workbook(file_name: str, data: bytes, result: ReadResult) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        result.problems.append(ImportProblem(
            file_name, None, None, None, None, f"is not an Excel workbook that can be read ({error})"
        ))
        return
    digest = hashlib.sha256(data).hexdigest()
    try:
        names = workbook.sheetnames
        kinds = {name: kind_of(name) for name in names}
        if not any(kinds.values()) and len(names) == 1:
            kinds[names[0]] = kind_of(Path(file_name).stem)
        if not any(kinds.values()):
            result.problems.append(_unknown_kind(file_name, f"no sheet ({', '.join(names)})"))
            return
        for name in names:
            kind = kinds[name]
            if kind is None:
                result.skipped.append(f"{file_name}, sheet {name}: not a kind of record")
                continue
            header: list[Cell] = []
            rows: list[Row] = []
            for number, cells in enumerate(workbook[name].iter_rows(), start=1):
                values = [_percent_cell(cell.value, getattr(cell, "number_format", "") or "") for cell in cells]
                if number == 1:
                    header = values
                elif any(_filled(value) for value in values):
                    rows.append((number, values))
            result.sheets.append(RawSheet(file_name, name, kind, digest, header, size=len(rows), workbook_rows=rows))
    finally:
        workbook.close()


def _filled(value: Cell) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, int | float | Decimal | bool | dt.date | dt.time)
