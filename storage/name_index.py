"""The in-memory name index: every name a title, territory, group or company answers to, by its search key.

Built once from the catalog at start-up (``load_name_index``) and rebuilt after every import; a built
``NameIndex`` never changes, so the app swaps the whole object and readers never see a half-built one.
This module only finds candidates (exact keys, whole-key prefixes, words, typo-tolerant words); deciding
which record a user meant is ``commands.resolve``'s job.

Layout, per kind of record: the distinct name keys in alphabetical order (a whole-key prefix is one bisect),
an exact ``key -> key id`` dict, and an inverted index ``word -> key ids`` whose postings are sorted by key
length, so the first postings of a common word are its shortest, closest names (frequent words also keep
them as a frozenset, for intersections at C speed). A typed word that is not
in the vocabulary is matched to words one edit away through a symmetric-delete table (both sides less one
letter meet), and for long words two edits away by ``rapidfuzz`` OSA distance over the words of nearby length
sharing its first or second letter (``processor=None``: keys are already normalized).

After swapping in a new index, call ``gc.freeze()``: at 100,000 titles the index is about a million
long-lived objects, and a full collection walking them mid-query costs 30-60 ms.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import select

from storage.db import CatalogSession
from storage.keys import name_key
from storage.models import Company, CompanyAlias, Territory, TerritoryGroup, TerritoryName, Title, TitleName
from storage.models import territory_group_members as members_table

RecordKind = Literal["title", "territory", "group", "company"]
KINDS: tuple[RecordKind, ...] = ("title", "territory", "group", "company")

# A query word matches a vocabulary word it starts (``cel`` -> ``cell``) at this weight, below a whole word.
PREFIX_SIMILARITY = 0.9
# At most this many vocabulary words stand for one typed prefix (the shortest ones: closest to what was typed).
MAX_PREFIX_WORDS = 48
# A word no name carries weighs like a word that one name in this many carries.
UNKNOWN_WORD_SHARE_INVERSE = 100
# Words in more names than this also keep their postings as a set, for intersections at C speed.
SET_MIN_POSTINGS = 64
# At most this many postings of one word feed the candidates (the shortest names containing it).
MAX_POSTINGS = 2000


@dataclass(frozen=True, slots=True)
class Record:
    """What a candidate shows besides its name: year, origin and kind tell look-alike titles apart."""

    kind: RecordKind
    id: int | str  # int for titles, groups and companies; the alpha-2 code for territories
    name: str  # the display name: international title, English territory name, group or company name
    year: int | None = None
    origin: str | None = None  # alpha-2 code of a title's origin
    category: str | None = None  # a title's kind (film, series, ...) or a company's (broadcaster, ...)
    territory: str | None = None  # a company's home territory
    members: tuple[str, ...] = ()  # a group's territory codes

    @property
    def ref(self) -> str:
        """The record as one string, e.g. ``title:42`` or ``territory:MX`` (autocomplete values)."""
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One name of one record: ``key`` is its ``storage.keys.name_key``."""

    kind: RecordKind
    record_id: int | str
    name: str
    key: str
    language: str = ""  # en/es/tr..., "iso" or "alias" for territories, "" when unknown
    name_kind: str = ""  # international, original, localized, alias (titles); "" otherwise


def allowed_typos(word: str) -> int:
    """Edits a word of this length may carry and still count as the same word (digits never)."""
    if word.isdigit() or len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def similarity(typed: str, word: str, distance: int) -> float:
    """Similarity of a typed word to a vocabulary word ``distance`` edits away: 1 for the same word."""
    return 1.0 - distance / max(len(typed), len(word), 1) if distance else 1.0


def _deletes(word: str) -> set[str]:
    return {word[:position] + word[position + 1:] for position in range(len(word))}


