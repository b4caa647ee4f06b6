"""Ratings written as they resolve, SQLite writing one chunk while Python makes the next, stay all or nothing.

Into a SQLite catalog without airings, an import writes its ratings as the resolver hands them over
(``load._Writing``), through ``bulk.Pipeline``, which leaves a chunk to the connection's thread and returns.
Here the chunks are made tiny so that a file of a few dozen rows is written in many of them: whatever goes
wrong after the first chunks are in (a problem in a later row, a chunk the database refuses) leaves the
catalog, indexes included, as it was, and a clean import writes exactly what the compare-first way writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from import_helpers import base_files, ratings, run, snapshot, statements_of, write
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from test_import_rebuild import imported_into_a_copy, integrity_of, schema_of

from storage.db import make_session_factory
from storage.importing import ImportFailed, bulk, figures, import_files, index_rebuild, load, resolve
from storage.models import Airing, Company, Title


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolve, "_CHUNK", 4)  # rows resolved (and handed over) at a time
    monkeypatch.setattr(figures, "ROWS_PER_STATEMENT", 5)  # rows a chunk written
    monkeypatch.setattr(bulk, "_MOST_BINDS", 40)  # five airings or two figures a multi-row INSERT
    monkeypatch.setattr(index_rebuild, "MIN_ROWS_TO_REBUILD", 0)  # and the indexes set aside meanwhile
    monkeypatch.setattr(index_rebuild, "REBUILD_FROM_SHARE", 0)


@pytest.fixture
def submitted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows of each chunk handed over for writing."""
    rows: list[int] = []
    real_submit = bulk.Pipeline.submit

    async def submit(self: bulk.Pipeline, statements: Any) -> None:
        rows.append(sum(len(chunk) for _, chunk in statements))
        await real_submit(self, statements)

    monkeypatch.setattr(bulk.Pipeline, "submit", submit)
    return rows


