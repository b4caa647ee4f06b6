"""Labelled queries for the name resolution evaluation (tests/commands/test_resolve_eval.py, bench/resolve.py).

Two sources: ``DEMO_QUERIES``, written by hand over the demo-like catalog, and ``generated_queries``, drawn
from a generated catalog with the mistakes people make (typos, a missing or extra word, word order,
Turkish typed in ASCII, Spanish titles, qualifiers, territories in three languages and as codes, groups,
companies). A generated query is kept only if its label is honest: no other record fits it as well as
the labelled one (checked on words and edit distance, independently of the resolver's scoring).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA
from resolve_catalog import (
    DEMO_COMPANIES,
    GROUPS,
    GeneratedTitle,
    Parts,
    ascii_typed,
    demo_company_ref,
    demo_ref,
    generate_titles,
    group_ref,
)

from storage.keys import name_key
from storage.territories import territory_data


@dataclass(frozen=True)
class EvalQuery:
    text: str
    kind: str  # title, territory (territories and groups) or company
    # One reference when unambiguous; every record the answer must offer when ambiguous; none when the
    # catalog has no such record (category "absent": any Found is a wrong answer).
    expected: frozenset[str]
    ambiguous: bool
    category: str


def _one(text: str, kind: str, ref: str, category: str) -> EvalQuery:
    return EvalQuery(text, kind, frozenset({ref}), False, category)


def _many(text: str, kind: str, refs: list[str], category: str) -> EvalQuery:
    return EvalQuery(text, kind, frozenset(refs), True, category)


MIRACLES = [demo_ref("Miracle in Cell No. 7", year) for year in (2013, 2022)] + [
    demo_ref("Miracle in Cell No. 7", 2019, "TR"), demo_ref("Miracle in Cell No. 7", 2019, "PH")]
TR_MIRACLE = demo_ref("Miracle in Cell No. 7", 2019, "TR")
KR_MIRACLE = demo_ref("Miracle in Cell No. 7", 2013)
WINGS = [demo_ref("Broken Wings", 2015), demo_ref("Broken Wings", 2021)]

DEMO_QUERIES: list[EvalQuery] = [
    _many("miracle", "title", MIRACLES, "ambiguous"),
    _many("Miracle in Cell No. 7", "title", MIRACLES, "ambiguous"),
    _many("miracle in cell 7", "title", MIRACLES, "ambiguous"),
    _many("mirakle cel", "title", MIRACLES, "ambiguous"),
    _many("miracle in cel", "title", MIRACLES, "ambiguous"),
    _many("miracle 2019", "title", [TR_MIRACLE, demo_ref("Miracle in Cell No. 7", 2019, "PH")], "ambiguous"),
    _many("miracle film", "title", MIRACLES, "ambiguous"),
    _one("miracle 2013", "title", KR_MIRACLE, "qualifier"),
    _one("miracle kr", "title", KR_MIRACLE, "qualifier"),
    _one("miracle korean", "title", KR_MIRACLE, "qualifier"),
    _one("miracle in cell no 7 (2013)", "title", KR_MIRACLE, "qualifier"),
    _one("Miracle in Cell No. 7 (2022)", "title", demo_ref("Miracle in Cell No. 7", 2022), "qualifier"),
    _one("miracle indonesia", "title", demo_ref("Miracle in Cell No. 7", 2022), "qualifier"),
    _one("miracle philippines 2019", "title", demo_ref("Miracle in Cell No. 7", 2019, "PH"), "qualifier"),
    _one("miracle in cell 7 turkish", "title", TR_MIRACLE, "qualifier"),
    _one("miracle in cell 7 tr", "title", TR_MIRACLE, "qualifier"),
    _one("miracle in cell 7 turkiye", "title", TR_MIRACLE, "qualifier"),
    _one("miracle cell 2019 turkey", "title", TR_MIRACLE, "qualifier"),
    _many("miracle turkish", "title", [TR_MIRACLE, demo_ref("The Miracle Tree")], "ambiguous"),
    _one("7 kogustaki mucize", "title", TR_MIRACLE, "original"),
    _one("7. Koğuştaki Mucize", "title", TR_MIRACLE, "original"),
    _one("KOĞUŞTAKİ MUCİZE", "title", TR_MIRACLE, "original"),
    _one("kogustaki mucize", "title", TR_MIRACLE, "ascii"),
    _one("kogustakı mucıze", "title", TR_MIRACLE, "ascii"),
    _one("kogustaki mucise", "title", TR_MIRACLE, "typo"),
    _one("kogustakimucize", "title", TR_MIRACLE, "typo"),
    _one("milagro en la celda 7", "title", TR_MIRACLE, "spanish"),
    _one("milagro en la celda", "title", TR_MIRACLE, "spanish"),
    _one("milagro celda 7", "title", TR_MIRACLE, "missing_word"),
    _one("7beonbangui seonmul", "title", KR_MIRACLE, "original"),
    _many("broken wings", "title", WINGS, "ambiguous"),
    _many("alas rotas", "title", WINGS, "ambiguous"),
    _many("kirik kanatlar", "title", WINGS, "ambiguous"),
    _one("broken wings series", "title", WINGS[0], "qualifier"),
    _one("broken wings film", "title", WINGS[1], "qualifier"),
    _one("broken wings 2015", "title", WINGS[0], "qualifier"),
    _one("kirik kanatlar dizi", "title", WINGS[0], "qualifier"),
    _one("gebrochene flugel", "title", WINGS[1], "original"),
    _one("bitter orange", "title", demo_ref("Bitter Orange"), "exact"),
    _one("bitter oranges", "title", demo_ref("Bitter Oranges"), "exact"),
    _one("aci portakal", "title", demo_ref("Bitter Orange"), "ascii"),
    _one("naranja amarga", "title", demo_ref("Bitter Orange"), "spanish"),
    _one("naranjas amargas", "title", demo_ref("Bitter Oranges"), "original"),
    _one("the lighthouse", "title", demo_ref("The Lighthouse"), "exact"),
    _one("el faro", "title", demo_ref("The Lighthouse"), "original"),
    _one("lighthouse keeper", "title", demo_ref("The Lighthouse Keeper"), "missing_word"),
    _one("ligthouse keeper", "title", demo_ref("The Lighthouse Keeper"), "typo"),
    _one("lighthouse keepers daughter", "title", demo_ref("The Lighthouse Keeper's Daughter"), "missing_word"),
    _one("la hija del farero", "title", demo_ref("The Lighthouse Keeper's Daughter"), "spanish"),
    _one("el farero", "title", demo_ref("The Lighthouse Keeper"), "spanish"),
    _one("fenercinin kizi", "title", demo_ref("The Lighthouse Keeper's Daughter"), "ascii"),
    _one("hearts of istanbul", "title", demo_ref("Hearts of Istanbul"), "exact"),
    _one("istanbulun kalbi", "title", demo_ref("Hearts of Istanbul"), "ascii"),
    _one("corazones de estambul", "title", demo_ref("Hearts of Istanbul"), "spanish"),
    _one("heart of istambul", "title", demo_ref("Hearts of Istanbul"), "typo"),
    _one("sahikanin sirri", "title", demo_ref("Şahika's Secret"), "ascii"),
    _one("sahika secret", "title", demo_ref("Şahika's Secret"), "missing_word"),
    _one("el secreto de sahika", "title", demo_ref("Şahika's Secret"), "spanish"),
    _one("iron bride", "title", demo_ref("Iron Bride"), "exact"),
    _one("demir gelin", "title", demo_ref("Iron Bride"), "original"),
    _one("la novia de hiero", "title", demo_ref("Iron Bride"), "typo"),
    _one("mountain wishes", "title", demo_ref("Mountain of Wishes"), "missing_word"),
    _one("dilekler dagi", "title", demo_ref("Mountain of Wishes"), "ascii"),
    _one("letters to the stars", "title", demo_ref("Letters to the Stars"), "exact"),
    _one("yildizlara mektup", "title", demo_ref("Letters to the Stars"), "ascii"),
    _one("under the plane tree", "title", demo_ref("Under the Plane Tree"), "exact"),
    _one("cinar altinda", "title", demo_ref("Under the Plane Tree"), "ascii"),
    _one("secrets of the bosporus", "title", demo_ref("Secrets of the Bosphorus"), "typo"),
    _one("bogazin sirlari", "title", demo_ref("Secrets of the Bosphorus"), "ascii"),
    _one("desert rose", "title", demo_ref("Desert Rose"), "exact"),
    _one("col gulu", "title", demo_ref("Desert Rose"), "ascii"),
    _one("rosa del desierto", "title", demo_ref("Desert Rose"), "spanish"),
    _one("yeniden basla", "title", demo_ref("Start Again"), "ascii"),
    _one("tailor of beyoglu", "title", demo_ref("The Tailor of Beyoğlu"), "missing_word"),
    _one("beyoglu terzisi", "title", demo_ref("The Tailor of Beyoğlu"), "ascii"),
    _one("summer house", "title", demo_ref("The Summer House"), "missing_word"),
    _one("yazlik ev", "title", demo_ref("The Summer House"), "ascii"),
    _one("the feryman", "title", demo_ref("The Ferryman"), "typo"),
    _one("kayikci", "title", demo_ref("The Ferryman"), "ascii"),
    _one("aylin", "title", demo_ref("Aylin"), "exact"),
    _one("ice cream sumer", "title", demo_ref("Ice Cream Summer"), "typo"),
    _one("dondurma yazi", "title", demo_ref("Ice Cream Summer"), "ascii"),
    _one("the sky is ours", "title", demo_ref("The Sky Is Ours"), "exact"),
    _one("gokyuzu bizim", "title", demo_ref("The Sky Is Ours"), "ascii"),
    _one("hazelnut season", "title", demo_ref("Hazelnut Season"), "exact"),
    _one("findik zamani", "title", demo_ref("Hazelnut Season"), "ascii"),
    _one("two hearts cartagena", "title", demo_ref("Two Hearts in Cartagena"), "missing_word"),
    _one("dos corazones en cartagena", "title", demo_ref("Two Hearts in Cartagena"), "original"),
    _one("the estancia", "title", demo_ref("The Estancia"), "exact"),
    _one("harbor lights", "title", demo_ref("Harbour Lights"), "typo"),
    _one("luces del puerto", "title", demo_ref("Harbour Lights"), "spanish"),
    _one("paper kites", "title", demo_ref("Paper Kites"), "exact"),
    _one("red kites", "title", demo_ref("Red Kites"), "exact"),
    _one("cometas de papel", "title", demo_ref("Paper Kites"), "spanish"),
    _one("kitchen duel", "title", demo_ref("Kitchen Duel"), "exact"),
    _one("duelo de cocina", "title", demo_ref("Kitchen Duel"), "spanish"),
    _one("mutfak duellosu", "title", demo_ref("Kitchen Duel"), "ascii"),
    _one("anatolian flavors", "title", demo_ref("Anatolian Flavours"), "typo"),
    _one("anadolu lezzetleri", "title", demo_ref("Anatolian Flavours"), "ascii"),
    _one("small miracles", "title", demo_ref("Small Miracles"), "exact"),
    _one("kucuk mucizeler", "title", demo_ref("Small Miracles"), "ascii"),
    _one("the miracle tree", "title", demo_ref("The Miracle Tree"), "exact"),
    _one("mucize agac", "title", demo_ref("The Miracle Tree"), "ascii"),
    _one("the last miracle", "title", demo_ref("The Last Miracle"), "exact"),
    _one("miracle in the valley", "title", demo_ref("Miracle in the Valley"), "exact"),
    _one("vadideki mucize", "title", demo_ref("Miracle in the Valley"), "ascii"),
    _one("gus", "title", demo_ref("Gus"), "exact"),
    _one("MX", "territory", "territory:MX", "code"),
    _one("MEX", "territory", "territory:MX", "code"),
    _one("Mexico", "territory", "territory:MX", "territory_en"),
    _one("México", "territory", "territory:MX", "territory_es"),
    _one("Meksika", "territory", "territory:MX", "territory_tr"),
    _one("UK", "territory", "territory:GB", "alias"),
    _one("USA", "territory", "territory:US", "alias"),
    _one("Holland", "territory", "territory:NL", "alias"),
    _one("UAE", "territory", "territory:AE", "alias"),
    _many("Korea", "territory", ["territory:KR", "territory:KP"], "ambiguous"),
    _many("Congo", "territory", ["territory:CD", "territory:CG"], "ambiguous"),
    _one("south korea", "territory", "territory:KR", "territory_en"),
    _one("guney kore", "territory", "territory:KR", "territory_tr"),
    _one("latam", "territory", group_ref("LATAM"), "group"),
    _one("LATAM", "territory", group_ref("LATAM"), "group"),
    _one("mena", "territory", group_ref("MENA"), "group"),
    _one("dach", "territory", group_ref("DACH"), "group"),
    _one("nordics", "territory", group_ref("Nordics"), "group"),
    _one("nordic", "territory", group_ref("Nordics"), "group"),
    _one("southeast asia", "territory", group_ref("Southeast Asia"), "group"),
    _one("western europe", "territory", group_ref("Western Europe"), "group"),
    _one("mexco", "territory", "territory:MX", "typo"),
    _one("columbia", "territory", "territory:CO", "typo"),
    _one("argentinia", "territory", "territory:AR", "typo"),
    _one("imagen", "company", demo_company_ref("Imagen TV"), "company"),
    _one("imagen tv", "company", demo_company_ref("Imagen TV"), "company"),
    _one("Imagen Televisión", "company", demo_company_ref("Imagen TV"), "company"),
    _one("imagen television", "company", demo_company_ref("Imagen TV"), "company"),
    _one("imgen tv", "company", demo_company_ref("Imagen TV"), "company"),
    _one("canal 13", "company", demo_company_ref("Canal 13"), "company"),
    _one("caracol television", "company", demo_company_ref("Caracol"), "company"),
    _one("caracol", "company", demo_company_ref("Caracol"), "company"),
    _one("color vision", "company", demo_company_ref("Color Visión"), "company"),
    _one("ecuavisa", "company", demo_company_ref("Ecuavisa"), "company"),
    _one("achla", "company", demo_company_ref("Achla TV"), "company"),
    _one("vertice+", "company", demo_company_ref("Vértice+"), "company"),
    _one("vertice plus", "company", demo_company_ref("Vértice+"), "company"),
    _one("rio de la plata tv", "company", demo_company_ref("Canal Río de la Plata"), "company"),
    _one("inter media", "company", demo_company_ref("Inter Medya"), "company"),
    _many("canal", "company", [demo_company_ref("Canal 13"), demo_company_ref("Canal Seis")], "ambiguous"),
]

_TYPO_LETTERS = "abcdefghijklmnoprstuvyz"
_EXTRA_WORDS = ("the", "show", "drama", "novela", "hd", "tv")


def typo(word: str, rng: random.Random) -> str:
    """One keyboard mistake: a letter dropped, doubled, swapped with the next, or replaced."""
    position = rng.randrange(1, len(word) - 1)
    mistake = rng.randrange(4)
    if mistake == 0:
        return word[:position] + word[position + 1:]
    if mistake == 1:
        return word[:position] + word[position] + word[position:]
    if mistake == 2:
        return word[:position] + word[position + 1] + word[position] + word[position + 2:]
    return word[:position] + rng.choice(_TYPO_LETTERS.replace(word[position], "")) + word[position + 1:]


class _Catalog:
    """The generated catalog's names, for honest labels: which records carry which words and keys."""

    def __init__(self, parts: Parts) -> None:
        records, names = parts
        self.keys: dict[str, set[str]] = defaultdict(set)
        for record in records:
            if record.kind == "title":
                self.keys[name_key(record.name)].add(record.ref)
        for entry in names:
            if entry.kind == "title":
                self.keys[entry.key].add(f"title:{entry.record_id}")
        self.key_list = list(self.keys)
        self.postings: dict[str, set[int]] = defaultdict(set)
        for position, key in enumerate(self.key_list):
            for word in key.split():
                self.postings[word].add(position)

    def others_with_words(self, words: set[str], refs: set[str]) -> bool:
        """Does a record outside ``refs`` carry a name with all these words?"""
        if not words:
            return False
        holders = set.intersection(*(self.postings.get(word, set()) for word in words))
        return any(not self.keys[self.key_list[position]] <= refs for position in holders)

    def closest_is(self, query: str, own_key: str, refs: set[str]) -> bool:
        """Is the labelled name strictly the closest (OSA distance) of all names to the query?"""
        own = OSA.distance(query, own_key)
        near = process.extract(query, self.key_list, scorer=OSA.distance, score_cutoff=own, limit=None,
                               processor=None)
        return all(self.keys[key] <= refs for key, _, _ in near)


