"""``press <title> [en|es|tr]``: press-ready sentences built only from catalog facts, the quotes, the sources.

Why it is shaped this way:

- **Only recorded facts.** Each sentence is filled from one audience figure or one theatrical release. A
  number that is not in the catalog is never stated: a figure without viewers gets no "viewers" clause, one
  without numbers gets no sentence, a release without a date, admissions or gross gets none. The wording is
  in ``commands.press_phrases``; it arranges the numbers and never adds one.
- **"More than" only when recorded.** A count is a floor ("more than 3.1 million viewers") only when the
  figure's notes say so ("more than", "over", "más de", "fazla", "+"); otherwise the number is stated
  plainly. Releases have no notes column, so admissions are always stated plainly. When rounding to
  "3.1 million" would overstate a floor, the full count is written instead.
- **Rank notes are English catalog text.** English output weaves them in with only their first letter
  lowercased after "the" (superlatives), verbatim ("#1 …"), or, for a note such as
  "#1 in prime time (topped the prime-time charts)", the recorded press wording in the parenthesis. Spanish
  and Turkish output translate only the patterns templated in ``press_phrases.translated_rank``
  ("#N in prime time", "Most-watched film of YEAR"); every other note is listed verbatim, in
  quotes, under "Highlights (as recorded)", never paraphrased.
- **Which figures.** Per channel and territory: every figure with a rank note plus the strongest figure
  (viewers, then share, then rating), at most ``PER_BROADCAST``; broadcasts with the most viewers first, then
  the releases in date order. The rest is counted in a note that points to the ratings command.
- **The language word.** The last word names the output language only when it is, exactly and alone, one of
  ``press_phrases.LANGUAGE_WORDS`` (``en``, ``es``, ``tr``, ``english``, ``español``, ``türkçe``, …) *and*
  the words before it resolve to one title. ``tr`` is also Türkiye's code and ``turkish`` an origin, so
  ``press miracle in cell no 7 tr`` (the words before are ambiguous) reads ``tr`` as the origin, and a
  parenthesised qualifier such as ``(2019, TR)`` is never a language (``TR)`` is not a word alone). When
  the words before it resolve to one title but the whole line resolves to another (``night train tr``:
  *Night Train* in Turkish, or the Turkish *Night Trains*?), the reader is asked; not when those words pin
  the title with brackets or a ``title:42`` reference, so picking a candidate never asks again. Otherwise
  the language is the reader's locale (English when it is none of the three).
- **Limits.** Sentences are left out whole (with a note) rather than cut; a quote longer than a field is cut
  at "…" and a note says so; quotes that would take a message past Discord's 6000 characters go to pages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from babel import Locale
from babel.numbers import get_currency_name

from commands.context import CommandContext
from commands.figures import distinct_sources
from commands.formatting import format_count, format_count_short, format_day, format_points
from commands.help import CommandHelp
from commands.limits import BODY_MAX, FIELD_VALUE_MAX, HEADLINE_MAX, PAGE_CHARS_MAX, clip, lines_into_fields, paginate
from commands.press_phrases import (
    EN_WITH_THE,
    LANGUAGE_WORDS,
    LANGUAGES,
    PHRASES,
    SHARE_BASES,
    Rank,
    en_article,
    es_count,
    join_series,
    rank_phrase,
    says_more_than,
    says_national_rating,
    share_base_in,
    tr_from,
    tr_in,
)
from commands.reply import Candidate, Reply, ReplyKind, problem
from commands.resolve import Found, resolve_title
from commands.resolving import pick_text, unresolved_reply
from storage.catalog import FigureFact, ReleaseFact, title_facts
from storage.keys import name_key
from storage.models import Title
from storage.name_index import NameIndex
from storage.press import QuoteFact, title_quotes

HELP = CommandHelp(
    name="press",
    summary="Press-ready sentences in English, Spanish or Turkish from the catalog's figures, with the quotes"
    " on record and the sources.",
    usage="press <title> [en|es|tr]",
    examples=("press Miracle in Cell No. 7 (2019, TR)", "press milagro en la celda 7 es"),
)

MAX_QUERY = 200
PER_BROADCAST = 3
MAX_SENTENCES = 12
PAGE_MARGIN = 200  # room for the renderer's own labels ("Sources:", page counters)


@dataclass(frozen=True)
class Reading:
    """What the line asks for: the title's resolution and the output language."""

    resolution: Found
    language: str