@pytest.fixture
def early(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each import wrote its ratings as they resolved."""
    answers: list[bool] = []
    real = load._Writing.before_ratings

    async def before_ratings(self: load._Writing, *args: Any) -> bool:
        answers.append(await real(self, *args))
        return answers[-1]

    monkeypatch.setattr(load._Writing, "before_ratings", before_ratings)
    return answers


async def test_ratings_written_as_they_resolve_are_the_ones_compared_first(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, early: list[bool],
    submitted: list[int],
) -> None:
    """New airings and figures, then a second file with new, changed and unchanged figures."""
    first = write(tmp_path, "ratings.csv", ratings(30))
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    second = write(second_dir, "ratings.csv", ratings(24, first=dt.date(2024, 1, 19), total=2000))
    results = []
    for streamed in (True, False):
        if not streamed:
            monkeypatch.setattr(load._Writing, "before_ratings", _never)
        path = tmp_path / f"catalog-{streamed}.db"
        results.append(await imported_into_a_copy(sqlite_template, path, [first, second]))
    assert early == [True, False]  # the first file into no airings: as it resolved; the second compared first
    assert len(submitted) > 8  # in many chunks
    assert results[0] == results[1]
    assert results[0][0][0]["ratings"] == (40, 0, 0)
    assert results[0][0][1]["ratings"] == (16, 12, 4)  # days 19-30 are there: Total figures changed, AB ones not


async def _never(*_: Any) -> bool:
    return False


@pytest.mark.parametrize("late_row", ["Nowhere At All,MX,Imagen TV,2025-03-01,5,Total",
                                      "Small Miracles,MX,Imagen TV,2024-01-01,5,Total"])
async def test_a_problem_in_a_late_row_takes_back_every_chunk_written(
    sqlite_engine: AsyncEngine, tmp_path: Path, submitted: list[int], early: list[bool], late_row: str,
) -> None:
    session_factory = make_session_factory(sqlite_engine)
    await run(session_factory, base_files(tmp_path))
    before, schema = await snapshot(session_factory), await schema_of(sqlite_engine)
    content = ratings(40) + late_row + "\n"
    with pytest.raises(ImportFailed) as failed:
        await import_files(session_factory, [write(tmp_path, "ratings.csv", content)])
    [problem] = failed.value.problems
    assert "row 56" in str(problem)  # the last row: 40 Total figures and 14 AB ones before it
    assert early == [True]
    assert sum(submitted) >= 50  # the rows before it were written: airings and figures
    assert await snapshot(session_factory) == before
    assert await schema_of(sqlite_engine) == schema  # the indexes set aside are back
    assert await integrity_of(sqlite_engine) == "ok"
    await run(session_factory, [write(tmp_path, "ratings.csv", ratings(40))])  # and the next import works


async def test_a_late_chunk_the_database_refuses_takes_back_every_chunk_written(
    sqlite_engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, early: list[bool],
) -> None:
    session_factory = make_session_factory(sqlite_engine)
    await run(session_factory, base_files(tmp_path))
    before, schema = await snapshot(session_factory), await schema_of(sqlite_engine)
    chunks: list[int] = []
    real_write = figures.RatingsWriter._write

    async def write_chunk(self: figures.RatingsWriter, chunk: list[Any]) -> None:
        chunks.append(len(chunk))
        if len(chunks) == 6:
            self.next_id -= 1  # type: ignore[operator]  # an id the chunk before took: SQLite refuses it
        await real_write(self, chunk)

    monkeypatch.setattr(figures.RatingsWriter, "_write", write_chunk)
    with pytest.raises(IntegrityError, match=r"airings\.id"):
        await import_files(session_factory, [write(tmp_path, "ratings.csv", ratings(40))])
    assert early == [True]
    assert len(chunks) >= 6
    assert await snapshot(session_factory) == before
    assert await schema_of(sqlite_engine) == schema
    assert await integrity_of(sqlite_engine) == "ok"


async def test_a_read_after_a_chunk_handed_over_sees_it(sqlite_engine: AsyncEngine, tmp_path: Path) -> None:
    """The chunk goes on the connection's queue before ``submit`` returns, so what is asked next waits for it;
    and each row gets its own values, bound column after column in blocks of ten rows (``_MOST_BINDS``)."""
    session_factory = make_session_factory(sqlite_engine)
    await run(session_factory, base_files(tmp_path))
    async with session_factory() as session:
        title_id = await session.scalar(select(Title.id).limit(1))
        channel_id = await session.scalar(select(Company.id).limit(1))
        session.add(Airing(natural_key="first", title_id=title_id, territory_code="MX", channel_id=channel_id))
        await session.flush()  # a transaction that has written, as an import's
        connection = await session.connection()
        columns = ("natural_key", "title_id", "territory_code", "channel_id")
        insert = bulk.ColumnInsert(connection, Airing.__table__, columns)  # type: ignore[arg-type]
        pipeline = bulk.Pipeline(connection)
        keys = [f"airing {number}" for number in range(50)]
        await pipeline.submit([(insert, insert.rows([keys, [title_id] * 50, ["MX"] * 50, [channel_id] * 50]))])
        assert await session.scalar(select(func.count()).select_from(Airing)) == 51
        await pipeline.settle()
        rows = (await session.execute(select(Airing.id, Airing.natural_key).where(Airing.natural_key != "first")
                                      .order_by(Airing.id))).all()
        assert [key for _, key in rows] == keys  # in order, each its own
        await session.rollback()


async def test_a_repeated_airing_key_fails_when_the_unique_index_is_built_again(
    sqlite_engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The airings' natural key index is set aside with the others; building it again finds the repeat."""
    session_factory = make_session_factory(sqlite_engine)
    await run(session_factory, base_files(tmp_path))
    before, schema = await snapshot(session_factory), await schema_of(sqlite_engine)
    chunks: list[list[Any]] = []
    real_write = figures.RatingsWriter._write

    async def write_chunk(self: figures.RatingsWriter, chunk: list[Any]) -> None:
        chunks.append(chunk)
        if len(chunks) == 3:  # an airing of the first chunk made again, under the same key
            first = chunks[0][0]
            del self.airing_of[first.airing_key]
            chunk = [*chunk, dataclasses.replace(first, target_key="again")]
        await real_write(self, chunk)

    monkeypatch.setattr(figures.RatingsWriter, "_write", write_chunk)
    with statements_of(sqlite_engine) as statements, pytest.raises(IntegrityError, match="natural_key") as failed:
        await import_files(session_factory, [write(tmp_path, "ratings.csv", ratings(40))])
    assert 'DROP INDEX "uq_airings_natural_key"' in statements
    assert str(failed.value.statement).startswith("CREATE UNIQUE INDEX uq_airings_natural_key")
    assert await snapshot(session_factory) == before
    assert await schema_of(sqlite_engine) == schema
    assert await integrity_of(sqlite_engine) == "ok"


async def test_airings_added_by_another_writer_before_the_lock_are_compared_with(
    sqlite_engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, early: list[bool],
) -> None:
    """Whether the catalog holds airings is asked again once the import holds the write lock."""
    session_factory = make_session_factory(sqlite_engine)
    await run(session_factory, base_files(tmp_path))
    real_begin = load._Writing._begin

    async def begin(self: load._Writing) -> None:
        if not self.batches:  # another connection commits an airing just before this import starts writing
            async with session_factory() as other:
                title_id = await other.scalar(select(Title.id).limit(1))
                channel_id = await other.scalar(select(Company.id).limit(1))
                other.add(Airing(natural_key="another's", title_id=title_id, territory_code="MX",
                                 channel_id=channel_id))
                await other.commit()
        await real_begin(self)

    monkeypatch.setattr(load._Writing, "_begin", begin)
    report = await run(session_factory, [write(tmp_path, "ratings.csv", ratings(12))])
    assert early == [False]  # compared with the catalog's airings, not written as they resolved
    assert [(kind.kind, kind.inserted) for kind in report.kinds] == [("ratings", 16)]
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Airing)) == 13
