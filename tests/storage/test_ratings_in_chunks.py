"""Ratings read and resolved a chunk at a time give exactly what they give row by row, or give up.

``ratings_columns`` reads chunks whose every cell is plainly valid column by column, and
``wanted_figures`` resolves chunks whose every reference resolves; any other chunk is taken row by row.
Random chunks, mostly valid, with every kind of bad cell and reference sprinkled in: whenever the row by
row way finds no problem in a chunk, the chunk way must give the same records (or give up); whenever it
finds one, the chunk way must give up; and a whole import reports the same problems either way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pytest
from import_helpers import base_files, run, write

from storage.db import SessionFactory
from storage.importing import ImportFailed, import_files, resolve
from storage.importing.cells import RowReader
from storage.importing.parse import parse_row, parse_sheet_rows
from storage.importing.ratings_columns import ratings_from_columns
from storage.importing.readers import read_files
from storage.importing.references import load_companies, load_titles
from storage.importing.report import Location, Problems
from storage.importing.resolve import Parsed, Resolver
from storage.importing.wanted_figures import wanted_figure, wanted_figures
from storage.keys import name_key

# Per column: plainly valid values first, then values with a problem (or that the shortcut may not take).
VALUES: dict[str, tuple[list[str], list[str]]] = {
    "title": (["Small Miracles", " Small Miracles ", "Miracle in Cell No. 7 (2019)", "t" * 255], ["", "  ", "t" * 256]),
    "territory": (["MX", "Meksika", " cl "], [""]),
    "channel": (["Imagen TV", "Canal 13 (CL)"], ["", " "]),
    "air_date": (["", "2024-01-01", " 2024-01-02 ", "11/10/2019", "11 Ekim 2019"],
                 ["2020-02-30", "13/13/2019", "45000", "20-1-1", "yesterday"]),
    "timeslot": (["", "prime time", "x" * 64], ["x" * 65]),
    "episode": (["", "1", "e" * 32], ["e" * 33]),
    "viewers": (["", "100", "3.1M", "3,100,000", " 12 ", "3.100.000", "0"], ["-5", "abc", "1.5", "\u0663", "3,1,0"]),
    "rating_pct": (["", "5.45", "5,45", "19%", " 7 ", "0.19", "100"], ["101", "3,100", "abc", "-1"]),
    "share_pct": (["", "19", "12.3", "1,5"], ["200", "x"]),
    "reach": (["", "8000000", "450K"], ["-1", "1e3"]),
    "target": (["", "Total", " AB ", "g" * 64], ["g" * 65]),
    "measurement": (["", "live", "LIVE", "Consolidated"], ["bogus", "livee"]),
    "rank_note": (["", "#1 in prime time", "n" * 255], ["n" * 256]),
    "notes": (["", "anything at all", "n" * 1000], []),
    "source": (["", "Nielsen IBOPE", "s" * 255], ["s" * 256]),
}
FIGURES = ("viewers", "rating_pct", "share_pct", "reach", "rank_note")


def random_sheet(rng: random.Random, tmp_path: Path, rows: int) -> Path:
    optional = [name for name in VALUES if name not in ("title", "territory", "channel")]
    columns = ["title", "territory", "channel", *rng.sample(optional, rng.randrange(len(optional) - 3, len(optional)))]
    rng.shuffle(columns)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    bad_share = rng.choice((0.0, 0.002, 0.02))
    for _ in range(rows):
        row = []
        for name in columns:
            good, bad = VALUES[name]
            row.append(rng.choice(bad) if bad and rng.random() < bad_share else rng.choice(good))
        if rng.random() < 0.01:
            row = row[: rng.randrange(len(row))]  # a short row: trailing cells left out
        writer.writerow(row)
    path = tmp_path / f"ratings-{rng.random()}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_column_reading_matches_row_reading(tmp_path: Path) -> None:
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    taken = given_up = 0
    for _ in range(60):
        [sheet] = read_files([random_sheet(rng, tmp_path, 400)]).sheets
        spec, header, problems = parse_sheet_rows(sheet)
        assert header is not None, problems
        rows = list(sheet.rows())
        start = 0
        while start < len(rows):
            chunk = rows[start : start + rng.choice((1, 2, 5, 20, 80))]
            start += len(chunk)
            readers = [RowReader(spec, header, Location(sheet.file, None, number), cells) for number, cells in chunk]
            records = [parse_row("ratings", reader) for reader in readers]
            clean = not any(reader.problems for reader in readers)
            fast = ratings_from_columns(header, spec, sheet.file, None, chunk)
            if fast is None:
                given_up += 1
                continue
            assert clean, [reader.problems for reader in readers]
            assert fast == records
            taken += 1
    assert taken > 500
    assert given_up > 100


REFERENCES = {
    "title": ["Small Miracles", "small miracles", "Miracle in Cell No. 7 (2019)", "Miracle in Cell No. 7 (TR)",
              "7. Koğuştaki Mucize", "Milagro en la celda 7"],
    "bad title": ["Miracle in Cell No. 7", "Smal Miracles", "Miracle in Cell No. 7 (2018)"],
    "territory": ["MX", "Mexico", "México", "cl", "TR"],
    "bad territory": ["Korea", "Mexco"],
    "channel": ["Imagen TV", "Imagen", "Canal 13 (CL)", "Canal 13 (AR)"],
    "bad channel": ["Canal 13", "Imagn TV"],
}


def random_references(rng: random.Random, rows: int, bad_share: float, *, repeats: bool = True) -> str:
    """Ratings rows naming titles, territories and channels every way; with ``repeats``, over so few days
    that the same figure comes again, else each row on a day of its own."""
    lines = ["title,territory,channel,air_date,timeslot,episode,target,viewers,source\n"]
    for number in range(rows):
        cells = [rng.choice(REFERENCES[f"bad {kind}" if rng.random() < bad_share else kind])
                 for kind in ("title", "territory", "channel")]
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(5) if repeats else number)
        if repeats and number % 7 == 0:
            day = ""  # not stated
        extra = [rng.choice(("", "prime time", "Prime Time")), rng.choice(("", "1", "12")), rng.choice(("", "AB")),
                 str(rng.randrange(1, 9)), rng.choice(("", "Kantar"))]
        lines.append(f'"{cells[0]}",{cells[1]},{cells[2]},{day},{",".join(extra)}\n')
    return "".join(lines)


@pytest.mark.parametrize(("bad_share", "repeats"), [(0.0, False), (0.0, True), (0.001, False), (0.05, True)])
async def test_chunk_resolution_matches_row_resolution(session_factory: SessionFactory, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch, bad_share: float,
                                                       repeats: bool) -> None:
    await run(session_factory, base_files(tmp_path))
    rng = random.Random(bad_share)  # noqa: S311 - test data
    path = write(tmp_path, "ratings.csv", random_references(rng, 3000, bad_share, repeats=repeats))
    outcomes = []
    for row_by_row in (False, True):
        if row_by_row:
            monkeypatch.setattr(resolve, "wanted_figures", lambda *_: None)
        try:
            report = await import_files(session_factory, [path], dry_run=True)
            outcomes.append([(k.kind, k.inserted, k.updated, k.unchanged) for k in report.kinds])
        except ImportFailed as failure:
            outcomes.append(failure.lines())
    assert outcomes[0] == outcomes[1]
    assert (outcomes[0] == [("ratings", 3000, 0, 0)]) == (bad_share == 0 and not repeats)


async def test_chunk_records_match_row_records(session_factory: SessionFactory, tmp_path: Path) -> None:
    await run(session_factory, base_files(tmp_path))
    [sheet] = read_files([write(tmp_path, "ratings.csv", random_references(random.Random(3), 200, 0.0))]).sheets  # noqa: S311
    spec, header, _ = parse_sheet_rows(sheet)
    assert header is not None
    rows = [parse_row("ratings", RowReader(spec, header, Location(sheet.file, None, n), cells))
            for n, cells in sheet.rows()]
    async with session_factory() as session:
        resolver = Resolver(session, Problems())
        await resolver.run(Parsed())  # loads the territories and an empty index of titles and companies
        await load_titles(session, resolver.titles, {name_key(row.title) for row in rows} | {"miracle in cell 7"})
        await load_companies(session, resolver.companies, {name_key(row.channel) for row in rows} | {"canal 13"})
    chunked = wanted_figures(rows, resolver.titles, resolver.territories, resolver.companies)
    one_by_one = [wanted_figure(row, resolver.titles.resolve(row.title), resolver.territories.resolve(row.territory),
                                resolver.companies.resolve(row.channel)) for row in rows]
    assert chunked == one_by_one
