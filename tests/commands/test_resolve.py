"""Name resolution over an index built from plain entries: no database, no Discord, no mocks."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from commands.autocomplete import MAX_CHOICE_NAME, autocomplete
from commands.resolve import (
    Ambiguous,
    Found,
    NotFound,
    resolve_company,
    resolve_territory,
    resolve_title,
)
from commands.split import split_query
from storage.keys import name_key
from storage.name_index import NameEntry, NameIndex, Record
from storage.territories import territory_data

KR, TR, PH, ID, GUS, MIRACULOUS, TREE, LONG = 1, 2, 3, 4, 5, 6, 7, 8
LONG_NAME = "The Extraordinarily Long and Winding Chronicle of the House by the Bosphorus " * 3


def title(title_id: int, name: str, year: int, origin: str, kind: str = "film") -> Record:
    return Record("title", title_id, name, year, origin, kind)


def alias(title_id: int, name: str, language: str, name_kind: str = "localized") -> NameEntry:
    return NameEntry("title", title_id, name, name_key(name), language, name_kind)


@pytest.fixture(scope="module")
def index() -> NameIndex:
    records = [
        title(KR, "Miracle in Cell No. 7", 2013, "KR"),
        title(TR, "Miracle in Cell No. 7", 2019, "TR"),
        title(PH, "Miracle in Cell No. 7", 2019, "PH"),
        title(ID, "Miracle in Cell No. 7", 2022, "ID"),
        title(GUS, "Gus", 2018, "US"),
        title(MIRACULOUS, "Miraculous", 2015, "FR", "series"),
        title(TREE, "The Lemon Tree", 2008, "IL"),
        title(LONG, LONG_NAME.strip(), 2020, "TR", "series"),
        Record("company", 1, "Imagen TV", category="broadcaster", territory="MX"),
        Record("company", 2, "Canal 13", category="broadcaster", territory="CL"),
        Record("group", 1, "LATAM", members=("MX", "CL", "CO")),
        Record("group", 2, "MENA", members=("AE", "SA")),
    ]
    names = [
        alias(KR, "7번방의 선물", "ko", "original"),
        alias(TR, "7. Koğuştaki Mucize", "tr", "original"),
        alias(TR, "Koğuştaki Mucize", "tr"),
        alias(TR, "Milagro en la celda 7", "es"),
        NameEntry("company", 1, "Imagen", name_key("Imagen"), "", "alias"),
        NameEntry("company", 1, "Imagen Televisión", name_key("Imagen Televisión"), "", "alias"),
    ]
    return with_territories(records, names)


def with_territories(records: list[Record], names: list[NameEntry]) -> NameIndex:
    """An index of these records and names and every territory, by each of its names and codes."""
    for row in territory_data():
        records.append(Record("territory", row.code, row.names["en"]))
        for name, language in (*((n, lang) for lang, n in row.names.items()), *row.other_names):
            names.append(NameEntry("territory", row.code, name, name_key(name), language))
    return NameIndex.build(records, names)


def found_id(resolution: object) -> int | str:
    assert isinstance(resolution, Found), resolution
    return resolution.candidate.id


def candidate_ids(resolution: object) -> list[int | str]:
    assert isinstance(resolution, Ambiguous), resolution
    return [c.id for c in resolution.candidates]


# --- titles ------------------------------------------------------------------------------------------


def test_a_shared_name_alone_is_a_question(index: NameIndex) -> None:
    resolution = resolve_title(index, "miracle")
    ids = candidate_ids(resolution)
    assert set(ids[:4]) == {KR, TR, PH, ID}
    labels = {c.id: c.label for c in resolution.candidates}  # type: ignore[union-attr]
    assert labels[TR] == "Miracle in Cell No. 7 (2019, Türkiye, film)"
    assert labels[KR] == "Miracle in Cell No. 7 (2013, South Korea, film)"


def test_whole_words_rank_above_partial_hits(index: NameIndex) -> None:
    ids = candidate_ids(resolve_title(index, "miracle"))
    if MIRACULOUS in ids:
        assert ids.index(MIRACULOUS) > max(ids.index(i) for i in (KR, TR, PH, ID))


@pytest.mark.parametrize("text", ["Miracle in Cell No. 7", "miracle in cell 7", "mirakle cel", "MIRACLE IN CELL #7"])
def test_the_full_shared_name_still_asks(index: NameIndex, text: str) -> None:
    assert {KR, TR, PH, ID} <= set(candidate_ids(resolve_title(index, text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("miracle 2013", KR), ("miracle kr", KR), ("miracle korean", KR), ("Miracle in Cell No. 7 (2013)", KR),
        ("miracle turkish", TR), ("miracle tr", TR), ("miracle türkiye", TR), ("miracle 2022", ID),
        ("kogustaki mucize", TR), ("KOĞUŞTAKİ MUCİZE", TR), ("7 kogustaki mucize", TR), ("7. Koğuştaki Mucize", TR),
        ("milagro en la celda 7", TR), ("milagro en la celda", TR), ("kogustaki mucise", TR),
        ("kogustakimucize", TR), ("7번방의 선물", KR), ("miracle philippines", PH),
    ],
)
def test_names_and_qualifiers_that_decide(index: NameIndex, text: str, expected: int) -> None:
    assert found_id(resolve_title(index, text)) == expected


def test_a_year_two_records_share_stays_a_question(index: NameIndex) -> None:
    assert set(candidate_ids(resolve_title(index, "miracle 2019"))) == {TR, PH}


def test_a_word_inside_a_word_is_not_a_match(index: NameIndex) -> None:
    """The WRatio trap: partial_ratio scores 'kogustaki mucize' 90 against a title named 'Gus'."""
    resolution = resolve_title(index, "kogustaki mucize")
    assert found_id(resolution) == TR
    assert not isinstance(resolve_title(index, "kogustaki"), Found) or found_id(resolve_title(index, "kogustaki")) == TR


def test_a_short_title_does_not_win_a_long_query(index: NameIndex) -> None:
    resolution = resolve_title(index, "gus and the secret lemon orchard of the bosphorus")
    assert not isinstance(resolution, Found)


def test_the_short_title_itself_is_found(index: NameIndex) -> None:
    assert found_id(resolve_title(index, "gus")) == GUS


def test_nothing_like_it_is_not_found(index: NameIndex) -> None:
    resolution = resolve_title(index, "xyzzy plover")
    assert isinstance(resolution, NotFound)
    assert resolution.query == "xyzzy plover"


def test_a_weak_match_is_a_suggestion_not_an_answer(index: NameIndex) -> None:
    resolution = resolve_title(index, "lemon orchard of the night")
    assert not isinstance(resolution, Found)
    offered = resolution.candidates if isinstance(resolution, Ambiguous) else resolution.suggestions
    assert TREE in [c.id for c in offered]


def test_candidates_are_capped_at_25() -> None:
    records = [title(i, f"Love {word}", 2000 + i % 20, "TR") for i, word in enumerate(
        ["Story", "Song", "Letter", "Island", "Road", "Bridge", "Garden", "River", "Summer", "Winter", "Night",
         "Secret", "Promise", "Storm", "Dream", "Game", "Price", "House", "City", "Star", "Moon", "Sun", "Wind",
         "Fire", "Rose", "Bride", "Door", "Window", "Dance", "Crown"], start=1)]
    resolution = resolve_title(NameIndex.build(records, []), "love")
    assert isinstance(resolution, Ambiguous)
    assert len(resolution.candidates) == 25


def test_an_autocomplete_value_resolves_to_its_record(index: NameIndex) -> None:
    assert found_id(resolve_title(index, f"title:{PH}")) == PH
    assert found_id(resolve_territory(index, "territory:mx")) == "MX"
    assert found_id(resolve_company(index, "company:1")) == 1
    assert isinstance(resolve_title(index, "title:999"), NotFound)


def test_the_index_is_immutable(index: NameIndex) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        index.records = ()  # type: ignore[misc]


# --- territories and companies -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [("MX", "MX"), ("MEX", "MX"), ("Mexico", "MX"), ("México", "MX"), ("Meksika", "MX"), ("mexco", "MX"),
     ("UK", "GB"), ("USA", "US"), ("Holland", "NL"), ("UAE", "AE"), ("Almanya", "DE"), ("España", "ES"),
     ("South Korea", "KR"), ("Güney Kore", "KR")],
)
def test_territories_by_code_and_name(index: NameIndex, text: str, code: str) -> None:
    assert found_id(resolve_territory(index, text)) == code


def test_korea_asks_which_korea(index: NameIndex) -> None:
    assert set(candidate_ids(resolve_territory(index, "Korea"))) == {"KR", "KP"}


@pytest.mark.parametrize(("text", "group_id"), [("latam", 1), ("LATAM", 1), ("mena", 2)])
def test_groups(index: NameIndex, text: str, group_id: int) -> None:
    resolution = resolve_territory(index, text)
    assert isinstance(resolution, Found)
    assert (resolution.candidate.kind, resolution.candidate.id) == ("group", group_id)
    assert resolution.candidate.label.startswith("LATAM (group, 3 territories)") or group_id == 2


@pytest.mark.parametrize("text", ["imagen", "imagen tv", "Imagen Televisión", "imagen television", "imgen tv"])
def test_companies_by_name_and_alias(index: NameIndex, text: str) -> None:
    resolution = resolve_company(index, text)
    assert found_id(resolution) == 1
    assert resolution.candidate.label == "Imagen TV (broadcaster, Mexico)"  # type: ignore[union-attr]


# --- autocomplete ------------------------------------------------------------------------------------


def test_autocomplete_from_the_first_character(index: NameIndex) -> None:
    choices = autocomplete(index, "title", "m")
    assert 0 < len(choices) <= 25
    assert all(choice.value.startswith("title:") for choice in choices)
    assert {f"title:{i}" for i in (KR, TR, PH, ID)} <= {choice.value for choice in choices}


def test_autocomplete_puts_exact_and_prefix_first_with_year_and_origin(index: NameIndex) -> None:
    choices = autocomplete(index, "title", "miracle in cell")
    assert {c.value for c in choices[:4]} == {f"title:{i}" for i in (KR, TR, PH, ID)}
    assert "Miracle in Cell No. 7 (2022, Indonesia, film)" in [c.name for c in choices]


def test_autocomplete_shows_the_name_that_matched(index: NameIndex) -> None:
    choices = autocomplete(index, "title", "milagro")
    assert choices[0].name == "Milagro en la celda 7 · Miracle in Cell No. 7 (2019, Türkiye, film)"
    assert choices[0].value == f"title:{TR}"


def test_autocomplete_cuts_names_to_100_characters(index: NameIndex) -> None:
    choices = autocomplete(index, "title", "the extraordinarily")
    assert choices[0].value == f"title:{LONG}"
    assert len(choices[0].name) == MAX_CHOICE_NAME
    assert choices[0].name.endswith("…")


def test_autocomplete_values_round_trip(index: NameIndex) -> None:
    for kind, text, resolver in (("title", "kogus", resolve_title), ("territory", "mex", resolve_territory),
                                 ("territory", "lat", resolve_territory), ("company", "imag", resolve_company)):
        choices = autocomplete(index, kind, text)
        assert choices, (kind, text)
        assert isinstance(resolver(index, choices[0].value), Found)


def test_autocomplete_tolerates_typos(index: NameIndex) -> None:
    assert f"title:{TR}" in [c.value for c in autocomplete(index, "title", "kogustaky")]


def test_autocomplete_territories_and_groups(index: NameIndex) -> None:
    values = [c.value for c in autocomplete(index, "territory", "me")]
    assert "territory:MX" in values
    assert "group:2" in values
    assert len(values) <= 25


# --- mixed queries -----------------------------------------------------------------------------------


def test_title_and_territory(index: NameIndex) -> None:
    parsed = split_query(index, "miracle mexico")
    assert {KR, TR, PH, ID} <= set(candidate_ids(parsed.title))
    assert found_id(parsed.place) == "MX"
    assert parsed.leftover == ()


def test_a_command_word_is_left_over(index: NameIndex) -> None:
    parsed = split_query(index, "ratings miracle chile")
    assert found_id(parsed.place) == "CL"
    assert parsed.leftover == ("ratings",)
    assert isinstance(parsed.title, Ambiguous)


def test_title_territory_and_media(index: NameIndex) -> None:
    parsed = split_query(index, "avails kogustaki mucize spain svod")
    assert found_id(parsed.title) == TR
    assert found_id(parsed.place) == "ES"
    assert parsed.media == ("svod",)


def test_group_and_two_word_media(index: NameIndex) -> None:
    parsed = split_query(index, "miracle turkish latam free tv")
    assert found_id(parsed.title) == TR
    resolution = parsed.place
    assert isinstance(resolution, Found)
    assert resolution.candidate.kind == "group"
    assert parsed.media == ("free_tv",)


def test_a_code_that_is_an_everyday_word_is_a_word_inside_a_longer_query() -> None:
    # "and" is Andorra's alpha-3 code, "sen" Senegal's: inside a title they are the title's words.
    index = with_territories([title(1, "Sun Moon", 2020, "KR", "series"),
                              title(2, "Sen Cal Kapimi", 2020, "TR", "series")], [])
    parsed = split_query(index, "ratings sun and moon")
    assert found_id(parsed.title) == 1
    assert parsed.place is None
    parsed = split_query(index, "sen cal kapimi and chile")
    assert found_id(parsed.title) == 2
    assert found_id(parsed.place) == "CL"
    # Alone, the code is the place.
    assert found_id(split_query(index, "sen", wants=("territory",)).place) == "SN"
    assert found_id(split_query(index, "and", wants=("territory", "date")).place) == "AD"


def test_a_year_that_decides_the_title_is_its_qualifier(index: NameIndex) -> None:
    parsed = split_query(index, "miracle 2013 mexico")
    assert found_id(parsed.title) == KR
    assert parsed.period is None


def test_a_year_without_a_title_is_the_period(index: NameIndex) -> None:
    parsed = split_query(index, "top mexico 2019", wants=("territory", "date"))
    assert found_id(parsed.place) == "MX"
    assert parsed.period is not None
    assert (parsed.period.start, parsed.period.end) == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert parsed.leftover == ("top",)


def test_relative_periods_and_written_dates(index: NameIndex) -> None:
    parsed = split_query(index, "mexico last month", wants=("territory", "date"), today=dt.date(2026, 3, 15))
    assert parsed.period is not None
    assert (parsed.period.start, parsed.period.end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    parsed = split_query(index, "avails miracle 2019 chile 01/03/2026")
    assert parsed.period is not None
    assert parsed.period.start == dt.date(2026, 3, 1)
    assert set(candidate_ids(parsed.title)) == {TR, PH}


def test_a_country_name_is_the_territory_where_one_is_wanted(index: NameIndex) -> None:
    parsed = split_query(index, "miracle korea")
    assert set(candidate_ids(parsed.place)) == {"KR", "KP"}
    assert found_id(split_query(index, "miracle korea", wants=("title",)).title) == KR


def test_a_company_part(index: NameIndex) -> None:
    parsed = split_query(index, "imagen tv kogustaki mucize", wants=("title", "company"))
    assert found_id(parsed.company) == 1
    assert found_id(parsed.title) == TR


def test_split_query_takes_autocomplete_references_anywhere() -> None:
    from commands.resolve import Found
    from commands.split import split_query
    from storage.name_index import NameEntry, NameIndex, Record

    index = NameIndex.build(
        [Record("title", 1, "Miracle in Cell No. 7", 2019, "TR", "film"),
         Record("title", 2, "Miracle in Cell No. 7", 2013, "KR", "film"),
         Record("territory", "MX", "Mexico"), Record("territory", "ES", "Spain"),
         Record("company", 5, "Imagen TV", territory="MX", category="broadcaster")],
        [NameEntry("territory", "MX", "México", "mexico", "es")],
    )
    parsed = split_query(index, "title:2 territory:MX svod", ("title", "territory", "company", "media"))
    assert isinstance(parsed.title, Found)
    assert parsed.title.id == 2
    assert isinstance(parsed.place, Found)
    assert parsed.place.id == "MX"
    assert parsed.media == ("svod",)
    assert not parsed.leftover
    mixed = split_query(index, "title:1 spain", ("title", "territory"))
    assert isinstance(mixed.title, Found)
    assert mixed.title.id == 1
    assert isinstance(mixed.place, Found)
    assert mixed.place.id == "ES"
    company = split_query(index, "company:5", ("company",))
    assert isinstance(company.company, Found)
    assert company.company.id == 5


def test_country_codes_that_are_common_words_stay_words_in_a_mixed_query() -> None:
    from commands.resolve import Found, resolve_territory
    from commands.split import split_query
    from storage.name_index import NameEntry, NameIndex, Record

    index = NameIndex.build(
        [Record("title", 1, "Small Miracles", 2023, "TR", "series"), Record("territory", "IN", "India"),
         Record("territory", "ES", "Spain")],
        [NameEntry("territory", "IN", "IN", "in", "iso"), NameEntry("territory", "ES", "ES", "es", "iso")],
    )
    parsed = split_query(index, "small miracles from 2027-01-01 in spain", ("title", "territory", "date"))
    assert isinstance(parsed.place, Found)
    assert parsed.place.id == "ES"
    alone = resolve_territory(index, "IN")
    assert isinstance(alone, Found)
    assert alone.id == "IN"
