"""Import the catalog from CSV and Excel files: validated first, written all-or-nothing, idempotent.

``import_files`` is the one entry point (the CLI and the console call it); ``sheets.SHEETS`` is the column
contract that the parser, the exporter and ``docs/import.md`` share.
"""

from storage.importing.load import import_files
from storage.importing.report import ImportFailed, ImportProblem, ImportReport, KindReport
from storage.importing.sheets import KIND_ORDER, SHEETS, ColumnSpec, SheetSpec

__all__ = [
    "KIND_ORDER",
    "SHEETS",
    "ColumnSpec",
    "ImportFailed",
    "ImportProblem",
    "ImportReport",
    "KindReport",
    "SheetSpec",
    "import_files",
]
