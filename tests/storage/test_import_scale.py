"""What makes a big ratings import fast changes nothing it reports or writes.

References are resolved once per distinct text (a ratings file names the same titles, channels and
territories on every row), yet every row with a bad one still gets its own problem; the import's bigger
SQLite page cache is given back to the connection afterwards, and the cycle collector it pauses runs
again, whether the import worked or not.
"""

from __future__ import annotations

import gc
import shutil
import traceback
from pathlib import Path

import pytest
from import_helpers import base_files, count, problems_of, run, write
from sqlalchemy import select

from storage.db import SessionFactory, create_engine, make_session_factory
from storage.importing import ImportFailed, import_files, references
from storage.importing.references import (
    Entry,
    NameIndex,
    Places,
    ReferenceProblem,
    TerritoryIndex,
    UnknownName,
    load_territories,
    load_titles,
)
from storage.keys import name_key
from storage.models import AIRING_COPIES, Airing, AudienceFigure

RATINGS = "title,territory,channel,air_date,viewers,target\n"


def territories() -> TerritoryIndex:
    return TerritoryIndex(
        [("MX", "MEX", "Mexico"), ("KR", "KOR", "South Korea"), ("KP", "PRK", "North Korea")],
        [("MX", "mexico"), ("KR", "south korea"), ("KR", "korea"), ("KP", "north korea"), ("KP", "korea")],
    )


def test_a_name_resolves_anew_once_the_index_changes() -> None:
    index = NameIndex("title", "titles", territories(), years=True)
    with pytest.raises(UnknownName):
        index.resolve("Fresh Film")
    index.add(Entry("fresh film|2020", "Fresh Film", 2020, None), {name_key("Fresh Film")})
    assert index.resolve("Fresh Film") == "fresh film|2020"
    index.add(Entry("fresh film|2021", "Fresh Film", 2021, None), {name_key("Fresh Film")})
    with pytest.raises(ReferenceProblem, match="fits 2 titles"):
        index.resolve("Fresh Film")
    assert index.resolve("Fresh Film (2021)") == "fresh film|2021"
    index.drop("fresh film|2021")
    assert index.resolve("Fresh Film") == "fresh film|2020"


def test_a_group_resolves_once_added() -> None:
    places = Places(territories())
    with pytest.raises(ReferenceProblem, match="neither a territory nor a territory group"):
        places.resolve("Latam")
    places.add_group("LATAM", "latam", ["MX"])
    codes = places.resolve("Latam")
    assert codes == ["MX"]
    codes.append("KR")  # the caller's list is its own: the remembered answer stays as it was
    assert places.resolve("Latam") == ["MX"]


def test_a_remembered_problem_is_raised_afresh_each_time() -> None:
    index = territories()
    depths = []
    for _ in range(3):
        with pytest.raises(ReferenceProblem) as info:
            index.resolve("Korea")
        assert str(info.value).startswith("'Korea' fits 2 territories: North Korea (KP), South Korea (KR)")
        depths.append(len(traceback.extract_tb(info.value.__traceback__)))
    assert depths[0] == depths[-1]  # the traceback does not grow with every row that repeats the name


async def test_every_row_with_a_repeated_bad_reference_is_reported(session_factory: SessionFactory,
                                                                   tmp_path: Path) -> None:
    await run(session_factory, base_files(tmp_path))
    rows = ("Smal Miracles,MX,Imagen TV,2024-01-01,100,\n"
            "Small Miracles,Korea,Imagen TV,2024-01-01,100,\n"
            "Smal Miracles,MX,Imagen TV,2024-01-02,100,\n"
            "Small Miracles,MX,Imagn TV,2024-01-03,100,\n"
            "Small Miracles,Korea,Imagen TV,2024-01-04,100,\n"
            "Small Miracles,MX,Imagn TV,2024-01-05,100,\n")
    problems = await problems_of(session_factory, [write(tmp_path, "ratings.csv", RATINGS + rows)])
    korea = "column territory: 'Korea' fits 2 territories: North Korea (KP), South Korea (KR)"
    title = "column title: 'Smal Miracles' is not a title in the catalog or this import; did you mean Small Miracles?"
    channel = "column channel: 'Imagn TV' is not a company in the catalog or this import; did you mean Imagen TV?"
    expected = {3: korea, 6: korea, 2: title, 4: title, 5: channel, 7: channel}
    assert len(problems) == len(expected), problems
    for row, message in expected.items():
        assert any(problem.startswith(f"ratings.csv, row {row}, {message}") for problem in problems), (row, problems)


