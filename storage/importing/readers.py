"""Read CSV files and Excel workbooks into sheets of raw cells, and tell which kind each sheet holds.

Which kind a file holds is decided by its name, never by its columns, so a misnamed file is an error rather
than a guess: the kind is the file's stem (``titles.csv``), or the stem's first part before a ``-``, ``_``,
``.`` or space (``deals-2024.csv``, ``ratings_mx.csv``); ``territory-groups`` and ``Territory Groups`` count
as ``territory_groups``. A workbook is read sheet by sheet with the same rule on each sheet's name; a
sheet whose name is no kind is skipped (a "Notes" tab) and reported, except that a workbook named after a
kind with a single sheet ("titles.xlsx" with "Sheet1") holds that kind.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from storage.importing.report import ImportProblem
from storage.importing.sheets import KIND_ORDER
from storage.importing.values import format_decimal

Cell = object  # str from CSV; str, int, float, Decimal, bool, date, datetime, time or None from openpyxl

_SEPARATORS = re.compile(r"[\s\-_.]+")
_KINDS_WORDS = ", ".join(KIND_ORDER)


@dataclass
class RawSheet:
    """One file or workbook sheet: its header and data rows, each numbered as the spreadsheet shows it."""

    file: str
    sheet: str | None
    kind: str
    sha256: str
    header: list[Cell]
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)


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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    sheet = RawSheet(file_name, None, kind, hashlib.sha256(data).hexdigest(), [])
    try:
        for number, record in enumerate(reader, start=1):
            if number == 1:
                sheet.header = list(record)
            elif any(cell.strip() for cell in record):
                sheet.rows.append((number, list(record)))
    except csv.Error as error:
        result.problems.append(ImportProblem(file_name, None, None, None, None, f"is not valid CSV ({error})"))
        return
    result.sheets.append(sheet)


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
            sheet = RawSheet(file_name, name, kind, digest, [])
            for number, cells in enumerate(workbook[name].iter_rows(), start=1):
                values = [_percent_cell(cell.value, getattr(cell, "number_format", "") or "") for cell in cells]
                if number == 1:
                    sheet.header = values
                elif any(_filled(value) for value in values):
                    sheet.rows.append((number, values))
            result.sheets.append(sheet)
    finally:
        workbook.close()


def _filled(value: Cell) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, int | float | Decimal | bool | dt.date | dt.time)
