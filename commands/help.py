"""``help [command]``: what each command does, with examples in the reader's prefix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from commands.reply import Field, Reply, ReplyKind


@dataclass(frozen=True)
class CommandHelp:
    name: str
    summary: str
    usage: str
    examples: tuple[str, ...]


HELP = CommandHelp(
    name="help",
    summary="What each command does, with examples.",
    usage="help [command]",
    examples=("help", "help avails"),
)


def closest_command(name: str, helps: Sequence[CommandHelp]) -> str | None:
    """The command a mistyped name most likely meant (``titel`` -> ``title``), if one is close."""
    match = process.extractOne(
        name.casefold(), [h.name for h in helps], scorer=Levenshtein.distance, processor=None, score_cutoff=2
    )
    return match[0] if match else None


def help_reply(topic: str, helps: Sequence[CommandHelp], prefix: str) -> Reply:
    topic = topic.strip().lstrip("!/").casefold()
    if not topic:
        return Reply(
            headline="Slate answers questions about the catalog",
            body=f"Type a command and what you are looking for, e.g. `{prefix}title miracle`."
            f" `{prefix}help <command>` tells more about one command.",
            fields=tuple(Field(name=f"{prefix}{h.usage}", value=h.summary) for h in helps),
        )
    by_name = {h.name: h for h in helps}
    chosen = by_name.get(topic)
    if chosen is None:
        guess = closest_command(topic, helps)
        hint = f" Did you mean `{prefix}help {guess}`?" if guess else f" Try `{prefix}help` for the list."
        return Reply(headline=f"There is no command called {topic}.{hint}", kind=ReplyKind.NOT_FOUND)
    return Reply(
        headline=f"{prefix}{chosen.usage}",
        body=chosen.summary,
        fields=(Field(name="Examples", value="\n".join(f"{prefix}{example}" for example in chosen.examples)),),
    )
