"""``press``: the press release's figures reproduced from the demo catalog in en/es/tr, the quotes verbatim,
the sources, the language-word rule, and nothing said that the catalog does not hold."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from commands import limits
from commands import press as press_module
from commands.context import CommandContext, Reader
from commands.dispatch import COMMANDS
from commands.press import HELP, run_press
from commands.press_phrases import en_article, es_count, tr_from, tr_in
from commands.reply import Reply, ReplyKind
from storage.db import SessionFactory
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.name_index import NameIndex
from storage.name_loading import load_name_index

Press = Callable[..., Awaitable[Reply]]
TODAY = dt.date(2026, 11, 26)
NBSP = "\xa0"  # Babel's Spanish percent: "19 %" with a no-break space
TR_FILM = "Miracle in Cell No. 7 (2019, TR)"
SOURCES = ("Inter Medya press release", "Trade article on Miracle in Cell No. 7")


def _press_with(session_factory: SessionFactory, names: NameIndex) -> Press:
    async def answer(line: str, *, locale: str = "en") -> Reply:
        async with session_factory() as session:
            return await run_press(line, CommandContext(session, Reader(locale=locale), names, TODAY))

    return answer


async def _press_over(session_factory: SessionFactory, tmp_path: Path, files: dict[str, str]) -> Press:
    """``press`` over a catalog imported from these files (name: CSV text)."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    await import_files(session_factory, [tmp_path / name for name in files])
    async with session_factory() as session:
        names = await load_name_index(session)
    return _press_with(session_factory, names)


@pytest.fixture
def press(demo_session_factory: SessionFactory, demo_names: NameIndex) -> Press:
    """``press`` over the demo catalog, called directly so these tests do not depend on the dispatcher."""
    return _press_with(demo_session_factory, demo_names)


def field(reply: Reply, name: str) -> str:
    return "\n".join(f.value for f in reply.fields if f.name.startswith(name))


def demo_quotes(title_cell: str) -> list[dict[str, str]]:
    path = next(p for p in demo_files() if p.name == "quotes.csv")
    with path.open(encoding="utf-8", newline="") as file:
        return [row for row in csv.DictReader(file) if row["title"] == title_cell]


# --- the press release, in three languages --------------------------------------------------------------


async def test_english_reproduces_the_press_release(press: Press) -> None:
    reply = await press(TR_FILM)
    assert reply.kind is ReplyKind.ANSWER
    assert reply.headline == "Press lines: Miracle in Cell No. 7 (2019, Türkiye, film)"
    sentences = [
        "Miracle in Cell No. 7 (7. Koğuştaki Mucize) reached more than 3.1 million viewers on Imagen TV in Mexico,"
        " a 19% share of national free TV, and topped the prime-time charts.",
        "It was the most successful movie in Imagen TV's broadcast history, with a 5.45% household rating"
        " nationally.",
        "In Chile, its broadcast on Canal 13 drew an 11.6% audience share, the best film broadcast on Canal 13 in"
        " four years.",
        # Babel's long English date; the release row has no note saying "more than", so none is said.
        "Released in theaters in Türkiye on October 11, 2019, it drew 5.3 million admissions, the most-watched"
        " movie of 2019.",
    ]
    assert reply.body == " ".join(sentences)
    assert "Highlights" not in [f.name for f in reply.fields]  # every rank note was said in a sentence


async def test_spanish_numbers_dates_and_names(press: Press) -> None:
    reply = await press(f"{TR_FILM} es")
    body = reply.body
    assert reply.headline.startswith("Textos de prensa: ")
    assert body.startswith("Milagro en la celda 7 (7. Koğuştaki Mucize) alcanzó más de 3,1 millones de"
                           " espectadores en Imagen TV, en México,")
    assert f"un 19{NBSP}% de cuota de pantalla de la televisión abierta nacional" in body
    assert "lideró la franja de máxima audiencia" in body
    assert f"un 5,45{NBSP}% de rating en hogares a nivel nacional" in body
    assert f"En Chile, su emisión en Canal 13 registró un 11,6{NBSP}% de cuota de pantalla." in body
    assert "en los cines de Turquía el 11 de octubre de 2019" in body
    assert "sumó 5,3 millones de espectadores" in body
    assert "la película más vista de 2019" in body
    # Rank notes with no Spanish template are listed as recorded, never paraphrased.
    highlights = field(reply, "Destacados")
    assert "Imagen TV, México: “Most successful movie in Imagen TV's broadcast history”" in highlights
    assert "Canal 13, Chile: “Best film broadcast on Canal 13 in four years”" in highlights


