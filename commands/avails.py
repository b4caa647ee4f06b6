"""``avails <title> <territory or group> [media] [from date]``: can this still be sold, and if not, what holds
it and until when.

The rule itself is ``commands.avails_rule`` (docs/avails.md); this module only asks the question (expands a
group, picks the media and the window) and says the answer. A group times every right is many rows, so the
answer is grouped by outcome: per right, the territories that are free in one line, and the blocked ones
grouped by what blocks them. Fees never appear here: the deals are read without them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from commands.avails_rule import Block, DealTerms, TerritoryAvails, Window, avails
from commands.context import CommandContext
from commands.deals import drop_filler_title, first_unresolved, fit, ignored_words, place_record_codes, territories_text
from commands.formatting import format_day
from commands.help import CommandHelp
from commands.limits import HEADLINE_MAX, clip, lines_into_fields
from commands.reply import Field, Reply, problem
from commands.resolve import Found, NotFound, label, resolve_territory, resolve_title, territory_name
from commands.resolving import pick_text, unresolved_reply
from commands.split import ParsedQuery, Period, split_query
from storage.deals import AvailsDeal, avails_deals
from storage.name_index import NameIndex
from storage.vocab import DEAL_STATUSES, MEDIA_RIGHTS

HELP = CommandHelp(
    name="avails",
    summary="Whether a title can still be sold, per territory and media right: available or not, the deal that"
    " blocks it and the day it is free again; offered and negotiating deals as warnings.",
    usage="avails <title> <territory or group> [media] [from date]",
    examples=("avails Miracle in Cell No. 7 turkish spain svod", "avails Small Miracles latam free tv 2027-01-01"),
)

NEVER_FREE = "not before the open-ended deal ends"


async def run_avails(text: str, context: CommandContext) -> Reply:
    prefix, index = context.reader.prefix, context.names
    example = f"`{prefix}avails Miracle in Cell No. 7 turkish spain svod`"
    if not text.strip():
        return problem(f"Which title, and where? e.g. {example}.")
    parsed = drop_filler_title(
        split_query(index, text, wants=("title", "territory", "media", "date"), today=context.today))
    if (unresolved := first_unresolved(parsed, index, f"{prefix}avails")) is not None:
        return unresolved
    if not isinstance(parsed.title, Found):
        words = " ".join(ignored_words(parsed.leftover))
        if words and isinstance(missing := resolve_title(index, words), NotFound):
            rest = _words_but(parsed, "title")
            return unresolved_reply(missing, "title", words, index,
                                    lambda w: " ".join([f"{prefix}avails", w, *rest]))
        return problem(f"Avails of which title? Name it before the territory, e.g. {example}.")
    title = index.record("title", parsed.title.id)
    title_words = pick_text(index, parsed.title.candidate)
    place = place_record_codes(index, parsed.place)
    if place is None:
        if (words := " ".join(ignored_words(parsed.leftover))) and not isinstance(
                where := resolve_territory(index, words), Found):
            rest = _words_but(parsed, "title")
            return unresolved_reply(where, "territory", words, index,
                                    lambda w: " ".join([f"{prefix}avails", title_words, w, *rest]))
        return problem(f"Which territories? e.g. `{prefix}avails {title_words} spain svod`"
                       f" or `{prefix}avails {title_words} latam`.")
    name = label(index, title) if title else parsed.title.candidate.name
    return await _answer(context, int(parsed.title.id), name, place, parsed)


async def _answer(context: CommandContext, title_id: int, title_name: str, place: tuple[str, frozenset[str]],
                  parsed: ParsedQuery) -> Reply:
    """Ask the rule about every (territory, right) and say it grouped by outcome."""
    index, locale = context.names, context.reader.locale
    window = _window(parsed.period, context.today)
    codes = sorted(place[1], key=lambda code: territory_name(index, code) or code)
    media = parsed.media or tuple(MEDIA_RIGHTS)
    deals = await avails_deals(context.session, title_id, codes)
    rows = avails((_terms(deal) for deal in deals), codes, media, window)
    groups = context.names.territory_groups
    asked_media = f" for {', '.join(MEDIA_RIGHTS[m] for m in parsed.media)}" if parsed.media else ""
    headline = f"Avails of {title_name} in {place[0]}{asked_media}, {_window_text(window, locale)}"
    notes = []
    if leftover := ignored_words(parsed.leftover):
        notes.append(f"Not understood, so left out of the question: {', '.join(leftover)}.")
    if not deals:
        notes.append("The catalog holds no deal of this title in these territories.")
    if any(b.reason == "exclusivity_not_stated" for row in rows for b in row.blocks):
        notes.append("“Exclusivity not stated” is counted as exclusive: check the contract before selling.")
    by_right = {right: [row for row in rows if row.media == right] for right in media}
    used = {b.deal.deal_id for row in rows for b in (*row.blocks, *row.warnings)}
    fields, pages = fit([
        *(_right_fields(right, by_right[right], index, groups, locale) for right in media
          if not _all_clear(by_right[right])),
        _clear_fields(by_right, len(codes)),
    ])
    return Reply(
        headline=clip(headline, HEADLINE_MAX),
        body=_summary(by_right, len(codes)),
        fields=fields,
        pages=pages,
        notes=tuple(notes),
        sources=tuple(dict.fromkeys(d.source for d in deals if d.deal_id in used and d.source)),
    )


def _words_but(parsed: ParsedQuery, part: str) -> list[str]:
    """The words of the other parts, to ask again with one part replaced (a written date is kept whole)."""
    words = [" ".join(found) for name, found in parsed.words.items() if name != part]
    if parsed.period is not None and "date" not in parsed.words:
        words.append(parsed.period.text)
    return words


def _window(period: Period | None, today: dt.date) -> Window:
    """From the period's start (today if none); a span ("2027", "march 2027") ends with it, a day is "from"."""
    if period is None or period.start is None:
        return Window(today)
    end = period.end if period.end is not None and period.end != period.start else None
    return Window(period.start, end)


