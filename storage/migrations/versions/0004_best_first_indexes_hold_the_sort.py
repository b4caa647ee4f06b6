"""The best-first indexes of audience figures hold the whole sort, and what a board reads.

Revision 0003 indexed each place with one metric, so the order's other keys (the other two numbers, the id)
were read from the table and the ties sorted: a group's ratings read 20 x 200 table rows before merging.
Each place's index now carries the three numbers in its metric's order, then the id (descending, as the
order now ends), then the target and title a board filters and groups on: the walk reads the index alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NULLS_LAST = "DESC NULLS LAST"  # PostgreSQL only; SQLite walks the ascending index backwards
_ORDER = {
    "viewers": ("viewers", "share_pct", "rating_pct"),
    "share_pct": ("share_pct", "viewers", "rating_pct"),
    "rating_pct": ("rating_pct", "viewers", "share_pct"),
}
# name -> (place, metric)
_INDEXES = {
    "ix_audience_figures_territory_viewers": ("territory_code", "viewers"),
    "ix_audience_figures_territory_share": ("territory_code", "share_pct"),
    "ix_audience_figures_territory_rating": ("territory_code", "rating_pct"),
    "ix_audience_figures_title_viewers": ("title_id", "viewers"),
    "ix_audience_figures_channel_viewers": ("channel_id", "viewers"),
}


def upgrade() -> None:
    for name, (place, metric) in _INDEXES.items():
        carried = [column for column in ("target", "title_id") if column != place]
        op.drop_index(name, table_name="audience_figures")
        op.create_index(name, "audience_figures", [place, *_ORDER[metric], "id", *carried],
                        postgresql_ops={**dict.fromkeys(_ORDER[metric], _NULLS_LAST), "id": "DESC"})


def downgrade() -> None:
    for name, (place, metric) in _INDEXES.items():
        op.drop_index(name, table_name="audience_figures")
        op.create_index(name, "audience_figures", [place, metric], postgresql_ops={metric: _NULLS_LAST})