def _variants(title: GeneratedTitle, rng: random.Random) -> list[tuple[str, str, str]]:
    """(category, query, the key it was made from) for one title."""
    key = name_key(title.international)
    words = key.split()
    out = [("exact", title.international, key)]
    if title.original != title.international:
        out.append(("ascii" if title.origin == "TR" else "original", ascii_typed(title.original),
                    name_key(title.original)))
    if title.spanish and title.spanish != title.international:
        out.append(("spanish", title.spanish.lower(), name_key(title.spanish)))
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and not w.isdigit()]
    if long_words:
        i = rng.choice(long_words)
        typed = [*words[:i], typo(words[i], rng), *words[i + 1:]]
        out.append(("typo1", " ".join(typed), key))
        if len(long_words) > 1 or len(words[i]) >= 8:
            j = rng.choice(long_words)
            typed[j] = typo(typed[j], rng) if len(typed[j]) >= 4 else typed[j]
            out.append(("typo2", " ".join(typed), key))
    if len(words) >= 3:
        dropped = rng.randrange(len(words))
        out.append(("missing_word", " ".join(words[:dropped] + words[dropped + 1:]), key))
    out.append(("extra_word", f"{key} {rng.choice(_EXTRA_WORDS)}", key))
    if len(words) >= 2:
        i = rng.randrange(len(words) - 1)
        swapped = [*words[:i], words[i + 1], words[i], *words[i + 2:]]
        out.append(("word_order", " ".join(swapped), key))
    if title.spanish and len(name_key(title.spanish)) >= 8:
        spanish = name_key(title.spanish).split()
        longest = max(range(len(spanish)), key=lambda n: len(spanish[n]))
        if len(spanish[longest]) >= 5:
            spanish[longest] = typo(spanish[longest], rng)
            out.append(("spanish_typo", " ".join(spanish), name_key(title.spanish)))
    return out