def _window_text(window: Window, locale: str) -> str:
    if window.end is None:
        return f"from {format_day(window.start, locale)}"
    return f"{format_day(window.start, locale)} – {format_day(window.end, locale)}"


def _terms(deal: AvailsDeal) -> DealTerms:
    return DealTerms(
        deal_id=deal.deal_id, deal_ref=deal.deal_ref, licensee=deal.licensee, territories=deal.territories,
        media=deal.media, exclusive=deal.exclusive, start=deal.start, end=deal.end,
        holdback_until=deal.holdback_until, status=deal.status,
    )


# --- the answer, grouped by outcome ------------------------------------------------------------------


def _all_clear(rows: Sequence[TerritoryAvails]) -> bool:
    return all(row.available and not row.warnings for row in rows)


def _summary(by_right: Mapping[str, Sequence[TerritoryAvails]], total: int) -> str:
    """One sentence per outcome, rights with the same outcome together: ``SVOD, AVOD: available in all 20.``"""
    outcomes: dict[str, list[str]] = {}
    for right, rows in by_right.items():
        outcomes.setdefault(_outcome(rows, total), []).append(MEDIA_RIGHTS[right])
    return " ".join(f"{', '.join(rights)}: {outcome}." for outcome, rights in outcomes.items())


def _outcome(rows: Sequence[TerritoryAvails], total: int) -> str:
    free = sum(row.available for row in rows)
    warned = sum(bool(row.warnings) for row in rows)
    if total == 1:
        outcome = "available" if free else "not available"
    elif free == total:
        outcome = f"available in all {total}"
    elif free == 0:
        outcome = f"blocked in all {total}"
    else:
        outcome = f"available in {free} of {total}, blocked in {total - free}"
    if warned:
        outcome += f" ({warned} with a pending deal)" if total > 1 else " (a deal is pending)"
    return outcome


def _clear_fields(by_right: Mapping[str, Sequence[TerritoryAvails]], total: int) -> list[Field]:
    clear = [MEDIA_RIGHTS[right] for right, rows in by_right.items() if _all_clear(rows)]
    if not clear:
        return []
    where = "" if total == 1 else f" in all {total} territories"
    return [Field("✅ Available", f"{', '.join(clear)}: available{where}, no deal pending.")]


def _right_fields(right: str, rows: Sequence[TerritoryAvails], index: NameIndex,
                  groups: Mapping[str, frozenset[str]], locale: str) -> list[Field]:
    """One right: the free territories in one line, then the blocked and warned ones grouped by their deals."""
    lines = []
    free = [row.territory for row in rows if row.available]
    if free:
        if len(rows) == 1:
            lines.append("✅ Available")
        elif len(free) == len(rows):
            lines.append(f"✅ Available in all {len(rows)} territories")
        else:
            lines.append(f"✅ Available in {len(free)} of {len(rows)}: {_names(free, index)}")
    blocked: dict[tuple[tuple[Block, ...], dt.date | None], list[str]] = {}
    for row in rows:
        if not row.available:
            blocked.setdefault((row.blocks, row.free_from), []).append(row.territory)
    for (blocks, free_from), codes in blocked.items():
        until = f"free from {format_day(free_from, locale)}" if free_from else NEVER_FREE
        held = "; ".join(_block_text(block, locale) for block in blocks)
        lines.append(f"❌ {territories_text(codes, index, groups)}: {held}; {until}")
    warned: dict[tuple[Block, ...], list[str]] = {}
    for row in rows:
        if row.warnings:
            warned.setdefault(row.warnings, []).append(row.territory)
    for warnings, codes in warned.items():
        pending = "; ".join(_block_text(block, locale) for block in warnings)
        lines.append(f"⚠️ {territories_text(codes, index, groups)}: {pending}; would block if signed")
    return lines_into_fields(MEDIA_RIGHTS[right], lines)


def _names(codes: Iterable[str], index: NameIndex) -> str:
    return ", ".join(territory_name(index, code) or code for code in codes)


def _block_text(block: Block, locale: str) -> str:
    """``Imagen TV (IM-M7-001, signed): exclusive until July 31, 2027``: who holds it, why, over which days."""
    deal = block.deal
    status = DEAL_STATUSES[deal.status].lower() if deal.status else "status not stated, counted as signed"
    who = f"{deal.licensee} ({', '.join(p for p in (deal.deal_ref, status) if p)})"
    media = ", ".join(MEDIA_RIGHTS[m] for m in MEDIA_RIGHTS if m in deal.media)
    why = {"exclusive": "exclusive", "holdback": f"holdback of its {media} deal",
           "exclusivity_not_stated": "exclusivity not stated"}[block.reason]
    last = block.free_from - dt.timedelta(days=1) if block.free_from else None
    if block.blocked_from is None and last is None:
        span = "no term stated"
    elif last is None:
        span = f"from {format_day(block.blocked_from, locale)}, open-ended"
    elif block.blocked_from is None:
        span = f"until {format_day(last, locale)}"
    else:
        span = f"{format_day(block.blocked_from, locale)} – {format_day(last, locale)}"
    return f"{who}: {why}, {span}"
