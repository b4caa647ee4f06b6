"""The airings' natural key is kept unique by a unique index, no longer by a UNIQUE constraint.

Same rule, same name, same column, on both engines. What changes is what a big import can do on SQLite: an
index made by ``CREATE UNIQUE INDEX`` can be dropped inside the import's transaction and built again after
its rows (``storage.importing.index_rebuild``), whereas the index of a UNIQUE constraint goes with its
table. A million new airings arrive with their keys in random order: keeping that B-tree in order row by
row took 9-12 s of the 1,000,000-row import, against 5-6 s without it and 1.5 s to build it after. Building
it checks every key, so a repeated key fails the import there, and the rollback puts everything back.

SQLite rebuilds ``airings`` for this (batch mode: copy, drop, rename; foreign keys off, see ``env.py``):
7.9 s for a catalog of a million airings and as many figures on the bench machine, every figure kept.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "uq_airings_natural_key"


def upgrade() -> None:
    with op.batch_alter_table("airings") as batch:
        batch.drop_constraint(_NAME, type_="unique")
    op.create_index(_NAME, "airings", ["natural_key"], unique=True)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is not None:
        # The rebuilt table lost the planner's statistics the catalog had for it (ANALYZE): without them
        # SQLite counted a board's airings off the date index, 4.7 ms instead of 0.06 for "top spain 2024".
        op.execute("ANALYZE airings")


def downgrade() -> None:
    op.drop_index(_NAME, table_name="airings")
    with op.batch_alter_table("airings") as batch:
        batch.create_unique_constraint(_NAME, ["natural_key"])
