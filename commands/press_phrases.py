"""The wording of ``press`` in English, Spanish and Turkish, kept apart from the logic that picks the facts.

A press officer can reword a sentence here without touching ``commands/press.py``. Every template only
arranges numbers and names the command has already formatted from the catalog; none adds a fact. The few
grammatical helpers a template cannot express (the English article before a number, Turkish suffixes on
numbers and country names, Spanish "de" after "millones") live here too, because they are about language.

Rank notes are catalog text in English. English output weaves them in (see ``en_rank``); Spanish and
Turkish output translate only the patterns in ``translated_rank``, and every other note is listed verbatim,
in quotes, under the highlights heading, never paraphrased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGUAGES = ("en", "es", "tr")

# The words that name an output language, as folded by ``storage.keys.name_key`` (ü -> u, é -> e, İ -> i).
LANGUAGE_WORDS: dict[str, str] = {
    "en": "en", "eng": "en", "english": "en", "ingles": "en", "ingilizce": "en",
    "es": "es", "spa": "es", "spanish": "es", "espanol": "es", "castellano": "es", "ispanyolca": "es",
    "tr": "tr", "tur": "tr", "turkish": "tr", "turco": "tr", "turkce": "tr",
}


@dataclass(frozen=True)
class Phrases:
    """One language's templates. ``{…}`` slots are filled with text already formatted for the language."""

    headline: str
    no_figures: str
    only_highlights: str
    quotes_field: str
    highlights_field: str
    more_figures: str
    more_figure: str
    quote_cut: str
    cut_short: str
    later_subject: str  # how later sentences name the title ("it"; Spanish drops the subject)
    # Sentence led by viewers (A), about the broadcast named in the sentence before (B1 with a superlative,
    # B2 otherwise), about a new place without viewers (C, first and later), and theatrical releases (R).
    viewers_lead: str
    rank_lead: str
    also: str
    place_first: str
    place_later: str
    released_admissions: str
    released_gross: str
    released_on: str
    # Parts.
    viewers: str
    viewers_more: str
    viewers_target: str
    consolidated: str
    measures_intro: str
    measures_outro: str
    share: str
    share_base: str
    rating: str
    rating_households: str
    rating_target: str
    national: str
    rank_clause: str
    rank_apposition: str
    on_date: str
    episode: str
    release_date: str
    admissions: str
    gross_after_admissions: str
    gross: str
    highlight_airing: str
    highlight_release: str
    and_word: str


