"""``buyer <company>``: what a licensee bought and how those titles did on its channels.

The question a salesperson asks before calling a buyer: what do they already have from us (titles,
territories, rights, terms) and what worked for them (the best audience per title on their own channels,
with where each figure comes from). Fees follow the same rule as ``deals``: confidential fields, and only
for readers who may see them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from commands.context import CommandContext
from commands.deals import (
    FEES_NOTE,
    exclusivity_text,
    financial_terms,
    fit,
    media_text,
    status_label,
    term_text,
    territories_text,
    title_text,
)
from commands.figures import figure_summary
from commands.help import CommandHelp
from commands.limits import HEADLINE_MAX, clip, lines_into_fields
from commands.reply import Field, Reply, problem
from commands.resolve import Found, label, resolve_company
from commands.resolving import unresolved_reply
from storage.deals import ChannelFigure, DealFact, channel_figures, deal_facts
from storage.name_index import NameIndex

HELP = CommandHelp(
    name="buyer",
    summary="What a licensee bought (titles, territories, rights, terms) and how those titles did on its"
    " channels, with the source of each figure.",
    usage="buyer <company>",
    examples=("buyer Imagen TV", "buyer Vista Play"),
)

FIGURES_PER_TITLE = 4


async def run_buyer(text: str, context: CommandContext) -> Reply:
    prefix, index = context.reader.prefix, context.names
    if not text.strip():
        return problem(f"Which licensee? Type its name after the command, e.g. `{prefix}buyer imagen tv`.")
    resolution = resolve_company(index, text)
    if not isinstance(resolution, Found):
        return unresolved_reply(resolution, "company", text, index, lambda words: f"{prefix}buyer {words}")
    company_id = int(resolution.id)
    record = index.record("company", company_id)
    name = label(index, record) if record else resolution.candidate.name
    found = await deal_facts(context.session, licensee_id=company_id)
    figures = await channel_figures(context.session, company_id)
    locale, may_see_fees = context.reader.locale, context.reader.may_see_fees
    blocks: list[list[Field]] = []
    if found.deals:
        groups = context.names.territory_groups
        blocks.append(lines_into_fields("Bought", [_deal_line(d, index, groups, locale) for d in found.deals]))
        if may_see_fees:
            terms = [f"{d.deal_ref or title_text(index, d.title)}: {' · '.join(lines)}"
                     for d in found.deals if (lines := financial_terms(d, locale))]
            blocks.append(lines_into_fields("Fees and terms", terms, confidential=True))
    blocks.extend(_title_fields(title_figures, index, locale) for title_figures in _by_title(figures))
    fields, pages = fit([block for block in blocks if block])
    notes = []
    if found.truncated:
        notes.append(f"Only the first {len(found.deals)} deals are listed; `{prefix}deals` narrows them down.")
    if found.deals and not may_see_fees:
        notes.append(FEES_NOTE)
    sources = [*(d.source for d in found.deals), *(f.figure.source for f in figures)]
    return Reply(
        headline=clip(name, HEADLINE_MAX),
        body=_summary(found.deals, figures),
        fields=fields,
        pages=pages,
        notes=tuple(notes),
        sources=tuple(dict.fromkeys(s for s in sources if s)),
    )


def _summary(deals: Sequence[DealFact], figures: Sequence[ChannelFigure]) -> str:
    titles = len({deal.title.id for deal in deals})
    aired = len({figure.title_id for figure in figures})
    bought = (f"Bought {len(deals)} {'deal' if len(deals) == 1 else 'deals'}"
              f" for {titles} {'title' if titles == 1 else 'titles'}" if deals else "No deals in the catalog")
    audience = (f"audience figures for {aired} {'title' if aired == 1 else 'titles'} on its channels" if aired
                else "no audience figures on its channels")
    return f"{bought}; {audience}."


def _deal_line(deal: DealFact, index: NameIndex, groups: Mapping[str, frozenset[str]], locale: str) -> str:
    """``Miracle in Cell No. 7 (2019, Türkiye, film) · Mexico · Free TV, exclusivity not stated · ...``."""
    territories = clip(territories_text(deal.territories, index, groups), 300)
    media = f"{media_text(deal.media)}, {exclusivity_text(deal.exclusive)}"
    status = f"{status_label(deal.status)}{f' ({deal.deal_ref})' if deal.deal_ref else ''}"
    term = term_text(deal.start_date, deal.end_date, locale)
    return f"{title_text(index, deal.title)} · {territories} · {media} · {term} · {status}"


def _by_title(figures: Sequence[ChannelFigure]) -> list[list[ChannelFigure]]:
    """Figures per title, the titles that did best first."""
    titles: dict[int, list[ChannelFigure]] = {}
    for figure in figures:
        titles.setdefault(figure.title_id, []).append(figure)
    return sorted((sorted(group, key=_strength, reverse=True) for group in titles.values()),
                  key=lambda group: _strength(group[0]), reverse=True)


def _strength(figure: ChannelFigure) -> tuple[int, float, float]:
    fact = figure.figure
    return fact.viewers or 0, float(fact.share_pct or 0), float(fact.rating_pct or 0)


def _title_fields(figures: Sequence[ChannelFigure], index: NameIndex, locale: str) -> list[Field]:
    first = figures[0]
    record = index.record("title", first.title_id)
    name = label(index, record) if record else (
        f"{first.title_name} ({first.title_year})" if first.title_year else first.title_name)
    lines = [figure_summary(f.figure, locale) for f in figures[:FIGURES_PER_TITLE]]
    if len(figures) > FIGURES_PER_TITLE:
        lines.append(f"… and {len(figures) - FIGURES_PER_TITLE} more figures (ratings command)")
    return lines_into_fields(f"On air: {name}", lines)


