"""The in-memory name index: every name a title, territory, group or company answers to, by its search key.

Built once from the catalog at start-up (``storage.name_loading``) and rebuilt after every import; a built
``NameIndex`` never changes, so the app swaps the whole object and readers never see a half-built one.
This module only finds candidates (exact keys, whole-key prefixes, words, typo-tolerant words); deciding
which record a user meant is ``commands.resolve``'s job.

Layout, per kind of record, kept flat so that 100,000 titles make few Python objects: the distinct name keys
in alphabetical order (a key's id is its position; an exact key or a whole-key prefix is one bisect); the
records a key names as one run of slots in two parallel columns, record position and the name it carries
under the key (``starts[key id]`` is where the key's run begins); and an inverted index ``word -> key ids``
whose postings are sorted by key length, so the first postings of a common word are its shortest, closest
names (a frequent word also keeps its postings as a frozenset, for intersections at C speed). A
typed word that is not in the vocabulary is matched to words one edit away through a symmetric-delete table
(both sides less one letter meet; a variant maps to its words as one space-separated string), and for long
words two edits away by ``rapidfuzz`` OSA distance over the words of nearby length sharing its first or
second letter (``processor=None``: keys are already normalized).

``NameIndexBuilder`` collects records and names as plain parallel lists and builds everything in one go
(entries sorted by key and walked once); ``storage.name_loading.load_name_index`` feeds it from the catalog.
After swapping in a new index, call ``gc.freeze()``: at 100,000 titles the index holds about 130,000 objects
the collector tracks (the records, mostly), and a full collection walking them mid-query costs tens of ms.
"""

from __future__ import annotations

import bisect
import gc
import heapq
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from storage.keys import name_key

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


def _group(keys: list[str], records: list[int], names: list[str]) -> tuple[tuple[str, ...], array[int],
                                                                       array[int], tuple[str, ...]]:
    """Entries grouped by key: (distinct keys sorted, key id -> first slot, slot -> record, slot -> name).

    A record keeps the first name it carries under a key, and the records of a key stay in entry order
    (the sort is stable). Sorting entry numbers by key and walking them once is half the time of a dict of
    dicts, and leaves two flat arrays and a tuple instead of two small tuples per key.
    """
    order = sorted(range(len(keys)), key=keys.__getitem__)
    distinct: list[str] = []
    starts = array("I")
    slot_records = array("I")
    slot_names: list[str] = []
    previous = None
    first_slot = 0
    for entry in order:
        key = keys[entry]
        record = records[entry]
        if key != previous:
            previous = key
            first_slot = len(slot_names)
            distinct.append(key)
            starts.append(first_slot)
        elif record in slot_records[first_slot:]:
            continue
        slot_records.append(record)
        slot_names.append(names[entry])
    starts.append(len(slot_names))
    return tuple(distinct), starts, slot_records, tuple(slot_names)


