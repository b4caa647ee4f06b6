"""Deal territories carry their deal's reading-order keys, with an index per territory in that order.

``deals mexico`` sorted every deal of the territory (22,000 in a big catalog; 190,000 deal-territory rows for
LATAM) before keeping the first 500, because the order's keys (status, start, reference) lived on ``deals``
and the filter on ``deal_territories``: no index could hand the deals over in order. This revision copies the
deal's status rank (in force 0, pending 1, history 2: ``storage.vocab.STATUS_RANK``), start date and deal
reference onto each of its territory rows, fills them from the deals, and indexes each territory in reading
order (start newest first, none-given last). ``ix_deal_territories_territory_code`` goes: the new index
starts with the territory.

Written by hand, like 0003: the fill needs an UPDATE between adding the columns and making ``status_rank``
NOT NULL, which on SQLite rebuilds the table (batch mode). The ranks are written out here rather than read
from the application, so the script fills what the code of this revision meant.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RANK = ("CASE deals.status WHEN 'negotiating' THEN 1 WHEN 'offered' THEN 1 WHEN 'expired' THEN 2"
         " WHEN 'cancelled' THEN 2 ELSE 0 END")  # active, signed and a status not stated: 0
_INDEX = "ix_deal_territories_reading_order"


def upgrade() -> None:
    with op.batch_alter_table("deal_territories") as batch:
        batch.add_column(sa.Column("status_rank", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("deal_ref", sa.String(length=64), nullable=True))
    # UPDATE ... FROM: one pass over the territory rows on both engines (SQLite 3.33+, PostgreSQL).
    op.execute(
        f"UPDATE deal_territories SET status_rank = {_RANK}, start_date = deals.start_date,"  # noqa: S608 - constants
        " deal_ref = deals.deal_ref FROM deals WHERE deals.id = deal_territories.deal_id"
    )
    with op.batch_alter_table("deal_territories") as batch:
        batch.alter_column("status_rank", existing_type=sa.SmallInteger(), nullable=False)
        batch.drop_index("ix_deal_territories_territory_code")
    # SQLite's DESC already puts NULLs last; PostgreSQL's puts them first, so it is told (the label names the
    # column for postgresql_ops, as the model's index does).
    op.create_index(
        _INDEX, "deal_territories",
        ["territory_code", "status_rank", sa.desc(sa.column("start_date")).label("start_date"), "deal_ref", "deal_id"],
        postgresql_ops={"start_date": "NULLS LAST"},
    )


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="deal_territories")
    with op.batch_alter_table("deal_territories") as batch:
        batch.create_index("ix_deal_territories_territory_code", ["territory_code"])
        batch.drop_column("deal_ref")
        batch.drop_column("start_date")
        batch.drop_column("status_rank")
