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
class Page:
    """One screenful of a long answer: the fields shown together (see ``commands.limits``)."""

    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Chart:
    """A chart image: PNG bytes, a file name, and the text that says the same for those who cannot see it."""

    png: bytes
    filename: str
    alt_text: str


@dataclass(frozen=True)
class Reply:
    """What a command answers. ``fields`` show on every page; ``pages`` hold a long list, one page at a time."""

    headline: str
    kind: ReplyKind = ReplyKind.ANSWER
    body: str = ""
    fields: tuple[Field, ...] = ()
    pages: tuple[Page, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    chart: Chart | None = None

    @property
    def ok(self) -> bool:
        return self.kind in (ReplyKind.ANSWER, ReplyKind.CHOICE)

    @property
    def has_confidential(self) -> bool:
        return any(f.confidential for f in self.fields) or any(
            f.confidential for page in self.pages for f in page.fields
        )


def problem(sentence: str) -> Reply:
    return Reply(headline=sentence, kind=ReplyKind.PROBLEM)
