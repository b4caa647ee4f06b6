"""Audience figures carry their airing's title, territory, channel and date, with best-first indexes.

A territory's ratings and the ``top`` board used to sort every figure of the scope (480,000 in a big group)
because the figure table had nothing an index could order by territory. The four columns are copies of the
airing's (part of its natural key, so they never change); this revision adds them, fills them from the
airings, and indexes each place with its metric so the strongest figures come off an index in order (and
each metric alone, for the whole catalog's board).
``ix_audience_figures_airing_id`` goes: the unique constraint on (airing_id, target, measurement) already
serves lookups by airing.

Written by hand: the fill needs an UPDATE between adding the columns and making them NOT NULL. On SQLite
the NOT NULL step rebuilds the table (batch mode), which takes a while on a catalog of millions of figures.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPIED: dict[str, sa.types.TypeEngine[Any]] = {
    "title_id": sa.Integer(),
    "territory_code": sa.String(length=2),
    "channel_id": sa.Integer(),
    "air_date": sa.Date(),
}
_NULLS_LAST = "DESC NULLS LAST"  # PostgreSQL only; SQLite's DESC already puts NULLs last
# name -> (columns, the column that carries the order: best first, none-given last)
_INDEXES: dict[str, tuple[tuple[str, ...], str]] = {
    "ix_audience_figures_territory_viewers": (("territory_code", "viewers"), "viewers"),
    "ix_audience_figures_territory_share": (("territory_code", "share_pct"), "share_pct"),
    "ix_audience_figures_territory_rating": (("territory_code", "rating_pct"), "rating_pct"),
    # A period's range, carrying the sort keys and a board's filter and group, so its sort reads the index.
    "ix_audience_figures_territory_date": (
        ("territory_code", "air_date", "viewers", "share_pct", "rating_pct", "target", "title_id"), "air_date"),
    "ix_audience_figures_title_viewers": (("title_id", "viewers"), "viewers"),
    "ix_audience_figures_channel_viewers": (("channel_id", "viewers"), "viewers"),
    "ix_audience_figures_viewers": (("viewers",), "viewers"),
    "ix_audience_figures_share": (("share_pct",), "share_pct"),
    "ix_audience_figures_rating": (("rating_pct",), "rating_pct"),
}


def upgrade() -> None:
    with op.batch_alter_table("audience_figures") as batch:
        for name, type_ in _COPIED.items():
            batch.add_column(sa.Column(name, type_, nullable=True))
    # UPDATE ... FROM: one pass over the figures on both engines (SQLite 3.33+, PostgreSQL).
    assignments = ", ".join(f"{name} = airings.{name}" for name in _COPIED)
    op.execute(
        f"UPDATE audience_figures SET {assignments} FROM airings"  # noqa: S608 - this script's constants
        " WHERE airings.id = audience_figures.airing_id"
    )
    with op.batch_alter_table("audience_figures") as batch:
        for name, type_ in _COPIED.items():
            if name != "air_date":
                batch.alter_column(name, existing_type=type_, nullable=False)
        batch.drop_index("ix_audience_figures_airing_id")
    for name, (columns, ordered) in _INDEXES.items():
        op.create_index(name, "audience_figures", list(columns), postgresql_ops={ordered: _NULLS_LAST})


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="audience_figures")
    with op.batch_alter_table("audience_figures") as batch:
        batch.create_index("ix_audience_figures_airing_id", ["airing_id"])
        for name in _COPIED:
            batch.drop_column(name)