@dataclass(frozen=True, slots=True)
class _Bucket:
    """The names of one kind of record."""

    keys: tuple[str, ...]  # distinct keys, sorted
    key_records: tuple[tuple[int, ...], ...]  # key id -> record indexes, in entry order
    key_names: tuple[tuple[str, ...], ...]  # key id -> the name each of those records carries under the key
    exact: dict[str, int]
    postings: dict[str, tuple[int, ...]]  # word -> key ids, shortest key first
    posting_sets: dict[str, frozenset[int]]  # the same, as sets, for words in more than SET_MIN_POSTINGS keys
    words: tuple[str, ...]  # vocabulary, sorted
    near: dict[tuple[int, str], tuple[str, ...]]  # (length, first or second letter) -> words of 8+ letters
    deletes: dict[str, tuple[str, ...]]  # a word, or a word less one letter -> the words it comes from
    idf: dict[str, float]
    unknown_idf: float

    @classmethod
    def build(cls, entries: Iterable[tuple[str, int, str]]) -> _Bucket:
        by_key: dict[str, dict[int, str]] = {}
        for key, record, name in entries:
            if key:
                by_key.setdefault(key, {}).setdefault(record, name)
        keys = tuple(sorted(by_key))
        postings: dict[str, list[int]] = {}
        for key_id, key in enumerate(keys):
            for word in set(key.split()):
                postings.setdefault(word, []).append(key_id)
        words = tuple(sorted(postings))
        near: dict[tuple[int, str], list[str]] = {}
        deletes: dict[str, list[str]] = {}
        for word in words:
            if allowed_typos(word):
                if allowed_typos(word) > 1:
                    for letter in {word[0], word[1]}:
                        near.setdefault((len(word), letter), []).append(word)
                for variant in (word, *_deletes(word)):
                    deletes.setdefault(variant, []).append(word)
        total = max(len(keys), 1)
        return cls(
            posting_sets={word: frozenset(ids) for word, ids in postings.items() if len(ids) > SET_MIN_POSTINGS},
            keys=keys,
            key_records=tuple(tuple(by_key[key]) for key in keys),
            key_names=tuple(tuple(by_key[key].values()) for key in keys),
            exact={key: key_id for key_id, key in enumerate(keys)},
            postings={word: tuple(sorted(ids, key=lambda i: len(keys[i]))) for word, ids in postings.items()},
            words=words,
            near={bucket: tuple(found) for bucket, found in near.items()},
            deletes={variant: tuple(found) for variant, found in deletes.items()},
            idf={word: math.log(1 + total / len(ids)) for word, ids in postings.items()},
            # A word no name has is more often noise ("show", a command word) than a telling word: it
            # weighs like a word one name in a hundred carries, not like the rarest word of the catalog.
            unknown_idf=math.log(1 + UNKNOWN_WORD_SHARE_INVERSE),
        )


@dataclass(frozen=True, slots=True)
class WordMatch:
    """A vocabulary word standing for a typed word, with how alike they are (1 = the same word)."""

    word: str
    similarity: float


