"""Name resolution: which title, territory, group or company a user meant, or the honest "which one?".

Every resolution is ``Found`` (one record), ``Ambiguous`` (candidates best first, at most 25) or
``NotFound`` (the nearest names as suggestions). The stages, the scoring and the found-vs-ambiguous rule,
with the evaluation figures they were tuned on, are in ``docs/resolution.md``.

Pure functions over a ``storage.name_index.NameIndex``: no database, no Discord.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from commands.qualifiers import NO_QUALIFIERS, Qualifiers, interpretations
from storage.keys import name_key
from storage.name_index import NameIndex, Record
from storage.vocab import TITLE_KINDS

MAX_CANDIDATES = 25


@dataclass(frozen=True, slots=True)
class Rule:
    """The found-vs-ambiguous rule (docs/resolution.md has how it was tuned on the evaluation set).

    The best record is found when it scores at least ``found`` and beats every other record by ``margin``;
    records within ``window`` of the best are offered as candidates; below ``floor`` nothing is a match.
    An exact name carried by one record is found; an exact name two records share is always a question.
    """

    found: float = 75.0
    margin: float = 8.0
    window: float = 20.0
    floor: float = 50.0


RULE = Rule()
# How much a swapped word costs, times the smaller of the two unmatched shares (docs/resolution.md).
SUBSTITUTION_PENALTY = 0.5
# How ``score_key`` weighs its parts (``_could_reach`` bounds the same sum): the typed words' side and the
# name's side of the word score; the word score and the whole-string ratio in the score; and how far below
# the ratio the word score stands in when only unknown words were missed.
QUERY_SIDE, NAME_SIDE = 0.6, 0.4
WORDS_WEIGHT, RATIO_WEIGHT = 0.85, 0.15
STAND_IN_MARGIN = 0.03
# Names sharing telling words with the query considered per query (those sharing the most are kept).
MAX_POOL = 800
# The shortest names of each telling word always considered.
SHORT_NAMES = 64
# When every telling word of a query is held by more names than this ("and the", "of the"), no
# intersection of them narrows the names to a pool worth ranking: their shortest names stand in.
NARROWING_HOLDERS = 10 * MAX_POOL
# Key ids scored in full per query, after the inverted index ranked them by matched words.
SHORTLIST = 32

_REF = re.compile(r"^\s*(title|territory|group|company):(\S+)\s*$")

# --- results -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """One record a query may mean: ``label`` tells look-alikes apart, ``matched_name`` is the name that hit."""

    kind: str
    id: int | str
    name: str
    label: str
    score: float
    matched_name: str

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class Found:
    candidate: Candidate

    @property
    def id(self) -> int | str:
        return self.candidate.id


@dataclass(frozen=True, slots=True)
class Ambiguous:
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class NotFound:
    query: str
    suggestions: tuple[Candidate, ...] = ()


Resolution = Found | Ambiguous | NotFound


# --- labels ------------------------------------------------------------------------------------------


def territory_name(index: NameIndex, code: str | None) -> str | None:
    if code is None:
        return None
    record = index.record("territory", code)
    return record.name if record else code


def label(index: NameIndex, record: Record) -> str:
    """``Miracle in Cell No. 7 (2019, Türkiye, film)``, ``Mexico (MX)``, ``LATAM (group, 20 territories)``."""
    if record.kind == "title":
        details = [str(record.year) if record.year else None, territory_name(index, record.origin),
                   TITLE_KINDS.get(record.category or "", record.category or "").lower() or None]
    elif record.kind == "territory":
        details = [str(record.id)]
    elif record.kind == "group":
        details = ["group", f"{len(record.members)} territories"]
    else:
        details = [(record.category or "").replace("_", " ") or None, territory_name(index, record.territory)]
    shown = ", ".join(detail for detail in details if detail)
    return f"{record.name} ({shown})" if shown else record.name


def candidate(index: NameIndex, record: Record, score: float, matched_name: str) -> Candidate:
    return Candidate(record.kind, record.id, record.name, label(index, record), round(score, 1), matched_name)


# --- scoring -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Query:
    """A normalized query, its words and, per word, the vocabulary words that stand for it."""

    key: str
    words: tuple[str, ...]
    matches: tuple[dict[str, float], ...]
    weights: tuple[float, ...]
    known: tuple[bool, ...]  # is the word, as typed, a word of some name

    def unknown_only_misses(self, key_words: Sequence[str]) -> bool:
        """Are the query words this key does not match all unknown to the catalog (likely typos)?"""
        return all(
            not known or any(word in found for word in key_words)
            for found, known in zip(self.matches, self.known, strict=True)
        )


def _prepare(index: NameIndex, kind: str, words: Sequence[str]) -> _Query:
    expanded: list[str] = []
    matches: list[dict[str, float]] = []
    for word in words:
        found = index.word_matches(kind, word)
        if not found and len(word) >= 6 and (parts := index.split_word(kind, word)):
            for part in parts:
                expanded.append(part)
                matches.append({part: 1.0})
            continue
        expanded.append(word)
        matches.append({match.word: match.similarity for match in found[:16]})
    weights = []
    for word, found_words in zip(expanded, matches, strict=True):
        best = max(found_words, key=found_words.__getitem__) if found_words else word
        weights.append(index.weight(kind, best))
    known = tuple(index.has_word(kind, word) for word in expanded)
    return _Query(" ".join(expanded), tuple(expanded), tuple(matches), tuple(weights), known)


def _shortlist(index: NameIndex, kind: str, query: _Query) -> list[int]:
    """Key ids worth scoring: the exact key, names the query starts, and names sharing its telling words."""
    # Common words ("the", "of", "la") find too many names to be worth walking when the query has a
    # telling word; score_key still counts them.
    telling = max((w for w, found in zip(query.weights, query.matches, strict=True) if found), default=0.0) * 0.5
    parts = [(weight, list(found.items())[:4]) for found, weight in zip(query.matches, query.weights, strict=True)
             if found and weight >= telling]
    holders = [[index.holders(kind, word) for word, _ in variants] for _, variants in parts]
    pool: set[int] = set()
    if len(parts) >= 2 and min(sum(map(len, group)) for group in holders) <= NARROWING_HOLDERS:
        # Names carrying two of the telling words: intersections of posting sets, at C speed.
        either = [group[0] if len(group) == 1 else frozenset().union(*group) for group in holders]
        smallest = sorted(range(len(parts)), key=lambda i: len(either[i]))[:5]
        # Two words in common, or three, four... until few enough names share that many.
        for together in range(2, len(smallest) + 1):
            pool = set()
            for group in itertools.combinations(smallest, together):
                pool |= frozenset.intersection(*(either[i] for i in group))
            if len(pool) <= MAX_POOL:
                break
    # And the shortest names of each telling word: a name may share one word with the query.
    for _, variants in parts:
        for word, word_similarity in variants:
            pool.update(index.postings(kind, word, SHORT_NAMES if word_similarity == 1.0 else SHORT_NAMES // 4))
    gathered: dict[int, float] = {}
    for key_id in itertools.islice(pool, MAX_POOL):
        total = 0.0
        for (weight, variants), holding_sets in zip(parts, holders, strict=True):
            best = 0.0
            for (_, word_similarity), holding in zip(variants, holding_sets, strict=True):
                if word_similarity > best and key_id in holding:
                    best = word_similarity
            total += weight * best
        gathered[key_id] = total
    shortlist = heapq.nlargest(
        SHORTLIST, gathered, key=lambda key_id: (gathered[key_id], -len(index.key(kind, key_id)))
    )
    exact = index.exact(kind, query.key)
    extra = [exact] if exact is not None else []
    extra += index.prefixed(kind, query.key, 8) if query.key else []
    return list(dict.fromkeys([*extra, *shortlist]))


def score_key(index: NameIndex, kind: str, query: _Query, key: str) -> float:
    """0-100: how well ``key`` explains the query's words and the query explains the key's words.

    Word coverage is weighted by how telling each word is (a title's rare word counts more than "the"),
    so a short name never wins by matching one common word of a long query, and a typo inside a word
    never matches a different short name (the ``kogustaki`` / ``Gus`` trap of partial ratios). The plain
    character ratio catches what words miss (joined or split words).
    """
    if key == query.key:
        return 100.0
    key_words = key.split()
    # Each key word answers one query word at most: "thief in izmir in" does not explain "in" twice.
    key_best = [0.0] * len(key_words)
    used = [False] * len(key_words)
    query_hit = query_missed = 0.0
    for found_words, weight in zip(query.matches, query.weights, strict=True):
        best, best_at = 0.0, -1
        for position, word in enumerate(key_words):
            value = found_words.get(word, 0.0)
            if value > best and not used[position]:
                best, best_at = value, position
        if best_at >= 0:
            used[best_at] = True
            key_best[best_at] = best
        query_hit += weight * best
        query_missed += weight if best == 0.0 else 0.0
    key_total = key_hit = key_missed = 0.0
    for word, value in zip(key_words, key_best, strict=True):
        weight = index.weight(kind, word)
        key_total += weight
        key_hit += weight * value
        key_missed += weight if value == 0.0 else 0.0
    query_total = sum(query.weights) or 1.0
    key_total = key_total or 1.0
    words_score = QUERY_SIDE * query_hit / query_total + NAME_SIDE * key_hit / key_total
    # A word the user typed that the name lacks, where the name has a word the user did not type, is a
    # different title ("The Second Autumn of X" is not "The Second Secret of X"), not a missing word.
    words_score -= SUBSTITUTION_PENALTY * min(query_missed / query_total, key_missed / key_total)
    # The whole-string ratio, as a small share, prefers the typed order and spelling among equal words. It
    # also stands in for the words when every word the name lacks is unknown to the catalog: two typos in
    # one short word ("daem"), not a different word.
    ratio = fuzz.ratio(query.key, key, processor=None) / 100.0
    if query_missed and query.unknown_only_misses(key_words):
        words_score = max(words_score, ratio - STAND_IN_MARGIN)
    return max(0.0, min(99.0, _combined(words_score, ratio)))


def _combined(words_score: float, ratio: float) -> float:
    return 100.0 * (WORDS_WEIGHT * words_score + RATIO_WEIGHT * ratio)


@dataclass(slots=True)
class _Scored:
    position: int  # record position in the index
    score: float
    matched_name: str
    exact: bool


def _best_case(query: _Query) -> tuple[float, bool]:
    """What bounds ``score_key`` for this query, whatever the key: the share of the query's weight its words
    could match at best, and whether a missed word may be unknown to the catalog (then the whole-string
    ratio can stand in for the words)."""
    total = sum(query.weights) or 1.0
    matched = sum(weight * max(found.values(), default=0.0)
                  for found, weight in zip(query.matches, query.weights, strict=True))
    return matched / total, not all(query.known)


def _could_reach(query: _Query, key: str, best_case: tuple[float, bool], floor: float) -> bool:
    """Can ``score_key(query, key)`` reach ``floor``? Its terms at their best (every matchable query word
    matched as well as it can be, every key word matched, no penalty) with the real whole-string ratio,
    which rapidfuzz gives for a fraction of the full score's cost."""
    if key == query.key:
        return True
    share, ratio_may_stand_in = best_case
    ratio = fuzz.ratio(query.key, key, processor=None) / 100.0
    words = max(QUERY_SIDE * share + NAME_SIDE, ratio - STAND_IN_MARGIN if ratio_may_stand_in else 0.0)
    return _combined(words, ratio) >= floor - 1e-9


def rank(index: NameIndex, kind: str, words: Sequence[str], floor: float = 0.0) -> list[_Scored]:
    """Records of ``kind`` named like ``words``, best first (one entry per record, its best name).

    With a ``floor``, records that cannot score that much may be left out unscored: a caller that only
    wants a strong match (a place inside a longer query) skips the full score of names sharing a "the".
    """
    if not words:
        return []
    query = _prepare(index, kind, words)
    best_case = _best_case(query) if floor > 0.0 else None
    best: dict[int, _Scored] = {}
    for key_id in _shortlist(index, kind, query):
        key = index.key(kind, key_id)
        if best_case is not None and not _could_reach(query, key, best_case, floor):
            continue
        value = score_key(index, kind, query, key)
        exact = key == query.key
        for position, matched in index.key_records(kind, key_id):
            current = best.get(position)
            if current is None or value > current.score:
                best[position] = _Scored(position, value, matched, exact)
    return sorted(best.values(), key=lambda scored: (-scored.score, index.record_at(scored.position).name))


# --- deciding ----------------------------------------------------------------------------------------


def decide(index: NameIndex, text: str, ranked: Sequence[_Scored], rule: Rule = RULE) -> Resolution:
    """Found, ambiguous or not found, by ``rule`` (see ``Rule``)."""
    kept = [scored for scored in ranked if scored.score >= rule.floor]
    if not kept:
        suggestions = tuple(
            candidate(index, index.record_at(s.position), s.score, s.matched_name) for s in ranked[:5]
        )
        return NotFound(text, suggestions)
    exact = [scored for scored in kept if scored.exact]
    if len(exact) == 1:
        top = exact[0]
        return Found(candidate(index, index.record_at(top.position), 100.0, top.matched_name))
    if len(exact) > 1:
        # A name two records share is always a question, however the rest scores.
        chosen = exact
    else:
        top = kept[0]
        runner_up = kept[1].score if len(kept) > 1 else 0.0
        if top.score >= rule.found and top.score - runner_up >= rule.margin:
            return Found(candidate(index, index.record_at(top.position), top.score, top.matched_name))
        chosen = [scored for scored in kept if scored.score >= kept[0].score - rule.window]
    return Ambiguous(tuple(
        candidate(index, index.record_at(s.position), s.score, s.matched_name) for s in chosen[:MAX_CANDIDATES]
    ))


def resolve_ref(index: NameIndex, value: str) -> Resolution | None:
    """``title:42`` (an autocomplete value) -> Found or NotFound; None when ``value`` is not a reference."""
    match = _REF.match(value)
    if not match:
        return None
    kind, raw_id = match.groups()
    record_id: int | str = raw_id.upper() if kind == "territory" else (int(raw_id) if raw_id.isdigit() else raw_id)
    record = index.record(kind, record_id)
    if record is None:
        return NotFound(value)
    return Found(candidate(index, record, 100.0, record.name))


# --- the resolvers -----------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return name_key(text).split()


@dataclass(frozen=True, slots=True)
class TitleRanking:
    """Title records under the best reading of the words: which were the name and which qualifiers."""

    ranked: list[_Scored]
    name_words: tuple[str, ...] = ()
    qualifiers: Qualifiers = NO_QUALIFIERS

    @property
    def score(self) -> float:
        return self.ranked[0].score if self.ranked else 0.0


def rank_title(index: NameIndex, words: Sequence[str]) -> TitleRanking:
    """Title records for normalized words, best first, under the reading that explains them best."""
    best = TitleRanking([])
    for name_words, qualifiers in interpretations(index, words):
        ranked = rank(index, "title", name_words)
        if qualifiers.words:
            # Qualifier words are explained words: a score covers the whole query, name and qualifiers.
            ranked = [
                _Scored(s.position, (s.score * len(name_words) + 100.0 * qualifiers.words) / len(words),
                        s.matched_name, s.exact)
                for s in ranked if qualifiers.admits(index.record_at(s.position))
            ]
        # A qualifier reading must explain clearly more than reading every word as part of the name.
        if ranked and (not best.ranked or ranked[0].score > best.score + 2.0):
            best = TitleRanking(ranked, name_words, qualifiers)
    return best


def matched_words(index: NameIndex, kind: str, words: Sequence[str], name: str) -> float:
    """How many of ``words`` the name accounts for (a typo or a prefix counts as much as it is alike)."""
    query = _prepare(index, kind, words)
    key_words = set(name_key(name).split())
    return sum(max((found.get(word, 0.0) for word in key_words), default=0.0) for found in query.matches)


def most_matched_words(index: NameIndex, kind: str, words: Sequence[str]) -> int:
    """The most ``matched_words`` can count for ``words``, whatever the name: one a word, two for a word no name
    carries that ``_prepare`` might split in two (``kogustakimucize``)."""
    return sum(2 if len(word) >= 6 and not index.has_word(kind, word) and index.split_word(kind, word) else 1
               for word in words)


def resolve_title(index: NameIndex, text: str, rule: Rule = RULE) -> Resolution:
    """A title from an autocomplete value or free text with optional year, origin and kind qualifiers."""
    if (by_ref := resolve_ref(index, text)) is not None:
        return by_ref
    return decide(index, text, rank_title(index, _words(text)).ranked, rule)


def resolve_territory(index: NameIndex, text: str, rule: Rule = RULE) -> Resolution:
    """A territory (any code or name) or a territory group; candidates mix both kinds."""
    if (by_ref := resolve_ref(index, text)) is not None:
        return by_ref
    return decide(index, text, rank_places(index, _words(text)), rule)


def rank_places(index: NameIndex, words: Sequence[str], floor: float = 0.0) -> list[_Scored]:
    """Territories and groups named like ``words``, best first (at least ``floor``: see ``rank``)."""
    return sorted([*rank(index, "territory", words, floor), *rank(index, "group", words, floor)],
                  key=lambda s: -s.score)


def resolve_company(index: NameIndex, text: str, rule: Rule = RULE) -> Resolution:
    """A company by its name or one of its aliases."""
    if (by_ref := resolve_ref(index, text)) is not None:
        return by_ref
    return decide(index, text, rank(index, "company", _words(text)), rule)