async def test_turkish_numbers_dates_and_names(press: Press) -> None:
    reply = await press(f"{TR_FILM} tr")
    body = reply.body
    assert reply.headline.startswith("Basın metni: ")
    assert body.startswith("7. Koğuştaki Mucize, Meksika'da Imagen TV ekranlarında 3,1 milyondan fazla izleyiciye"
                           " ulaştı, ulusal ücretsiz televizyonda %19 izlenme payı elde etti")
    assert "hanelerde %5,45 reyting" in body
    assert "Şili'de Canal 13 ekranlarında %11,6 izlenme payı" in body
    assert "11 Ekim 2019 tarihinde Türkiye'de vizyona girdi, 5,3 milyon seyirciye ulaştı" in body
    assert "2019 yılının en çok izlenen filmi" in body
    assert "Imagen TV, Meksika: “Most successful movie in Imagen TV's broadcast history”" in field(reply, "Öne")


async def test_default_language_is_the_readers_locale(press: Press) -> None:
    spanish = await press(TR_FILM, locale="es")
    turkish = await press(TR_FILM, locale="tr_TR")
    other = await press(TR_FILM, locale="de")
    assert spanish.body.startswith("Milagro en la celda 7")
    assert turkish.body.startswith("7. Koğuştaki Mucize,")
    assert other.body.startswith("Miracle in Cell No. 7 (7. Koğuştaki Mucize) reached")


async def test_quotes_verbatim_with_who_said_them(press: Press) -> None:
    reply = await press(TR_FILM)
    quotes = field(reply, "Quotes on record")
    rows = demo_quotes(TR_FILM)
    assert len(rows) == 2
    for row in rows:  # undated: no date in brackets
        assert f"“{row['quote']}” — {row['person']}, {row['role']}, {row['organization']}" in quotes.splitlines()


async def test_dated_quotes_show_the_date_in_the_language(press: Press) -> None:
    row = demo_quotes("Small Miracles")[0]
    english = field(await press("Small Miracles"), "Quotes on record")
    spanish = field(await press("Small Miracles es"), "Declaraciones registradas")
    line = f"“{row['quote']}” — {row['person']}, {row['role']}, {row['organization']}"
    assert f"{line} (February 24, 2025)" in english
    assert f"{line} (24 de febrero de 2025)" in spanish


async def test_sources_line_names_each_source_once(press: Press) -> None:
    assert (await press(TR_FILM)).sources == SOURCES
    assert (await press(f"{TR_FILM} tr")).sources == SOURCES


# --- which word is the language -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "locale", "starts"),
    [
        (TR_FILM, "en", "Miracle in Cell No. 7 (7. Koğuştaki Mucize) reached"),  # "(2019, TR)" is no language
        ("milagro en la celda 7 es", "en", "Milagro en la celda 7 (7. Koğuştaki Mucize) alcanzó"),
        (f"{TR_FILM} türkçe", "en", "7. Koğuştaki Mucize, Meksika'da"),
        (f"{TR_FILM} Español", "en", "Milagro en la celda 7"),
        ("koğuştaki mucize english", "tr", "Miracle in Cell No. 7 (7. Koğuştaki Mucize) reached"),
        # The words before "tr" / "turkish" fit four titles: the last word is the origin, not the language.
        ("miracle in cell no 7 2019 tr", "en", "Miracle in Cell No. 7 (7. Koğuştaki Mucize) reached"),
        ("miracle in cell no 7 turkish", "es", "Milagro en la celda 7"),
    ],
)
async def test_the_last_word_is_a_language_only_when_the_rest_is_one_title(
        press: Press, line: str, locale: str, starts: str) -> None:
    reply = await press(line, locale=locale)
    assert reply.kind is ReplyKind.ANSWER
    assert "(2019, Türkiye, film)" in reply.headline
    assert reply.body.startswith(starts)


async def test_language_word_that_would_change_the_title_is_asked_about(
        session_factory: SessionFactory, tmp_path: Path) -> None:
    (tmp_path / "titles.csv").write_text(
        "title,original_title,original_language,kind,year,origin,source\n"
        "Night Train,,en,film,2019,US,tiny test\n"
        "Night Trains,Gece Trenleri,tr,film,2021,TR,tiny test\n",
        encoding="utf-8",
    )
    await import_files(session_factory, [tmp_path / "titles.csv"])
    async with session_factory() as session:
        names = await load_name_index(session)
    reply = await _press_with(session_factory, names)("night train tr")
    assert reply.kind is ReplyKind.CHOICE
    assert [c.query for c in reply.candidates] == ["!press Night Train (2019, US) tr", "!press Night Trains (2021, TR)"]


# --- only what the catalog holds ------------------------------------------------------------------------


