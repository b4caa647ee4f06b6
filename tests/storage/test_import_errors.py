"""Every kind of import problem is found, located (file, row, column, value) and explained, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_helpers import base_files, count, problems_of, run, write

from storage.db import SessionFactory
from storage.models import ImportBatch, Release, Title

RATINGS_HEADER = "title,territory,channel,air_date,viewers,rating_pct,share_pct,target\n"
DEALS_HEADER = "title,licensee,territories,media,deal_ref,start,end,fee,currency\n"
DEAL = "Miracle in Cell No. 7 (2019),Imagen TV,MX,free_tv"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param("titles.csv", "title,yeer\nX,2019\n",
                     "titles.csv, row 1: 'yeer' is not a column of titles; did you mean year?", id="unknown-column"),
        pytest.param("deals.csv", "title,territories,media\nX,MX,svod\n",
                     "deals.csv, row 1: the required column 'licensee' is missing", id="missing-required"),
        pytest.param("ratings.csv", RATINGS_HEADER + "Small Miracles,TR,Imagen TV,,lots,,,\n",
                     "ratings.csv, row 2, column viewers: 'lots' is not a number", id="bad-number"),
        pytest.param("deals.csv", DEALS_HEADER + f"{DEAL},,,,\"25,000\",USD\n",
                     "deals.csv, row 2, column fee: '25,000' could mean 25000 or 25", id="ambiguous-number"),
        pytest.param("deals.csv", DEALS_HEADER + f"{DEAL},,2020-02-30,,,\n",
                     "deals.csv, row 2, column start: '2020-02-30' is not a real date", id="bad-date"),
        pytest.param("deals.csv", DEALS_HEADER + "Small Miracles,Imagen TV,MX,satellite,,,,,\n",
                     "deals.csv, row 2, column media: 'satellite' is not a media right; write one of free_tv",
                     id="unknown-vocab"),
        pytest.param("deals.csv", DEALS_HEADER + f"{DEAL},{'R' * 65},,,,\n",
                     "deals.csv, row 2, column deal_ref: 'RRRR", id="too-long"),
        pytest.param("releases.csv", "title,territory\nMiracle in Cel No 7 (2019),TR\n",
                     "releases.csv, row 2, column title: 'Miracle in Cel No 7 (2019)' is not a title in the catalog "
                     "or this import; did you mean Miracle in Cell No. 7?", id="unknown-title"),
        pytest.param("releases.csv", "title,territory\nMiracle in Cell No. 7,TR\n",
                     "releases.csv, row 2, column title: 'Miracle in Cell No. 7' fits 2 titles: "
                     "Miracle in Cell No. 7 (2013, KR), Miracle in Cell No. 7 (2019, TR)", id="ambiguous-title"),
        pytest.param("releases.csv", "title,territory\nMiracle in Cell No. 7 (2018),TR\n",
                     "no title 'Miracle in Cell No. 7 (2018)' is in the catalog or this import", id="wrong-year"),
        pytest.param("releases.csv", "title,territory\nSmall Miracles,Korea\n",
                     "releases.csv, row 2, column territory: 'Korea' fits 2 territories: North Korea (KP), "
                     "South Korea (KR); write the code of the one you mean", id="ambiguous-territory"),
        pytest.param("deals.csv", "title,licensee,territories,media\nSmall Miracles,Imagen TV,Mexco,svod\n",
                     "deals.csv, row 2, column territories: 'Mexco' is neither a territory nor a territory group;"
                     " did you mean Mexico (MX)", id="unknown-territory"),
        pytest.param("deals.csv", "title,licensee,territories,media\nSmall Miracles,Imagn TV,MX,svod\n",
                     "deals.csv, row 2, column licensee: 'Imagn TV' is not a company in the catalog or this import;"
                     " did you mean Imagen TV?", id="unknown-company"),
        pytest.param("deals.csv", "title,licensee,territories,media\nSmall Miracles,Canal 13,CL,svod\n",
                     "'Canal 13' fits 2 companies: Canal 13 (AR), Canal 13 (CL)", id="ambiguous-company"),
        pytest.param("releases.csv", "title,territory,release_date\nSmall Miracles,TR,2024-01-05\n"
                     "Small Miracles,Türkiye,05/01/2024\n",
                     "releases.csv, row 3: repeats row 2: the same title, territory and release_date",
                     id="duplicate"),
        pytest.param("ratings.csv", RATINGS_HEADER + "Small Miracles,TR,Imagen TV,2024-01-05,,,,AB\n",
                     "ratings.csv, row 2: the row has no figure", id="ratings-without-figures"),
        pytest.param("deals.csv", DEALS_HEADER + f"{DEAL},,2021-01-01,2020-12-31,,\n",
                     "deals.csv, row 2, column end: '2020-12-31' is before the start, 2021-01-01",
                     id="end-before-start"),
        pytest.param("deals.csv", DEALS_HEADER + f"{DEAL},,,,25000,\n",
                     "deals.csv, row 2, column currency: a deal with a fee needs its currency", id="fee-no-currency"),
        pytest.param("titles.csv", "title,aliases\nNew Title,xx:Nombre\n",
                     "titles.csv, row 2, column aliases: 'xx:Nombre' starts with 'xx:', which is not a language",
                     id="bad-language"),
        pytest.param("titles.csv", "title,remake_of\nNew Title,New Title\n",
                     "titles.csv, row 2, column remake_of: a title cannot be a remake of itself", id="own-remake"),
        pytest.param("notes.csv", "a,b\n1,2\n", "notes.csv: the file name names no kind of record", id="unknown-kind"),
    ],
)
async def test_problem_is_reported(
    session_factory: SessionFactory, tmp_path: Path, name: str, content: str, expected: str
) -> None:
    (tmp_path / "base").mkdir()
    await run(session_factory, base_files(tmp_path / "base"))
    problems = await problems_of(session_factory, [write(tmp_path, name, content)])
    assert any(expected in problem for problem in problems), problems


async def test_all_problems_at_once_and_nothing_written(session_factory: SessionFactory, tmp_path: Path) -> None:
    """One bad row in the middle of a file (and one in another file) means no row of any file is written."""
    releases = write(tmp_path, "releases.csv", "title,territory,release_date,admissions\n"
                     "Fresh Film,TR,2020-01-01,100\nFresh Film,MX,2020-02-01,lots\nFresh Film,CL,2020-03-01,300\n"
                     "Fresh Film,Narnia,2020-04-01,400\n")
    titles = write(tmp_path, "titles.csv", "title,year\nFresh Film,2020\n")
    problems = await problems_of(session_factory, [releases, titles])
    assert len(problems) == 2, problems
    assert problems[0] == "releases.csv, row 3, column admissions: 'lots' is not a number; write digits such as 3100000"
    assert problems[1].startswith("releases.csv, row 5, column territory: 'Narnia' is not a territory")
    assert await count(session_factory, Release) == 0
    assert await count(session_factory, Title) == 0
    assert await count(session_factory, ImportBatch) == 0


async def test_problems_are_capped(session_factory: SessionFactory, tmp_path: Path) -> None:
    rows = "".join(f"Film {n},TR,2020-01-01,lots\n" for n in range(250))
    path = write(tmp_path, "releases.csv", "title,territory,release_date,admissions\n" + rows)
    from storage.importing import ImportFailed, import_files

    with pytest.raises(ImportFailed) as info:
        await import_files(session_factory, [path])
    assert len(info.value.problems) == 200
    assert info.value.total >= 250
    assert str(info.value).endswith("problems; nothing was imported")
    assert info.value.lines()[-1].startswith("and ")
