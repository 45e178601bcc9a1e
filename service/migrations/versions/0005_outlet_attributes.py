"""Outlet ``attributes``: researcher-defined flat string attributes used to group outlets.

``metadata`` stays free-form description; ``attributes`` (e.g. ``{"type": "state-aligned"}``) is
what ``group_by`` reads, so it holds only flat string values under short keys (checked by the API).
Existing outlets get ``{}``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outlets", sa.Column("attributes", sa.JSON(), nullable=True))
    op.execute(sa.text("UPDATE outlets SET attributes = '{}'"))


def downgrade() -> None:
    op.drop_column("outlets", "attributes")