def default_language(locale: str) -> str:
    try:
        language = Locale.parse(locale.replace("-", "_")).language
    except (ValueError, TypeError):
        return "en"
    return language if language in LANGUAGES else "en"


def read_query(index: NameIndex, query: str, default: str, prefix: str) -> Reading | Reply:
    """The title and language of a line, by the rule in the module docstring."""
    words = query.split()
    last = words[-1]
    language = LANGUAGE_WORDS.get(name_key(last)) if len(words) > 1 and last.isalpha() else None
    if language is not None:
        rest = " ".join(words[:-1])
        before = resolve_title(index, rest)
        if isinstance(before, Found):
            whole = resolve_title(index, query) if not _pinned(rest) else before
            if isinstance(whole, Found) and whole.id != before.id:
                return Reply(
                    headline=f"Is “{last}” the language or part of the title?",
                    kind=ReplyKind.CHOICE,
                    candidates=(
                        Candidate(f"{before.candidate.label}, in {language}",
                                  f"{prefix}press {_pinned_text(index, before)} {language}"),
                        Candidate(whole.candidate.label, f"{prefix}press {_pinned_text(index, whole)}"),
                    ),
                )
            return Reading(before, language)
    resolution = resolve_title(index, query)
    if not isinstance(resolution, Found):
        return unresolved_reply(resolution, "title", query, index, lambda words: f"{prefix}press {words}")
    return Reading(resolution, default)


def _pinned(words: str) -> bool:
    """Words that name one title outright: a bracketed year/origin ("… (2013, KR)") or a ``title:42`` ref."""
    return words.endswith(")") or words.startswith("title:")


def _pinned_text(index: NameIndex, found: Found) -> str:
    """What to type to get exactly this title, in a form ``_pinned`` recognises, so a pick never asks again."""
    text = pick_text(index, found.candidate)
    return text if _pinned(text) else found.candidate.ref


async def run_press(text: str, context: CommandContext) -> Reply:
    prefix = context.reader.prefix
    query = text.strip()
    if not query:
        return problem(f"Which title? Type a name after the command, e.g. `{prefix}press miracle in cell no. 7 es`.")
    if len(query) > MAX_QUERY or any(unicodedata.category(c) == "Cc" for c in query):
        return problem(f"Type a title name of at most {MAX_QUERY} plain characters, e.g. `{prefix}press miracle es`.")
    reading = read_query(context.names, query, default_language(context.reader.locale), prefix)
    if isinstance(reading, Reply):
        return reading
    facts = await title_facts(context.session, int(reading.resolution.id))
    if facts is None:  # deleted since the name index was built
        return problem(f"“{query}” was just removed from the catalog; ask again in a moment.")
    quotes = await title_quotes(context.session, facts.title.id)
    ratings_line = f"{prefix}ratings {pick_text(context.names, reading.resolution.candidate)}"
    return press_reply(reading.resolution.candidate.label, facts.title, facts.figures, facts.releases, quotes,
                       reading.language, ratings_line)


# --- the reply ---------------------------------------------------------------------------------------------


