"""The command dispatcher: one place that turns a line of text into a reply, for every face of Slate.

The console calls it with what the user typed; the Discord bot will call the same handlers from its
cogs. A line may start with the chat prefix (``!title miracle``), a slash (``/title miracle``) or nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from commands import avails, buyer, chart, deals, press, ratings, title, top
from commands.context import CommandContext
from commands.errors import CommandError
from commands.help import HELP, CommandHelp, closest_command, help_reply
from commands.reply import Reply, ReplyKind, problem

Handler = Callable[[str, CommandContext], Awaitable[Reply]]


@dataclass(frozen=True)
class Command:
    help: CommandHelp
    handler: Handler


async def _run_help(topic: str, context: CommandContext) -> Reply:
    return help_reply(topic, [command.help for command in COMMANDS.values()], context.reader.prefix)


# In the order PRODUCT.md lists them, which is the order help shows them.
COMMANDS: dict[str, Command] = {
    command.help.name: command
    for command in (
        Command(title.HELP, title.run_title),
        Command(ratings.HELP, ratings.run_ratings),
        Command(deals.HELP, deals.run_deals),
        Command(avails.HELP, avails.run_avails),
        Command(buyer.HELP, buyer.run_buyer),
        Command(top.HELP, top.run_top),
        Command(press.HELP, press.run_press),
        Command(chart.HELP, chart.run_chart),
        Command(HELP, _run_help),
    )
}


def split_command_line(text: str, prefix: str) -> tuple[str, str]:
    """``"!title  miracle"`` -> ("title", "miracle"); the prefix or a slash in front is optional."""
    line = text.strip()
    for lead in (prefix, "/"):
        if lead and line.startswith(lead):
            line = line[len(lead):].lstrip()
            break
    name, _, rest = line.partition(" ")
    return name.casefold(), rest.strip()


MAX_QUERY = 200


def check_query(arguments: str, prefix: str, name: str) -> str | None:
    """The sentence that says what is wrong with the words after a command, or None when they are fine."""
    if len(arguments) > MAX_QUERY:
        return (f"That is {len(arguments)} characters; a question fits in {MAX_QUERY}."
                f" Try the title and a territory, e.g. `{prefix}{name} miracle mexico`.")
    if any(unicodedata.category(character) in ("Cc", "Cf") and character not in "\t" for character in arguments):
        return f"The question has control characters in it; type it plainly, e.g. `{prefix}{name} miracle`."
    return None


async def dispatch(text: str, context: CommandContext) -> Reply:
    """Answer one line: the command's reply, or a plain sentence when the line is not a command."""
    name, arguments = split_command_line(text, context.reader.prefix)
    prefix = context.reader.prefix
    if not name:
        return problem(f"Type a command, e.g. `{prefix}title miracle`, or `{prefix}help` for the list.")
    command = COMMANDS.get(name)
    if command is None:
        guess = closest_command(name, [c.help for c in COMMANDS.values()])
        hint = f"Did you mean `{prefix}{guess}`?" if guess else f"`{prefix}help` lists what I can answer."
        return Reply(headline=f"I don't know the command {name}. {hint}", kind=ReplyKind.NOT_FOUND)
    if (wrong := check_query(arguments, prefix, name)) is not None:
        return problem(wrong)
    try:
        return await command.handler(arguments, context)
    except CommandError as error:
        return problem(str(error))
