"""What a ratings row asks the catalog for: its airing, found or made, and its figure (``WantedFigure``).

Made once per row by ``wanted_figure``, or a chunk of rows at a time by ``wanted_figures``: the same
values, but column by column with C-level ``map`` and ``zip``, for files of a million rows. The chunk
way gives up (None) at the first reference that does not resolve, and the resolver then takes the rows
one by one, giving each bad reference its own problem (a test holds the two ways together).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from sys import intern
from typing import Any, TypeVar

from storage.importing.records import RatingRow
from storage.importing.references import NameIndex, ReferenceProblem, TerritoryIndex, cached_name_key
from storage.importing.report import Location
from storage.models import KEY_LEN

T = TypeVar("T")

# A figure's own columns (AudienceFigure's, but for its airing and the copies of the airing's columns).
FIGURE_COLUMNS = ("target", "measurement", "viewers", "rating_pct", "share_pct", "reach", "rank_note", "notes",
                  "source")
_FIGURE_OF_ROW = attrgetter(*FIGURE_COLUMNS)
_ROW_FIELDS = attrgetter("at", "title", "territory", "channel", "air_date", "timeslot", "episode")


def fit_key(text: str) -> str:
    """A natural key that fits its column: long composite keys become a digest of themselves."""
    return text if len(text) <= KEY_LEN else "sha1:" + hashlib.sha1(text.encode()).hexdigest()  # noqa: S324


@dataclass(slots=True)
class WantedFigure:
    """One ratings row as the import wants it: the airing it belongs to and the figure's own columns.

    Ratings run to millions of rows, all held until every one is checked, so this record is flat (a
    ``Wanted`` holds four dictionaries): about a third of the memory per row.
    """

    at: Location
    airing_key: str  # the airing's natural key: title, territory, channel, date, timeslot, episode
    title: str  # the natural keys of the title and the channel, resolved to ids when written
    channel: str
    territory_code: str
    air_date: dt.date | None
    timeslot: str | None
    episode: str | None
    target_key: str
    figure: tuple[Any, ...]  # FIGURE_COLUMNS, in order
    outcome: str = ""

    @property
    def natural_key(self) -> tuple[str, str, str]:
        """The figure's identity: its airing, target group (as a name key) and measurement."""
        return self.airing_key, self.target_key, self.figure[1]


def _airing_key(title: str, territory: str, channel: str, air_date: dt.date | None, timeslot: str | None,
                episode: str | None) -> str:
    return fit_key("|".join((title, territory, channel, _date_text(air_date), _timeslot_key(timeslot),
                             _or_empty(episode))))


def _date_text(air_date: dt.date | None) -> str:
    return air_date.isoformat() if air_date else ""  # format_date's text for a date (never a datetime), in C


def _timeslot_key(timeslot: str | None) -> str:
    return cached_name_key(timeslot or "")


def _or_empty(text: str | None) -> str:
    return text or ""


def _shared(text: str | None) -> str | None:
    """The one copy of a short text a sheet repeats on every row (a million rows, a handful of values)."""
    return text and intern(text)


def _by_value(function: Callable[[Any], T], column: Sequence[Any]) -> list[T]:
    """``function`` of each value of ``column``, called once per distinct value: a chunk of rows repeats
    its few dates, timeslots, targets and sources, and a map lookup is a C call where ``function`` is not."""
    results = {value: function(value) for value in set(column)}
    return list(map(results.__getitem__, column))


def wanted_figure(row: RatingRow, title: str, territory: str, channel: str) -> WantedFigure:
    """The record of a ratings row whose title, territory and channel resolved to these."""
    target = intern(row.target)
    figure = (target, row.measurement, row.viewers, row.rating_pct, row.share_pct, row.reach, row.rank_note,
              row.notes, _shared(row.source))
    return WantedFigure(row.at, _airing_key(title, territory, channel, row.air_date, row.timeslot, row.episode),
                        title, channel, territory, row.air_date, _shared(row.timeslot), _shared(row.episode),
                        cached_name_key(target), figure)


def wanted_figures(rows: Sequence[RatingRow], titles: NameIndex, territories: TerritoryIndex,
                   companies: NameIndex) -> list[WantedFigure] | None:
    """``wanted_figure`` of each row, or None as soon as one reference of the chunk does not resolve."""
    at, title_texts, territory_texts, channel_texts, air_date, timeslot, episode = _columns(rows, _ROW_FIELDS)
    try:
        title = titles.resolve_each(title_texts)
        territory = territories.resolve_each(territory_texts)
        channel = companies.resolve_each(channel_texts)
    except ReferenceProblem:
        return None
    # _airing_key, a column at a time
    keys = list(map("|".join, zip(title, territory, channel, _by_value(_date_text, air_date),
                                  _by_value(_timeslot_key, timeslot), _by_value(_or_empty, episode), strict=True)))
    airing_key = keys if max(map(len, keys)) <= KEY_LEN else list(map(fit_key, keys))
    target_texts, measurement, viewers, rating, share, reach, rank_note, notes, source = _columns(rows, _FIGURE_OF_ROW)
    target = _by_value(intern, target_texts)
    figure = zip(target, measurement, viewers, rating, share, reach, rank_note, notes, _by_value(_shared, source),
                 strict=True)
    return list(map(WantedFigure, at, airing_key, title, channel, territory, air_date, _by_value(_shared, timeslot),
                    _by_value(_shared, episode), _by_value(cached_name_key, target), figure, repeat("")))


def _columns(rows: Sequence[RatingRow], fields: attrgetter[Any]) -> Iterator[tuple[Any, ...]]:
    return zip(*map(fields, rows), strict=True)
