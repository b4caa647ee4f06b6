"""Shared helpers for the import tests: write files, import them, read back what the catalog holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import SessionFactory
from storage.importing import ImportFailed, ImportReport, import_files
from storage.models import Base

COMPANIES = """name,kind,territory,aliases,source
Imagen TV,broadcaster,MX,Imagen|Imagen Televisión,test
Canal 13,broadcaster,CL,,test
Canal 13,broadcaster,AR,,test
"""

TITLES = """title,original_title,original_language,kind,year,origin,remake_of,aliases,source
Miracle in Cell No. 7,7번방의 선물,ko,film,2013,KR,,,test
Miracle in Cell No. 7,7. Koğuştaki Mucize,tr,film,2019,TR,Miracle in Cell No. 7 (KR),\
es:Milagro en la celda 7|es-MX:Milagro en la celda número 7,test
Small Miracles,,,series,2023,TR,,,test
"""

CATALOG_TABLES = [t for t in Base.metadata.sorted_tables
                  if t.name not in ("import_batches", "territories", "territory_names")]


def write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def base_files(directory: Path) -> list[Path]:
    return [write(directory, "companies.csv", COMPANIES), write(directory, "titles.csv", TITLES)]


async def run(session_factory: SessionFactory, paths: list[Path], **options: Any) -> ImportReport:
    """Import files that must import cleanly; a failure shows every problem, not just the count."""
    try:
        return await import_files(session_factory, paths, **options)
    except ImportFailed as error:
        raise AssertionError("\n".join(error.lines())) from None


async def problems_of(session_factory: SessionFactory, paths: list[Path]) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        await import_files(session_factory, paths)
    return [str(problem) for problem in info.value.problems]


async def count(session_factory: SessionFactory, model: Any) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def snapshot(session_factory: SessionFactory) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every catalog table (not batches, not reference data), in a stable order."""
    result = {}
    async with session_factory() as session:
        for table in CATALOG_TABLES:
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            rows = (await session.execute(text(f"SELECT {columns} FROM {table.name}"))).all()
            result[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return result


def counts(report: ImportReport) -> dict[str, tuple[int, int, int]]:
    return {k.kind: (k.inserted, k.updated, k.unchanged) for k in report.kinds}


RATINGS = "title,territory,channel,air_date,viewers,target\n"


def ratings(days: int, *, first: dt.date = dt.date(2024, 1, 1), total: int = 1000) -> str:
    """``days`` airings of one title, each with a Total figure (``total`` + the day of the month) and every
    third with an AB figure (ten times the day of the month)."""
    lines = [RATINGS]
    for number in range(days):
        day = first + dt.timedelta(days=number)
        lines.append(f"Small Miracles,MX,Imagen TV,{day},{total + day.day},Total\n")
        if number % 3 == 0:
            lines.append(f"Small Miracles,MX,Imagen TV,{day},{10 * day.day},AB\n")
    return "".join(lines)


@contextmanager
def statements_of(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while inside."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