async def test_a_title_with_no_figures(press: Press) -> None:
    with_quote = await press("The Ferryman")
    assert with_quote.headline == "Press lines: The Ferryman (2026, Türkiye, series)"
    assert with_quote.body == "No audience figures or releases on record yet."
    assert field(with_quote, "Quotes on record").startswith("“The Ferryman is the darkest and most ambitious series")
    bare = await press("The Lighthouse (2023, ES) es")
    assert bare.body == "Todavía no constan cifras de audiencia ni estrenos."
    assert bare.fields == ()
    assert bare.sources == ()


@pytest.fixture
async def tiny_press(session_factory: SessionFactory, tmp_path: Path) -> Press:
    """A purpose-built catalog: a share without viewers, viewers with no "more than", a very long quote."""
    files = {
        "titles.csv": "title,original_title,original_language,kind,year,origin,source\n"
                      "Quiet Harbour,Sessiz Liman,tr,film,2024,TR,tiny test\n",
        "companies.csv": "name,kind,territory,source\nCanal Norte,broadcaster,AR,tiny test\n"
                         "Rheinwelle TV,broadcaster,DE,tiny test\n",
        "ratings.csv": "title,territory,channel,air_date,viewers,rating_pct,share_pct,target,measurement,rank_note,"
                       "notes,source\n"
                       "Quiet Harbour,AR,Canal Norte,2025-03-02,,,8.2,,,Seen in AR,,Buyer report\n"
                       "Quiet Harbour,DE,Rheinwelle TV,2025-05-01,1234567,,,Total,consolidated,,Live + 7 days,"
                       "AGF\n",
        "quotes.csv": "title,quote,person,role,organization,date,source\n"
                      f"Quiet Harbour,{'A very long quote. ' * 80}The end.,Ayşe Kaya,Director,,2024-06-01,tiny test\n",
    }
    return await _press_over(session_factory, tmp_path, files)


async def test_no_sentence_claims_a_figure_the_catalog_lacks(tiny_press: Press) -> None:
    reply = await tiny_press("Quiet Harbour")
    sentences = reply.body.split(". ")
    argentina = next(s for s in sentences if "Argentina" in s)
    assert "viewers" not in argentina
    assert "rating" not in argentina
    assert "an 8.2% audience share" in argentina
    # "Live + 7 days" is not a floor: the count is stated plainly, as consolidated.
    assert "reached 1.2 million viewers (consolidated) on Rheinwelle TV in Germany" in reply.body
    assert "more than" not in reply.body
    # A rank note no template fits is listed as recorded, not woven in.
    assert field(reply, "Highlights (as recorded)") == "Canal Norte, Argentina: “Seen in AR”"
    assert reply.sources == ("AGF", "Buyer report", "tiny test")


@pytest.fixture
async def busy_press(session_factory: SessionFactory, tmp_path: Path) -> Press:
    """A title aired on far more channels than a body has sentences for, with ranks said and only recorded,
    figures with no number, and releases after them."""
    countries = ("AR", "BR", "CL", "CO", "DE", "ES", "FR", "IT", "MX", "PE", "PL", "PT", "RO", "TR", "UY", "US")
    companies = "".join(f"Channel {code},broadcaster,{code},busy test\n" for code in countries)
    ratings = "".join(
        f"Long Road,{code},Channel {code},2025-0{1 + n % 9}-1{n % 10},{900_000 + 97_000 * n if n % 4 else ''},"
        f"{f'{1 + n % 7}.{n}' if n % 3 else ''},{f'{10 + n}.5' if n % 5 else ''},"
        f"{'#1 in its slot' if n % 6 == 1 else 'Seen by the buyer' if n % 6 in (0, 4) else ''},"
        f"source {n}\n"
        for n, code in enumerate(countries))
    ratings += "Long Road,AR,Channel AR,2025-09-30,,,,Seen again,source 9\n"  # no number to say
    files = {
        "titles.csv": "title,original_title,original_language,kind,year,origin,source\n"
                      "Long Road,Uzun Yol,tr,series,2024,TR,busy test\n",
        "companies.csv": "name,kind,territory,source\n" + companies,
        "ratings.csv": "title,territory,channel,air_date,viewers,rating_pct,share_pct,rank_note,source\n" + ratings,
        "releases.csv": "title,territory,release_date,admissions,gross,currency,rank_note,source\n"
                        "Long Road,TR,2024-10-11,1500000,,,Most-watched series of 2024,release source\n"
                        "Long Road,DE,,,,,Seen in cinemas,release note source\n",
    }
    return await _press_over(session_factory, tmp_path, files)


