"""The neutral reply every command returns: data, not Discord embeds and not console text.

Renderers (``bot/console.py`` now, the Discord embed renderer later) decide how it looks and alone know
their medium's limits. A reply says what is confidential, so a renderer can hold it back from a public place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ReplyKind(StrEnum):
    ANSWER = "answer"  # the thing asked for
    CHOICE = "choice"  # several records fit: the candidates, for the reader to pick
    NOT_FOUND = "not_found"  # nothing fits: what was looked for and the nearest names
    PROBLEM = "problem"  # the question could not be answered: one sentence on what to try


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False
    confidential: bool = False  # fees and terms: only for readers allowed, and only privately


@dataclass(frozen=True)
class Candidate:
    """One record a reader can pick: how it is shown and what to type to get it."""

    label: str
    query: str


@dataclass(frozen=True)
class Reply:
    headline: str
    kind: ReplyKind = ReplyKind.ANSWER
    body: str = ""
    fields: tuple[Field, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.kind in (ReplyKind.ANSWER, ReplyKind.CHOICE)


def problem(sentence: str) -> Reply:
    return Reply(headline=sentence, kind=ReplyKind.PROBLEM)
