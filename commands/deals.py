"""``deals <title, territory, group or licensee> [status words]``: the licences out, with status and term.

Fees, signing dates and notes are financial terms: they go only into fields marked confidential, and only
when the reader may see fees; otherwise they are left out of the reply entirely (not hidden, absent), so no
renderer or log can leak them. The helpers here (terms, territories, money, paging) are shared with
``avails`` and ``buyer`` so a deal reads the same in every answer.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TypeVar

from commands.context import CommandContext
from commands.formatting import format_day, format_money
from commands.help import CommandHelp
from commands.limits import FIELD_NAME_MAX, FIELD_VALUE_MAX, HEADLINE_MAX, clip, paginate_blocks
from commands.reply import Field, Page, Reply, problem
from commands.resolve import Ambiguous, Found, NotFound, Resolution, label, resolve_title, territory_name
from commands.resolving import unresolved_reply
from commands.split import ParsedQuery, split_query
from commands.title import covering_groups
from storage.deals import DealFact, DealFacts, DealTitle, deal_facts
from storage.name_index import NameIndex
from storage.vocab import DEAL_STATUSES, MEDIA_RIGHTS, canonical

HELP = CommandHelp(
    name="deals",
    summary="Deals of a title, in a territory or group, or with a licensee: status, media rights, exclusivity,"
    " term, runs, holdback. Fees only for roles allowed to see them, and only privately.",
    usage="deals <title, territory, group or licensee> [status]",
    examples=("deals Miracle in Cell No. 7 turkish", "deals latam active"),
)

FEES_NOTE = ("Fees and terms are confidential: ask privately (a slash command's private option, or a DM)"
             " if your role may see them.")
# Words a query may carry that name no record, and are simply skipped ("deals for mexico").
FILLER_WORDS = frozenset({"for", "in", "of", "with", "from", "since", "to", "the", "desde", "para", "en", "de"})
STATUS_GROUPS = (("active", "signed", None), ("negotiating", "offered"), ("expired", "cancelled"))
_K = TypeVar("_K")


async def run_deals(text: str, context: CommandContext) -> Reply:
    prefix = context.reader.prefix
    rest, statuses = status_words(text)
    if not rest:
        return problem(f"Which title, territory, group or licensee? e.g. `{prefix}deals Miracle in Cell No. 7 turkish`"
                       f" or `{prefix}deals latam active`.")
    parsed = drop_filler_title(
        split_query(context.names, rest, wants=("title", "territory", "company"), today=context.today))
    extra = " ".join(sorted(statuses))
    if (unresolved := first_unresolved(parsed, context.names, f"{prefix}deals", extra)) is not None:
        return unresolved
    title_id = _found_id(parsed.title)
    licensee_id = _found_id(parsed.company)
    place = place_record_codes(context.names, parsed.place)
    if title_id is None and licensee_id is None and place is None:
        suggestions = resolve_title(context.names, rest)
        missing = suggestions if isinstance(suggestions, NotFound) else NotFound(rest)
        return unresolved_reply(missing, "title, territory, group or licensee", rest, context.names,
                                lambda words: f"{prefix}deals {words}")
    found = await deal_facts(context.session, title_id=int(title_id) if title_id is not None else None,
                             territory_codes=place[1] if place else None,
                             licensee_id=int(licensee_id) if licensee_id is not None else None, statuses=statuses)
    scope = _scope(context.names, parsed, place[0] if place else None, statuses)
    return await deals_reply(found, scope, context, leftover=ignored_words(parsed.leftover),
                             show_title=title_id is None)


async def deals_reply(found: DealFacts, scope: str, context: CommandContext, *, leftover: Sequence[str] = (),
                      show_title: bool = True) -> Reply:
    """The deals as one block of fields each (and a confidential block when the reader may see fees)."""
    notes: list[str] = []
    if leftover:
        notes.append(f"Not understood, so left out of the question: {', '.join(leftover)}.")
    if not found.deals:
        return Reply(headline=clip(f"No deals {scope}", HEADLINE_MAX), notes=tuple(notes))
    wording = DealWording(context.names, context.reader.locale)
    may_see_fees = context.reader.may_see_fees
    fields, pages = fit([deal_fields(deal, wording, may_see_fees, show_title=show_title) for deal in found.deals])
    if found.truncated:
        notes.append(f"Only the first {len(found.deals)} deals are shown (in force first, newest first): add a"
                     f" status (`active`, `negotiating`, `expired`), a licensee or a title to see the rest.")
    if not may_see_fees:
        notes.append(FEES_NOTE)
    count = len(found.deals)
    return Reply(
        headline=clip(f"{count}{'+' if found.truncated else ''} {'deal' if count == 1 else 'deals'} {scope}",
                      HEADLINE_MAX),
        body=status_summary(found.deals),
        fields=fields,
        pages=pages,
        notes=tuple(notes),
        sources=tuple(dict.fromkeys(deal.source for deal in found.deals if deal.source)),
    )


# --- parsing -----------------------------------------------------------------------------------------


def status_words(text: str) -> tuple[str, frozenset[str]]:
    """Status words ("active", "negotiating") pulled out of a query; the rest is the record to look up."""
    kept: list[str] = []
    statuses: set[str] = set()
    for word in text.split():
        status = canonical("status", word)
        if status is None:
            kept.append(word)
        else:
            statuses.add(status)
    return " ".join(kept), frozenset(statuses)


def ignored_words(leftover: Iterable[str]) -> list[str]:
    return [word for word in leftover if word not in FILLER_WORDS]


def drop_filler_title(parsed: ParsedQuery) -> ParsedQuery:
    """"deals in spain": a title made only of filler words ("in") was not meant; nothing is asked about it."""
    words = parsed.words.get("title", ())
    if isinstance(parsed.title, Found) or not words or not set(words) <= FILLER_WORDS:
        return parsed
    return replace(parsed, title=None, leftover=(*parsed.leftover, *words),
                   words={part: found for part, found in parsed.words.items() if part != "title"})


def _found_id(resolution: Resolution | None) -> int | str | None:
    return resolution.id if isinstance(resolution, Found) else None


def first_unresolved(parsed: ParsedQuery, index: NameIndex, command: str, extra: str = "") -> Reply | None:
    """The "which one?" or "nothing is called that" reply for the first part that did not resolve to one record.

    Each candidate's line asks the same question again with that part replaced by the candidate's exact name.
    """
    parts = (("title", parsed.title, "title"), ("territory", parsed.place, "territory"),
             ("company", parsed.company, "licensee"))
    for part, resolution, what in parts:
        if isinstance(resolution, Ambiguous | NotFound):
            others = [" ".join(words) for name, words in parsed.words.items() if name != part]
            if parsed.period is not None and "date" not in parsed.words:
                others.append(parsed.period.text)  # a written date is taken out before the words are split
            typed = " ".join(parsed.words.get(part, ()))

            def line_for(words: str, others: list[str] = others) -> str:
                return " ".join(piece for piece in (command, words, *others, extra) if piece)

            return unresolved_reply(resolution, what, typed, index, line_for)
    return None


def place_record_codes(index: NameIndex, place: Resolution | None) -> tuple[str, frozenset[str]] | None:
    """A found territory or group as (its name, the territory codes it stands for)."""
    if not isinstance(place, Found):
        return None
    candidate = place.candidate
    if candidate.kind == "group":
        record = index.record("group", candidate.id)
        return candidate.name, frozenset(record.members if record else ())
    return candidate.name, frozenset({str(candidate.id)})


def _scope(index: NameIndex, parsed: ParsedQuery, place: str | None, statuses: frozenset[str]) -> str:
    pieces = []
    if isinstance(parsed.title, Found):
        record = index.record("title", parsed.title.id)
        pieces.append(f"for {label(index, record) if record else parsed.title.candidate.name}")
    if place:
        pieces.append(f"in {place}")
    if isinstance(parsed.company, Found):
        pieces.append(f"with {parsed.company.candidate.name}")
    if statuses:
        pieces.append(f"({', '.join(DEAL_STATUSES[s].lower() for s in sorted(statuses))})")
    return " ".join(pieces)


# --- one deal ----------------------------------------------------------------------------------------


class DealWording:
    """How the deals of one reply read, each piece that repeats across them worded once.

    A territory's 200 deals repeat territory lists (most are that territory alone), media and, in a real
    catalog, titles and terms; wording a territory list (which groups cover it, names in order) for every deal
    was a fifth of the reply's time. The text is exactly what the plain helpers below write.

    Territory lists and title labels depend on the name index alone, so they are kept with it across replies
    (``INDEX_WORDING``): a list's first ask worded 90 territory lists and 200 titles, 1 ms of its 10, which the
    next ask of a territory, a title or a licensee mostly finds worded.
    """

    def __init__(self, index: NameIndex, locale: str) -> None:
        self.index, self.groups, self.locale = index, index.territory_groups, locale
        self._territories, self._titles = INDEX_WORDING.of(index)
        self._media: dict[tuple[tuple[str, ...], bool | None], str] = {}
        self._terms: dict[tuple[dt.date | None, dt.date | None, int | None, dt.date | None], str] = {}

    def territories(self, codes: tuple[str, ...]) -> str:
        if (text := self._territories.get(codes)) is None:
            text = clip(territories_text(codes, self.index, self.groups), 600)
            INDEX_WORDING.keep(self._territories, codes, text)
        return text

    def title(self, title: DealTitle) -> str:
        if (text := self._titles.get(title.id)) is None:
            text = title_text(self.index, title)
            if self.index.record("title", title.id) is not None:  # else worded from the deal's row, each time
                INDEX_WORDING.keep(self._titles, title.id, text)
        return text

    def media(self, media: tuple[str, ...], exclusive: bool | None) -> str:
        if (text := self._media.get((media, exclusive))) is None:
            text = self._media[(media, exclusive)] = f"{media_text(media)} · {exclusivity_text(exclusive)}"
        return text

    def term(self, deal: DealFact) -> str:
        key = (deal.start_date, deal.end_date, deal.runs, deal.holdback_until)
        if (text := self._terms.get(key)) is None:
            text = self._terms[key] = " · ".join(_term_parts(deal, self.locale))
        return text


class IndexWording:
    """The territory lists and title labels of deals, worded for the current name index and kept with it.

    The name index is immutable and swapped whole after an import, so what was worded for one index stays
    true of it: the words are kept for the last index asked about (known by a weak reference, so a swapped
    out index is not held), and a new index starts afresh. Each kind keeps at most ``KEPT`` texts, and is
    emptied when full (a catalog's deals repeat a few hundred territory lists; titles run to 100,000).
    """

    KEPT = 10_000

    def __init__(self) -> None:
        self._index: weakref.ref[NameIndex] | None = None
        self._words: tuple[dict[tuple[str, ...], str], dict[int, str]] = ({}, {})

    def of(self, index: NameIndex) -> tuple[dict[tuple[str, ...], str], dict[int, str]]:
        """The territory lists (in the index's groups) and the title labels worded so far for this index."""
        if self._index is None or self._index() is not index:
            self._index, self._words = weakref.ref(index), ({}, {})
        return self._words

    def keep(self, words: dict[_K, str], key: _K, text: str) -> None:
        if len(words) >= self.KEPT:
            words.clear()
        words[key] = text


INDEX_WORDING = IndexWording()


def deal_fields(deal: DealFact, wording: DealWording, may_see_fees: bool, *, show_title: bool = True) -> list[Field]:
    """A deal as a field, then (only for readers who may see fees) its financial terms as a confidential one.

    ``show_title`` False when every deal is of the one title asked about: the licensee alone names the field.
    """
    value = (f"{status_label(deal.status)} · {deal.deal_ref or 'no deal ref'}"
             f"\nTerritories: {wording.territories(deal.territories)}"
             f"\nMedia: {wording.media(deal.media, deal.exclusive)}"
             f"\nTerm: {wording.term(deal)}")
    if deal.owner and deal.source:
        value = f"{value}\nOwner: {deal.owner} · Source: {deal.source}"
    elif deal.owner or deal.source:
        value = f"{value}\nOwner: {deal.owner}" if deal.owner else f"{value}\nSource: {deal.source}"
    name = f"{wording.title(deal.title)} — {deal.licensee}" if show_title else deal.licensee
    fields = [Field(clip(name, FIELD_NAME_MAX), clip(value, FIELD_VALUE_MAX))]
    if may_see_fees and (terms := financial_terms(deal, wording.locale)):
        fields.append(Field(clip(f"Fee and terms — {deal.deal_ref or name}", FIELD_NAME_MAX),
                            clip("\n".join(terms), FIELD_VALUE_MAX), confidential=True))
    return fields


def financial_terms(deal: DealFact, locale: str) -> list[str]:
    """Fee, signing date and notes: the confidential part of a deal."""
    lines = []
    if deal.fee is not None and deal.currency:
        lines.append(f"Fee: {format_money(deal.fee, deal.currency, locale)}")
    if deal.signed_on is not None:
        lines.append(f"Signed on: {format_day(deal.signed_on, locale)}")
    if deal.notes:
        lines.append(f"Notes: {deal.notes}")
    return lines


def status_label(status: str | None) -> str:
    return DEAL_STATUSES[status] if status else "Status not stated"


def status_summary(deals: Sequence[DealFact]) -> str:
    """``9 active or signed, 1 negotiating or offered, 1 expired or cancelled``."""
    parts = []
    for group in STATUS_GROUPS:
        count = sum(deal.status in group for deal in deals)
        if count:
            words = " or ".join(DEAL_STATUSES[s].lower() for s in group if s)
            parts.append(f"{count} {words}")
    return ", ".join(parts) + "." if parts else ""


def exclusivity_text(exclusive: bool | None) -> str:
    return {True: "exclusive", False: "non-exclusive", None: "exclusivity not stated"}[exclusive]


def media_text(media: Iterable[str]) -> str:
    labels = [MEDIA_RIGHTS.get(m, m) for m in sorted(media, key=list(MEDIA_RIGHTS).index)]
    return ", ".join(labels) or "media not stated"


def term_text(start: dt.date | None, end: dt.date | None, locale: str) -> str:
    """``March 1, 2025 – February 28, 2027``, ``from ..., open-ended``, ``until ...`` or ``term not stated``."""
    if start is None and end is None:
        return "term not stated"
    if end is None:
        return f"from {format_day(start, locale)}, open-ended"
    if start is None:
        return f"until {format_day(end, locale)}"
    return f"{format_day(start, locale)} – {format_day(end, locale)}"


def _term_parts(deal: DealFact, locale: str) -> Iterable[str]:
    yield term_text(deal.start_date, deal.end_date, locale)
    if deal.runs is not None:
        yield f"{deal.runs} {'run' if deal.runs == 1 else 'runs'}"
    if deal.holdback_until is not None:
        yield f"holdback until {format_day(deal.holdback_until, locale)}"


def territories_text(codes: Iterable[str], index: NameIndex, groups: Mapping[str, frozenset[str]]) -> str:
    """Territories by name, a whole group named once: ``LATAM (20 territories)``, ``DACH (3 territories), Spain``."""
    code_set = set(codes)
    chosen = covering_groups(code_set, groups)
    covered = set().union(*(groups[g] for g in chosen)) if chosen else set()
    names = sorted(territory_name(index, code) or code for code in code_set - covered)
    return ", ".join([*(f"{g} ({len(groups[g])} territories)" for g in chosen), *names]) or "territories not stated"


def title_text(index: NameIndex, title: DealTitle) -> str:
    """The title as look-alikes are told apart: ``Miracle in Cell No. 7 (2019, Türkiye, film)``."""
    record = index.record("title", title.id)
    if record is not None:
        return label(index, record)
    return f"{title.name} ({title.year})" if title.year else title.name


# --- paging ------------------------------------------------------------------------------------------


def fit(blocks: Sequence[Sequence[Field]]) -> tuple[tuple[Field, ...], tuple[Page, ...]]:
    """Blocks of fields (one deal, one title) as reply fields when they fit one page, else as pages.

    A block is never split across pages, so a deal's confidential terms always sit next to the deal.
    """
    pages = paginate_blocks(blocks)
    if len(pages) <= 1:
        return (pages[0].fields if pages else ()), ()
    return (), tuple(pages)
