"""Turning a name resolution that did not find one record into the reply that asks or suggests.

Every command that takes a title, territory, group or company uses these, so "which one?" and "nothing
is called that" read the same everywhere, and each candidate carries the exact line to type to pick it.
"""

from __future__ import annotations

from collections.abc import Callable

from commands.reply import Candidate, Reply, ReplyKind
from commands.resolve import Ambiguous, NotFound
from commands.resolve import Candidate as Match
from storage.name_index import NameIndex


def pick_text(index: NameIndex, match: Match) -> str:
    """The words that name exactly this record again: a title with its year and origin, a territory's code."""
    record = index.record(match.kind, match.id)
    if record is None:
        return match.name
    if record.kind == "title":
        qualifiers = [str(record.year)] if record.year else []
        if record.origin:
            qualifiers.append(record.origin)
        return f"{record.name} ({', '.join(qualifiers)})" if qualifiers else record.name
    if record.kind == "territory":
        return str(record.id)
    return record.name


def unresolved_reply(resolution: Ambiguous | NotFound, what: str, typed: str, index: NameIndex,
                     line_for: Callable[[str], str]) -> Reply:
    """"Which one?" with the candidates, or "nothing is called that" with the nearest names.

    ``line_for(words)`` builds the command line that asks again with ``words`` in place of what was typed.
    """
    if isinstance(resolution, Ambiguous):
        candidates = resolution.candidates
        return Reply(
            headline=f"{len(candidates)} {plural(what, len(candidates))} could be “{typed}”; which one?",
            kind=ReplyKind.CHOICE,
            candidates=tuple(Candidate(c.label, line_for(pick_text(index, c))) for c in candidates),
        )
    suggestions = resolution.suggestions[:5]
    hint = f" Nearest: {', '.join(c.label for c in suggestions)}." if suggestions else ""
    return Reply(
        headline=f"No {what} is called “{typed}”.{hint}",
        kind=ReplyKind.NOT_FOUND,
        candidates=tuple(Candidate(c.label, line_for(pick_text(index, c))) for c in suggestions),
    )


def plural(word: str, count: int) -> str:
    if count == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"
