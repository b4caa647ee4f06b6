"""Who is asking and with what: the reader's locale and rights, and the session of this one command."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import CatalogSession


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
