"""Catalog queries for the ``press`` command beyond ``storage.catalog.title_facts``: the quotes on record.

Quotes are read here rather than in ``title_facts`` because only the press command shows their text, and
they can be long. Like every catalog query it takes the caller's session and never commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from storage.db import CatalogSession
from storage.models import Quote


@dataclass(frozen=True)
class QuoteFact:
    """One quote on record, verbatim, with who said it, when (if known) and where it was published."""

    quote: str
    person: str
    role: str | None
    organization: str | None
    said_on: dt.date | None
    source: str | None


async def title_quotes(session: CatalogSession, title_id: int) -> tuple[QuoteFact, ...]:
    """The quotes about a title, oldest first, undated ones last, then in the order they were recorded.

    The order is spelled out (``said_on IS NULL`` first in the key) because SQLite and PostgreSQL sort
    NULL dates at opposite ends by default, and the same command must read the same on both.
    """
    rows = await session.scalars(
        select(Quote)
        .where(Quote.title_id == title_id)
        .order_by(Quote.said_on.is_(None), Quote.said_on, Quote.id)
    )
    return tuple(
        QuoteFact(quote=q.quote, person=q.person, role=q.role, organization=q.organization, said_on=q.said_on,
                  source=q.source)
        for q in rows
    )
