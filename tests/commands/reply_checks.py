"""What command tests look at in a reply: every field on every page, all its text, and Discord's limits."""

from __future__ import annotations

from commands.limits import FIELD_NAME_MAX, FIELD_VALUE_MAX, FIELDS_MAX, HEADLINE_MAX, PAGE_CHARS_MAX
from commands.reply import Field, Reply


def all_fields(reply: Reply) -> list[Field]:
    return [*reply.fields, *(field for page in reply.pages for field in page.fields)]


def text_of(reply: Reply, *, confidential: bool = True) -> str:
    """Everything a reader could see, optionally without the confidential fields."""
    fields = [f for f in all_fields(reply) if confidential or not f.confidential]
    parts = [reply.headline, reply.body, *(f"{f.name}\n{f.value}" for f in fields), *reply.notes,
             *reply.sources, *(f"{c.label} {c.query}" for c in reply.candidates)]
    return "\n".join(parts)


def assert_fits(reply: Reply) -> None:
    """The Discord limits: every page of fields, with the headline, body and notes around it, fits one message."""
    assert len(reply.headline) <= HEADLINE_MAX
    around = len(reply.headline) + len(reply.body) + sum(map(len, reply.notes)) + len("; ".join(reply.sources))
    for fields in [reply.fields, *(page.fields for page in reply.pages)]:
        assert len(fields) <= FIELDS_MAX
        assert all(len(f.name) <= FIELD_NAME_MAX and len(f.value) <= FIELD_VALUE_MAX for f in fields)
        assert around + sum(len(f.name) + len(f.value) for f in fields) <= PAGE_CHARS_MAX
