"""Exporting writes what importing reads: a round trip through an empty catalog gives the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_helpers import run
from sqlalchemy import delete

from storage.db import SessionFactory
from storage.demo_catalog import demo_files
from storage.exporting import export_catalog
from storage.importing.sheets import KIND_ORDER, SHEETS, columns_table
from storage.models import Base

ROOT = Path(__file__).parents[2]


async def _export(session_factory: SessionFactory, directory: Path) -> dict[str, bytes]:
    async with session_factory() as session:
        paths = await export_catalog(session, directory)
    return {path.name: path.read_bytes() for path in paths}


async def _empty_catalog(session_factory: SessionFactory) -> None:
    """Delete every catalog record (reference territories stay), as a fresh catalog on the same engine."""
    async with session_factory.begin() as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in ("territories", "territory_names"):
                await session.execute(delete(table))


@pytest.mark.parametrize("source", ["demo", "samples"])
async def test_export_round_trip(session_factory: SessionFactory, tmp_path: Path, source: str) -> None:
    files = demo_files() if source == "demo" else sorted((ROOT / "docs" / "samples").glob("*.csv"))
    await run(session_factory, files)
    first = await _export(session_factory, tmp_path / "first")
    assert sorted(first) == sorted(f"{kind}.csv" for kind in KIND_ORDER)

    await _empty_catalog(session_factory)
    await run(session_factory, sorted((tmp_path / "first").glob("*.csv")))
    second = await _export(session_factory, tmp_path / "second")
    again = await run(session_factory, sorted((tmp_path / "second").glob("*.csv")))
    assert second == first
    assert all(kind.inserted == kind.updated == 0 for kind in again.kinds)
    header = first["titles.csv"].decode().splitlines()[0]
    assert header == ",".join(SHEETS["titles"].names)


async def test_export_reimports_into_the_same_catalog_unchanged(session_factory: SessionFactory,
                                                                tmp_path: Path) -> None:
    await run(session_factory, demo_files())
    await _export(session_factory, tmp_path / "out")
    report = await run(session_factory, sorted((tmp_path / "out").glob("*.csv")))
    assert all(kind.inserted == kind.updated == 0 for kind in report.kinds), report.lines()


def test_docs_show_every_column_table() -> None:
    """docs/import.md carries the tables ``sheets`` renders, so the docs cannot drift from the parser."""
    docs = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    for kind in KIND_ORDER:
        assert columns_table(kind) in docs, f"docs/import.md is out of date for {kind}; paste columns_table()"


def test_samples_cover_every_kind() -> None:
    assert sorted(p.stem for p in (ROOT / "docs" / "samples").glob("*.csv")) == sorted(KIND_ORDER)
