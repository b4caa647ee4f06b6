"""Who is asking and with what: the reader's locale and rights, the session of this one command, the
name index of the catalog, and today's date (given, so tests and time zones never depend on the host)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from storage.db import CatalogSession
from storage.name_index import NameIndex


@dataclass(frozen=True)
class Reader:
    """The person asking. ``may_see_fees`` is decided by the edge (roles in Discord; the console's user)."""

    locale: str = "en"
    may_see_fees: bool = False
    prefix: str = "!"


@dataclass(frozen=True)
class CommandContext:
    session: CatalogSession
    reader: Reader
    names: NameIndex
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
