"""Mixed queries: ``miracle mexico``, ``ratings miracle chile``, ``avails miracle spain svod 2025`` split into
their parts (title, territory or group, company, media rights, a date or period) and resolved.

Every way of reading the words is scored by how many words it explains (a word a part matches counts as
much as it is alike: a typo less than an exact word); the reading that explains the most wins, then the one
with fewer words left over, then fewer parts, then the better title score. See docs/resolution.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from commands.qualifiers import DEMONYMS
from commands.resolve import (
    RULE,
    Found,
    Resolution,
    Rule,
    TitleRanking,
    decide,
    matched_words,
    most_matched_words,
    rank,
    rank_places,
    rank_title,
    resolve_ref,
)
from storage.keys import name_key
from storage.name_index import NameIndex
from storage.vocab import canonical

Part = str  # "title", "territory", "company", "media", "date"
DEFAULT_WANTS: tuple[Part, ...] = ("title", "territory", "media", "date")
# A territory, group or company part must match at least this well to take words from the title.
PLACE_SCORE = 80.0
MAX_SPAN = 4
# Country codes that are everyday words in English, Spanish or Turkish ("from 2027 in spain", "orange and
# father"): inside a longer query they are read as words, not as India, Norway, Andorra or Senegal. Alone (when
# no title explains the word), or as a full name, they still resolve (resolve_territory("IN") is India).
FILLER_CODES = frozenset({
    # ISO 3166 alpha-2
    "in", "no", "it", "is", "at", "to", "be", "by", "me", "my", "so", "do", "as", "am", "de", "la", "se", "al",
    "mi", "tu", "su", "ve",
    # alpha-3: English "and", "are", "can", "arm"...; Spanish "mar" (sea), "sur" (south), "fin", "ven"; Turkish
    # "ben" (I), "sen" (you), "can" (life, and a first name)
    "and", "are", "can", "arm", "ago", "fin", "gin", "gum", "guy", "jam", "nor", "pan", "per", "ton", "mar",
    "sur", "ven", "ben", "sen",
})
_REF_TOKEN = re.compile(r"(?<!\S)(?P<kind>title|territory|group|company):(?P<id>[A-Za-z0-9]+)(?!\S)")
_REF_PART: dict[str, Part] = {"title": "title", "territory": "territory", "group": "territory", "company": "company"}

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DAY_FIRST = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_YEAR = re.compile(r"^(19\d\d|20\d\d)$")
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
    ("january", "jan", "enero", "ocak"), ("february", "feb", "febrero", "subat"), ("march", "mar", "marzo", "mart"),
    ("april", "apr", "abril", "nisan"), ("may", "mayo", "mayis"), ("june", "jun", "junio", "haziran"),
    ("july", "jul", "julio", "temmuz"), ("august", "aug", "agosto", "agustos"),
    ("september", "sep", "sept", "septiembre", "eylul"), ("october", "oct", "octubre", "ekim"),
    ("november", "nov", "noviembre", "kasim"), ("december", "dec", "diciembre", "aralik"),
), start=1):
    for _name in _names:
        _MONTHS[_name] = _number
# Relative periods (en, es, tr), resolved against ``today`` when one is given.
_RELATIVE: dict[str, tuple[str, int]] = {
    "today": ("day", 0), "hoy": ("day", 0), "bugun": ("day", 0),
    "yesterday": ("day", -1), "ayer": ("day", -1), "dun": ("day", -1),
    "this week": ("week", 0), "esta semana": ("week", 0), "bu hafta": ("week", 0),
    "last week": ("week", -1), "semana pasada": ("week", -1), "gecen hafta": ("week", -1),
    "this month": ("month", 0), "este mes": ("month", 0), "bu ay": ("month", 0),
    "last month": ("month", -1), "mes pasado": ("month", -1), "gecen ay": ("month", -1),
    "this year": ("year", 0), "este ano": ("year", 0), "bu yil": ("year", 0),
    "last year": ("year", -1), "ano pasado": ("year", -1), "gecen yil": ("year", -1),
}


@dataclass(frozen=True, slots=True)
class Period:
    """A date or period a query names: ``start``/``end`` inclusive; None when relative and no ``today``."""

    text: str
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class ParsedQuery:
    """The parts of a mixed query, each resolved; ``leftover`` holds the words no part explained."""

    title: Resolution | None = None
    place: Resolution | None = None  # a territory or a territory group
    company: Resolution | None = None
    media: tuple[str, ...] = ()
    period: Period | None = None
    leftover: tuple[str, ...] = ()
    words: dict[Part, tuple[str, ...]] = field(default_factory=dict)  # which words each part took


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _relative(kind: str, offset: int, today: dt.date) -> tuple[dt.date, dt.date]:
    if kind == "day":
        day = today + dt.timedelta(days=offset)
        return day, day
    if kind == "week":
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=offset)
        return monday, monday + dt.timedelta(days=6)
    if kind == "month":
        month_index = today.year * 12 + today.month - 1 + offset
        return _month_range(month_index // 12, month_index % 12 + 1)
    return dt.date(today.year + offset, 1, 1), dt.date(today.year + offset, 12, 31)


def _dates_in_text(text: str) -> tuple[str, Period | None]:
    """Pull a written date (2025-03-01, 1/3/2025, 01.03.2025) out of the raw text, before normalization."""
    for pattern, order in ((_ISO_DATE, (1, 2, 3)), (_DAY_FIRST, (3, 2, 1))):
        match = pattern.search(text)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            try:
                day_date = dt.date(year, month, day)
            except ValueError:
                continue
            return text[: match.start()] + " " + text[match.end():], Period(match.group(0), day_date, day_date)
    return text, None


def _period_at(words: Sequence[str], start: int, today: dt.date | None) -> tuple[int, Period] | None:
    """A period starting at ``words[start]``: (how many words, the period)."""
    two = " ".join(words[start: start + 2])
    if two in _RELATIVE:
        dates = _relative(*_RELATIVE[two], today) if today else (None, None)
        return 2, Period(two, *dates)
    word = words[start]
    if word in _RELATIVE:
        dates = _relative(*_RELATIVE[word], today) if today else (None, None)
        return 1, Period(word, *dates)
    if word in _MONTHS and start + 1 < len(words) and _YEAR.match(words[start + 1]):
        return 2, Period(two, *_month_range(int(words[start + 1]), _MONTHS[word]))
    if _YEAR.match(word):
        return 1, Period(word, dt.date(int(word), 1, 1), dt.date(int(word), 12, 31))
    return None


def _media_at(words: Sequence[str], start: int) -> tuple[int, str] | None:
    for width in (3, 2, 1):
        if start + width <= len(words) and (value := canonical("media", " ".join(words[start: start + width]))):
            return width, value
    return None


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    stop: int
    part: Part
    explained: float
    score: float = 0.0


def _place_spans(index: NameIndex, words: Sequence[str], part: Part, taken: set[int]) -> list[_Span]:
    spans = []
    for start in range(len(words)):
        for stop in range(start + 1, min(start + MAX_SPAN, len(words)) + 1):
            if taken & set(range(start, stop)):
                break
            span_words = words[start:stop]
            if part == "territory" and stop - start == 1 < len(words) and span_words[0] in FILLER_CODES:
                continue
            ranked = (rank_places(index, span_words, PLACE_SCORE) if part == "territory"
                      else rank(index, "company", span_words, PLACE_SCORE))
            if ranked and ranked[0].score >= PLACE_SCORE:
                explained = (stop - start) * ranked[0].score / 100.0
                spans.append(_Span(start, stop, part, explained, ranked[0].score))
    return spans


@dataclass
class _Reading:
    explained: float
    leftover: int
    parts: int
    title_score: float
    title: TitleRanking | None
    title_words: tuple[str, ...]
    title_positions: tuple[int, ...]
    spans: tuple[_Span, ...]


def split_query(index: NameIndex, text: str, wants: Sequence[Part] = DEFAULT_WANTS, *,
                today: dt.date | None = None, rule: Rule = RULE) -> ParsedQuery:
    """Split ``text`` into the parts ``wants`` names and resolve each (see the module docstring).

    Record references (``title:42``, ``territory:MX``, ``group:3``, ``company:7``: the values slash-command
    autocomplete sends) may stand anywhere in the text; each one fixes its part, and the rest of the words
    are read as usual for the parts still open.
    """
    fixed_parts: dict[Part, Resolution] = {}
    for match in _REF_TOKEN.finditer(text):
        part = _REF_PART[match["kind"]]
        if part in wants and part not in fixed_parts:
            resolution = resolve_ref(index, match.group(0))
            if resolution is not None:
                fixed_parts[part] = resolution
    if fixed_parts:
        rest = _REF_TOKEN.sub(" ", text)
        open_wants = tuple(part for part in wants if part not in fixed_parts)
        parsed = split_query(index, rest, open_wants, today=today, rule=rule) if rest.strip() else ParsedQuery()
        return replace(
            parsed,
            title=fixed_parts.get("title", parsed.title),
            place=fixed_parts.get("territory", parsed.place),
            company=fixed_parts.get("company", parsed.company),
        )
    rest, text_period = _dates_in_text(text) if "date" in wants else (text, None)
    words = name_key(rest).split()
    word_period: Period | None = None

    fixed: list[_Span] = []  # media and period words: few, and unmistakable
    media: list[str] = []
    position = 0
    while position < len(words):
        if "media" in wants and (found_media := _media_at(words, position)):
            fixed.append(_Span(position, position + found_media[0], "media", found_media[0]))
            media.append(found_media[1])
            position += found_media[0]
            continue
        if "date" in wants and not (text_period or word_period) and (
                found_period := _period_at(words, position, today)):
            fixed.append(_Span(position, position + found_period[0], "date", found_period[0]))
            word_period = found_period[1]
            position += found_period[0]
            continue
        position += 1
    taken = {i for span in fixed for i in range(span.start, span.stop)}

    titles = _TitleRanks(index)
    unplaced = _Unplaced(index, titles, words, fixed, wants)  # no place, no company
    place_options: list[_Span | None] = [None]
    company_options: list[_Span | None] = [None]
    if not unplaced.explains_every_word():  # else the places and companies need not be ranked at all
        if "territory" in wants:
            place_options += _place_spans(index, words, "territory", taken)
        if "company" in wants:
            company_options += _place_spans(index, words, "company", taken)

    best: _Reading | None = None  # None while the unplaced reading leads
    for place in place_options:
        for company in company_options:
            if place is None and company is None:
                continue  # the unplaced reading
            if place and company and place.start < company.stop and company.start < place.stop:
                continue
            most = _most_explained(words, fixed, (place, company))
            if unplaced.leaves_behind(most) if best is None else most < best.explained - 0.05:
                continue  # even a title explaining every other word would leave this reading behind the best
            reading = _read(index, titles, words, fixed, (place, company), wants)
            if unplaced.loses_to(reading) if best is None else _better(reading, best):
                best = reading
    if best is None:
        best = unplaced.reading()

    used = {i for span in best.spans for i in range(span.start, span.stop)}
    title_positions = set(best.title_positions)
    parts_words: dict[Part, tuple[str, ...]] = {
        span.part: tuple(words[span.start: span.stop]) for span in best.spans
    }
    if best.title is not None:
        parts_words["title"] = best.title_words
    leftover = tuple(word for i, word in enumerate(words) if i not in used and i not in title_positions)
    has_date = any(span.part == "date" for span in best.spans)
    place_span = next((span for span in best.spans if span.part == "territory"), None)
    company_span = next((span for span in best.spans if span.part == "company"), None)

    def resolved(span: _Span | None, ranker: object) -> Resolution | None:
        if span is None:
            return None
        span_words = words[span.start: span.stop]
        return decide(index, " ".join(span_words), ranker(index, span_words), rule)  # type: ignore[operator]

    return ParsedQuery(
        title=decide(index, " ".join(best.title_words), best.title.ranked, rule) if best.title else None,
        place=resolved(place_span, rank_places),
        company=resolved(company_span, lambda i, w: rank(i, "company", w)),
        media=tuple(dict.fromkeys(media)),
        period=text_period or (word_period if has_date else None),
        leftover=leftover,
        words=parts_words,
    )


class _TitleRanks:
    """``rank_title`` once per run of words within one query: readings that differ only in their place or
    company leave the same words for the title, and ranking a run is most of a reading's cost."""

    def __init__(self, index: NameIndex) -> None:
        self.index = index
        self.ranked: dict[tuple[str, ...], TitleRanking] = {}

    def __call__(self, words: Sequence[str]) -> TitleRanking:
        key = tuple(words)
        if key not in self.ranked:
            self.ranked[key] = rank_title(self.index, key)
        return self.ranked[key]


