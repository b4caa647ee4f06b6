"""The columns of every import sheet: the contract with the team's spreadsheets, in one place.

The parser validates against these specs, the exporter writes its headers in this order and
``docs/import.md`` shows the tables ``columns_table`` renders (a test keeps the two equal), so a column
added here is parsed, exported and documented at once. Maximum lengths come from the model columns, so
the importer's "too long" error and the database agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from storage import models as m
from storage.vocab import VOCABULARIES

CellType = Literal[
    "text", "whole", "decimal", "percent", "date", "bool", "vocab", "list", "language", "currency",
    "title", "company", "territory", "territories", "aliases",
]

# The order records are validated and written in: every kind only points at kinds before it.
KIND_ORDER: tuple[str, ...] = ("territory_groups", "companies", "titles", "deals", "ratings", "releases", "quotes")

_TYPE_WORDS: dict[str, str] = {
    "text": "text",
    "whole": "whole number",
    "decimal": "number",
    "percent": "percent (0-100)",
    "date": "date",
    "bool": "yes/no",
    "vocab": "one of a list",
    "list": "`|`-separated text",
    "language": "language tag",
    "currency": "currency code",
    "title": "title reference",
    "company": "company reference",
    "territory": "territory",
    "territories": "`|`-separated territories or groups",
    "aliases": "`|`-separated names",
}


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a sheet: how its cells are read and what the documentation says about it."""

    name: str
    type: CellType
    required: bool = False
    max_length: int | None = None
    vocabulary: str | None = None  # a key of storage.vocab.VOCABULARIES for type "vocab" (and "list" media)
    about: str = ""
    example: str = ""


@dataclass(frozen=True)
class SheetSpec:
    kind: str
    columns: tuple[ColumnSpec, ...]
    about: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    def column(self, name: str) -> ColumnSpec:
        return next(column for column in self.columns if column.name == name)


def _length(attribute: Any) -> int | None:
    """The declared length of a model column (``Title.name`` -> 255); None for unbounded text."""
    return getattr(attribute.property.columns[0].type, "length", None)


def _col(name: str, type_: CellType, model_column: Any = None, *, required: bool = False,
         vocabulary: str | None = None, about: str = "", example: str = "") -> ColumnSpec:
    length = _length(model_column) if model_column is not None else None
    return ColumnSpec(name, type_, required, length, vocabulary, about, example)


def _source() -> ColumnSpec:
    return _col("source", "text", m.Title.source, about="where the facts come from", example="Nielsen IBOPE México")


TITLES = SheetSpec("titles", (
    _col("title", "text", m.Title.name, required=True, about="international (English) title",
         example="Miracle in Cell No. 7"),
    _col("original_title", "text", m.Title.original_title, about="title in the original language",
         example="7. Koğuştaki Mucize"),
    _col("original_language", "language", m.Title.original_language, about="BCP-47 language tag", example="tr"),
    _col("kind", "vocab", m.Title.kind, vocabulary="title_kind", example="film"),
    _col("year", "whole", about="year of production (1870-2100); tells apart titles that share a name",
         example="2019"),
    _col("origin", "territory", about="country of origin; tells apart titles that share a name", example="TR"),
    _col("genres", "list", m.Title.genres, example="Drama|Family"),
    _col("runtime_minutes", "whole", about="more than 0", example="132"),
    _col("episodes", "whole", about="more than 0", example="1"),
    _col("episode_minutes", "whole", about="more than 0", example="45"),
    _col("director", "text", m.Title.director, example="Mehmet Ada Öztekin"),
    _col("producer", "text", m.Title.producer, example="Lanistar Medya"),
    _col("cast", "list", about="`|`-separated names", example="Aras Bulut İynemli|Nisa Sofiya Aksongur"),
    _col("logline", "text", m.Title.logline, example="A father wrongly imprisoned..."),
    _col("synopsis", "text", example="..."),
    _col("remake_of", "title", about="the title this one remakes (may be a row of the same sheet)",
         example="Miracle in Cell No. 7 (2013, KR)"),
    _col("aliases", "aliases", m.TitleName.name, about="each `lang:name` (a localized title) or a bare name",
         example="es:Milagro en la celda 7|Kogustaki Mucize"),
    _col("highlights", "list", about="awards and highlights", example="Turkey's submission to the 93rd Academy Awards"),
    _col("key_art_url", "text", m.Title.key_art_url, example="https://example.com/art.jpg"),
    _col("trailer_url", "text", m.Title.trailer_url, example="https://example.com/trailer"),
    _col("screener_url", "text", m.Title.screener_url, example="https://example.com/screener"),
    _source(),
), "one row per title")

COMPANIES = SheetSpec("companies", (
    _col("name", "text", m.Company.name, required=True, example="Imagen TV"),
    _col("kind", "vocab", m.Company.kind, vocabulary="company_kind", example="broadcaster"),
    _col("territory", "territory", about="home territory; tells apart companies that share a name",
         example="MX"),
    _col("aliases", "aliases", m.CompanyAlias.name, about="other names", example="Imagen|Imagen Televisión"),
    _source(),
), "one row per licensee, channel or platform")

