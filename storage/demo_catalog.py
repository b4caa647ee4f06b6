"""The demo catalog: import files shipped with the package, loaded by ``slate demo`` or into memory."""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).parent / "demo"
# Dependency order is the importer's business; this order only makes listings read naturally.
DEMO_KINDS = ("territory_groups", "companies", "titles", "deals", "ratings", "releases", "quotes")


def demo_files() -> list[Path]:
    """The shipped demo files, one per kind of record."""
    return [DEMO_DIR / f"{kind}.csv" for kind in DEMO_KINDS if (DEMO_DIR / f"{kind}.csv").is_file()]