def press_reply(label: str, title: Title, figures: Sequence[FigureFact], releases: Sequence[ReleaseFact],
                quotes: Sequence[QuoteFact], language: str, ratings_line: str) -> Reply:
    phrases = PHRASES[language]
    writer = _Writer(language, press_name(title, language))
    chosen = pick_figures(figures)
    previous: tuple[str, str] | None = None
    for figure in chosen:
        writer.figure(figure, same_broadcast=previous == (figure.territory_code, figure.channel))
        previous = (figure.territory_code, figure.channel)
    for release in releases:
        writer.release(release)
    notes: list[str] = []
    if len(chosen) < len(figures):
        more = len(figures) - len(chosen)
        notes.append((phrases.more_figure if more == 1 else phrases.more_figures).format(count=more, line=ratings_line))
    body = _fit_body(writer.sentences, notes, phrases.cut_short.format(line=ratings_line), unsaid=writer.unsaid)
    if not body:
        body = phrases.only_highlights if writer.highlights else phrases.no_figures
    fields = lines_into_fields(phrases.highlights_field, writer.highlights)
    quote_lines = [quote_line(q, language) for q in quotes]
    if any(len(line) > FIELD_VALUE_MAX for line in quote_lines):
        notes.append(phrases.quote_cut)
    quote_fields = lines_into_fields(phrases.quotes_field, quote_lines)
    sources = list(distinct_sources([*writer.sources, *(q.source for q in quotes)]))
    headline = clip(phrases.headline.format(title=label), HEADLINE_MAX)
    fixed = len(headline) + len(body) + sum(len(n) for n in notes) + sum(len(s) + 2 for s in sources) + PAGE_MARGIN
    fixed += sum(len(f.name) + len(f.value) for f in fields)
    if fixed + sum(len(f.name) + len(f.value) for f in quote_fields) <= PAGE_CHARS_MAX:
        return Reply(headline=headline, body=body, fields=(*fields, *quote_fields), notes=tuple(notes),
                     sources=tuple(sources))
    pages = paginate(quote_fields, per_page_chars=max(PAGE_CHARS_MAX - fixed, FIELD_VALUE_MAX + 100))
    return Reply(headline=headline, body=body, fields=tuple(fields), pages=pages, notes=tuple(notes),
                 sources=tuple(sources))


def _fit_body(sentences: list[str], notes: list[str], cut_note: str, *, unsaid: int = 0) -> str:
    """The sentences as one paragraph within the body limit; whole sentences are left out, never cut
    (``unsaid`` more were never written: see ``_Writer.full``)."""
    kept = sentences[:MAX_SENTENCES]
    while kept and len(" ".join(kept)) > BODY_MAX:
        kept.pop()
    if len(kept) < len(sentences) or unsaid:
        notes.append(cut_note)
    return " ".join(kept)


def press_name(title: Title, language: str) -> str:
    """The title as a release in ``language`` names it, with the original title in brackets when different."""
    original = next((n for n in title.names if n.kind == "original"), None)
    if original is not None and original.language == language:
        return original.name
    local = next((n.name for kind in ("localized", "alias") for n in title.names
                  if n.kind == kind and n.language == language and n.territory_code is None), None)
    name = local or title.name
    if original is not None and name_key(original.name) != name_key(name):
        return f"{name} ({original.name})"
    return name


def quote_line(quote: QuoteFact, language: str) -> str:
    """“Quote, verbatim” — Person, Role, Organization (date)."""
    who = ", ".join(part for part in (quote.person, quote.role, quote.organization) if part)
    when = f" ({format_day(quote.said_on, language)})" if quote.said_on else ""
    return f"“{quote.quote}” — {who}{when}"


def pick_figures(figures: Sequence[FigureFact]) -> list[FigureFact]:
    """Per broadcast (territory and channel): the ranked figures and the strongest one, biggest audience first."""
    groups: dict[tuple[str, str], list[int]] = {}
    for position, figure in enumerate(figures):
        groups.setdefault((figure.territory_code, figure.channel), []).append(position)

    def strength(position: int) -> tuple[int, float, float]:
        f = figures[position]
        return (f.viewers or 0, float(f.share_pct or 0), float(f.rating_pct or 0))

    chosen_groups: list[list[int]] = []
    for positions in groups.values():
        best = max(positions, key=strength)
        ranked = [p for p in positions if figures[p].rank_note and p != best][: PER_BROADCAST - 1]
        chosen_groups.append(sorted([best, *ranked]))
    chosen_groups.sort(key=lambda group: -max(figures[p].viewers or 0 for p in group))
    return [figures[p] for group in chosen_groups for p in group]


