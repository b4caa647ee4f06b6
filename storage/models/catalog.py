"""The catalog's tables: territories and groups, titles and their names, companies, audience, releases and
quotes (deals live next door, in ``storage.models.deals``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from storage.models.base import KEY_LEN, NAME_LEN, Base, Sourced, not_negative, one_of, percent_between
from storage.vocab import COMPANY_KINDS, MEASUREMENTS, NAME_KINDS, TITLE_KINDS

# --- territories -------------------------------------------------------------------------------------


class Territory(Base):
    """An ISO 3166-1 country; its names in English, Spanish and Turkish come from CLDR (Babel)."""

    __tablename__ = "territories"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    alpha3: Mapped[str] = mapped_column(String(3), unique=True)
    numeric: Mapped[str] = mapped_column(String(3))
    name_en: Mapped[str] = mapped_column(String(100))
    name_es: Mapped[str] = mapped_column(String(100))
    name_tr: Mapped[str] = mapped_column(String(100))

    names: Mapped[list[TerritoryName]] = relationship(
        back_populates="territory", lazy="raise", cascade="all, delete-orphan"
    )


class TerritoryName(Base):
    """Every name a territory answers to: CLDR names per language, ISO names and aliases (UK, Holland)."""

    __tablename__ = "territory_names"
    __table_args__ = (UniqueConstraint("territory_code", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100), index=True)
    language: Mapped[str] = mapped_column(String(8))  # en, es, tr, iso or alias

    territory: Mapped[Territory] = relationship(back_populates="names", lazy="raise")


territory_group_members = Table(
    "territory_group_members",
    Base.metadata,
    Column("group_id", ForeignKey("territory_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_code", ForeignKey("territories.code", ondelete="RESTRICT"), primary_key=True),
)


class TerritoryGroup(Sourced, Base):
    """A named set of territories the team sells to as one (LATAM, MENA, ...), defined by import."""

    __tablename__ = "territory_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64), unique=True)

    territories: Mapped[list[Territory]] = relationship(
        secondary=territory_group_members, lazy="raise", order_by=Territory.code
    )


# --- titles ------------------------------------------------------------------------------------------


class Title(Sourced, Base):
    """A film, series, format or documentary. ``name`` is the international (English) title."""

    __tablename__ = "titles"
    __table_args__ = (
        CheckConstraint(one_of("kind", TITLE_KINDS), name="kind"),
        CheckConstraint("year IS NULL OR (year >= 1870 AND year <= 2100)", name="year"),
        CheckConstraint("runtime_minutes IS NULL OR runtime_minutes > 0", name="runtime_minutes"),
        CheckConstraint("episodes IS NULL OR episodes > 0", name="episodes"),
        CheckConstraint("episode_minutes IS NULL OR episode_minutes > 0", name="episode_minutes"),
        CheckConstraint("remake_of_id IS NULL OR remake_of_id <> id", name="not_own_remake"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    key: Mapped[str] = mapped_column(String(KEY_LEN), index=True)
    # name key, year and origin: what tells apart two titles that share a name.
    natural_key: Mapped[str] = mapped_column(String(KEY_LEN + 16), unique=True)
    year: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(16))
    original_title: Mapped[str | None] = mapped_column(String(NAME_LEN))
    original_language: Mapped[str | None] = mapped_column(String(16))
    origin: Mapped[str | None] = mapped_column(ForeignKey("territories.code", ondelete="RESTRICT"))
    genres: Mapped[str | None] = mapped_column(String(NAME_LEN))  # "|"-separated, as in the sheet
    runtime_minutes: Mapped[int | None] = mapped_column(Integer)
    episodes: Mapped[int | None] = mapped_column(Integer)
    episode_minutes: Mapped[int | None] = mapped_column(Integer)
    director: Mapped[str | None] = mapped_column(String(NAME_LEN))
    producer: Mapped[str | None] = mapped_column(String(NAME_LEN))
    cast: Mapped[str | None] = mapped_column(Text)
    logline: Mapped[str | None] = mapped_column(String(500))
    synopsis: Mapped[str | None] = mapped_column(Text)
    highlights: Mapped[str | None] = mapped_column(Text)  # "|"-separated awards and highlights
    remake_of_id: Mapped[int | None] = mapped_column(ForeignKey("titles.id", ondelete="SET NULL"))
    key_art_url: Mapped[str | None] = mapped_column(String(500))
    trailer_url: Mapped[str | None] = mapped_column(String(500))
    screener_url: Mapped[str | None] = mapped_column(String(500))

    names: Mapped[list[TitleName]] = relationship(
        back_populates="title", lazy="raise", cascade="all, delete-orphan", order_by="TitleName.id"
    )
    remake_of: Mapped[Title | None] = relationship(remote_side=[id], lazy="raise")


def title_natural_key(key: str, year: int | None, origin: str | None) -> str:
    return f"{key}|{year or ''}|{origin or ''}"


class TitleName(Base):
    """One name of a title: its international, original, localized (per language/territory) or alias name."""

    __tablename__ = "title_names"
    __table_args__ = (
        UniqueConstraint("title_id", "kind", "language", "key"),
        CheckConstraint(one_of("kind", NAME_KINDS, nullable=False), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    key: Mapped[str] = mapped_column(String(KEY_LEN), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16), default="")  # "" when the name has no language
    territory_code: Mapped[str | None] = mapped_column(ForeignKey("territories.code", ondelete="RESTRICT"))

    title: Mapped[Title] = relationship(back_populates="names", lazy="raise")


# --- companies ---------------------------------------------------------------------------------------


class Company(Sourced, Base):
    """A licensee: broadcaster, pay channel, platform, distributor or cinema chain."""

    __tablename__ = "companies"
    __table_args__ = (CheckConstraint(one_of("kind", COMPANY_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    key: Mapped[str] = mapped_column(String(KEY_LEN), index=True)
    # name key and home territory: "Canal 13" in Chile and in Argentina are two companies.
    natural_key: Mapped[str] = mapped_column(String(KEY_LEN + 4), unique=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    territory_code: Mapped[str | None] = mapped_column(ForeignKey("territories.code", ondelete="RESTRICT"))

    aliases: Mapped[list[CompanyAlias]] = relationship(
        back_populates="company", lazy="raise", cascade="all, delete-orphan", order_by="CompanyAlias.id"
    )


def company_natural_key(key: str, territory_code: str | None) -> str:
    return f"{key}|{territory_code or ''}"


class CompanyAlias(Base):
    __tablename__ = "company_aliases"
    __table_args__ = (UniqueConstraint("company_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    key: Mapped[str] = mapped_column(String(KEY_LEN), index=True)

    company: Mapped[Company] = relationship(back_populates="aliases", lazy="raise")


# --- audience ----------------------------------------------------------------------------------------


class Airing(Base):
    """One broadcast (or run) of a title on a channel in a territory; its date may be unknown."""

    __tablename__ = "airings"
    __table_args__ = (
        # A unique index rather than a UNIQUE constraint (migration 0007): a big import on SQLite can set it
        # aside like the other indexes and build it again after its rows, which checks every key then
        # (storage.importing.index_rebuild); SQLite cannot drop the index of a constraint.
        Index("uq_airings_natural_key", "natural_key", unique=True),
        Index("ix_airings_title_territory", "title_id", "territory_code"),
        Index("ix_airings_territory_date", "territory_code", "air_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # title, territory, channel, date, timeslot and episode: one airing however many figures it has.
    natural_key: Mapped[str] = mapped_column(String(KEY_LEN))
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="RESTRICT"))
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code", ondelete="RESTRICT"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"), index=True)
    air_date: Mapped[dt.date | None] = mapped_column(Date)
    timeslot: Mapped[str | None] = mapped_column(String(64))
    episode: Mapped[str | None] = mapped_column(String(32))

    title: Mapped[Title] = relationship(lazy="raise")
    channel: Mapped[Company] = relationship(lazy="raise")
    figures: Mapped[list[AudienceFigure]] = relationship(
        back_populates="airing", lazy="raise", cascade="all, delete-orphan", order_by="AudienceFigure.id"
    )


# The figure order of every list and board: the asked number, then the other two, each biggest first and
# none-given last; among figures equal on all three, the latest added first (``storage.audience._order``).
FIGURE_METRIC_ORDER: dict[str, tuple[str, str, str]] = {
    "viewers": ("viewers", "share_pct", "rating_pct"),
    "share_pct": ("share_pct", "viewers", "rating_pct"),
    "rating_pct": ("rating_pct", "viewers", "share_pct"),
}


def best_first_columns(place: str | None, metric: str, *, dated: bool = False) -> tuple[str, ...]:
    """The columns of ``place``'s best-first index for ``metric`` (the whole catalog's for None): the place,
    the three numbers in that metric's order and the id, which is the whole sort, then the target and title
    a board filters and groups on (and the territory, the whole catalog's board of territories), so a list
    or a board reads the index alone; ``dated``, the air date last, so a period's list or board can walk the
    index too, passing over the figures outside the period without reading the table."""
    carried = [column for column in ("target", "title_id") if column != place] + ([] if place else ["territory_code"])
    return (*((place,) if place else ()), *FIGURE_METRIC_ORDER[metric], "id", *carried,
            *(("air_date",) if dated else ()))


def best_first_ops(metric: str) -> dict[str, str]:
    """PostgreSQL's per-column order for a best-first index (SQLite walks the plain index backwards)."""
    return {**dict.fromkeys(FIGURE_METRIC_ORDER[metric], "DESC NULLS LAST"), "id": "DESC"}


def _best_first(name: str, place: str | None, metric: str, *, dated: bool = False) -> Index:
    """An index of ``place`` in the order lists and boards read it: biggest first, none-given last.

    SQLite's DESC already puts NULLs last and its planner walks an ascending index backwards for it, so the
    plain columns serve there (which is why the order's last key, the id, is descending too); PostgreSQL's
    DESC puts NULLs first, so its index states NULLS LAST (through ``postgresql_ops``, the one per-column
    suffix SQLAlchemy renders for PostgreSQL only). Every sort key is in the index, so no step of the walk
    sorts ties or reads the table: a group of twenty territories reads its 20 x 200 figures in 3 ms, not 22.
    """
    return Index(name, *best_first_columns(place, metric, dated=dated), postgresql_ops=best_first_ops(metric))


class AudienceFigure(Sourced, Base):
    """The audience of an airing for one target group and measurement; rating and share are separate.

    ``title_id``, ``territory_code``, ``channel_id`` and ``air_date`` are copies of the airing's: part of the
    airing's natural key, so they never change once written, and the importer writes them with the figure.
    On the figure itself they let an index hand over a territory's (or title's, or channel's) strongest
    figures already in order, so ``ratings mexico`` reads 200 index entries instead of sorting 100,000 rows.
    """

    __tablename__ = "audience_figures"
    __table_args__ = (
        # The unique constraint's index also serves lookups by airing (its first column).
        UniqueConstraint("airing_id", "target", "measurement"),
        # The default order's indexes carry the date: a year of LATAM's strongest ("top latam 2024") walks
        # 20 territories' indexes as far as 200 figures of the year (0.6 ms) instead of sorting all 44,000
        # of them off the date index (14-20 ms). A period holding few figures still reads the date index
        # (``storage.audience._period_read``).
        _best_first("ix_audience_figures_territory_viewers", "territory_code", "viewers", dated=True),
        _best_first("ix_audience_figures_territory_share", "territory_code", "share_pct"),
        _best_first("ix_audience_figures_territory_rating", "territory_code", "rating_pct"),
        # A period in a territory holding few figures (or any, by share or rating) reads this range and sorts
        # it; carrying the sort keys (and what a board filters and groups on) lets the sort read the index
        # alone: LATAM over a year, 52 -> 9 ms.
        Index("ix_audience_figures_territory_date", "territory_code", "air_date", "viewers", "share_pct",
              "rating_pct", "target", "title_id", postgresql_ops={"air_date": "DESC NULLS LAST"}),
        _best_first("ix_audience_figures_title_viewers", "title_id", "viewers"),
        _best_first("ix_audience_figures_channel_viewers", "channel_id", "viewers"),
        # Everywhere at once ("top 2024"): the whole catalog's strongest figures by each metric; by viewers
        # walked off the index alone, a period too (the year 2024: 0.4 ms, against 19 ms sorted).
        _best_first("ix_audience_figures_viewers", None, "viewers", dated=True),
        Index("ix_audience_figures_share", "share_pct", postgresql_ops={"share_pct": "DESC NULLS LAST"}),
        Index("ix_audience_figures_rating", "rating_pct", postgresql_ops={"rating_pct": "DESC NULLS LAST"}),
        CheckConstraint(not_negative("viewers"), name="viewers"),
        CheckConstraint(not_negative("reach"), name="reach"),
        CheckConstraint(percent_between("rating_pct"), name="rating_pct"),
        CheckConstraint(percent_between("share_pct"), name="share_pct"),
        CheckConstraint(one_of("measurement", ("", *MEASUREMENTS), nullable=False), name="measurement"),
        CheckConstraint(
            "viewers IS NOT NULL OR rating_pct IS NOT NULL OR share_pct IS NOT NULL OR reach IS NOT NULL"
            " OR rank_note IS NOT NULL",
            name="has_a_figure",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    airing_id: Mapped[int] = mapped_column(ForeignKey("airings.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(Integer)  # the airing's (see above)
    territory_code: Mapped[str] = mapped_column(String(2))  # the airing's
    channel_id: Mapped[int] = mapped_column(Integer)  # the airing's
    air_date: Mapped[dt.date | None] = mapped_column(Date)  # the airing's
    target: Mapped[str] = mapped_column(String(64), default="")  # "" = not stated
    measurement: Mapped[str] = mapped_column(String(16), default="")  # "" = not stated
    viewers: Mapped[int | None] = mapped_column(BigInteger)
    rating_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    share_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    reach: Mapped[int | None] = mapped_column(BigInteger)
    rank_note: Mapped[str | None] = mapped_column(String(NAME_LEN))
    notes: Mapped[str | None] = mapped_column(Text)

    airing: Mapped[Airing] = relationship(back_populates="figures", lazy="raise")


AIRING_COPIES = ("title_id", "territory_code", "channel_id", "air_date")  # on AudienceFigure, from its Airing


@event.listens_for(AudienceFigure, "before_insert")
def copy_airing_fields(mapper: Mapper[AudienceFigure], connection: Connection, figure: AudienceFigure) -> None:
    """A figure added through the ORM (``airing.figures.append``) takes its airing's copies at flush.

    The airing is flushed first (it is the parent), so its ids are known here. Bulk writers (the importer,
    ``bench/generate.py``) insert the copies themselves; a figure added with only an ``airing_id`` must too.
    """
    airing = inspect(figure).attrs.airing.loaded_value
    if not isinstance(airing, Airing):
        if figure.title_id is None or figure.territory_code is None or figure.channel_id is None:
            raise ValueError("an audience figure needs its airing (or the airing's title, territory and channel)")
        return
    for name in AIRING_COPIES:
        setattr(figure, name, getattr(airing, name))


class Release(Sourced, Base):
    """A theatrical release of a title in a territory."""

    __tablename__ = "releases"
    __table_args__ = (
        CheckConstraint(not_negative("admissions"), name="admissions"),
        CheckConstraint(not_negative("gross"), name="gross"),
        CheckConstraint("gross IS NULL OR currency IS NOT NULL", name="gross_currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    natural_key: Mapped[str] = mapped_column(String(KEY_LEN), unique=True)  # title, territory, date
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="RESTRICT"), index=True)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code", ondelete="RESTRICT"), index=True)
    release_date: Mapped[dt.date | None] = mapped_column(Date)
    admissions: Mapped[int | None] = mapped_column(BigInteger)
    gross: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    rank_note: Mapped[str | None] = mapped_column(String(NAME_LEN))

    title: Mapped[Title] = relationship(lazy="raise")


class Quote(Sourced, Base):
    """A quote on record about a title."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    natural_key: Mapped[str] = mapped_column(String(KEY_LEN), unique=True)  # title, person, quote digest
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="RESTRICT"), index=True)
    quote: Mapped[str] = mapped_column(Text)
    person: Mapped[str] = mapped_column(String(NAME_LEN))
    role: Mapped[str | None] = mapped_column(String(NAME_LEN))
    organization: Mapped[str | None] = mapped_column(String(NAME_LEN))
    said_on: Mapped[dt.date | None] = mapped_column(Date)

    title: Mapped[Title] = relationship(lazy="raise")

