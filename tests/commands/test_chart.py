"""``chart``: a real PNG of the expected size, drawn off the event loop, with the same numbers as text."""

from __future__ import annotations

import io
import struct
import threading
import warnings

import pytest
from PIL import Image
from test_ratings import Ask, assert_within_limits, lines

from commands import chart
from commands.chart import DPI, HEIGHT_PX, WIDTH_PX, Bars, ChartData, render_png
from commands.reply import Chart, ReplyKind

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a valid PNG has first, right after the signature."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def assert_valid_png(image: Chart) -> None:
    assert png_size(image.png) == (WIDTH_PX, HEIGHT_PX) == (1000, 600)
    with Image.open(io.BytesIO(image.png)) as opened:
        opened.verify()  # the whole file, CRCs included
        assert opened.size == (1000, 600)


async def test_a_titles_chart_across_territories(ask: Ask) -> None:
    reply = await ask("!chart miracle in cell no. 7 turkish")
    assert reply.kind is ReplyKind.ANSWER
    assert reply.chart is not None
    assert_valid_png(reply.chart)
    assert reply.chart.filename == "chart-miracle-in-cell-no-7-2019.png"
    assert reply.chart.alt_text == (
        "Bar chart of Miracle in Cell No. 7 (2019, Türkiye, film): best audience by territory;"
        " best viewers per territory: Mexico 3.1 million; best share per territory: Mexico 19%, Chile 11.6%."
    )
    assert lines(reply) == [
        "Mexico: 3,100,000 viewers (Imagen TV, date not stated); share 19% (Imagen TV, date not stated)",
        "Chile: share 11.6% (Canal 13, date not stated)",
    ]
    assert set(reply.sources) == {"Inter Medya press release", "Trade article on Miracle in Cell No. 7"}
    assert_within_limits(reply)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Secrets of the Bosphorus (2025) 3.2 million"), ("es", "Secrets of the Bosphorus (2025) 3,2 millones"),
     ("tr", "Secrets of the Bosphorus (2025) 3,2 milyon")],
)
async def test_a_territorys_top_titles_in_the_readers_locale(ask: Ask, locale: str, expected: str) -> None:
    reply = await ask("!chart mexico", locale=locale)
    assert reply.chart is not None
    assert_valid_png(reply.chart)
    assert reply.headline == "Chart: Top titles in Mexico"
    assert reply.chart.filename == "chart-mexico.png"
    assert expected in reply.chart.alt_text
    assert len(lines(reply)) == 4


async def test_a_group_and_a_period(ask: Ask) -> None:
    reply = await ask("!chart latam 2024")
    assert reply.chart is not None
    assert reply.chart.filename == "chart-latam-2024.png"
    assert [line.split(":")[0] for line in lines(reply)] == [
        "Small Miracles (2023)", "Broken Wings (2015)", "Hearts of Istanbul (2019)"]


async def test_the_drawing_runs_in_a_worker_thread(ask: Ask, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []

    def recording(data: ChartData) -> bytes:
        threads.append(threading.current_thread())
        return render_png(data)

    monkeypatch.setattr(chart, "render_png", recording)
    reply = await ask("!chart small miracles")
    assert reply.chart is not None
    assert threads
    assert threads[0] is not threading.main_thread()


def test_turkish_and_spanish_letters_render_without_missing_glyphs() -> None:
    data = ChartData(
        title="Şahika'nın Sırrı — Milagro en la celda 7: İstanbul, Güneş, Año, Ñandú",
        per="title",
        categories=("7. Koğuştaki Mucize (2019)", "Dilekler Dağı (2024)", "Canal Pacífico Sur"),
        panels=(Bars("viewers", (3_100_000.0, None, 690_000.0)), Bars("share", (19.0, 11.6, None))),
        locale="tr",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        png = render_png(data)
    assert png_size(png) == (WIDTH_PX, HEIGHT_PX)
    assert DPI == 100


@pytest.mark.parametrize(
    ("line", "kind"),
    [("!chart", ReplyKind.PROBLEM), ("!chart 2024", ReplyKind.PROBLEM), ("!chart miracle", ReplyKind.CHOICE),
     ("!chart miracle in cell no. 7 2013", ReplyKind.NOT_FOUND), ("!chart mexico by date", ReplyKind.PROBLEM)],
)
async def test_no_chart_without_a_clear_subject_and_data(ask: Ask, line: str, kind: ReplyKind) -> None:
    reply = await ask(line)
    assert reply.kind is kind
    assert reply.chart is None