@pytest.mark.parametrize("language", ["en", "es", "tr"])
async def test_sentences_past_the_body_are_counted_not_written(busy_press: Press, language: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The reply is the one every sentence written would give: the same body, highlights, sources and the
    note that sentences were left out."""
    reply = await busy_press(f"Long Road {language}")
    assert reply.notes  # more sentences than the body holds, said so
    monkeypatch.setattr(press_module._Writer, "full", property(lambda _writer: False))
    assert await busy_press(f"Long Road {language}") == reply


async def test_a_quote_too_long_for_a_field_is_cut_and_said_so(tiny_press: Press) -> None:
    reply = await tiny_press("Quiet Harbour tr")
    quote = field(reply, "Kayıtlı demeçler")
    assert len(quote) <= limits.FIELD_VALUE_MAX
    assert quote.startswith("“A very long quote. A very long quote.")
    assert quote.endswith("…")
    assert any("kısaltıldı" in note for note in reply.notes)


# --- not one title; limits ------------------------------------------------------------------------------


async def test_ambiguous_title_offers_the_candidates(press: Press) -> None:
    reply = await press("miracle in cell no 7 es")
    assert reply.kind is ReplyKind.CHOICE
    assert "!press Miracle in Cell No. 7 (2019, TR)" in [c.query for c in reply.candidates]
    assert len(reply.candidates) == 4


@pytest.mark.parametrize("line", ["", "   ", "x" * 201, "miracle\x00"])
async def test_unusable_input_gets_one_sentence(press: Press, line: str) -> None:
    reply = await press(line)
    assert reply.kind is ReplyKind.PROBLEM
    assert "!press" in reply.headline


async def test_not_found_says_so(press: Press) -> None:
    assert (await press("zzqx blorp")).kind is ReplyKind.NOT_FOUND


@pytest.mark.parametrize("language", ["en", "es", "tr"])
async def test_every_demo_title_fits_the_limits(press: Press, demo_names: NameIndex, language: str) -> None:
    titles = [record for record in demo_names.records if record.kind == "title"]
    assert len(titles) > 20
    for record in titles:
        qualifiers = ", ".join(str(q) for q in (record.year, record.origin) if q)
        reply = await press(f"{record.name} ({qualifiers}) {language}")
        assert reply.kind is ReplyKind.ANSWER, record.name
        assert len(reply.headline) <= limits.HEADLINE_MAX
        assert 0 < len(reply.body) <= limits.BODY_MAX
        assert len(reply.fields) <= limits.FIELDS_MAX
        shown = [*reply.fields, *(f for page in reply.pages for f in page.fields)]
        assert all(len(f.value) <= limits.FIELD_VALUE_MAX and len(f.name) <= limits.FIELD_NAME_MAX for f in shown)
        assert "{" not in reply.body  # every slot filled
        assert "  " not in reply.body  # no gap left by an empty clause


async def test_dispatcher_routes_press_once_wired(ask: Callable[..., Awaitable[Reply]]) -> None:
    if "press" not in COMMANDS:
        pytest.skip("press is not wired into commands.dispatch yet")
    assert COMMANDS["press"].help == HELP
    reply = await ask(f"!press {TR_FILM} es")
    assert reply.body.startswith("Milagro en la celda 7")


# --- the grammar helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "article"), [
    ("19%", "a"), ("11.6%", "an"), ("8%", "an"), ("18.2%", "an"), ("80%", "an"), ("5.45%", "a"), ("1.8%", "a"),
    ("11,000", "an"), ("110%", "a"),
])
def test_english_article_follows_how_the_number_is_said(number: str, article: str) -> None:
    assert en_article(number) == article


@pytest.mark.parametrize(("count", "expected"), [
    ("3,1 milyon", "3,1 milyondan"), ("470 bin", "470 binden"), ("2 milyar", "2 milyardan"),
    ("5", "5'ten"), ("6", "6'dan"), ("40", "40'tan"), ("9.500", "9.500'den"), ("100", "100'den"),
])
def test_turkish_ablative_on_numbers(count: str, expected: str) -> None:
    assert tr_from(count) == expected


@pytest.mark.parametrize(("country", "expected"), [
    ("Meksika", "Meksika'da"), ("Şili", "Şili'de"), ("Türkiye", "Türkiye'de"), ("Fas", "Fas'ta"),
    ("Irak", "Irak'ta"), ("Dominik Cumhuriyeti", "Dominik Cumhuriyeti'nde"), ("Almanya", "Almanya'da"),
    ("Birleşik Arap Emirlikleri", "Birleşik Arap Emirlikleri'nde"), ("El Salvador", "El Salvador'da"),
])
def test_turkish_locative_on_country_names(country: str, expected: str) -> None:
    assert tr_in(country) == expected


def test_spanish_de_after_millions() -> None:
    assert es_count("3,1 millones") == "3,1 millones de"
    assert es_count("1 millón") == "1 millón de"
    assert es_count("470.000") == "470.000"