PHRASES: dict[str, Phrases] = {
    "en": Phrases(
        headline="Press lines: {title}",
        no_figures="No audience figures or releases on record yet.",
        only_highlights="No audience numbers on record to quote yet; the highlights below are as recorded.",
        quotes_field="Quotes on record",
        highlights_field="Highlights (as recorded)",
        more_figures="{count} more figures are on record: `{line}`.",
        more_figure="1 more figure is on record: `{line}`.",
        quote_cut="A quote longer than Discord allows is cut at “…”; the full text is in the catalog.",
        cut_short="Some sentences were left out to fit; `{line}` has every figure.",
        later_subject="it",
        viewers_lead="{subject} reached {viewers} on {channel} in {country}{when}{measures}{rank}.",
        rank_lead="{subject} was {rank}, with {measures}{when}.",
        also="{subject} also drew {measures}{when}{rank}.",
        place_first="In {country}, {subject} drew {measures} on {channel}{when}{rank}.",
        place_later="In {country}, its broadcast on {channel}{when} drew {measures}{rank}.",
        released_admissions="Released in theaters in {country}{date}, {subject} drew {admissions}{gross}{rank}.",
        released_gross="Released in theaters in {country}{date}, {subject} grossed {gross}{rank}.",
        released_on="{subject} opened in theaters in {country}{date}{rank}.",
        viewers="{count} viewers",
        viewers_more="more than {count} viewers",
        viewers_target="{viewers} among {target}",
        consolidated=" (consolidated)",
        measures_intro=", ",
        measures_outro="",
        share="{a} {pct} share{base}",
        share_base=" of {base}",
        rating="{a} {pct} rating{national}",
        rating_households="{a} {pct} household rating{national}",
        rating_target="{a} {pct} rating among {target}{national}",
        national=" nationally",
        rank_clause=", and {text}",
        rank_apposition=", {text}",
        on_date=" on {date}",
        episode=" (episode {episode})",
        release_date=" on {date}",
        admissions="{count} admissions",
        gross_after_admissions=" and grossed {gross}",
        gross="{gross}",
        highlight_airing="{channel}, {country}: “{note}”",
        highlight_release="Theatrical, {country}: “{note}”",
        and_word=" and ",
    ),
    "es": Phrases(
        headline="Textos de prensa: {title}",
        no_figures="Todavía no constan cifras de audiencia ni estrenos.",
        only_highlights="Todavía no constan cifras que citar; los destacados siguen tal como constan.",
        quotes_field="Declaraciones registradas",
        highlights_field="Destacados (tal como constan, en inglés)",
        more_figures="Constan {count} cifras más: `{line}`.",
        more_figure="Consta 1 cifra más: `{line}`.",
        quote_cut="Una declaración demasiado larga para Discord se corta en «…»; el texto completo está en el"
                  " catálogo.",
        cut_short="Se omitieron frases para que quepa; `{line}` muestra todas las cifras.",
        later_subject="",
        viewers_lead="{subject} alcanzó {viewers} en {channel}, en {country}{when}{measures}{rank}.",
        rank_lead="{subject} fue {rank}, con {measures}{when}.",
        also="{subject} también registró {measures}{when}{rank}.",
        place_first="En {country}, {subject} registró {measures} en {channel}{when}{rank}.",
        place_later="En {country}, su emisión en {channel}{when} registró {measures}{rank}.",
        released_admissions="Tras su estreno en los cines de {country}{date}, {subject} sumó"
                            " {admissions}{gross}{rank}.",
        released_gross="Tras su estreno en los cines de {country}{date}, {subject} recaudó {gross}{rank}.",
        released_on="{subject} se estrenó en los cines de {country}{date}{rank}.",
        viewers="{count} espectadores",
        viewers_more="más de {count} espectadores",
        viewers_target="{viewers} entre el público {target}",
        consolidated=" (consolidados)",
        measures_intro=", con ",
        measures_outro="",
        share="un {pct} de cuota de pantalla{base}",
        share_base=" {base}",
        rating="un {pct} de rating{national}",
        rating_households="un {pct} de rating en hogares{national}",
        rating_target="un {pct} de rating entre el público {target}{national}",
        national=" a nivel nacional",
        rank_clause=", y {text}",
        rank_apposition=", y fue {text}",
        on_date=", el {date}",
        episode=" (episodio {episode})",
        release_date=" el {date}",
        admissions="{count} espectadores",
        gross_after_admissions=" y recaudó {gross}",
        gross="{gross}",
        highlight_airing="{channel}, {country}: “{note}”",
        highlight_release="Cines, {country}: “{note}”",
        and_word=" y ",
    ),
    "tr": Phrases(
        headline="Basın metni: {title}",
        no_figures="Henüz kayıtlı izlenme verisi ya da vizyon bilgisi yok.",
        only_highlights="Henüz aktarılacak bir izlenme rakamı yok; öne çıkanlar kayıttaki haliyle aşağıda.",
        quotes_field="Kayıtlı demeçler",
        highlights_field="Öne çıkanlar (kayıttaki haliyle, İngilizce)",
        more_figures="Kayıtta {count} rakam daha var: `{line}`.",
        more_figure="Kayıtta 1 rakam daha var: `{line}`.",
        quote_cut="Discord'un sınırını aşan bir demeç “…” ile kısaltıldı; tam metin katalogda.",
        cut_short="Sığması için bazı cümleler çıkarıldı; tüm rakamlar için: `{line}`.",
        later_subject="Yapım",
        viewers_lead="{subject}, {country} {channel} ekranlarında{when} {viewers} ulaştı{measures}{rank}.",
        rank_lead="{subject},{when} {measures} ile {rank} oldu.",
        also="{subject},{when} ayrıca {measures} elde etti{rank}.",
        place_first="{subject}, {country} {channel} ekranlarında{when} {measures} elde etti{rank}.",
        place_later="{subject}, {country} {channel} ekranlarında{when} {measures} elde etti{rank}.",
        released_admissions="{subject},{date} {country} vizyona girdi, {admissions} ulaştı{gross}{rank}.",
        released_gross="{subject},{date} {country} vizyona girdi, {gross} hasılat elde etti{rank}.",
        released_on="{subject},{date} {country} vizyona girdi{rank}.",
        viewers="{count} izleyiciye",
        viewers_more="{count_from} fazla izleyiciye",
        viewers_target="{target} hedef kitlesinde {viewers}",
        consolidated=" (konsolide)",
        measures_intro=", ",
        measures_outro=" elde etti",
        share="{base}{pct} izlenme payı",
        share_base="{base} ",
        rating="{national}{pct} reyting",
        rating_households="{national}hanelerde {pct} reyting",
        rating_target="{national}{target} hedef kitlesinde {pct} reyting",
        national="ulusal çapta ",
        rank_clause=" ve {text}",
        rank_apposition=" ve {text} oldu",
        on_date=" {date} tarihinde",
        episode=" ({episode}. bölüm)",
        release_date=" {date} tarihinde",
        admissions="{count} seyirciye",
        gross_after_admissions=" ve {gross} hasılat elde etti",
        gross="{gross}",
        highlight_airing="{channel}, {country}: “{note}”",
        highlight_release="Sinema, {country}: “{note}”",
        and_word=" ve ",
    ),
}