# --- sentences ---------------------------------------------------------------------------------------------


class _Writer:
    """Writes the sentences in order: the first names the title, the later ones refer back to it."""

    def __init__(self, language: str, name: str) -> None:
        self.language = language
        self.phrases = PHRASES[language]
        self.name = name
        self.sentences: list[str] = []
        self.unsaid = 0  # sentences past the body's ``MAX_SENTENCES``: counted, their sources kept, not written
        self.highlights: list[str] = []
        self.sources: list[str | None] = []
        self.countries = Locale(language).territories

    @property
    def full(self) -> bool:
        """Has the body all the sentences it can show? A much-aired title has hundreds of broadcasts, each a
        sentence no reply showed: writing them took a 295-figure title's press from 15-18 ms to 25-30 (57-81 on
        its first ask, 37 now). Past ``MAX_SENTENCES`` a figure or release still lists its highlight and
        source, and counts as a sentence left out, but is not written."""
        return len(self.sentences) >= MAX_SENTENCES

    @property
    def subject(self) -> str:
        return self.phrases.later_subject if self.sentences else self.name

    def country(self, code: str, fallback: str) -> str:
        return self.countries.get(code, fallback)

    def country_in(self, code: str, fallback: str) -> str:
        """The country as a sentence places something in it."""
        name = self.country(code, fallback)
        if self.language == "tr":
            return tr_in(name)
        return f"the {name}" if self.language == "en" and code in EN_WITH_THE else name

    def count(self, value: int, *, floor: bool = False) -> str:
        """Millions as people write them ("3.1 million"); smaller counts in full; a floor never rounded up."""
        if value < 1_000_000:
            return format_count(value, self.language)
        unit = 1000 ** int(math.log(value, 1000))
        if floor and round(value / unit, 1) * unit > value:
            return format_count(value, self.language)
        return format_count_short(value, self.language)

    def rank(self, note: str | None, context: str) -> Rank | None:
        """The rank note as the sentence can say it, or listed as recorded under the highlights."""
        if not note:
            return None
        rank = rank_phrase(note, self.language)
        if rank is None:
            self.highlights.append(context.format(note=note))
        return rank

    def rank_text(self, rank: Rank | None) -> str:
        if rank is None:
            return ""
        return (self.phrases.rank_clause if rank.clause else self.phrases.rank_apposition).format(text=rank.text)

    def add(self, sentence: str, source: str | None) -> None:
        # Collapse the gaps an empty slot leaves; only plain spaces, so Babel's no-break spaces ("19 %") stay.
        sentence = re.sub(r" {2,}", " ", sentence).replace(" ,", ",").strip()
        self.sentences.append(sentence[0].upper() + sentence[1:])
        self.sources.append(source)

    def figure(self, figure: FigureFact, *, same_broadcast: bool) -> None:
        p = self.phrases
        plain_country = self.country(figure.territory_code, figure.territory_name)
        context = p.highlight_airing.format(channel=figure.channel, country=plain_country, note="{note}")
        rank = self.rank(figure.rank_note, context)
        if figure.viewers is None and figure.share_pct is None and figure.rating_pct is None:
            if rank is not None:  # a rank with no number to stand on: listed as recorded
                self.highlights.append(context.format(note=figure.rank_note or ""))
            if figure.rank_note:
                self.sources.append(figure.source)
            return
        if self.full:
            self.unsaid += 1  # a sentence (it has a number to say) that the body has no room for
            self.sources.append(figure.source)
            return
        specific = figure.target not in ("", "Total", "Households")
        viewers = self.viewers(figure, figure.viewers, specific) if figure.viewers is not None else ""
        measures = self.measures(figure, target_said=bool(viewers))
        when = p.episode.format(episode=figure.episode) if figure.episode else ""
        if figure.air_date:
            when += p.on_date.format(date=format_day(figure.air_date, self.language))
        slots = {"subject": self.subject, "channel": figure.channel, "when": when,
                 "country": self.country_in(figure.territory_code, figure.territory_name)}
        listed = join_series(measures, self.language)
        if viewers:
            extra = p.measures_intro + listed + p.measures_outro if measures else ""
            sentence = p.viewers_lead.format(**slots, viewers=viewers, measures=extra, rank=self.rank_text(rank))
        elif same_broadcast and rank is not None and rank.superlative:
            sentence = p.rank_lead.format(**slots, rank=rank.text, measures=listed)
        elif same_broadcast:
            sentence = p.also.format(**slots, measures=listed, rank=self.rank_text(rank))
        else:
            template = p.place_first if not self.sentences else p.place_later
            sentence = template.format(**slots, measures=listed, rank=self.rank_text(rank))
        self.add(sentence, figure.source)

    def viewers(self, figure: FigureFact, viewers: int, specific: bool) -> str:
        floor = says_more_than(figure.notes)
        count = self.count(viewers, floor=floor)
        template = self.phrases.viewers_more if floor else self.phrases.viewers
        spanish = es_count(count) if self.language == "es" else count
        text = template.format(count=spanish, count_from=tr_from(count))
        if figure.measurement == "consolidated":
            text += self.phrases.consolidated
        return self.phrases.viewers_target.format(viewers=text, target=figure.target) if specific else text

    def measures(self, figure: FigureFact, *, target_said: bool) -> list[str]:
        p = self.phrases
        measures = []
        if figure.share_pct is not None:
            pct = format_points(figure.share_pct, self.language)
            base = self.share_base(figure.notes)
            template = p.share if base or self.language != "en" else "{a} {pct} audience share"
            measures.append(template.format(a=en_article(pct), pct=pct, base=base))
        if figure.rating_pct is not None:
            pct = format_points(figure.rating_pct, self.language)
            national = p.national if says_national_rating(figure.notes) else ""
            if figure.target == "Households":
                template = p.rating_households
            elif figure.target in ("", "Total") or target_said:
                template = p.rating
            else:
                template = p.rating_target
            measures.append(template.format(a=en_article(pct), pct=pct, national=national, target=figure.target))
        return measures

    def share_base(self, notes: str | None) -> str:
        """"share of national free TV" in the notes: said as recorded in English, translated if known."""
        base = share_base_in(notes)
        if base is None:
            return ""
        if self.language == "en":
            return self.phrases.share_base.format(base=base)
        translated = SHARE_BASES.get(base.casefold(), {}).get(self.language)
        return self.phrases.share_base.format(base=translated) if translated else ""

    def release(self, release: ReleaseFact) -> None:
        p = self.phrases
        plain_country = self.country(release.territory_code, release.territory_name)
        rank = self.rank(release.rank_note, p.highlight_release.format(country=plain_country, note="{note}"))
        day = release.release_date
        gross = ""
        if release.gross is not None and release.currency:
            amount = self.count(int(release.gross))
            money = get_currency_name(release.currency, int(release.gross), locale=self.language)
            gross = p.gross.format(gross=f"{es_count(amount) if self.language == 'es' else amount} {money}")
        if release.admissions is None and not gross and not day:
            if release.rank_note:  # nothing to say but the rank, which ``rank`` listed
                self.sources.append(release.source)
            return
        if self.full:
            self.unsaid += 1  # a sentence (it has a number or a date to say) that the body has no room for
            self.sources.append(release.source)
            return
        date = p.release_date.format(date=format_day(day, self.language)) if day else ""
        slots = {"subject": self.subject, "country": self.country_in(release.territory_code, release.territory_name),
                 "date": date, "rank": self.rank_text(rank)}
        if release.admissions is not None:
            count = self.count(release.admissions)
            admissions = p.admissions.format(count=es_count(count) if self.language == "es" else count)
            after = p.gross_after_admissions.format(gross=gross) if gross else ""
            sentence = p.released_admissions.format(**slots, admissions=admissions, gross=after)
        elif gross:
            sentence = p.released_gross.format(**slots, gross=gross)
        else:
            sentence = p.released_on.format(**slots)
        self.add(sentence, release.source)
