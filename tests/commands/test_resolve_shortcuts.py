"""The shortcuts that keep mixed queries fast at 100,000 titles answer exactly as the long way round.

- ``rank(..., floor)`` leaves out unscored only records that could not reach the floor;
- ``split_query`` skips readings that could not beat the best one so far, and ranks no place or company
  when a title alone explains every word;
- the reading without place or company ranks its shorter title runs only when a comparison needs them;
- a query made only of words most names carry ("and the") is ranked among the shortest names holding them
  rather than among thousands of names sharing both.

Checked on the seeded multilingual catalog of the evaluation (``resolve_catalog``) with its generated
queries, alone and mixed with places, channels, media and years, as ``split_query`` sees them in commands.
"""

from __future__ import annotations

import inspect
import math
import random
from typing import Any

import pytest
from resolve_catalog import generate_titles, generated_parts, territory_parts
from resolve_queries import absent_queries, generated_queries, group_and_company_queries, territory_queries

import commands.resolve
import commands.split
from commands.resolve import Ambiguous, Found, rank, resolve_title
from commands.split import PLACE_SCORE, split_query
from storage.keys import name_key
from storage.name_index import NameIndex, Record

PLACES = ("mexico", "latam", "spain", "turkiye", "chile", "mexco", "espana", "nordics", "brasil", "peru")
WANTS = (("title", "territory", "company", "date"), ("title", "territory", "media", "date"), ("company",))


@pytest.fixture(scope="module")
def catalog() -> tuple[NameIndex, list[str]]:
    titles = generate_titles(1500, seed=11)
    parts = generated_parts(titles, with_demo=True)
    queries = [q.text for q in generated_queries(titles, parts, sample=150)] + [q.text for q in absent_queries(parts)]
    queries += [q.text for q in territory_queries()] + [q.text for q in group_and_company_queries()]
    rng = random.Random(3)  # noqa: S311 - a seeded sample, not a secret
    mixed = [f"{text} {rng.choice(PLACES)}" for text in queries[:120]]
    mixed += [f"{rng.choice(PLACES)} {text} svod 2024" for text in queries[120:200]]
    return NameIndex.build(*parts), queries + mixed


def test_a_floor_leaves_out_only_what_could_not_reach_it(catalog: tuple[NameIndex, list[str]]) -> None:
    index, queries = catalog
    compared = 0
    for text in queries:
        words = name_key(text).split()
        spans = [words[start:start + width] for start in range(len(words)) for width in (1, 2, 3)
                 if start + width <= len(words)]
        for kind in ("territory", "group", "company", "title"):
            for span in spans:
                everything = [(s.position, s.score) for s in rank(index, kind, span)]
                floored = [(s.position, s.score) for s in rank(index, kind, span, PLACE_SCORE)]
                strong = [scored for scored in everything if scored[1] >= PLACE_SCORE]
                assert [scored for scored in floored if scored[1] >= PLACE_SCORE] == strong, (kind, span)
                compared += bool(strong)
    assert compared > 300  # the spans did reach the floor often: the check compared real answers


def the_long_way_round(monkeypatch: pytest.MonkeyPatch) -> None:
    """``split_query`` without its shortcuts: every reading read in full, every span ranked, and the reading
    without place or company read in full and compared as it is, whatever its bounds say."""
    monkeypatch.setattr(commands.split, "_most_explained", lambda *_: math.inf)
    monkeypatch.setattr(commands.split, "_explains_every_word", lambda *_: False)
    unplaced = commands.split._Unplaced
    monkeypatch.setattr(unplaced, "explains_every_word", lambda _self: False)
    monkeypatch.setattr(unplaced, "leaves_behind", lambda self, most: most < self.reading().explained - 0.05)
    monkeypatch.setattr(unplaced, "loses_to", lambda self, other: commands.split._better(other, self.reading()))


