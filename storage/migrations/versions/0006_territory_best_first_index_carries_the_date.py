"""Each territory's best-first index for viewers carries the air date last.

A period's strongest figures in a territory or group ("top latam 2024", "ratings mexico 2024") were read
off the date index: every figure of the period, sorted. With the date in the best-first index, a long
period walks the index in order, passing over the figures outside the period without reading the table,
and stops at the figures it needs (LATAM over a year: 44,000 figures sorted in 14-20 ms, against 0.6 ms).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_audience_figures_territory_viewers"
_COLUMNS = ["territory_code", "viewers", "share_pct", "rating_pct", "id", "target", "title_id"]
_OPS = {"viewers": "DESC NULLS LAST", "share_pct": "DESC NULLS LAST", "rating_pct": "DESC NULLS LAST", "id": "DESC"}


def upgrade() -> None:
    op.drop_index(_NAME, table_name="audience_figures")
    op.create_index(_NAME, "audience_figures", [*_COLUMNS, "air_date"], postgresql_ops=_OPS)


def downgrade() -> None:
    op.drop_index(_NAME, table_name="audience_figures")
    op.create_index(_NAME, "audience_figures", _COLUMNS, postgresql_ops=_OPS)
