"""The declarative base of the catalog schema and what every table shares: naming, checks, lengths."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    MetaData,
    String,
    event,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column

from storage.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

IMPORT_KINDS = ("titles", "companies", "territory_groups", "deals", "ratings", "releases", "quotes")

NAME_LEN = 255
KEY_LEN = 255


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column: str, values: Any, *, nullable: bool = True) -> str:
    allowed = ", ".join(f"'{value}'" for value in values)
    clause = f"{column} IN ({allowed})"
    return f"{column} IS NULL OR {clause}" if nullable else clause


def percent_between(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= 0 AND {column} <= 100)"


def not_negative(column: str) -> str:
    return f"{column} IS NULL OR {column} >= 0"


class ImportBatch(Base):
    """One file (or workbook sheet) loaded by ``slate import``: where every imported record came from."""

    __tablename__ = "import_batches"
    __table_args__ = (CheckConstraint(one_of("kind", IMPORT_KINDS, nullable=False), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(NAME_LEN))
    sheet: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)


class Sourced:
    """Mixin: where a record's facts come from and which import last wrote it."""

    source: Mapped[str | None] = mapped_column(String(NAME_LEN))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id", ondelete="SET NULL"), index=True)



# --- lengths -----------------------------------------------------------------------------------------


class FieldTooLong(ValueError):
    """A text value longer than its column allows (SQLite would store it anyway)."""


def check_lengths(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    state = inspect(target)
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        limit = getattr(column.type, "length", None)
        if limit is None:
            continue
        value = state.attrs[attribute.key].value
        if isinstance(value, str) and len(value) > limit:
            table = mapper.persist_selectable.description
            raise FieldTooLong(f"{table}.{column.name} is {len(value)} characters long; the limit is {limit}")


event.listen(Base, "before_insert", check_lengths, propagate=True)
event.listen(Base, "before_update", check_lengths, propagate=True)
