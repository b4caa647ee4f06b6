"""Importing catalog files: references, formats, idempotence, updates, dry runs, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from import_helpers import base_files, count, counts, run, snapshot, write
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from storage.db import SessionFactory
from storage.importing.readers import kind_of
from storage.models import Airing, AudienceFigure, Deal, ImportBatch, Release, TerritoryGroup, Title

SAMPLES = Path(__file__).parents[2] / "docs" / "samples"
RATINGS = "title,territory,channel,air_date,viewers,rating_pct,share_pct,target,source\n"


async def figures(session_factory: SessionFactory) -> list[tuple[str, str, int | None, Decimal | None,
                                                               Decimal | None]]:
    async with session_factory() as session:
        rows = (await session.execute(select(AudienceFigure, Airing).join(Airing))).all()
        return sorted((a.territory_code, f.target, f.viewers, f.rating_pct, f.share_pct) for f, a in rows)


def test_kind_comes_from_the_file_name() -> None:
    assert kind_of("titles") == "titles"
    assert kind_of("deals-2024") == "deals"
    assert kind_of("Ratings_MX") == "ratings"
    assert kind_of("territory-groups") == "territory_groups"
    assert kind_of("Territory Groups 2025") == "territory_groups"
    assert kind_of("2024-deals") is None
    assert kind_of("notes") is None


async def test_samples_import_cleanly(session_factory: SessionFactory) -> None:
    report = await run(session_factory, sorted(SAMPLES.glob("*.csv")))
    assert counts(report) == {
        "territory_groups": (1, 0, 0), "companies": (3, 0, 0), "titles": (2, 0, 0), "deals": (2, 0, 0),
        "ratings": (3, 0, 0), "releases": (1, 0, 0), "quotes": (1, 0, 0),
    }
    assert report.lines()[1] == "territory_groups: 1 inserted, 0 updated, 0 unchanged"
    assert await count(session_factory, ImportBatch) == 7


async def test_second_import_changes_nothing(session_factory: SessionFactory) -> None:
    files = sorted(SAMPLES.glob("*.csv"))
    await run(session_factory, files)
    before = await snapshot(session_factory)
    report = await run(session_factory, files)
    assert all(inserted == updated == 0 for inserted, updated, _ in counts(report).values())
    assert counts(report)["ratings"] == (0, 0, 3)
    assert await snapshot(session_factory) == before  # batch_id of unchanged records included
    async with session_factory() as session:
        batches = (await session.scalars(select(ImportBatch).order_by(ImportBatch.id))).all()
    assert len(batches) == 14
    assert batches[-1].unchanged == batches[-1].rows
    assert batches[-1].sha256 == batches[6].sha256


async def test_changed_value_updates_one_record(session_factory: SessionFactory, tmp_path: Path) -> None:
    await run(session_factory, base_files(tmp_path))
    header = "title,territory,release_date,admissions\n"
    rows = "Small Miracles,TR,2024-01-05,100\nSmall Miracles,MX,2024-02-05,200\n"
    first = await run(session_factory, [write(tmp_path, "releases.csv", header + rows)])
    assert counts(first)["releases"] == (2, 0, 0)
    changed = await run(session_factory, [write(tmp_path, "releases.csv", header + rows.replace("200", "250"))])
    assert counts(changed)["releases"] == (0, 1, 1)
    async with session_factory() as session:
        releases = {r.territory_code: r for r in await session.scalars(select(Release))}
        last_batch = await session.scalar(select(ImportBatch.id).order_by(ImportBatch.id.desc()).limit(1))
    assert releases["MX"].admissions == 250
    assert releases["MX"].batch_id == last_batch
    assert releases["TR"].batch_id != last_batch  # unchanged records keep the batch that wrote them


async def test_title_names_follow_the_sheet(session_factory: SessionFactory, tmp_path: Path) -> None:
    await run(session_factory, base_files(tmp_path))

    async def names() -> set[tuple[str, str, str, str | None]]:
        async with session_factory() as session:
            title = await session.scalar(select(Title).where(Title.year == 2019).options(selectinload(Title.names)))
            assert title is not None
            return {(n.kind, n.language, n.name, n.territory_code) for n in title.names}

    assert await names() == {
        ("international", "", "Miracle in Cell No. 7", None),
        ("original", "tr", "7. Koğuştaki Mucize", None),
        ("localized", "es", "Milagro en la celda 7", None),
        ("localized", "es", "Milagro en la celda número 7", "MX"),
    }
    titles = "title,year,origin,original_title,original_language,aliases\n" \
             "Miracle in Cell No. 7,2019,TR,7. Koğuştaki Mucize,tr,Kogustaki Mucize|es-419:Milagro en la celda 7\n"
    report = await run(session_factory, [write(tmp_path, "titles.csv", titles)])
    assert counts(report)["titles"] == (0, 1, 0)
    assert await names() == {
        ("international", "", "Miracle in Cell No. 7", None),
        ("original", "tr", "7. Koğuştaki Mucize", None),
        ("alias", "", "Kogustaki Mucize", None),
        ("localized", "es-419", "Milagro en la celda 7", None),
    }


async def test_remake_of_may_point_further_down(session_factory: SessionFactory, tmp_path: Path) -> None:
    titles = "title,year,origin,remake_of\nThe Remake,2020,MX,The Original\nThe Original,1990,KR,\n"
    await run(session_factory, [write(tmp_path, "titles.csv", titles)])
    async with session_factory() as session:
        by_name = {t.name: t for t in await session.scalars(select(Title))}
    assert by_name["The Remake"].remake_of_id == by_name["The Original"].id


async def test_qualified_references(session_factory: SessionFactory, tmp_path: Path) -> None:
    await run(session_factory, base_files(tmp_path))
    releases = "title,territory,release_date\n\"Miracle in Cell No. 7 (2019, TR)\",TR,2019-10-11\n" \
               "Miracle in Cell No. 7 (KR),KR,2013-01-23\nmiracle in cell no 7 (2013),US,\n" \
               "Milagro en la celda 7,MX,2020-01-01\n7 Kogustaki Mucize (TUR),DE,2020-02-01\n"
    await run(session_factory, [write(tmp_path, "releases.csv", releases)])
    async with session_factory() as session:
        rows = (await session.execute(select(Release.territory_code, Title.year).join(Title))).all()
    assert sorted(rows) == [("DE", 2019), ("KR", 2013), ("MX", 2019), ("TR", 2019), ("US", 2013)]


async def test_company_qualified_by_territory(session_factory: SessionFactory, tmp_path: Path) -> None:
    await run(session_factory, base_files(tmp_path))
    deals = "title,licensee,territories,media,deal_ref\nSmall Miracles,Canal 13 (CL),Chile,Free TV|svod,A-1\n" \
            "Small Miracles,Imagen Televisión,México,fta,A-2\n"
    await run(session_factory, [write(tmp_path, "deals.csv", deals)])
    async with session_factory() as session:
        deals_by_ref = {d.deal_ref: d for d in await session.scalars(
            select(Deal).options(selectinload(Deal.licensee), selectinload(Deal.media)))}
    assert deals_by_ref["A-1"].licensee.territory_code == "CL"
    assert sorted(m.media for m in deals_by_ref["A-1"].media) == ["free_tv", "svod"]
    assert deals_by_ref["A-2"].licensee.name == "Imagen TV"


async def test_groups_expand_in_deals(session_factory: SessionFactory, tmp_path: Path) -> None:
    """A group defined in the same import (into an empty catalog) expands to its territories in a deal."""
    groups = write(tmp_path, "territory_groups.csv", "group,territories\nAndes,Colombia|Perú|EC|Chile\n")
    deals = write(tmp_path, "deals.csv", "title,licensee,territories,media\nSmall Miracles,Imagen TV,andes|MX,svod\n")
    await run(session_factory, [deals, groups, *base_files(tmp_path)])
    async with session_factory() as session:
        deal = await session.scalar(select(Deal).options(selectinload(Deal.territories)))
        group = await session.scalar(select(TerritoryGroup).options(selectinload(TerritoryGroup.territories)))
    assert deal is not None
    assert group is not None
    assert [t.territory_code for t in deal.territories] == ["CL", "CO", "EC", "MX", "PE"]
    assert [t.code for t in group.territories] == ["CL", "CO", "EC", "PE"]


async def test_both_number_conventions(session_factory: SessionFactory, tmp_path: Path) -> None:
    await run(session_factory, base_files(tmp_path))
    ratings = RATINGS + 'Small Miracles,MX,Imagen TV,2024-01-01,"3,100,000",5.45,19%,,s\n' \
                        'Small Miracles,MX,Imagen TV,02/01/2024,3.100.000,"5,45","19,5",,s\n' \
                        "Small Miracles,MX,Imagen TV,2024-01-03,3.1M,,,Households,s\n"
    await run(session_factory, [write(tmp_path, "ratings.csv", ratings)])
    assert await figures(session_factory) == [
        ("MX", "", 3100000, Decimal("5.45"), Decimal("19")),
        ("MX", "", 3100000, Decimal("5.45"), Decimal("19.5")),
        ("MX", "Households", 3100000, None, None),
    ]


async def test_semicolon_csv_with_bom(session_factory: SessionFactory, tmp_path: Path) -> None:
    await run(session_factory, base_files(tmp_path))
    text = "Title ; Territory;CHANNEL;air_date;viewers;rating_pct\r\n" \
           "Small Miracles;Meksika;Imagen;11/10/2019;1.234.567;5,45\r\n"
    path = write(tmp_path, "ratings-mx.csv", "\ufeff".encode() + text.encode("utf-8"))
    report = await run(session_factory, [path])
    assert counts(report)["ratings"] == (1, 0, 0)
    async with session_factory() as session:
        airing = await session.scalar(select(Airing))
    assert airing is not None
    assert airing.air_date == dt.date(2019, 10, 11)
    assert await figures(session_factory) == [("MX", "", 1234567, Decimal("5.45"), None)]


async def test_workbook_with_several_sheets(session_factory: SessionFactory, tmp_path: Path) -> None:
    workbook = Workbook()
    titles = workbook.active
    assert titles is not None
    titles.title = "Titles"
    titles.append(["Title", "Year", "Origin", "Runtime_minutes"])
    titles.append(["1917", 2019, "GB", 119.0])  # a title typed into a numeric cell stays a title
    companies = workbook.create_sheet("companies")
    companies.append(["name", "territory"])
    companies.append(["Canal Aurora", "Spain"])
    ratings = workbook.create_sheet("ratings")
    ratings.append(["title", "territory", "channel", "air_date", "viewers", "share_pct", "rating_pct"])
    ratings.append(["1917", "ES", "Canal Aurora", dt.datetime(2024, 3, 9), 2500000, 0.195, 5.45])  # noqa: DTZ001
    ratings.append([None, None, None, None, None, None, None])  # an empty row is skipped, numbering goes on
    ratings.append(["1917 (2019)", "ES", "Canal Aurora", dt.date(2024, 3, 16), 2400000.0, 0.2, None])
    ratings["F2"].number_format = "0.0%"  # shown as 19.5%: Excel stores 0.195
    ratings["F4"].number_format = "0%"
    notes = workbook.create_sheet("Notes")
    notes.append(["anything", "goes"])
    path = tmp_path / "catalog.xlsx"
    workbook.save(path)

    report = await run(session_factory, [path])
    assert counts(report) == {"companies": (1, 0, 0), "titles": (1, 0, 0), "ratings": (2, 0, 0)}
    assert report.skipped == ["catalog.xlsx, sheet Notes: not a kind of record"]
    assert await figures(session_factory) == [
        ("ES", "", 2400000, None, Decimal("20")),
        ("ES", "", 2500000, Decimal("5.45"), Decimal("19.5")),
    ]
    async with session_factory() as session:
        batches = (await session.execute(select(ImportBatch.sheet, ImportBatch.rows))).all()
    assert sorted(batches) == [("Titles", 1), ("companies", 1), ("ratings", 2)]


async def test_workbook_problems_name_the_sheet(session_factory: SessionFactory, tmp_path: Path) -> None:
    from import_helpers import problems_of

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "releases"
    sheet.append(["title", "territory", "admissions"])
    sheet.append(["Nothing Like It", "TR", 5])
    workbook.save(tmp_path / "book.xlsx")
    problems = await problems_of(session_factory, [tmp_path / "book.xlsx"])
    assert problems == ["book.xlsx, sheet releases, row 2, column title: 'Nothing Like It' is not a title "
                        "in the catalog or this import"]


async def test_dry_run_writes_nothing(session_factory: SessionFactory) -> None:
    seen: list[tuple[int, int]] = []
    report = await run(session_factory, sorted(SAMPLES.glob("*.csv")), dry_run=True,
                       progress=lambda done, total: seen.append((done, total)))
    assert report.dry_run
    assert counts(report)["titles"] == (2, 0, 0)
    assert report.lines()[-1] == "Dry run: nothing was written."
    assert await count(session_factory, Title) == 0
    assert await count(session_factory, ImportBatch) == 0
    assert seen[-1][0] == seen[-1][1] > 0


async def test_demo_catalog_facts(session_factory: SessionFactory) -> None:
    from storage.demo_catalog import demo_files

    files = demo_files()
    assert len(files) == 7
    await run(session_factory, files)
    async with session_factory() as session:
        title = await session.scalar(select(Title).where(Title.natural_key == "miracle in cell 7|2019|TR"))
        assert title is not None
        rows = (await session.execute(
            select(AudienceFigure, Airing).join(Airing).options(selectinload(Airing.channel))
            .where(Airing.title_id == title.id, Airing.territory_code == "MX")
        )).all()
        release = await session.scalar(select(Release).where(Release.title_id == title.id,
                                                             Release.territory_code == "TR"))
    viewers = [(f, a) for f, a in rows if f.viewers == 3100000]
    assert len(viewers) == 1
    figure, airing = viewers[0]
    assert figure.share_pct == 19
    assert airing.air_date is None
    assert airing.channel.name == "Imagen TV"
    assert any(f.target == "Households" and f.rating_pct == Decimal("5.45") for f, _ in rows)
    assert release is not None
    assert release.release_date == dt.date(2019, 10, 11)
    assert release.admissions == 5300000


async def test_changed_figure_updates_it(session_factory: SessionFactory, tmp_path: Path) -> None:
    await run(session_factory, base_files(tmp_path))
    rows = "Small Miracles,MX,Imagen TV,,100,,10,,s\nSmall Miracles,MX,Imagen TV,,,2.5,,AB,s\n"
    assert counts(await run(session_factory, [write(tmp_path, "ratings.csv", RATINGS + rows)]))["ratings"] == (2, 0, 0)
    changed = RATINGS + rows.replace("2.5", "2.75").replace(",AB,", ",ab,")
    assert counts(await run(session_factory, [write(tmp_path, "ratings.csv", changed)]))["ratings"] == (0, 1, 1)
    assert await count(session_factory, Airing) == 1
    assert await figures(session_factory) == [("MX", "", 100, None, Decimal("10")),
                                              ("MX", "ab", None, Decimal("2.75"), None)]