@dataclass(frozen=True, slots=True)
class _Bucket:
    """The names of one kind of record."""

    keys: tuple[str, ...]  # distinct keys, sorted: key id = position, exact lookup and prefixes by bisect
    starts: array[int]  # key id -> its first slot; the key's slots run to the next key's first slot
    slot_records: array[int]  # slot -> record position (the records of a key, in entry order)
    slot_names: tuple[str, ...]  # slot -> the name that record carries under the key
    postings: dict[str, tuple[int, ...]]  # word -> key ids, shortest key first
    words: tuple[str, ...]  # vocabulary, sorted
    near: dict[tuple[int, str], tuple[str, ...]]  # (length, first or second letter) -> words of 8+ letters
    deletes: dict[str, str]  # a word, or a word less one letter -> the words it comes from, space-separated
    posting_sets: dict[str, frozenset[int]]  # the same, as sets, for words in more than SET_MIN_POSTINGS keys
    idf: dict[str, float]
    unknown_idf: float

    @classmethod
    def build(cls, keys: list[str], records: list[int], names: list[str]) -> _Bucket:
        """Index the entries ``(keys[i], records[i], names[i])``; the lists are emptied (freed) on the way."""
        distinct, starts, slot_records, slot_names = _group(keys, records, names)
        keys.clear()
        records.clear()
        names.clear()
        # Walking the keys shortest first (stable: alphabetical among equals) leaves every posting list in
        # the order lookups want, with no sort per word.
        lengths = [len(key) for key in distinct]
        gathered: defaultdict[str, list[int]] = defaultdict(list)
        for key_id in sorted(range(len(distinct)), key=lengths.__getitem__):
            for word in set(distinct[key_id].split()):
                gathered[word].append(key_id)
        words = tuple(sorted(gathered))
        near: dict[tuple[int, str], list[str]] = {}
        deletes: dict[str, str] = {}
        for word in words:
            typos = allowed_typos(word)
            if not typos:
                continue
            if typos > 1:
                for letter in {word[0], word[1]}:
                    near.setdefault((len(word), letter), []).append(word)
            for variant in (word, *_deletes(word)):
                # Most variants come from one word: the word itself is the value, no tuple per variant.
                found_words = deletes.get(variant)
                deletes[variant] = word if found_words is None else f"{found_words} {word}"
        total = max(len(distinct), 1)
        return cls(
            keys=distinct,
            starts=starts,
            slot_records=slot_records,
            slot_names=slot_names,
            postings={word: tuple(ids) for word, ids in gathered.items()},
            # Filled in key id order: a set's iteration order decides which names fill a pool cut at
            # MAX_POOL (commands.resolve), so it stays what it has always been.
            posting_sets={word: frozenset(sorted(ids)) for word, ids in gathered.items()
                          if len(ids) > SET_MIN_POSTINGS},
            words=words,
            near={bucket: tuple(found) for bucket, found in near.items()},
            deletes=deletes,
            idf={word: math.log(1 + total / len(ids)) for word, ids in gathered.items()},
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
    _refs: dict[str, dict[int | str, int]] = field(repr=False)  # kind -> record id -> position
    _buckets: dict[str, _Bucket] = field(repr=False)

    @classmethod
    def build(cls, records: Iterable[Record], names: Iterable[NameEntry]) -> NameIndex:
        """Index ``names``; every record's display name is indexed too, so a record needs no entry of its own."""
        with collector_paused():
            builder = NameIndexBuilder()
            for record in records:
                builder.add_record(record)
            for entry in names:
                builder.add_name(entry.kind, entry.record_id, entry.name, entry.key)
            return builder.build()

    def __len__(self) -> int:
        return len(self.records)

    # --- records -------------------------------------------------------------------------------------

    def record(self, kind: str, record_id: int | str) -> Record | None:
        position = self._refs[kind].get(record_id) if kind in self._refs else None
        return None if position is None else self.records[position]

    def record_at(self, position: int) -> Record:
        return self.records[position]

    @cached_property
    def territory_groups(self) -> Mapping[str, frozenset[str]]:
        """Every territory group that has members, by name, with its members' codes: what
        ``storage.catalog.territory_groups`` reads from the catalog, known here already (a deals list asked the
        database for it on every reply: 1 ms of its 10)."""
        groups = (self.records[position] for position in self._refs.get("group", {}).values())
        return MappingProxyType({group.name: frozenset(group.members) for group in groups if group.members})

    def count(self, kind: str) -> int:
        return len(self._buckets[kind].keys)

    # --- keys ----------------------------------------------------------------------------------------

    def key(self, kind: str, key_id: int) -> str:
        return self._buckets[kind].keys[key_id]

    def key_records(self, kind: str, key_id: int) -> Sequence[tuple[int, str]]:
        """(record position, the name it carries under this key) for every record named by the key."""
        bucket = self._buckets[kind]
        start, stop = bucket.starts[key_id], bucket.starts[key_id + 1]
        if stop == start + 1:  # most keys name one record
            return ((bucket.slot_records[start], bucket.slot_names[start]),)
        return tuple(zip(bucket.slot_records[start:stop], bucket.slot_names[start:stop], strict=True))

    def exact(self, kind: str, key: str) -> int | None:
        """The key id of ``key`` if some record of ``kind`` carries exactly that name."""
        keys = self._buckets[kind].keys
        key_id = bisect.bisect_left(keys, key)
        return key_id if key_id < len(keys) and keys[key_id] == key else None

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
                if found_words := bucket.deletes.get(variant):
                    near.update(found_words.split())
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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an index is read and built.

    Building allocates about a million objects that all live on; the full collections their count triggers
    along the way would walk the growing heap again and again for nothing (0.6-1.4 s of a 100,000-title
    start-up). Reference counting still frees everything else at once; cycles wait for the next collection.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Entries:
    """Names of one kind of record as they arrive: three parallel lists, not an object per name."""

    __slots__ = ("keys", "names", "records")

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.records: list[int] = []  # record positions
        self.names: list[str] = []


class NameIndexBuilder:
    """Collects records and names (a record before its names), then builds the ``NameIndex`` once.

    Every record's display name comes before the other names of its kind, whatever order they are added
    in: a key shared by several records lists them in that order, display names first.
    """

    def __init__(self) -> None:
        self._records: list[Record] = []
        self._refs: dict[str, dict[int | str, int]] = {kind: {} for kind in KINDS}
        self._display = {kind: _Entries() for kind in KINDS}
        self._other = {kind: _Entries() for kind in KINDS}

    def add_record(self, record: Record, key: str | None = None) -> None:
        """Add a record and its display name; ``key`` is ``name_key(record.name)`` when already known."""
        position = len(self._records)
        self._records.append(record)
        self._refs[record.kind][record.id] = position
        key = name_key(record.name) if key is None else key
        if key:
            entries = self._display[record.kind]
            entries.keys.append(key)
            entries.records.append(position)
            entries.names.append(record.name)

    def add_name(self, kind: RecordKind, record_id: int | str, name: str, key: str) -> None:
        """Add one more name of a record already added (names of unknown records are skipped)."""
        self.add_names(kind, ((record_id, name, key),))

    def add_names(self, kind: RecordKind, rows: Iterable[tuple[int | str, str, str]]) -> None:
        """Add ``(record id, name, key)`` rows of records already added (rows of unknown records are skipped)."""
        refs = self._refs[kind]
        records = self._records
        entries = self._other[kind]
        keys, positions, names = entries.keys, entries.records, entries.names
        for record_id, name, key in rows:
            position = refs.get(record_id)
            if position is None or not key:
                continue
            shown = records[position].name
            keys.append(key)
            positions.append(position)
            names.append(shown if name == shown else name)  # one string, not two, for a name shown as is

    def build(self) -> NameIndex:
        """The index; the builder is emptied on the way, so its lists are freed as each kind is indexed."""
        buckets: dict[str, _Bucket] = {}
        for kind in KINDS:
            display, other = self._display.pop(kind), self._other.pop(kind)
            display.keys += other.keys
            display.records += other.records
            display.names += other.names
            del other
            buckets[kind] = _Bucket.build(display.keys, display.records, display.names)
        return NameIndex(tuple(self._records), self._refs, buckets)