# "share of <base>" in a figure's notes: the bases this module can say in every language.
SHARE_BASES: dict[str, dict[str, str]] = {
    "national free tv": {"es": "de la televisión abierta nacional", "tr": "ulusal ücretsiz televizyonda"},
    "free tv": {"es": "de la televisión abierta", "tr": "ücretsiz televizyonda"},
    "pay tv": {"es": "de la televisión de pago", "tr": "ödemeli televizyonda"},
}

# Notes that say a count is a floor ("more than 3.1 million viewers"), in the team's three languages.
# A "+" counts only when it touches a number ("3.1M+", "+3,1"): "Live + 7 days" is a measurement, not a floor.
MORE_THAN = re.compile(r"\b(?:more than|over|upwards of|más de|mas de|fazla)\b|(?<=\d)\+|\+(?=\d)", re.IGNORECASE)


def says_more_than(notes: str | None) -> bool:
    """A notes segment that marks a floor and is about a count ("more than 3.1 million viewers")."""
    for segment in (notes or "").split(";"):
        lowered = segment.casefold()
        about_count = any(c.isdigit() for c in lowered) or any(
            word in lowered for word in ("viewer", "espectador", "izleyici"))
        if MORE_THAN.search(segment) and about_count:
            return True
    return False


def says_national_rating(notes: str | None) -> bool:
    """"national households rating": the rating is measured nationally."""
    return any("national" in s.casefold() and "rating" in s.casefold() for s in (notes or "").split(";"))


def share_base_in(notes: str | None) -> str | None:
    """"share of national free TV" in the notes -> "national free TV", the base the share is a percent of."""
    for segment in (notes or "").split(";"):
        head, found, base = segment.strip().partition("share of ")
        if found and not head.strip() and base.strip():
            return base.strip()
    return None


# --- rank notes ----------------------------------------------------------------------------------------

SUPERLATIVE_START = re.compile(r"^(?:most|best|biggest|highest|largest|longest|top)\b", re.IGNORECASE)
# "#1 in prime time (topped the prime-time charts)": the parenthesis is the recorded press wording.
PRESS_WORDING = re.compile(r"^(?P<label>[^()]+?)\s*\((?P<phrase>[a-z]+ed\b[^()]*)\)$")
_PRIME_TIME = re.compile(r"^#(?P<n>\d+) in prime[- ]?time(?:\s*\([^()]*\))?$", re.IGNORECASE)
_MOST_WATCHED_FILM = re.compile(r"^most[- ]watched (?:movie|film) of (?P<year>\d{4})$", re.IGNORECASE)


@dataclass(frozen=True)
class Rank:
    """A rank note as a sentence can carry it: a verb phrase (``clause``) or a noun phrase (``apposition``)."""

    text: str
    clause: bool
    superlative: bool = False


def en_rank(note: str) -> Rank | None:
    """English: the recorded press wording, a superlative ("the most-watched …") or a "#1 …" note verbatim."""
    if match := PRESS_WORDING.match(note):
        return Rank(match["phrase"], clause=True)
    if SUPERLATIVE_START.match(note):
        return Rank("the " + note[0].lower() + note[1:], clause=False, superlative=True)
    if note.startswith("#"):
        return Rank(note, clause=False)
    return None


