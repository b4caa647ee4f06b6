"""``top`` over the demo catalog on both engines: one row per title, periods, metrics, and plain refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from test_ratings import Ask, assert_within_limits, lines

from commands.reply import ReplyKind


def titles(reply_lines: list[str]) -> list[str]:
    return [line.split(". ", 1)[1].split(" — ")[0] for line in reply_lines]


async def test_one_row_per_title_so_a_series_does_not_fill_the_board(ask: Ask) -> None:
    reply = await ask("!top")
    assert reply.kind is ReplyKind.ANSWER
    assert reply.headline == "Top titles by viewers in all territories"
    board = lines(reply)
    assert len(board) == 10
    assert len(set(titles(board))) == 10
    assert board[0].startswith("1. Small Miracles (2023) — 7,225,000 viewers (7.2 million)")
    assert "32 airings" in board[0]
    assert reply.body == "The best 10 titles with figures, one row per title."
    assert_within_limits(reply)


async def test_a_group_and_a_year(ask: Ask) -> None:
    reply = await ask("!top latam 2024")
    assert reply.headline == "Top titles by viewers in LATAM in 2024"
    assert titles(lines(reply)) == ["Small Miracles (2023)", "Broken Wings (2015)", "Hearts of Istanbul (2019)"]
    assert all("2024" in line for line in lines(reply))
    assert "Figures without an air date are left out of a period." in reply.notes


async def test_by_share_puts_the_press_release_first_in_mexico(ask: Ask) -> None:
    reply = await ask("!top mexico by share")
    first = lines(reply)[0]
    assert first.startswith("1. Miracle in Cell No. 7 (2019) — 3,100,000 viewers (3.1 million), share 19% · Imagen TV")
    assert "1 airing" in first
    assert "Mexico" not in first.split(" — ")[1]  # one territory asked: not repeated
    assert reply.sources[0] == "Inter Medya press release"


async def test_a_target_groups_share_never_outranks_a_whole_audience(ask: Ask) -> None:
    reply = await ask("!top saudi arabia by share")
    first = lines(reply)[0]
    assert first.startswith("1. Desert Rose (2024) — 3,531,000 viewers (3.5 million), rating 11.77%, share 45.2%")
    assert "81.5" not in "\n".join(lines(reply))
    assert any("whole-audience" in note for note in reply.notes)


async def test_size(ask: Ask) -> None:
    assert len(lines(await ask("!top 3"))) == 3
    assert len(lines(await ask("!top 3 mexico"))) == 3


async def test_this_month(ask: Ask) -> None:
    reply = await ask("!top this month", today=dt.date(2026, 3, 20))
    assert reply.headline == "Top titles by viewers from March 1, 2026 to March 31, 2026"
    assert titles(lines(reply)) == ["Secrets of the Bosphorus (2025)", "The Lighthouse Keeper's Daughter (2024)"]


@pytest.mark.parametrize("words", ["last 90 days", "últimos 90 días", "son 90 gün"])
async def test_last_90_days(ask: Ask, words: str) -> None:
    reply = await ask(f"!top {words}", today=dt.date(2023, 10, 31))
    # Aug 2 to Oct 31, 2023: the Turkish run and one US premiere; June's Two Hearts in Cartagena is out.
    assert titles(lines(reply)) == ["Small Miracles (2023)", "Bitter Oranges (2021)"]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "7,225,000 viewers (7.2 million)"), ("es", "7.225.000 viewers (7,2 millones)"),
     ("tr", "7.225.000 viewers (7,2 milyon)")],
)
async def test_locale(ask: Ask, locale: str, expected: str) -> None:
    reply = await ask("!top 1", locale=locale)
    assert expected in lines(reply)[0]


async def test_nothing_in_the_period(ask: Ask) -> None:
    reply = await ask("!top mexico 2010")
    assert reply.kind is ReplyKind.NOT_FOUND
    assert reply.headline == "No audience figures in Mexico in 2010 yet."


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("!top by date", "not by date"),
        ("!top 99", "1 to 25"),
        ("!top narnia", "“narnia”"),
        ("!top mexico by popularity", "“by popularity”"),
    ],
)
async def test_refusals_are_one_plain_sentence(ask: Ask, line: str, says: str) -> None:
    reply = await ask(line)
    assert reply.kind is ReplyKind.PROBLEM
    assert says in reply.headline
    assert "`!top" in reply.headline