def _honest(category: str, query: str, source_key: str, ref: str, catalog: _Catalog) -> bool:
    refs = {ref}
    words = set(name_key(query).split())
    if category in ("typo1", "typo2", "spanish_typo"):
        return catalog.closest_is(name_key(query), source_key, refs)
    if category in ("missing_word", "word_order"):
        return not catalog.others_with_words(words, refs)
    if category == "extra_word":
        return not catalog.others_with_words(set(source_key.split()), refs)
    return catalog.keys.get(source_key) == refs


def generated_queries(titles: list[GeneratedTitle], parts: Parts, *, per_title: int = 2, sample: int = 150,
                      seed: int = 11, first_title_id: int = 0) -> list[EvalQuery]:
    """Queries over ``sample`` generated titles (plus their families), honest labels only."""
    rng = random.Random(seed)  # noqa: S311 - a seeded, repeatable catalog, not a secret
    catalog = _Catalog(parts)
    families: dict[int, list[GeneratedTitle]] = defaultdict(list)
    for title in titles:
        if title.family is not None:
            families[title.family].append(title)
    queries: list[EvalQuery] = []
    singles = [title for title in titles if title.family is None]
    for title in rng.sample(singles, min(sample, len(singles))):
        ref = f"title:{first_title_id + title.id}"
        variants = _variants(title, rng)
        rng.shuffle(variants)
        kept = 0
        for category, query, source_key in variants:
            if kept < per_title and _honest(category, query, source_key, ref, catalog):
                queries.append(_one(query, "title", ref, category))
                kept += 1
    for members in list(families.values())[: max(sample // 10, 3)]:
        refs = [f"title:{first_title_id + m.id}" for m in members]
        name = members[0].international
        if catalog.keys.get(name_key(name)) != set(refs):
            continue
        queries.append(_many(name, "title", refs, "ambiguous"))
        for member, ref in zip(members, refs, strict=True):
            same_year = [r for m, r in zip(members, refs, strict=True) if m.year == member.year]
            if len(same_year) == 1:
                queries.append(_one(f"{name} {member.year}", "title", ref, "qualifier"))
            queries.append(_one(f"{name} {member.origin.lower()}", "title", ref, "qualifier"))
    return queries


def absent_queries(parts: Parts, count: int = 30, seed: int = 23) -> list[EvalQuery]:
    """Titles the catalog does not have, made of the catalog's own words: the answer must not be Found."""
    catalog = _Catalog(parts)
    queries: list[EvalQuery] = []
    for title in generate_titles(count * 20, seed=seed):
        key = name_key(title.international)
        words = set(key.split())
        if len(words) >= 2 and key not in catalog.keys and not catalog.others_with_words(words, set()):
            queries.append(EvalQuery(title.international, "title", frozenset(), False, "absent"))
            if len(queries) >= count:
                break
    return queries


def territory_queries(sample: int = 40, seed: int = 5) -> list[EvalQuery]:
    """Countries by code (alpha-2, alpha-3), English, Spanish and Turkish names (ASCII-typed), and typos."""
    rng = random.Random(seed)  # noqa: S311 - a seeded, repeatable catalog, not a secret
    rows = [row for row in territory_data() if len(row.names["en"]) <= 20]
    all_keys: dict[str, set[str]] = defaultdict(set)
    for row in territory_data():
        for name in (*row.names.values(), *(name for name, _ in row.other_names)):
            all_keys[name_key(name)].add(row.code)
    queries: list[EvalQuery] = []
    for row in rng.sample(rows, sample):
        ref = f"territory:{row.code}"
        category, text = rng.choice([
            ("code", row.code), ("code", row.alpha3), ("territory_en", row.names["en"]),
            ("territory_es", row.names["es"].lower()), ("territory_tr", ascii_typed(row.names["tr"])),
        ])
        queries.append(_one(text, "territory", ref, category))
        english = name_key(row.names["en"])
        if len(english) >= 7 and " " not in english:
            typed = typo(english, rng)
            own = OSA.distance(typed, english)
            if all(OSA.distance(typed, key) > own for key, codes in all_keys.items() if codes != {row.code}):
                queries.append(_one(typed, "territory", ref, "typo"))
    return queries


def group_and_company_queries(seed: int = 3) -> list[EvalQuery]:
    rng = random.Random(seed)  # noqa: S311 - a seeded, repeatable catalog, not a secret
    queries = [_one(name.lower(), "territory", group_ref(name), "group") for name in GROUPS]
    for name, _kind, _territory, aliases in DEMO_COMPANIES:
        ref = demo_company_ref(name)
        queries.append(_one(name, "company", ref, "company"))
        queries.extend(_one(alias.lower(), "company", ref, "company") for alias in aliases[:1])
        longest = max(name_key(name).split(), key=len)
        if len(longest) >= 6:
            queries.append(_one(name_key(name).replace(longest, typo(longest, rng)), "company", ref, "company_typo"))
    return queries


# --- scoring an answer -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    query: EvalQuery
    verdict: str  # found_right, found_wrong, asked_top1, asked, asked_missing, not_found, ambiguous_ok, ...
    answer: str  # what the resolver said, for the confusion list

    @property
    def correct(self) -> bool:
        return self.verdict in ("found_right", "ambiguous_ok", "absent_ok")


def judge(query: EvalQuery, resolution: object) -> Outcome:
    """The verdict on one answer, resolution being a commands.resolve Found, Ambiguous or NotFound."""
    from commands.resolve import Ambiguous, Found

    if isinstance(resolution, Found):
        answer = f"found {resolution.candidate.label}"
        refs = [resolution.candidate.ref]
    elif isinstance(resolution, Ambiguous):
        answer = "asked " + "; ".join(f"{c.label} [{c.score}]" for c in resolution.candidates[:5])
        refs = [c.ref for c in resolution.candidates]
    else:
        answer = "not found"
        refs = []
    if query.category == "absent":
        verdict = "found_wrong" if isinstance(resolution, Found) else "absent_ok"
    elif query.ambiguous:
        if isinstance(resolution, Found):
            verdict = "ambiguous_silent"
        elif isinstance(resolution, Ambiguous) and query.expected <= set(refs):
            verdict = "ambiguous_ok"
        else:
            verdict = "ambiguous_missing"
    elif isinstance(resolution, Found):
        verdict = "found_right" if refs[0] in query.expected else "found_wrong"
    elif isinstance(resolution, Ambiguous):
        verdict = "asked_top1" if refs[0] in query.expected else "asked" if query.expected & set(refs) \
            else "asked_missing"
    else:
        verdict = "not_found"
    return Outcome(query, verdict, answer)


@dataclass(frozen=True)
class Report:
    outcomes: list[Outcome]

    def count(self, *verdicts: str) -> int:
        return sum(outcome.verdict in verdicts for outcome in self.outcomes)

    @property
    def unambiguous(self) -> int:
        return sum(not o.query.ambiguous and o.query.category != "absent" for o in self.outcomes)

    @property
    def found_accuracy(self) -> float:
        """Unambiguous queries answered with the right record, found outright."""
        return self.count("found_right") / max(self.unambiguous, 1)

    @property
    def top1_accuracy(self) -> float:
        """Unambiguous queries whose first answer (found, or the first candidate offered) is right."""
        return self.count("found_right", "asked_top1") / max(self.unambiguous, 1)

    @property
    def confusions(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.correct]

    def summary(self) -> str:
        verdicts = sorted({o.verdict for o in self.outcomes})
        counts = ", ".join(f"{v}={self.count(v)}" for v in verdicts)
        return (f"{len(self.outcomes)} queries, {self.unambiguous} unambiguous: found-right "
                f"{self.found_accuracy:.1%}, top-1 {self.top1_accuracy:.1%} ({counts})")

    def confusion_lines(self) -> list[str]:
        return [f"[{o.query.category}] {o.query.text!r} ({o.query.kind}) -> {o.verdict}: {o.answer}"
                f" | expected {sorted(o.query.expected)}" for o in self.confusions]


def evaluate(index: object, queries: list[EvalQuery], rule: object = None) -> Report:
    """Resolve every query against ``index`` (a NameIndex) and judge the answers."""
    from commands import resolve

    resolvers = {"title": resolve.resolve_title, "territory": resolve.resolve_territory,
                 "company": resolve.resolve_company}
    chosen = rule if rule is not None else resolve.RULE
    return Report([judge(q, resolvers[q.kind](index, q.text, chosen)) for q in queries])  # type: ignore[arg-type]
