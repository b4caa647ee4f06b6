"""What an import tells its user: every problem at once (file, row, column, value, why) or what it changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_PROBLEMS = 200


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the files, located as the user sees it in the spreadsheet (header = row 1)."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        place = [self.file]
        if self.sheet:
            place.append(f"sheet {self.sheet}")
        if self.row is not None:
            place.append(f"row {self.row}")
        if self.column:
            place.append(f"column {self.column}")
        return f"{', '.join(place)}: {self.message}"


class ImportFailed(Exception):
    """The files were not imported; ``problems`` lists why (the first ``MAX_PROBLEMS``), ``total`` counts all."""

    def __init__(self, problems: list[ImportProblem], total: int | None = None) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        self.total = max(total or 0, len(problems))
        noun = "problem" if self.total == 1 else "problems"
        super().__init__(f"{self.total} {noun}; nothing was imported")

    def lines(self) -> list[str]:
        """The message, then one line per problem, then "and N more" when the list was cut."""
        lines = [str(self), *(str(problem) for problem in self.problems)]
        if self.total > len(self.problems):
            lines.append(f"and {self.total - len(self.problems)} more")
        return lines


@dataclass(slots=True)
class Location:
    """Where a row came from; every parsed record carries one so later checks can point back at it."""

    file: str
    sheet: str | None
    row: int

    def problem(self, column: str | None, value: str | None, message: str) -> ImportProblem:
        return ImportProblem(self.file, self.sheet, self.row, column, value, message)

    def label(self, other: Location) -> str:
        """How to name this row from ``other``'s message: "row 9", or "row 9 of titles.csv" across files."""
        if (self.file, self.sheet) == (other.file, other.sheet):
            return f"row {self.row}"
        where = f"{self.file}, sheet {self.sheet}" if self.sheet else self.file
        return f"row {self.row} of {where}"


@dataclass
class Problems:
    """Collects problems across all stages; counts past the cap so the summary stays true."""

    items: list[ImportProblem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: ImportProblem) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(problem)

    def extend(self, problems: Iterator[ImportProblem] | list[ImportProblem]) -> None:
        for problem in problems:
            self.add(problem)

    def __bool__(self) -> bool:
        return self.total > 0

    def fail(self) -> ImportFailed:
        """The exception to raise, problems in file and row order (as the user will fix them)."""
        ordered = sorted(self.items, key=lambda p: (p.file, p.sheet or "", p.row or 0))
        return ImportFailed(ordered, self.total)


@dataclass
class KindReport:
    kind: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    files: list[str]
    kinds: list[KindReport]
    dry_run: bool
    skipped: list[str] = field(default_factory=list)  # workbook sheets that are no kind, e.g. "Notes"

    def lines(self) -> list[str]:
        """What the console prints: one line per kind, skipped sheets, and whether anything was written."""
        lines = [f"{'Checked' if self.dry_run else 'Imported'} {', '.join(self.files)}"]
        for kind in self.kinds:
            lines.append(
                f"{kind.kind}: {kind.inserted} inserted, {kind.updated} updated, {kind.unchanged} unchanged"
            )
        lines.extend(f"skipped {name}" for name in self.skipped)
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines
