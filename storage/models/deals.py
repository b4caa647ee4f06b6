"""Deals: a licence out, the territories and media rights it covers, and the reading-order copies that let a
territory's deals come off an index in the order people read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from storage.models.base import KEY_LEN, Base, Sourced, not_negative, one_of
from storage.models.catalog import Company, Title
from storage.vocab import DEAL_STATUSES, MEDIA_RIGHTS, STATUS_RANK


class Deal(Sourced, Base):
    """A licence out: a title to a licensee for territories and media rights over a term."""

    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint(one_of("status", DEAL_STATUSES), name="status"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="term"),
        CheckConstraint(not_negative("runs"), name="runs"),
        CheckConstraint(not_negative("fee"), name="fee"),
        CheckConstraint("fee IS NULL OR currency IS NOT NULL", name="fee_currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # deal_ref when the sheet gives one, otherwise title, licensee, start, territories and media.
    natural_key: Mapped[str] = mapped_column(String(KEY_LEN), unique=True)
    deal_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="RESTRICT"), index=True)
    licensee_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="RESTRICT"), index=True)
    exclusive: Mapped[bool | None] = mapped_column(Boolean)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    runs: Mapped[int | None] = mapped_column(Integer)
    holdback_until: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(16))
    fee: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    owner: Mapped[str | None] = mapped_column(String(100))
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    title: Mapped[Title] = relationship(lazy="raise")
    licensee: Mapped[Company] = relationship(lazy="raise")
    territories: Mapped[list[DealTerritory]] = relationship(
        back_populates="deal", lazy="raise", cascade="all, delete-orphan", order_by="DealTerritory.territory_code"
    )
    media: Mapped[list[DealMedia]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="DealMedia.media"
    )


class DealTerritory(Base):
    """A territory a deal covers, carrying copies of the deal's reading-order keys.

    ``status_rank`` (``STATUS_RANK`` of the deal's status), ``start_date`` and ``deal_ref`` are the deal's,
    copied here so one index per territory holds its deals in reading order: ``deals mexico`` reads the 200
    it shows instead of sorting Mexico's 22,000. The ORM keeps them in step (the events below); a writer that
    inserts these rows with Core (``bench/generate.py``) writes them itself, with ``reading_order_copies``, and
    one that changed a deal's status, start or reference with a Core UPDATE would have to update them too.
    """

    __tablename__ = "deal_territories"

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code", ondelete="RESTRICT"), primary_key=True)
    status_rank: Mapped[int] = mapped_column(SmallInteger)  # the deal's (see above)
    start_date: Mapped[dt.date | None] = mapped_column(Date)  # the deal's
    deal_ref: Mapped[str | None] = mapped_column(String(64))  # the deal's

    deal: Mapped[Deal] = relationship(back_populates="territories", lazy="raise")


# A territory's deals as people read them: in force, pending, history; newest start first, none given last;
# then reference and id, so the order is total. SQLite's DESC already puts NULLs last; PostgreSQL's puts them
# first, so it is told (``postgresql_ops`` finds the column by the label).
Index("ix_deal_territories_reading_order", DealTerritory.territory_code, DealTerritory.status_rank,
      DealTerritory.start_date.desc().label("start_date"), DealTerritory.deal_ref, DealTerritory.deal_id,
      postgresql_ops={"start_date": "NULLS LAST"})


class DealMedia(Base):
    __tablename__ = "deal_media"
    __table_args__ = (CheckConstraint(one_of("media", MEDIA_RIGHTS, nullable=False), name="media"),)

    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True)
    media: Mapped[str] = mapped_column(String(16), primary_key=True)


READING_ORDER_FIELDS = ("status", "start_date", "deal_ref")  # the deal's fields its territory rows copy


def reading_order_copies(status: str | None, start_date: dt.date | None, deal_ref: str | None) -> dict[str, Any]:
    """What each territory row of a deal with these fields carries (``DealTerritory``)."""
    return {"status_rank": STATUS_RANK.get(status, STATUS_RANK[None]), "start_date": start_date, "deal_ref": deal_ref}


@event.listens_for(DealTerritory, "before_insert")
def copy_deal_fields(mapper: Mapper[DealTerritory], connection: Connection, row: DealTerritory) -> None:
    """A territory row added through the ORM (``deal.territories.append``) takes its deal's copies at flush.

    A row added with only a ``deal_id`` reads them from the deal's row, which is already written: the deal is
    the parent, so it flushes first.
    """
    deal = inspect(row).attrs.deal.loaded_value
    if isinstance(deal, Deal):
        copies = reading_order_copies(deal.status, deal.start_date, deal.deal_ref)
    else:
        found = connection.execute(
            select(Deal.status, Deal.start_date, Deal.deal_ref).where(Deal.id == row.deal_id)).one_or_none()
        if found is None:
            raise ValueError(f"a deal territory needs its deal; there is no deal {row.deal_id}")
        copies = reading_order_copies(*found)
    for name, value in copies.items():
        setattr(row, name, value)


@event.listens_for(Deal, "after_update")
def update_territory_copies(mapper: Mapper[Deal], connection: Connection, deal: Deal) -> None:
    """A deal whose status, start or reference changed rewrites its territory rows' copies, in one UPDATE.

    Territory rows added in the same flush are inserted after this (children follow their parent) and copy
    the new values themselves; rows already loaded are given the new values too, so the session agrees.
    """
    state = inspect(deal)
    if not any(state.attrs[name].history.has_changes() for name in READING_ORDER_FIELDS):
        return
    copies = reading_order_copies(deal.status, deal.start_date, deal.deal_ref)
    table = cast(Table, DealTerritory.__table__)
    connection.execute(update(table).where(table.c.deal_id == deal.id).values(**copies))
    if "territories" in state.dict:
        for row in deal.territories:
            if inspect(row).persistent:
                for name, value in copies.items():
                    set_committed_value(row, name, value)
