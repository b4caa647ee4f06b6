"""``ratings`` over the demo catalog on SQLite and PostgreSQL: the press release's figures exactly, with
their provenance, in every locale; every way to ask; the replies that ask back; pages within the limits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest

from commands import ratings as ratings_module
from commands.limits import FIELD_NAME_MAX, FIELD_VALUE_MAX, FIELDS_MAX, HEADLINE_MAX, PAGE_CHARS_MAX
from commands.reply import Reply, ReplyKind
from storage import audience as audience_module

Ask = Callable[..., Awaitable[Reply]]
MIRACLE_TR = "miracle in cell no. 7 turkish"  # the 2019 Turkish film, told apart from its remakes


def lines(reply: Reply) -> list[str]:
    """Every listed line, page after page."""
    return [line for page in reply.pages for field in page.fields for line in field.value.split("\n")]


def text(reply: Reply) -> str:
    return "\n".join([reply.headline, reply.body, *lines(reply), *(f.value for f in reply.fields), *reply.notes])


def assert_within_limits(reply: Reply) -> None:
    """Every page fits one Discord message with the headline, body, notes and sources around it."""
    assert len(reply.headline) <= HEADLINE_MAX
    around = len(reply.headline) + len(reply.body) + sum(map(len, reply.notes)) + sum(map(len, reply.sources))
    for page in reply.pages:
        fields = [*reply.fields, *page.fields]
        assert len(fields) <= FIELDS_MAX
        assert all(len(f.name) <= FIELD_NAME_MAX and 0 < len(f.value) <= FIELD_VALUE_MAX for f in fields)
        assert around + sum(len(f.name) + len(f.value) for f in fields) <= PAGE_CHARS_MAX


# --- the press release, exactly ----------------------------------------------------------------------


async def test_mexico_press_figures_with_provenance(ask: Ask) -> None:
    reply = await ask(f"!ratings {MIRACLE_TR} mexico")
    assert reply.kind is ReplyKind.ANSWER
    assert reply.headline == "Ratings: Miracle in Cell No. 7 (2019, Türkiye, film) in Mexico"
    assert reply.body == "2 figures, best first."
    viewers, rating = lines(reply)
    assert viewers.startswith("Imagen TV · date not stated · Prime time: 3,100,000 viewers (3.1 million), share 19%")
    assert "#1 in prime time" in viewers
    assert rating.startswith("Imagen TV · date not stated · Prime time: rating 5.45% (Households)")
    assert "share" not in rating.split(" — ")[0]  # a rating is never shown as a share
    assert reply.sources == ("Inter Medya press release",)
    assert all("source: Inter Medya press release" in line for line in (viewers, rating))


async def test_chile_share(ask: Ask) -> None:
    reply = await ask(f"!ratings {MIRACLE_TR} chile")
    assert lines(reply) == [
        "Canal 13 · date not stated: share 11.6% — Best film broadcast on Canal 13 in four years"
        " · note: audience share · source: Trade article on Miracle in Cell No. 7"
    ]


@pytest.mark.parametrize(
    ("locale", "viewers", "share", "rating"),
    [
        ("en", "3,100,000 viewers (3.1 million)", "share 19%", "rating 5.45% (Households)"),
        ("es", "3.100.000 viewers (3,1 millones)", "share 19\xa0%", "rating 5,45\xa0% (Households)"),
        ("tr", "3.100.000 viewers (3,1 milyon)", "share %19", "rating %5,45 (Households)"),
    ],
)
async def test_numbers_follow_the_readers_locale(ask: Ask, locale: str, viewers: str, share: str,
                                                 rating: str) -> None:
    shown = text(await ask(f"!ratings {MIRACLE_TR} mexico", locale=locale))
    assert viewers in shown
    assert share in shown
    assert rating in shown


# --- ways to ask -------------------------------------------------------------------------------------


async def test_a_list_past_the_count_limit_says_more_than(ask: Ask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratings_module, "FIGURES_COUNTED_UP_TO", 40)
    monkeypatch.setattr(audience_module, "FIGURES_COUNTED_UP_TO", 40)
    monkeypatch.setattr(ratings_module, "MAX_FIGURES", 20)
    reply = await ask("!ratings mexico")
    assert reply.body == "More than 40 figures, best first."
    assert "Showing 20 of more than 40 figures; add a title, channel or period to narrow the list." in reply.notes
    assert len(lines(reply)) == 20


async def test_by_title_lists_every_territory(ask: Ask) -> None:
    reply = await ask(f"!ratings {MIRACLE_TR}")
    assert reply.headline == "Ratings: Miracle in Cell No. 7 (2019, Türkiye, film)"
    # Viewers first, then share: the figure with only a rating comes last.
    assert [line.split(" · ")[0] for line in lines(reply)] == ["Mexico", "Chile", "Mexico"]
    assert set(reply.sources) == {"Inter Medya press release", "Trade article on Miracle in Cell No. 7"}


async def test_by_territory_best_first_names_each_title(ask: Ask) -> None:
    reply = await ask("!ratings mexico")
    assert reply.headline == "Ratings in Mexico"
    assert reply.body == "45 figures, best first."
    shown = lines(reply)
    assert len(shown) == 45
    assert shown[0].startswith("Secrets of the Bosphorus (2025) · Mirador TV · March 22, 2026")
    assert shown[1].startswith("Miracle in Cell No. 7 (2019) · Imagen TV · date not stated")
    assert_within_limits(reply)


async def test_by_group_covers_its_members(ask: Ask) -> None:
    reply = await ask("!ratings latam")
    assert reply.headline == "Ratings in LATAM"
    places = {line.split(" · ")[1] for line in lines(reply)}
    assert {"Mexico", "Chile", "Colombia", "Argentina"} <= places
    assert "Türkiye" not in places
    assert len(lines(reply)) == 94
    assert len(reply.pages) > 1
    assert_within_limits(reply)


async def test_by_channel(ask: Ask) -> None:
    reply = await ask("!ratings imagen tv")
    assert reply.headline == "Ratings on Imagen TV"
    assert len(lines(reply)) == 2
    assert all("Imagen TV" in line for line in lines(reply))


async def test_by_date_newest_first_undated_last(ask: Ask) -> None:
    reply = await ask("!ratings chile by date")
    assert reply.body.endswith("newest first, undated last.")
    shown = lines(reply)
    undated = [i for i, line in enumerate(shown) if "date not stated" in line]
    assert undated == list(range(len(shown) - len(undated), len(shown)))
    assert "Chile" not in shown[0]  # one territory: not repeated on every line


@pytest.mark.parametrize("words", ["by share", "por cuota", "paya göre", "paya gore"])
async def test_by_share_in_three_languages(ask: Ask, words: str) -> None:
    reply = await ask(f"!ratings mexico {words}")
    assert reply.body == "45 figures, highest share first."
    assert lines(reply)[0].startswith("Miracle in Cell No. 7 (2019) · Imagen TV")


async def test_by_rating(ask: Ask) -> None:
    reply = await ask("!ratings small miracles mexico by rating")
    assert "ep. 16: rating 7.47%, share 16.4% (Households, live)" in lines(reply)[0]


async def test_a_period(ask: Ask) -> None:
    reply = await ask("!ratings mexico 2024")
    assert reply.headline == "Ratings in Mexico in 2024"
    assert all("2024" in line for line in lines(reply))
    assert "2 figures without a date are left out of the period." in reply.notes


@pytest.mark.parametrize("words", ["last 90 days", "últimos 90 días", "son 90 gün"])
async def test_last_n_days(ask: Ask, words: str) -> None:
    reply = await ask(f"!ratings mexico {words}", today=dt.date(2026, 3, 31))
    assert reply.headline == "Ratings in Mexico from January 1, 2026 to March 31, 2026"
    assert lines(reply)
    assert all(line.startswith("Secrets of the Bosphorus") for line in lines(reply))


# --- asking back -------------------------------------------------------------------------------------


async def test_miracle_alone_asks_which(ask: Ask) -> None:
    reply = await ask("!ratings miracle")
    assert reply.kind is ReplyKind.CHOICE
    labels = [c.label for c in reply.candidates]
    assert "Miracle in Cell No. 7 (2019, Türkiye, film)" in labels
    assert "Miracle in Cell No. 7 (2013, South Korea, film)" in labels
    picked = next(c for c in reply.candidates if c.label == "Miracle in Cell No. 7 (2019, Türkiye, film)")
    assert picked.query == "!ratings Miracle in Cell No. 7 (2019, TR)"
    again = await ask(picked.query)
    assert again.headline == "Ratings: Miracle in Cell No. 7 (2019, Türkiye, film)"


async def test_a_year_that_two_titles_share_asks_between_them_and_keeps_the_territory(ask: Ask) -> None:
    reply = await ask("!ratings miracle in cell no. 7 2019 mexico")
    assert reply.kind is ReplyKind.CHOICE
    assert [c.query for c in reply.candidates] == [
        "!ratings Miracle in Cell No. 7 (2019, TR) mexico", "!ratings Miracle in Cell No. 7 (2019, PH) mexico"]
    again = await ask(reply.candidates[0].query)
    assert len(lines(again)) == 2


async def test_no_figures_yet(ask: Ask) -> None:
    reply = await ask("!ratings miracle in cell no. 7 2013")
    assert reply.kind is ReplyKind.NOT_FOUND
    assert reply.headline == "No audience figures for Miracle in Cell No. 7 (2013, South Korea, film) yet."


async def test_no_figures_in_a_period(ask: Ask) -> None:
    reply = await ask("!ratings canal 13 2019")
    assert reply.kind is ReplyKind.NOT_FOUND
    assert reply.headline == "No audience figures on Canal 13 in 2019 yet."
    assert reply.notes == ("1 figure without a date is left out of the period.",)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("!ratings mexico foo", "“foo”"),
        ("!ratings narnia", "“narnia”"),
        ("!ratings mexico by popularity", "“by popularity”"),
        ("!ratings mexico by date by share", "one way at a time"),
        ("!ratings mexico 2024 last 30 days", "One period at a time"),
        ("!ratings mexico last 0 days", "“last 0 days”"),
        ("!ratings 2024", "`!top`"),
        ("!ratings", "`!ratings mexico`"),
    ],
)
async def test_words_it_cannot_use_get_one_plain_sentence(ask: Ask, line: str, says: str) -> None:
    reply = await ask(line)
    assert reply.kind is ReplyKind.PROBLEM
    assert says in reply.headline
    assert "`!" in reply.headline  # with an example to type