class _Unplaced:
    """The reading with neither place nor company, read only as far as comparing the others with it needs.

    Its title is the best of up to six runs of the open words (``_read``), and ranking a run is most of a
    reading's cost. The run of every open word is read first (``whole``): when it explains every word, no
    other reading can beat it, and the places need not be ranked. When it does not, every other run leaves a
    word out, so the reading explains no more than ``high``; a reading with a place that explains clearly more
    beats it whatever those runs find, and one that explains clearly less than ``low`` (the whole run's) loses
    to it. The other runs are ranked only when a comparison falls between the two (``reading``), so every
    question is answered exactly as if they had been ranked first: ``avails the debt of wish dach`` no longer
    ranks ``debt of wish dach`` as a title. A year that may be the title's (``miracle 2013``) is weighed by
    the full reading, read at once.
    """

    def __init__(self, index: NameIndex, titles: _TitleRanks, words: Sequence[str], fixed: list[_Span],
                 wants: Sequence[Part]) -> None:
        self._read_runs = lambda whole_run_only: _read(index, titles, words, fixed, (None, None), wants,
                                                       whole_run_only)
        self.words = words
        self._full: _Reading | None = None
        year_in_doubt = any(span.part == "date" and span.stop - span.start == 1 and _YEAR.match(words[span.start])
                            for span in fixed)
        if "title" in wants and not year_in_doubt:
            whole = self._read_runs(True)
            if _explains_every_word(whole, words):
                self._full = whole  # no shorter run is ranked after such a run
            else:
                # Each other run leaves out a word: it covers at most the rest (a word run together from two
                # counts two). Then the full reading cannot explain every word, and may be left unread.
                open_words = [word for i, word in enumerate(words) if not any(s.start <= i < s.stop for s in fixed)]
                high = max(whole.explained, sum(span.explained for span in fixed)
                           + most_matched_words(index, "title", open_words) - 1) + 1e-9
                if high < len(words) - 1e-9:
                    self.low, self.high = whole.explained, high
                    return
        full = self.reading()
        self.low = self.high = full.explained

    def reading(self) -> _Reading:
        if self._full is None:
            self._full = self._read_runs(False)
        return self._full

    def explains_every_word(self) -> bool:
        """Does the full reading explain every word? Not when it was left unread: ``high`` says it cannot."""
        return self._full is not None and _explains_every_word(self._full, self.words)

    def leaves_behind(self, most: float) -> bool:
        """``most < reading().explained - 0.05``: would a reading explaining at most ``most`` be left behind?"""
        if most < self.low - 0.05:
            return True
        if most >= self.high - 0.05:
            return False
        return most < self.reading().explained - 0.05

    def loses_to(self, other: _Reading) -> bool:
        """``_better(other, reading())``."""
        if other.explained > self.high + 0.05:
            return True
        if other.explained < self.low - 0.05:
            return False
        return _better(other, self.reading())