async def test_new_figures_join_airings_old_and_new(session_factory: SessionFactory, tmp_path: Path) -> None:
    """A figure for an airing in the catalog and figures of a new airing, in one import, counted as such."""
    await run(session_factory, base_files(tmp_path))
    first = "Small Miracles,MX,Imagen TV,2024-01-01,100,\n"
    await run(session_factory, [write(tmp_path, "ratings.csv", RATINGS + first)])
    more = first + "Small Miracles,MX,Imagen TV,2024-01-01,40,AB\n" \
        "Small Miracles,MX,Imagen,2024-01-08,90,\nSmall Miracles,MX,Imagen TV,2024-01-08,30,AB\n"
    report = await run(session_factory, [write(tmp_path, "ratings.csv", RATINGS + more)])
    assert [(k.kind, k.inserted, k.updated, k.unchanged) for k in report.kinds] == [("ratings", 3, 0, 1)]
    async with session_factory() as session:
        rows = (await session.execute(select(AudienceFigure, Airing).join(Airing)
                                      .order_by(Airing.air_date, AudienceFigure.target))).all()
    assert [(str(a.air_date), f.target, f.viewers) for f, a in rows] == [
        ("2024-01-01", "", 100), ("2024-01-01", "AB", 40), ("2024-01-08", "", 90), ("2024-01-08", "AB", 30)]
    assert all(getattr(f, name) == getattr(a, name) for f, a in rows for name in AIRING_COPIES)
    assert len({a.id for _, a in rows}) == 2


async def test_the_sqlite_cache_is_given_back(sqlite_template: Path, tmp_path: Path) -> None:
    """The import's bigger page cache lasts its transaction only, after a clean import and a failed one."""
    path = tmp_path / "catalog.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        async with engine.connect() as connection:
            default = (await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one()
        session_factory = make_session_factory(engine)
        await run(session_factory, base_files(tmp_path))
        unknown_title = write(tmp_path, "ratings.csv", RATINGS + "Nothing,MX,Imagen TV,,1,\n")
        with pytest.raises(ImportFailed):
            await import_files(session_factory, [unknown_title])
        assert engine.pool.checkedin() == 1  # one pooled connection served every session above
        async with engine.connect() as connection:
            assert (await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one() == default
    finally:
        await engine.dispose()


async def test_the_cycle_collector_runs_again_after_an_import(session_factory: SessionFactory,
                                                               tmp_path: Path) -> None:
    assert gc.isenabled()
    await run(session_factory, base_files(tmp_path))
    assert gc.isenabled()
    with pytest.raises(ImportFailed):
        await import_files(session_factory, [write(tmp_path, "ratings.csv", RATINGS + "Nothing,MX,Imagen TV,,1,\n")])
    assert gc.isenabled()
    gc.disable()  # whoever turned it off (another import, the app) turns it back on, not this import
    try:
        await run(session_factory, base_files(tmp_path))
        assert not gc.isenabled()
    finally:
        gc.enable()


async def test_a_csv_file_is_read_row_by_row_as_before(session_factory: SessionFactory, tmp_path: Path) -> None:
    """Rows are read from the file's bytes as they are parsed: old Mac line ends, quoted line breaks and
    blank lines read as they always did, rows keep their numbers, and the progress total ends exact."""
    rows = ('Small Miracles,MX,Imagen TV,2024-01-01,100,\r,,,,,\r'
            'Small Miracles,MX,Imagen TV,2024-01-02,200,"Women\r25-54"\r'
            'Smal Miracles,MX,Imagen TV,2024-01-03,300,\r')
    await run(session_factory, base_files(tmp_path))
    problems = await problems_of(session_factory, [write(tmp_path, "ratings.csv", RATINGS.replace("\n", "\r") + rows)])
    assert [problem.split(":")[0] for problem in problems] == ["ratings.csv, row 5, column title"]
    seen: list[tuple[int, int]] = []
    fixed = write(tmp_path, "ratings.csv", RATINGS.replace("\n", "\r") + rows.replace("Smal ", "Small "))
    report = await import_files(session_factory, [fixed], progress=lambda done, total: seen.append((done, total)))
    assert [(k.kind, k.inserted) for k in report.kinds] == [("ratings", 3)]
    assert seen[-1] == (6, 6)  # three rows, each checked and written; the blank one is no row
    async with session_factory() as session:
        targets = set((await session.scalars(select(AudienceFigure.target))).all())
    assert targets == {"", "Women\r25-54"}


async def test_a_malformed_csv_row_is_a_problem(session_factory: SessionFactory, tmp_path: Path) -> None:
    await run(session_factory, base_files(tmp_path))
    huge = "x" * 200_000  # past the csv module's field size limit
    rows = f"Small Miracles,MX,Imagen TV,2024-01-01,100,\nSmall Miracles,MX,Imagen TV,2024-01-02,100,{huge}\n"
    problems = await problems_of(session_factory, [write(tmp_path, "ratings.csv", RATINGS + rows)])
    assert problems == ["ratings.csv: is not valid CSV (field larger than field limit (131072))"]
    assert await count(session_factory, AudienceFigure) == 0


@pytest.mark.parametrize("names", [["miracle in cell 7"], ["kogustaki mucize", "desert rose", "nothing like it"]])
async def test_titles_load_the_same_by_key_or_all_at_once(demo_session_factory: SessionFactory,
                                                          monkeypatch: pytest.MonkeyPatch, names: list[str]) -> None:
    """A file naming most of the catalog reads every title in one pass; the index is the same."""
    loaded = []
    async with demo_session_factory() as session:
        index_of_territories = await load_territories(session)
        for share in (0, 10**9):  # never, always read in one pass
            monkeypatch.setattr(references, "_READ_ALL_FROM_SHARE", share)
            index = NameIndex("title", "titles", index_of_territories, years=True)
            await load_titles(session, index, set(names))
            loaded.append((index.entries, index.keys_of))
    assert loaded[0] == loaded[1]
    assert loaded[0][0]
