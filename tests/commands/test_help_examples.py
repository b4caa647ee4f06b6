"""Every example that help shows answers on the demo catalog: help never teaches a line that fails."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from commands.dispatch import COMMANDS
from commands.reply import Reply, ReplyKind

EXAMPLES = [f"!{example}" for command in COMMANDS.values() for example in command.help.examples]


@pytest.mark.parametrize("line", EXAMPLES)
async def test_help_example_answers(ask: Callable[..., Awaitable[Reply]], line: str) -> None:
    reply = await ask(line)
    assert reply.kind is ReplyKind.ANSWER, f"{line} -> {reply.kind}: {reply.headline}"


def test_every_command_shows_two_examples() -> None:
    assert all(len(command.help.examples) >= 2 for command in COMMANDS.values())