@dataclass(frozen=True)
class NameIndex:
    """Immutable lookup structures over every name of the catalog. Build with ``NameIndex.build``."""

    records: tuple[Record, ...]
    _refs: dict[tuple[str, int | str], int] = field(repr=False)
    _buckets: dict[str, _Bucket] = field(repr=False)

    @classmethod
    def build(cls, records: Iterable[Record], names: Iterable[NameEntry]) -> NameIndex:
        """Index ``names``; every record's display name is indexed too, so a record needs no entry of its own."""
        record_list = tuple(records)
        refs: dict[tuple[str, int | str], int] = {
            (record.kind, record.id): position for position, record in enumerate(record_list)
        }
        rows: dict[str, list[tuple[str, int, str]]] = {kind: [] for kind in KINDS}
        for position, record in enumerate(record_list):
            rows[record.kind].append((name_key(record.name), position, record.name))
        for entry in names:
            found_at = refs.get((entry.kind, entry.record_id))
            if found_at is not None:
                rows[entry.kind].append((entry.key, found_at, entry.name))
        return cls(record_list, refs, {kind: _Bucket.build(rows[kind]) for kind in KINDS})

    def __len__(self) -> int:
        return len(self.records)

    # --- records -------------------------------------------------------------------------------------

    def record(self, kind: str, record_id: int | str) -> Record | None:
        position = self._refs.get((kind, record_id))
        return None if position is None else self.records[position]

    def record_at(self, position: int) -> Record:
        return self.records[position]

    def count(self, kind: str) -> int:
        return len(self._buckets[kind].keys)

    # --- keys ----------------------------------------------------------------------------------------

    def key(self, kind: str, key_id: int) -> str:
        return self._buckets[kind].keys[key_id]

    def key_records(self, kind: str, key_id: int) -> Sequence[tuple[int, str]]:
        """(record position, the name it carries under this key) for every record named by the key."""
        bucket = self._buckets[kind]
        return tuple(zip(bucket.key_records[key_id], bucket.key_names[key_id], strict=True))

    def exact(self, kind: str, key: str) -> int | None:
        """The key id of ``key`` if some record of ``kind`` carries exactly that name."""
        return self._buckets[kind].exact.get(key)

    def prefixed(self, kind: str, prefix: str, limit: int) -> list[int]:
        """Key ids of the keys starting with ``prefix``, alphabetically, at most ``limit``."""
        keys = self._buckets[kind].keys
        start = bisect.bisect_left(keys, prefix)
        found = []
        for key_id in range(start, min(start + limit, len(keys))):
            if not keys[key_id].startswith(prefix):
                break
            found.append(key_id)
        return found

    def postings(self, kind: str, word: str, limit: int = MAX_POSTINGS) -> Sequence[int]:
        """Key ids of the keys containing ``word`` whole, shortest key first, at most ``limit``."""
        ids = self._buckets[kind].postings.get(word, ())
        return ids if len(ids) <= limit else ids[:limit]

    def holders(self, kind: str, word: str) -> frozenset[int]:
        """Key ids of every key containing ``word`` whole, as a set (for intersections)."""
        bucket = self._buckets[kind]
        found = bucket.posting_sets.get(word)
        return found if found is not None else frozenset(bucket.postings.get(word, ()))

    def document_frequency(self, kind: str, word: str) -> int:
        return len(self._buckets[kind].postings.get(word, ()))

    def weight(self, kind: str, word: str) -> float:
        """How telling a word is among this kind's names (inverse document frequency; unknown words most)."""
        bucket = self._buckets[kind]
        return bucket.idf.get(word, bucket.unknown_idf)

    # --- words ---------------------------------------------------------------------------------------

    def has_word(self, kind: str, word: str) -> bool:
        return word in self._buckets[kind].postings

    def word_matches(self, kind: str, typed: str, *, prefix: bool = True) -> list[WordMatch]:
        """Vocabulary words for a typed word: itself, words it starts (if ``prefix``), words a typo away.

        Best first; a word appears once, with its best similarity.
        """
        bucket = self._buckets[kind]
        found: dict[str, float] = {}
        if typed in bucket.postings:
            found[typed] = 1.0
        if prefix and len(typed) >= 3 and not typed.isdigit():
            start = bisect.bisect_left(bucket.words, typed)
            stop = bisect.bisect_right(bucket.words, typed + "\x7f", lo=start)
            extensions: Sequence[str] = bucket.words[start:stop]
            if len(extensions) > MAX_PREFIX_WORDS:
                extensions = heapq.nsmallest(MAX_PREFIX_WORDS, extensions, key=len)
            for word in extensions:
                found.setdefault(word, PREFIX_SIMILARITY)
        typos = allowed_typos(typed)
        if typos and typed not in bucket.postings:
            # Distance 1 by symmetric deletes: typed and vocabulary word meet on a shared one-letter delete.
            near: set[str] = set()
            for variant in (typed, *_deletes(typed)):
                near.update(bucket.deletes.get(variant, ()))
            if not near and typos > 1:
                # Two typos in a long word, none found at one: compare with nearby words (rare, slower path).
                for length in range(len(typed) - typos, len(typed) + typos + 1):
                    for letter in {typed[0], typed[1]}:
                        near.update(bucket.near.get((length, letter), ()))
            # Keys are normalized already, so no processor: compare the strings as they are.
            for word, distance, _ in process.extract(
                typed, near, scorer=OSA.distance, score_cutoff=typos, limit=None, processor=None
            ):
                score = similarity(typed, word, int(distance))
                if score > found.get(word, 0.0):
                    found[word] = score
        # Best first, then alphabetical: the same answer in every process, whatever the string hash seed.
        return [WordMatch(word, score) for word, score in sorted(found.items(), key=lambda item: (-item[1], item[0]))]

    def split_word(self, kind: str, typed: str) -> list[str] | None:
        """Two vocabulary words run together (``kogustakimucize``), or None."""
        postings = self._buckets[kind].postings
        for cut in range(len(typed) - 2, 1, -1):
            head, tail = typed[:cut], typed[cut:]
            if head in postings and tail in postings:
                return [head, tail]
        return None