def _explains_every_word(reading: _Reading, words: Sequence[str]) -> bool:
    """Does the reading explain every word, each fully (a title typed whole, with its period or media)?

    Then no reading beats it: none explains more (a word explains 1 at most), and one that explains as much
    leaves no word over either, so it has a part more (a place or company beside the title) or no title
    score (a place alone), and loses the tie (``_better``). The spans the words might spell as a place or a
    company, most of the cost of a title's question, need not be ranked."""
    return reading.explained >= len(words) - 1e-9


def _most_explained(words: Sequence[str], fixed: list[_Span], chosen_spans: Sequence[_Span | None]) -> float:
    """The most a reading with these spans can explain: the spans, and a title covering every other word."""
    spans = [*fixed, *(span for span in chosen_spans if span)]
    return sum(span.explained for span in spans) + len(words) - sum(span.stop - span.start for span in spans)


def _read(index: NameIndex, rank_title: _TitleRanks, words: Sequence[str], fixed: list[_Span],
          chosen_spans: Sequence[_Span | None], wants: Sequence[Part], whole_run_only: bool = False) -> _Reading:
    """The best reading with these spans: the title the best run of the other words (see ``_Unplaced`` for
    ``whole_run_only``, the run of every other word alone, and no year tried as the title's)."""
    spans = [*fixed, *(span for span in chosen_spans if span)]
    used = {i for span in spans for i in range(span.start, span.stop)}
    remaining = [i for i in range(len(words)) if i not in used]
    best_title: tuple[float, float, TitleRanking | None, tuple[int, ...], list[_Span]] = (0.0, 0.0, None, (), [])
    if "title" in wants and remaining:
        # The title is one run of the remaining words; a command word or two may sit before it. A shorter
        # run explains at most its own words, so once all the remaining words are explained (a covered count
        # above one less than them) no shorter run can win: those readings are not ranked.
        runs = [(left, right) for left in range(min(3, len(remaining)))
                for right in range(min(2, len(remaining) - left))][: 1 if whole_run_only else None]
        for skip_left, skip_right in runs:
            if best_title[0] > len(remaining) - 1:
                break
            chosen = remaining[skip_left: len(remaining) - skip_right]
            if not chosen or len(chosen) < best_title[0]:
                continue  # a run covers at most its own words: this one cannot beat the best so far
            ranking = rank_title([words[i] for i in chosen])
            if not ranking.ranked:
                continue
            top = ranking.ranked[0]
            covered = ranking.qualifiers.words + matched_words(index, "title", ranking.name_words,
                                                               top.matched_name)
            if "territory" in wants and ranking.qualifiers.origins:
                # Where a territory is wanted, a country's name is the territory, not the title's origin
                # ("ratings broken wings turkey"); a demonym ("turkish") stays the origin.
                qualifier_words = {words[i] for i in chosen} - set(ranking.name_words)
                covered -= 0.1 * sum(word not in DEMONYMS for word in qualifier_words
                                     if index.exact("territory", word) is not None)
            if covered > best_title[0] or (covered == best_title[0] and ranking.score > best_title[1]):
                best_title = (covered, ranking.score, ranking, tuple(chosen), spans)
        # A year read as a period may instead be the title's qualifier ("miracle 2013"): try it.
        for span in () if whole_run_only else fixed:
            if span.part == "date" and span.stop - span.start == 1 and _YEAR.match(words[span.start]):
                with_year = [i for i in range(len(words)) if i not in used or i == span.start]
                ranking = rank_title([words[i] for i in with_year])
                if ranking.ranked and ranking.qualifiers.year and isinstance(decide(index, "", ranking.ranked), Found):
                    top = ranking.ranked[0]
                    covered = ranking.qualifiers.words + matched_words(index, "title", ranking.name_words,
                                                                       top.matched_name)
                    if covered >= best_title[0]:
                        best_title = (covered, ranking.score, ranking, tuple(with_year),
                                      [s for s in spans if s is not span])
    covered, score, picked, positions, final_spans = best_title
    if picked is None:
        final_spans = spans
    explained = sum(span.explained for span in final_spans) + covered
    leftover = len(words) - sum(s.stop - s.start for s in final_spans) - len(positions)
    parts = len(final_spans) + (picked is not None)
    title_words = tuple(words[i] for i in positions)
    return _Reading(explained, leftover, parts, score, picked, title_words, positions, tuple(final_spans))


def _better(reading: _Reading, best: _Reading) -> bool:
    if abs(reading.explained - best.explained) > 0.05:
        return reading.explained > best.explained
    return (reading.leftover, reading.parts, -reading.title_score) < (best.leftover, best.parts, -best.title_score)