def test_readings_left_out_could_not_have_won(catalog: tuple[NameIndex, list[str]],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    index, queries = catalog
    read = commands.split._read
    placed, unplaced_in_full = set(), set()  # questions (words and wants) read with a place, without one in full

    def counted(*args: Any, **options: Any) -> Any:
        given = inspect.signature(read).bind(*args, **options)
        given.apply_defaults()
        question = (tuple(given.arguments["words"]), given.arguments["wants"])
        if given.arguments["chosen_spans"] != (None, None):
            placed.add(question)
        elif not given.arguments["whole_run_only"]:
            unplaced_in_full.add(question)
        return read(*args, **options)

    monkeypatch.setattr(commands.split, "_read", counted)
    quick = {(text, wants): repr(split_query(index, text, wants)) for text in queries for wants in WANTS}
    # Questions read with a place, whose reading without one was decided by its whole run alone.
    assert len(placed - unplaced_in_full) > 100
    monkeypatch.setattr(commands.split, "_read", read)
    the_long_way_round(monkeypatch)
    for (text, wants), parsed in quick.items():
        assert repr(split_query(index, text, wants)) == parsed, (text, wants)


def test_a_reading_without_place_is_read_in_full_when_a_comparison_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Titles made of place names and a few other words, asked about with words left over and words run
    # together: a run shorter than the whole often finds a title that covers more words than the whole run's
    # best ("fire ratings chile city": "Night City Chile" from "chile city", "City" from the whole), and a
    # run-together word may count two: the bounds must allow for both.
    vocabulary = ["golden", "night", "river", "chile", "spain", "rose", "wind", "kara", "sevda", "love", "fire",
                  "stone", "mexico", "latam", "city"]
    rng = random.Random(1)  # noqa: S311 - a seeded sample, not a secret
    territories, territory_names = territory_parts()
    asked = []
    for _ in range(80):
        titles = [Record("title", number, " ".join(rng.sample(vocabulary, rng.randint(1, 4))).title(), 2000, "TR",
                         "series") for number in range(1, 7)]
        index = NameIndex.build([*titles, *territories], territory_names)
        for _ in range(10):
            words = rng.sample([*vocabulary, "ratings", "please", "the"], rng.randint(2, 5))
            if rng.random() < 0.3:  # two words run together ("nightcity"), which a title's words may explain as two
                at = rng.randrange(len(words) - 1)
                words[at: at + 2] = [words[at] + words[at + 1]]
            text = " ".join(words)
            asked.append((index, text, repr(split_query(index, text, ("title", "territory", "date")))))
    the_long_way_round(monkeypatch)
    for index, text, parsed in asked:
        assert repr(split_query(index, text, ("title", "territory", "date"))) == parsed, text


def test_common_words_alone_rank_the_shortest_names_holding_them(monkeypatch: pytest.MonkeyPatch) -> None:
    nouns = ["Storm", "Song", "Letter", "Island", "Road", "Bridge", "Garden", "River", "Summer", "Winter"]
    records = [Record("title", 1, "The Sun and the Moon", 2001, "TR", "film")]
    records += [Record("title", number, f"The {noun} and the {other} of {place}", 2000, "TR", "series")
                for number, (noun, other, place) in enumerate(
                    ((n, o, p) for n in nouns for o in nouns for p in ("Izmir", "Mardin", "Bursa")), start=2)]
    index = NameIndex.build(records, [])
    telling, common = resolve_title(index, "sun and the moon"), resolve_title(index, "and the")
    assert isinstance(telling, Found)
    assert telling.candidate.id == 1
    assert isinstance(common, Ambiguous)
    # Every word is now held by too many names to narrow: the shortest names holding each stand in for
    # the intersections, and the answers stay (the shortest names are the ones that scored best).
    monkeypatch.setattr(commands.resolve, "NARROWING_HOLDERS", 5)
    assert resolve_title(index, "sun and the moon") == telling
    assert resolve_title(index, "and the") == common
