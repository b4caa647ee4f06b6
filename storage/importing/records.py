"""The plain records a sheet's rows become once their cells are valid; references are still text here.

References (a title, a company, a territory or group) are resolved later against the catalog plus the
import itself, because only then is it known whether "Miracle in Cell No. 7" fits one title or four.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from storage.importing.report import Location


@dataclass
class NameRow:
    """One name of a title: kind (international, original, localized, alias), language, region, name."""

    kind: str
    language: str
    region: str | None
    name: str


@dataclass
class GroupRow:
    at: Location
    name: str
    key: str
    territories: list[str]
    source: str | None


@dataclass
class CompanyRow:
    at: Location
    name: str
    key: str
    kind: str | None
    territory: str | None
    aliases: list[str]
    source: str | None


@dataclass
class TitleRow:
    at: Location
    name: str
    key: str
    kind: str | None
    year: int | None
    origin: str | None
    original_title: str | None
    original_language: str | None
    genres: str | None
    runtime_minutes: int | None
    episodes: int | None
    episode_minutes: int | None
    director: str | None
    producer: str | None
    cast: str | None
    logline: str | None
    synopsis: str | None
    highlights: str | None
    remake_of: str | None
    names: list[NameRow]
    key_art_url: str | None
    trailer_url: str | None
    screener_url: str | None
    source: str | None


@dataclass
class DealRow:
    at: Location
    title: str
    licensee: str
    territories: list[str]
    media: tuple[str, ...]
    deal_ref: str | None
    exclusive: bool | None
    start: dt.date | None
    end: dt.date | None
    runs: int | None
    holdback_until: dt.date | None
    status: str | None
    fee: Decimal | None
    currency: str | None
    owner: str | None
    signed_on: dt.date | None
    notes: str | None
    source: str | None


@dataclass(slots=True)
class RatingRow:
    at: Location
    title: str
    territory: str
    channel: str
    air_date: dt.date | None
    timeslot: str | None
    episode: str | None
    viewers: int | None
    rating_pct: Decimal | None
    share_pct: Decimal | None
    reach: int | None
    target: str
    measurement: str
    rank_note: str | None
    notes: str | None
    source: str | None


@dataclass
class ReleaseRow:
    at: Location
    title: str
    territory: str
    release_date: dt.date | None
    admissions: int | None
    gross: Decimal | None
    currency: str | None
    rank_note: str | None
    source: str | None


@dataclass
class QuoteRow:
    at: Location
    title: str
    quote: str
    person: str
    person_key: str
    role: str | None
    organization: str | None
    said_on: dt.date | None
    source: str | None
