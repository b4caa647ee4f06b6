"""Catalogs for name resolution tests and the benchmark, built in code (no database, no demo files needed).

- ``territory_parts``: every ISO 3166-1 territory with its CLDR/ISO names and aliases, exactly as
  ``storage.territories.sync_territories`` writes them.
- ``demo_parts``: a hand-written catalog shaped like the demo (the Miracle in Cell No. 7 family, other
  Turkish dramas with Spanish titles, Latin American broadcasters, territory groups).
- ``generated_parts``: a seeded multilingual catalog of any size: international, original, Spanish and
  Turkish titles, aliases, and families of remakes that share a name.

``bench/resolve.py`` imports this module too (it puts this folder on ``sys.path``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from anyascii import anyascii

from storage.keys import name_key
from storage.name_index import NameEntry, Record
from storage.territories import territory_data

Parts = tuple[list[Record], list[NameEntry]]


def territory_parts() -> Parts:
    records: list[Record] = []
    names: list[NameEntry] = []
    for row in territory_data():
        records.append(Record("territory", row.code, row.names["en"]))
        seen: set[str] = set()
        for name, language in (*((n, lang) for lang, n in row.names.items()), *row.other_names):
            key = name_key(name)
            if key and key not in seen:
                seen.add(key)
                names.append(NameEntry("territory", row.code, name, key, language))
    return records, names


GROUPS: dict[str, tuple[str, ...]] = {
    "LATAM": ("MX", "GT", "SV", "HN", "NI", "CR", "PA", "CU", "DO", "PR", "CO", "VE", "EC", "PE", "BO", "CL", "AR",
              "UY", "PY", "BR"),
    "MENA": ("AE", "SA", "QA", "KW", "BH", "OM", "YE", "IQ", "JO", "LB", "SY", "PS", "EG", "LY", "TN", "DZ", "MA"),
    "CEE": ("PL", "CZ", "SK", "HU", "RO", "BG", "SI", "HR", "RS", "BA", "ME", "MK", "AL", "EE", "LV", "LT", "UA"),
    "DACH": ("DE", "AT", "CH"),
    "Nordics": ("DK", "FI", "IS", "NO", "SE"),
    "Balkans": ("AL", "BA", "BG", "GR", "HR", "ME", "MK", "RO", "RS", "SI"),
    "CIS": ("AM", "AZ", "BY", "KZ", "KG", "MD", "RU", "TJ", "TM", "UZ"),
    "Southeast Asia": ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"),
    "Western Europe": ("AD", "AT", "BE", "CH", "DE", "ES", "FR", "GB", "IE", "IT", "LI", "LU", "MC", "NL", "PT"),
}

# (international, original, kind, year, origin, aliases "lang:name")
DEMO_TITLES: list[tuple[str, str, str, int, str, tuple[str, ...]]] = [
    ("Miracle in Cell No. 7", "7번방의 선물", "film", 2013, "KR", ()),
    ("Miracle in Cell No. 7", "7. Koğuştaki Mucize", "film", 2019, "TR",
     ("tr:Koğuştaki Mucize", "es:Milagro en la celda 7")),
    ("Miracle in Cell No. 7", "Miracle in Cell No. 7", "film", 2019, "PH", ()),
    ("Miracle in Cell No. 7", "Miracle in Cell No. 7", "film", 2022, "ID", ()),
    ("Broken Wings", "Kırık Kanatlar", "series", 2015, "TR", ("es:Alas rotas", "pl:Złamane skrzydła")),
    ("Broken Wings", "Kırık Kanatlar", "film", 2021, "TR", ("es:Alas rotas", "de:Gebrochene Flügel")),
    ("Small Miracles", "Küçük Mucizeler", "series", 2023, "TR", ("es:Pequeños milagros", "de:Kleine Wunder")),
    ("The Miracle Tree", "Mucize Ağaç", "film", 2022, "TR", ("es:El árbol de los milagros", "de:Der Wunderbaum")),
    ("The Last Miracle", "The Last Miracle", "film", 2020, "US", ("es:El último milagro",)),
    ("Miracle in the Valley", "Vadideki Mucize", "documentary", 2023, "TR", ("es:Milagro en el valle",)),
    ("Anatolian Flavours", "Anadolu Lezzetleri", "documentary", 2021, "TR", ("es:Sabores de Anatolia",)),
    ("Kitchen Duel", "Mutfak Düellosu", "format", 2018, "TR", ("es:Duelo de cocina", "es-AR:Duelo en la cocina")),
    ("The Lighthouse Keeper", "Fener Bekçisi", "film", 2020, "TR", ("es:El farero", "de:Der Leuchtturmwärter")),
    ("The Lighthouse Keeper's Daughter", "Fenercinin Kızı", "series", 2024, "TR", ("es:La hija del farero",)),
    ("The Lighthouse", "El Faro", "series", 2023, "ES", ("gl:O Faro",)),
    ("Bitter Orange", "Acı Portakal", "series", 2018, "TR", ("es:Naranja amarga", "pl:Gorzka pomarańcza")),
    ("Bitter Oranges", "Naranjas amargas", "series", 2021, "MX", ()),
    ("Hearts of Istanbul", "İstanbul'un Kalbi", "series", 2019, "TR",
     ("es:Corazones de Estambul", "es-MX:Corazón de Estambul")),
    ("Şahika's Secret", "Şahika'nın Sırrı", "series", 2024, "TR", ("es:El secreto de Şahika",)),
    ("Iron Bride", "Demir Gelin", "series", 2025, "TR", ("es:La novia de hierro",)),
    ("Mountain of Wishes", "Dilekler Dağı", "series", 2021, "TR", ("es:La montaña de los deseos",)),
    ("Letters to the Stars", "Yıldızlara Mektup", "film", 2023, "TR", ("es:Cartas a las estrellas",)),
    ("Under the Plane Tree", "Çınar Altında", "film", 2020, "TR", ("es:Bajo el plátano",)),
    ("Secrets of the Bosphorus", "Boğaz'ın Sırları", "series", 2025, "TR",
     ("es:Secretos del Bósforo", "es-CO:Los secretos del Bósforo")),
    ("Desert Rose", "Çöl Gülü", "series", 2024, "TR", ("es:Rosa del desierto", "de:Wüstenrose")),
    ("Start Again", "Yeniden Başla", "series", 2025, "TR", ("es:Empezar de nuevo", "de:Neuanfang")),
    ("The Tailor of Beyoğlu", "Beyoğlu Terzisi", "series", 2023, "TR", ("es:El sastre de Beyoğlu",)),
    ("The Summer House", "Yazlık Ev", "series", 2024, "TR", ("es:La casa de verano",)),
    ("The Ferryman", "Kayıkçı", "series", 2026, "TR", ("es:El barquero",)),
    ("Aylin", "Aylin", "film", 2022, "TR", ()),
    ("Ice Cream Summer", "Dondurma Yazı", "film", 2023, "TR", ("es:Un verano de helado",)),
    ("The Sky Is Ours", "Gökyüzü Bizim", "film", 2024, "TR", ("es:El cielo es nuestro",)),
    ("Hazelnut Season", "Fındık Zamanı", "film", 2024, "TR", ("es:Tiempo de avellanas",)),
    ("Two Hearts in Cartagena", "Dos corazones en Cartagena", "series", 2022, "CO", ()),
    ("The Estancia", "La Estancia", "series", 2024, "AR", ()),
    ("Harbour Lights", "Harbour Lights", "series", 2023, "GB", ("es:Luces del puerto", "de:Hafenlichter")),
    ("Paper Kites", "Paper Kites", "film", 2021, "US", ("es:Cometas de papel",)),
    ("Red Kites", "Red Kites", "film", 2022, "GB", ("es:Milanos rojos",)),
    ("Gus", "Gus", "film", 2018, "US", ()),
]

# (name, kind, territory, aliases)
DEMO_COMPANIES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("Inter Medya", "distributor", "TR", ()),
    ("Imagen TV", "broadcaster", "MX", ("Imagen", "Imagen Televisión")),
    ("Canal 13", "broadcaster", "CL", ()),
    ("Caracol", "broadcaster", "CO", ("Caracol TV", "Caracol Televisión")),
    ("Ecuavisa", "broadcaster", "EC", ()),
    ("Canal Seis", "broadcaster", "SV", ()),
    ("Canal 11", "broadcaster", "HN", ()),
    ("Color Visión", "broadcaster", "DO", ()),
    ("Achla TV", "broadcaster", "IL", ()),
    ("Canal Aurora", "broadcaster", "MX", ("Aurora TV", "Aurora")),
    ("Mirador TV", "broadcaster", "MX", ("Mirador", "Canal Mirador")),
    ("Cable Solaris", "pay_tv", "MX", ("Solaris",)),
    ("Onda Azul TV", "broadcaster", "ES", ("Onda Azul",)),
    ("Vértice+", "streaming", "ES", ("Vértice Plus", "Vertice Plus")),
    ("Andes Televisión", "broadcaster", "CL", ("Andes TV", "Andes")),
    ("Canal Pacífico Sur", "broadcaster", "CL", ("Pacífico Sur", "CPS")),
    ("Pampa TV", "broadcaster", "AR", ("Pampa", "Canal Pampa")),
    ("Canal Río de la Plata", "broadcaster", "AR", ("Canal RDP", "Río de la Plata TV")),
    ("Rheinwelle TV", "broadcaster", "DE", ("Rheinwelle",)),
    ("Wisła TV", "broadcaster", "PL", ("TV Wisła",)),
    ("Nakheel TV", "broadcaster", "SA", ("Nakheel",)),
    ("Qamar TV", "broadcaster", "AE", ("Qamar",)),
    ("Carpați TV", "broadcaster", "RO", ("Carpați",)),
]


def _title_names(title_id: int, international: str, original: str, language: str,
                 aliases: tuple[str, ...]) -> list[NameEntry]:
    names = [NameEntry("title", title_id, international, name_key(international), "en", "international")]
    if original:
        names.append(NameEntry("title", title_id, original, name_key(original), language, "original"))
    for alias in aliases:
        lang, _, name = alias.rpartition(":")
        names.append(NameEntry("title", title_id, name, name_key(name), lang, "localized" if lang else "alias"))
    return names


def demo_parts(first_title_id: int = 1, first_company_id: int = 1, first_group_id: int = 1) -> Parts:
    records, names = territory_parts()
    languages = {"KR": "ko", "TR": "tr", "PH": "fil", "ID": "id", "US": "en", "GB": "en"}
    for offset, (international, original, kind, year, origin, aliases) in enumerate(DEMO_TITLES):
        title_id = first_title_id + offset
        records.append(Record("title", title_id, international, year, origin, kind))
        names += _title_names(title_id, international, original, languages.get(origin, "es"), aliases)
    for offset, (name, kind, territory, aliases) in enumerate(DEMO_COMPANIES):
        company_id = first_company_id + offset
        records.append(Record("company", company_id, name, category=kind, territory=territory))
        names += [NameEntry("company", company_id, alias, name_key(alias), "", "alias") for alias in aliases]
    for offset, (name, members) in enumerate(GROUPS.items()):
        records.append(Record("group", first_group_id + offset, name, members=members))
    return records, names


def demo_ref(name: str, year: int | None = None, origin: str | None = None) -> str:
    """The reference of a demo title by its international name (and year/origin when shared)."""
    for offset, (international, _original, _kind, title_year, title_origin, _aliases) in enumerate(DEMO_TITLES):
        if international == name and year in (None, title_year) and origin in (None, title_origin):
            return f"title:{offset + 1}"
    raise KeyError(name)


def demo_company_ref(name: str) -> str:
    return f"company:{[row[0] for row in DEMO_COMPANIES].index(name) + 1}"


def group_ref(name: str) -> str:
    return f"group:{list(GROUPS).index(name) + 1}"


# --- the generated multilingual catalog --------------------------------------------------------------

# concept: (en, es, tr)
NOUNS = [
    ("Love", "Amor", "Aşk"), ("Night", "Noche", "Gece"), ("City", "Ciudad", "Şehir"), ("Secret", "Secreto", "Sır"),
    ("Heart", "Corazón", "Kalp"), ("House", "Casa", "Ev"), ("Sea", "Mar", "Deniz"), ("River", "Río", "Nehir"),
    ("Garden", "Jardín", "Bahçe"), ("Mountain", "Montaña", "Dağ"), ("Star", "Estrella", "Yıldız"),
    ("Moon", "Luna", "Ay"), ("Sun", "Sol", "Güneş"), ("Wind", "Viento", "Rüzgar"), ("Fire", "Fuego", "Ateş"),
    ("Road", "Camino", "Yol"), ("Bridge", "Puente", "Köprü"), ("Tree", "Árbol", "Ağaç"), ("Rose", "Rosa", "Gül"),
    ("Daughter", "Hija", "Kız"), ("Son", "Hijo", "Oğul"), ("Mother", "Madre", "Anne"), ("Father", "Padre", "Baba"),
    ("Bride", "Novia", "Gelin"), ("Wolf", "Lobo", "Kurt"), ("Bird", "Pájaro", "Kuş"), ("Horse", "Caballo", "At"),
    ("Promise", "Promesa", "Söz"), ("Dream", "Sueño", "Rüya"), ("Shadow", "Sombra", "Gölge"),
    ("Winter", "Invierno", "Kış"), ("Summer", "Verano", "Yaz"), ("Spring", "Primavera", "Bahar"),
    ("Autumn", "Otoño", "Sonbahar"), ("Storm", "Tormenta", "Fırtına"), ("Island", "Isla", "Ada"),
    ("Village", "Pueblo", "Köy"), ("Palace", "Palacio", "Saray"), ("Kingdom", "Reino", "Krallık"),
    ("Journey", "Viaje", "Yolculuk"), ("Return", "Regreso", "Dönüş"), ("Revenge", "Venganza", "İntikam"),
    ("Destiny", "Destino", "Kader"), ("Silence", "Silencio", "Sessizlik"), ("Lie", "Mentira", "Yalan"),
    ("Truth", "Verdad", "Gerçek"), ("Hope", "Esperanza", "Umut"), ("Wish", "Deseo", "Dilek"),
    ("Tears", "Lágrimas", "Gözyaşları"), ("Kiss", "Beso", "Öpücük"), ("Wedding", "Boda", "Düğün"),
    ("Family", "Familia", "Aile"), ("Brothers", "Hermanos", "Kardeşler"), ("Sisters", "Hermanas", "Kız Kardeşler"),
    ("Doctor", "Doctor", "Doktor"), ("Lawyer", "Abogada", "Avukat"), ("Teacher", "Maestra", "Öğretmen"),
    ("Soldier", "Soldado", "Asker"), ("Captain", "Capitán", "Kaptan"), ("Thief", "Ladrón", "Hırsız"),
    ("Queen", "Reina", "Kraliçe"), ("Prince", "Príncipe", "Prens"), ("Stranger", "Extraño", "Yabancı"),
    ("Neighbour", "Vecino", "Komşu"), ("Window", "Ventana", "Pencere"), ("Door", "Puerta", "Kapı"),
    ("Letter", "Carta", "Mektup"), ("Song", "Canción", "Şarkı"), ("Dance", "Baile", "Dans"),
    ("Game", "Juego", "Oyun"), ("Price", "Precio", "Bedel"), ("Debt", "Deuda", "Borç"), ("Crown", "Corona", "Taç"),
    ("Harbour", "Puerto", "Liman"), ("Lighthouse", "Faro", "Deniz Feneri"), ("Orchard", "Huerto", "Meyve Bahçesi"),
    ("Kitchen", "Cocina", "Mutfak"), ("Market", "Mercado", "Pazar"), ("Season", "Temporada", "Mevsim"),
    ("Miracle", "Milagro", "Mucize"), ("Wings", "Alas", "Kanatlar"), ("Orange", "Naranja", "Portakal"),
    ("Valley", "Valle", "Vadi"), ("Desert", "Desierto", "Çöl"), ("Forest", "Bosque", "Orman"),
]
ADJECTIVES = [
    ("Bitter", "Amarga", "Acı"), ("Broken", "Rota", "Kırık"), ("Last", "Última", "Son"), ("First", "Primera", "İlk"),
    ("Red", "Roja", "Kırmızı"), ("Black", "Negra", "Kara"), ("White", "Blanca", "Beyaz"), ("Blue", "Azul", "Mavi"),
    ("Golden", "Dorada", "Altın"), ("Silent", "Silenciosa", "Sessiz"), ("Hidden", "Oculta", "Gizli"),
    ("Lost", "Perdida", "Kayıp"), ("Forbidden", "Prohibida", "Yasak"), ("Endless", "Eterna", "Sonsuz"),
    ("Wild", "Salvaje", "Vahşi"), ("Sweet", "Dulce", "Tatlı"), ("Dark", "Oscura", "Karanlık"),
    ("Little", "Pequeña", "Küçük"), ("Great", "Gran", "Büyük"), ("Stolen", "Robada", "Çalıntı"),
    ("Iron", "Hierro", "Demir"), ("Paper", "Papel", "Kağıt"), ("Glass", "Cristal", "Cam"),
    ("Second", "Segunda", "İkinci"), ("Northern", "Norteña", "Kuzey"), ("Burning", "Ardiente", "Yanan"),
]
PLACES = [
    ("Istanbul", "Estambul", "İstanbul"), ("the Bosphorus", "el Bósforo", "Boğaz"), ("Anatolia", "Anatolia", "Anadolu"),
    ("Cappadocia", "Capadocia", "Kapadokya"), ("the Aegean", "el Egeo", "Ege"), ("Cartagena", "Cartagena", "Kartagena"),
    ("Seville", "Sevilla", "Sevilla"), ("the Andes", "los Andes", "And Dağları"), ("Izmir", "Esmirna", "İzmir"),
    ("Bodrum", "Bodrum", "Bodrum"), ("Trabzon", "Trebisonda", "Trabzon"),
    ("the Black Sea", "el Mar Negro", "Karadeniz"),
]
SYLLABLES = ["ay", "lin", "meh", "met", "ze", "ynep", "ka", "ya", "el", "if", "mu", "rat", "se", "lin", "or", "han",
             "de", "fne", "as", "li", "ha", "kan", "bu", "rak", "ce", "ren", "e", "mir", "to", "pra", "ni", "lay",
             "su", "na", "ber", "ke", "da", "gu", "la", "ro", "sa", "mi", "ra", "vi", "ta", "lo", "pe", "dro"]
ORIGINS = ["TR"] * 10 + ["ES", "MX", "CO", "AR", "KR", "US", "GB", "PH", "ID", "IN"]
SPANISH = {"ES", "MX", "CO", "AR"}
KINDS = ["series"] * 5 + ["film"] * 4 + ["documentary", "format"]


@dataclass
class GeneratedTitle:
    id: int
    international: str
    original: str
    spanish: str
    turkish: str
    aliases: list[str] = field(default_factory=list)
    year: int = 2000
    origin: str = "TR"
    kind: str = "series"
    family: int | None = None  # titles of one family share their international name


def _person(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()


def _compose(rng: random.Random) -> tuple[str, str, str]:
    """An (en, es, tr) title from one of the shapes real catalog titles take."""
    noun, noun2, adj, place = rng.choice(NOUNS), rng.choice(NOUNS), rng.choice(ADJECTIVES), rng.choice(PLACES)
    person = _person(rng)
    shape = rng.randrange(9)
    if shape == 0:
        return f"{adj[0]} {noun[0]}", f"{noun[1]} {adj[1]}", f"{adj[2]} {noun[2]}"
    if shape == 1:
        return f"The {noun[0]} of {noun2[0]}", f"El {noun[1]} de {noun2[1]}", f"{noun2[2]} {noun[2]}"
    if shape == 2:
        return f"{noun[0]} in {place[0]}", f"{noun[1]} en {place[1]}", f"{place[2]} {noun[2]}"
    if shape == 3:
        return f"{person}'s {noun[0]}", f"{noun[1]} de {person}", f"{person}'nın {noun[2]}"
    if shape == 4:
        return person, person, person
    if shape == 5:
        return (f"The {adj[0]} {noun[0]} of {place[0]}", f"{noun[1]} {adj[1]} de {place[1]}",
                f"{place[2]} {adj[2]} {noun[2]}")
    if shape == 6:
        return f"{person} and the {noun[0]}", f"{person} y el {noun[1]}", f"{person} ve {noun[2]}"
    if shape == 7:
        return f"{noun[0]} and {noun2[0]}", f"{noun[1]} y {noun2[1]}", f"{noun[2]} ve {noun2[2]}"
    return f"The {noun[0]} {person}", f"{noun[1]} {person}", f"{noun[2]} {person}"


def generate_titles(count: int, seed: int = 7) -> list[GeneratedTitle]:
    """``count`` titles with unique international names, except families of remakes (about 2%)."""
    rng = random.Random(seed)  # noqa: S311 - a seeded, repeatable catalog, not a secret
    titles: list[GeneratedTitle] = []
    used: set[str] = set()
    family = 0
    while len(titles) < count:
        en, es, tr = _compose(rng)
        if name_key(en) in used:
            continue
        used.add(name_key(en))
        size = 1 if rng.random() > 0.01 else rng.choice((2, 2, 3))
        family_id = None
        if size > 1:
            family += 1
            family_id = family
        origins = rng.sample(ORIGINS[9:], size) if size > 1 else [rng.choice(ORIGINS)]
        first_year = rng.randrange(1985, 2024)
        for member in range(size):
            origin = origins[member]
            original = tr if origin == "TR" else es if origin in SPANISH else en
            title = GeneratedTitle(
                id=len(titles) + 1, international=en, original=original, spanish=es if origin not in SPANISH else "",
                turkish=tr if origin != "TR" and rng.random() < 0.3 else "",
                year=min(first_year + member * rng.randrange(0, 4), 2026), origin=origin,
                kind=rng.choice(KINDS), family=family_id,
            )
            if rng.random() < 0.25:
                title.aliases.append(en.removeprefix("The ") + (" (TV)" if title.kind == "series" else ""))
            titles.append(title)
            if len(titles) >= count:
                break
    return titles


def generated_parts(titles: list[GeneratedTitle], *, with_demo: bool = True, first_title_id: int = 0) -> Parts:
    """Index parts for generated titles (ids offset by ``first_title_id``), on top of the demo catalog."""
    records, names = demo_parts() if with_demo else territory_parts()
    for title in titles:
        title_id = first_title_id + title.id
        records.append(Record("title", title_id, title.international, title.year, title.origin, title.kind))
        aliases = [f"es:{title.spanish}"] if title.spanish else []
        aliases += [f"tr:{title.turkish}"] if title.turkish else []
        aliases += title.aliases
        language = "tr" if title.origin == "TR" else "es" if title.origin in SPANISH else "en"
        names += _title_names(title_id, title.international, title.original, language, tuple(aliases))
    return records, names


def ascii_typed(text: str) -> str:
    """How Turkish (or Spanish) is typed on a keyboard without its letters: ``Koğuştaki`` -> ``kogustaki``."""
    return anyascii(text).lower()
