"""Qualifiers that narrow a title query: a year, an origin (code, country name or demonym) and a kind.

``interpretations`` gives the readings of a title query (all name, or qualifiers peeled off its ends);
``commands.resolve.rank_title`` keeps the reading that explains the words best (docs/resolution.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from storage.name_index import NameIndex, Record
from storage.vocab import canonical

_YEAR = re.compile(r"^(1[89]\d\d|20\d\d|2100)$")

# Demonyms are not in CLDR; a short table of the origins this catalog sells (en, es, tr).
DEMONYMS: dict[str, str] = {
    "turkish": "TR", "turk": "TR", "turkce": "TR", "turco": "TR", "turca": "TR", "yerli": "TR",
    "korean": "KR", "koreli": "KR", "coreano": "KR", "coreana": "KR",
    "mexican": "MX", "mexicano": "MX", "mexicana": "MX", "meksikali": "MX",
    "spanish": "ES", "espanol": "ES", "espanola": "ES", "ispanyol": "ES",
    "filipino": "PH", "philippine": "PH", "filipina": "PH", "filipinli": "PH",
    "indonesian": "ID", "indonesio": "ID", "endonezyali": "ID",
    "american": "US", "estadounidense": "US", "amerikan": "US",
    "british": "GB", "britanico": "GB", "ingiliz": "GB",
    "colombian": "CO", "colombiano": "CO", "kolombiyali": "CO",
    "argentine": "AR", "argentinian": "AR", "argentino": "AR", "arjantinli": "AR",
    "chilean": "CL", "chileno": "CL", "sileli": "CL",
    "brazilian": "BR", "brasileno": "BR", "brezilyali": "BR",
    "german": "DE", "aleman": "DE", "alman": "DE",
    "french": "FR", "frances": "FR", "fransiz": "FR",
    "italian": "IT", "italiano": "IT", "italyan": "IT",
    "japanese": "JP", "japones": "JP", "japon": "JP",
    "indian": "IN", "hindu": "IN", "hintli": "IN",
    "egyptian": "EG", "egipcio": "EG", "misirli": "EG",
}


@dataclass(frozen=True, slots=True)
class Qualifiers:
    """What narrows a title: a year, origins (codes) and a kind; words counts the query words they used."""

    year: int | None = None
    origins: frozenset[str] = frozenset()
    kind: str | None = None
    words: int = 0

    def admits(self, record: Record) -> bool:
        return (
            (self.year is None or record.year == self.year)
            and (not self.origins or record.origin in self.origins)
            and (self.kind is None or record.category == self.kind)
        )


NO_QUALIFIERS = Qualifiers()


def origin_codes(index: NameIndex, phrase: str) -> frozenset[str]:
    """Codes a phrase names as an origin: a code, a country name (en/es/tr) or a demonym."""
    if phrase in DEMONYMS:
        return frozenset({DEMONYMS[phrase]})
    key_id = index.exact("territory", phrase)
    if key_id is None:
        return frozenset()
    return frozenset(str(index.record_at(position).id) for position, _ in index.key_records("territory", key_id))


def _qualifier_at(index: NameIndex, words: Sequence[str], start: int, stop: int) -> Qualifiers | None:
    phrase = " ".join(words[start:stop])
    if stop - start == 1 and _YEAR.match(phrase):
        return Qualifiers(year=int(phrase), words=1)
    kind = canonical("title_kind", phrase)
    if kind:
        return Qualifiers(kind=kind, words=stop - start)
    origins = origin_codes(index, phrase)
    if origins:
        return Qualifiers(origins=origins, words=stop - start)
    return None


def _merge(first: Qualifiers, second: Qualifiers) -> Qualifiers | None:
    if (first.year and second.year) or (first.origins and second.origins) or (first.kind and second.kind):
        return None
    return Qualifiers(first.year or second.year, first.origins | second.origins, first.kind or second.kind,
                      first.words + second.words)


def interpretations(index: NameIndex, words: Sequence[str]) -> list[tuple[tuple[str, ...], Qualifiers]]:
    """(name words, qualifiers) readings of a title query: all name, or qualifiers peeled off either end."""
    readings: list[tuple[tuple[str, ...], Qualifiers]] = [(tuple(words), NO_QUALIFIERS)]
    stop, peeled = len(words), NO_QUALIFIERS
    while stop > 1 and peeled.words < 3:
        step = next(
            ((width, found) for width in (2, 1)
             if stop - width >= 1 and (found := _qualifier_at(index, words, stop - width, stop))),
            None,
        )
        merged = _merge(peeled, step[1]) if step else None
        if step is None or merged is None:
            break
        peeled, stop = merged, stop - step[0]
        readings.append((tuple(words[:stop]), peeled))
    if len(words) > 1 and (found := _qualifier_at(index, words, 0, 1)):
        readings.append((tuple(words[1:]), found))
    return readings
