"""The dispatcher: prefixes, unknown commands with a suggestion, help."""

from __future__ import annotations

import pytest

from commands.context import CommandContext, Reader
from commands.dispatch import COMMANDS, dispatch, split_command_line
from commands.reply import ReplyKind
from storage.db import SessionFactory
from storage.name_index import NameIndex

EMPTY = NameIndex.build([], [])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("!title miracle", ("title", "miracle")),
        ("/title   Miracle in Cell No. 7 ", ("title", "Miracle in Cell No. 7")),
        ("title", ("title", "")),
        ("  ! TITLE miracle", ("title", "miracle")),
        ("", ("", "")),
    ],
)
def test_split_command_line(line: str, expected: tuple[str, str]) -> None:
    assert split_command_line(line, "!") == expected


async def test_unknown_command_suggests_the_near_one(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        reply = await dispatch("!titel miracle", CommandContext(session, Reader(), EMPTY))
    assert reply.kind is ReplyKind.NOT_FOUND
    assert "!title" in reply.headline


async def test_empty_line_says_what_to_type(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        reply = await dispatch("!", CommandContext(session, Reader(), EMPTY))
    assert reply.kind is ReplyKind.PROBLEM
    assert "!help" in reply.headline


async def test_help_lists_every_command_in_the_readers_prefix(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        reply = await dispatch("?help", CommandContext(session, Reader(prefix="?"), EMPTY))
    assert reply.kind is ReplyKind.ANSWER
    assert [field.name for field in reply.fields] == [f"?{c.help.usage}" for c in COMMANDS.values()]


async def test_help_for_one_command_and_for_a_typo(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        one = await dispatch("!help title", CommandContext(session, Reader(), EMPTY))
        typo = await dispatch("!help tilte", CommandContext(session, Reader(), EMPTY))
    assert one.headline == "!title <name>"
    assert "!title Miracle in Cell No. 7" in one.fields[0].value
    assert typo.kind is ReplyKind.NOT_FOUND
    assert "!help title" in typo.headline


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("!title " + "miracle " * 40, "a question fits in 200"),
        ("!title mira\x00cle", "control characters"),
        ("!title miracle\u200b", "control characters"),
    ],
)
async def test_bad_input_gets_one_plain_sentence(session_factory: SessionFactory, line: str, says: str) -> None:
    async with session_factory() as session:
        reply = await dispatch(line, CommandContext(session, Reader(), EMPTY))
    assert reply.kind is ReplyKind.PROBLEM
    assert says in reply.headline
    assert "!title" in reply.headline, "the sentence shows an example to try"
