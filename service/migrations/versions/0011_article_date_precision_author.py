"""Articles: how precisely ``published_at`` is known (year, month, day, datetime) and the author.

A month-only date ("2024-11") is stored as the month's first instant with precision ``month``, so
one column still serves filters and trends; the author comes with saved pages. Stored dates were
full timestamps, so existing rows get ``datetime``. Columns are added, never rebuilt: no table
copy on SQLite, no lock beyond a catalogue change on PostgreSQL.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("published_precision", sa.String(length=8), nullable=True))
    op.add_column("articles", sa.Column("author", sa.String(length=300), nullable=True))
    op.execute(sa.text("UPDATE articles SET published_precision = 'datetime' WHERE published_at IS NOT NULL"))


def downgrade() -> None:
    op.drop_column("articles", "author")
    op.drop_column("articles", "published_precision")