TERRITORY_GROUPS = SheetSpec("territory_groups", (
    _col("group", "text", m.TerritoryGroup.name, required=True, example="LATAM"),
    _col("territories", "territories", required=True, about="the member territories (not other groups)",
         example="MX|CL|CO|EC"),
    _source(),
), "one row per group")

DEALS = SheetSpec("deals", (
    _col("title", "title", required=True, example="Miracle in Cell No. 7 (2019, TR)"),
    _col("licensee", "company", required=True, example="Imagen TV"),
    _col("territories", "territories", required=True, about="territories and groups (groups expand to their members)",
         example="MX"),
    _col("media", "list", required=True, vocabulary="media", example="free_tv"),
    _col("deal_ref", "text", m.Deal.deal_ref, about="the deal's own reference; unique", example="MX-2020-014"),
    _col("exclusive", "bool", example="yes"),
    _col("start", "date", example="2020-06-01"),
    _col("end", "date", about="not before start", example="2023-05-31"),
    _col("runs", "whole", example="3"),
    _col("holdback_until", "date", example="2020-12-31"),
    _col("status", "vocab", m.Deal.status, vocabulary="status", example="signed"),
    _col("fee", "decimal", about="needs a currency", example="25000"),
    _col("currency", "currency", m.Deal.currency, about="ISO 4217", example="USD"),
    _col("owner", "text", m.Deal.owner, about="sales owner", example="Ayşe"),
    _col("signed_on", "date", example="2020-05-15"),
    _col("notes", "text", example="Prime time only"),
    _source(),
), "one row per licence")

RATINGS = SheetSpec("ratings", (
    _col("title", "title", required=True, example="Miracle in Cell No. 7 (2019, TR)"),
    _col("territory", "territory", required=True, example="MX"),
    _col("channel", "company", required=True, example="Imagen TV"),
    _col("air_date", "date", about="empty when unknown", example="2020-06-14"),
    _col("timeslot", "text", m.Airing.timeslot, example="prime time"),
    _col("episode", "text", m.Airing.episode, example="1"),
    _col("viewers", "whole", example="3.1M"),
    _col("rating_pct", "percent", about="percent of all homes or people", example="5.45"),
    _col("share_pct", "percent", about="percent of those watching TV at the time", example="19"),
    _col("reach", "whole", example="8000000"),
    _col("target", "text", m.AudienceFigure.target, about="target group; empty when not stated",
         example="Households"),
    _col("measurement", "vocab", m.AudienceFigure.measurement, vocabulary="measurement", example="live"),
    _col("rank_note", "text", m.AudienceFigure.rank_note, example="#1 in prime time"),
    _col("notes", "text", example=""),
    _source(),
), "one row per audience figure (an airing with one target group and measurement)")

RELEASES = SheetSpec("releases", (
    _col("title", "title", required=True, example="Miracle in Cell No. 7 (2019, TR)"),
    _col("territory", "territory", required=True, example="TR"),
    _col("release_date", "date", example="2019-10-11"),
    _col("admissions", "whole", example="5,300,000"),
    _col("gross", "decimal", about="needs a currency", example="65000000"),
    _col("currency", "currency", m.Release.currency, about="ISO 4217", example="TRY"),
    _col("rank_note", "text", m.Release.rank_note, example="most-watched film of 2019"),
    _source(),
), "one row per theatrical release")

QUOTES = SheetSpec("quotes", (
    _col("title", "title", required=True, example="Miracle in Cell No. 7 (2019, TR)"),
    _col("quote", "text", required=True, example="A story that crosses every border."),
    _col("person", "text", m.Quote.person, required=True, example="Jane Doe"),
    _col("role", "text", m.Quote.role, example="Head of Acquisitions"),
    _col("organization", "text", m.Quote.organization, example="Imagen TV"),
    _col("date", "date", example="2020-07-01"),
    _source(),
), "one row per quote on record")

SHEETS: dict[str, SheetSpec] = {spec.kind: spec for spec in (
    TERRITORY_GROUPS, COMPANIES, TITLES, DEALS, RATINGS, RELEASES, QUOTES)}

assert tuple(SHEETS) == KIND_ORDER  # noqa: S101 - a module invariant, checked at import
assert set(KIND_ORDER) == set(m.IMPORT_KINDS)  # noqa: S101


def columns_table(kind: str) -> str:
    """The Markdown table of a sheet's columns, as ``docs/import.md`` shows it (a test compares the two)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| column | required | type | max length | notes | example |", "| --- | --- | --- | --- | --- | --- |"]
    for column in SHEETS[kind].columns:
        type_words = _TYPE_WORDS[column.type]
        if column.vocabulary:
            accepted = ", ".join(f"`{value}`" for value in VOCABULARIES[column.vocabulary])
            type_words = f"{type_words}, each one of {accepted}" if column.type == "list" else f"one of {accepted}"
        lines.append(
            f"| `{column.name}` | {'yes' if column.required else ''} | {cell(type_words)} | {column.max_length or ''}"
            f" | {cell(column.about)} | {cell(column.example)} |"
        )
    return "\n".join(lines)