def translated_rank(note: str, language: str) -> Rank | None:
    """Spanish and Turkish: only the patterns templated here; any other note stays as recorded."""
    if match := _PRIME_TIME.match(note):
        n = int(match["n"])
        if language == "es":
            text = ("lideró la franja de máxima audiencia" if n == 1
                    else f"fue el n.º {n} de la franja de máxima audiencia")
        else:
            text = "prime time'da zirveye yerleşti" if n == 1 else f"prime time'da {n}. sıraya yerleşti"
        return Rank(text, clause=True)
    if match := _MOST_WATCHED_FILM.match(note):
        year = match["year"]
        text = f"la película más vista de {year}" if language == "es" else f"{year} yılının en çok izlenen filmi"
        return Rank(text, clause=False, superlative=True)
    return None


def rank_phrase(note: str, language: str) -> Rank | None:
    return en_rank(note) if language == "en" else translated_rank(note, language)


# --- grammar helpers -------------------------------------------------------------------------------------

# Countries English writes with "the".
EN_WITH_THE = frozenset({"AE", "BS", "CD", "CF", "DO", "GB", "GM", "KM", "KY", "MH", "MV", "NL", "PH", "SB",
                         "US", "VA"})


def en_article(number: str) -> str:
    """"an 11.6%", "an 8%", "an 18%" but "a 19%": by how the number is said, not how it is written."""
    digits = re.match(r"\d+", number.replace(",", ""))
    if digits is None:
        return "a"
    whole = digits.group()
    lead = whole[: len(whole) % 3 or 3]  # the group said first: "11" of 11,600
    return "an" if lead.startswith("8") or lead in ("11", "18") else "a"


def es_count(count: str) -> str:
    """Spanish puts "de" between "millones" and the noun: "3,1 millones de espectadores", "470 mil espectadores"."""
    return f"{count} de" if count.endswith(("millones", "millón")) else count


_TR_UNITS = {"1": "den", "2": "den", "3": "ten", "4": "ten", "5": "ten", "6": "dan", "7": "den", "8": "den",
             "9": "dan"}
_TR_TENS = {"1": "dan", "2": "den", "3": "dan", "4": "tan", "5": "den", "6": "tan", "7": "ten", "8": "den",
            "9": "dan"}
_TR_WORDS = {"bin": "den", "milyon": "dan", "milyar": "dan", "trilyon": "dan"}


def tr_from(count: str) -> str:
    """A Turkish number with the ablative "-dan/-den/-tan/-ten" it takes as spoken: "3,1 milyondan", "5'ten"."""
    last = count.rsplit(maxsplit=1)[-1]
    if last in _TR_WORDS:
        return count + _TR_WORDS[last]
    digits = re.sub(r"\D", "", count.split(",", maxsplit=1)[0])
    if not digits:
        return count
    if digits[-1] != "0":
        suffix = _TR_UNITS[digits[-1]]
    elif len(digits) > 1 and digits[-2] != "0":
        suffix = _TR_TENS[digits[-2]]
    elif len(digits) > 2 and digits[-3] != "0":
        suffix = "den"  # yüz
    else:
        suffix = "den"  # bin (a multiple of 1000 written in digits)
    return f"{count}'{suffix}"


_TR_BACK = set("aıou")
_TR_FRONT = set("eiöü")
_TR_HARD = set("fstkçşhp")


def tr_in(country: str) -> str:
    """A Turkish country name in the locative: "Meksika'da", "Şili'de", "Fas'ta", "Dominik Cumhuriyeti'nde"."""
    lowered = country.replace("I", "ı").replace("İ", "i").lower()
    vowels = [c for c in lowered if c in _TR_BACK or c in _TR_FRONT]
    back = bool(vowels) and vowels[-1] in _TR_BACK
    last = lowered[-1:]
    # Compound names ending in a possessive vowel ("Cumhuriyeti", "Emirlikleri") take the buffer "n".
    if " " in lowered and last in "iıuü":
        return f"{country}'n{'da' if back else 'de'}"
    consonant = "t" if last in _TR_HARD else "d"
    return f"{country}'{consonant}{'a' if back else 'e'}"


def join_series(items: list[str], language: str) -> str:
    """"a, b and c" in the language."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + PHRASES[language].and_word + items[-1]