async def load_name_index(session: CatalogSession) -> NameIndex:
    """Read every name of the catalog in a few bulk queries and build the index."""
    records: list[Record] = []
    names: list[NameEntry] = []

    title_rows = (await session.execute(
        select(Title.id, Title.name, Title.year, Title.origin, Title.kind, Title.original_title,
               Title.original_language).order_by(Title.id)
    )).all()
    records.extend(Record("title", id_, name, year, origin, kind) for id_, name, year, origin, kind, *_ in title_rows)
    # The original title is a column too: a title imported without name rows still answers to it.
    names.extend(
        NameEntry("title", row.id, row.original_title, name_key(row.original_title), row.original_language or "",
                  "original")
        for row in title_rows if row.original_title
    )
    title_name_rows = await session.execute(
        select(TitleName.title_id, TitleName.name, TitleName.key, TitleName.language, TitleName.kind)
        .order_by(TitleName.title_id, TitleName.id)
    )
    names.extend(NameEntry("title", *row) for row in title_name_rows)

    territory_rows = await session.execute(select(Territory.code, Territory.name_en).order_by(Territory.code))
    records.extend(Record("territory", code, name) for code, name in territory_rows)
    territory_name_rows = await session.execute(
        select(TerritoryName.territory_code, TerritoryName.name, TerritoryName.key, TerritoryName.language)
        .order_by(TerritoryName.territory_code, TerritoryName.id)
    )
    names.extend(NameEntry("territory", *row) for row in territory_name_rows)

    member_rows = await session.execute(
        select(members_table.c.group_id, members_table.c.territory_code).order_by(
            members_table.c.group_id, members_table.c.territory_code
        )
    )
    members: dict[int, list[str]] = {}
    for group_id, code in member_rows:
        members.setdefault(group_id, []).append(code)
    group_rows = await session.execute(select(TerritoryGroup.id, TerritoryGroup.name).order_by(TerritoryGroup.id))
    records.extend(Record("group", id_, name, members=tuple(members.get(id_, ()))) for id_, name in group_rows)

    company_rows = await session.execute(
        select(Company.id, Company.name, Company.kind, Company.territory_code).order_by(Company.id)
    )
    records.extend(
        Record("company", id_, name, category=kind, territory=territory) for id_, name, kind, territory in company_rows
    )
    alias_rows = await session.execute(
        select(CompanyAlias.company_id, CompanyAlias.name, CompanyAlias.key).order_by(CompanyAlias.id)
    )
    names.extend(NameEntry("company", company_id, name, key, "", "alias") for company_id, name, key in alias_rows)
    return NameIndex.build(records, names)
