"""Syndication at ingest: `article_signatures` (MinHash signature, cluster), `article_bands` (LSH keys).

Articles stored before this revision have no signature; a stored comparison that includes one
detects copies at comparison time, as before. A PATCH of an article's text signs it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-12

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _article_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["article_id"], ["articles.id"], name=op.f(f"fk_{table}_article_id_articles"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "article_signatures",
        sa.Column("article_id", _ID, nullable=False),
        sa.Column("n_shingles", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("cluster_id", sa.BigInteger(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        _article_fk("article_signatures"),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_signatures")),
    )
    op.create_index(
        op.f("ix_article_signatures_cluster_id"), "article_signatures", ["cluster_id"], unique=False
    )
    op.create_table(
        "article_bands",
        sa.Column("band_key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", _ID, nullable=False),
        _article_fk("article_bands"),
        sa.PrimaryKeyConstraint("band_key", "article_id", name=op.f("pk_article_bands")),
    )
    op.create_index(op.f("ix_article_bands_article_id"), "article_bands", ["article_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_article_bands_article_id"), table_name="article_bands")
    op.drop_table("article_bands")
    op.drop_index(op.f("ix_article_signatures_cluster_id"), table_name="article_signatures")
    op.drop_table("article_signatures")
