"""Codebooks uploaded through the API (immutable versions) and coders' annotations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "codebooks",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codebooks")),
        sa.UniqueConstraint("key", "hash", name=op.f("uq_codebooks_key_hash")),
        sa.UniqueConstraint("key", "version", name=op.f("uq_codebooks_key_version")),
    )
    op.create_table(
        "annotations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("article_id", BIG_ID, nullable=False),
        sa.Column("coder", sa.String(length=64), nullable=False),
        sa.Column("codebook_key", sa.String(length=64), nullable=False),
        sa.Column("codebook_hash", sa.String(length=64), nullable=False),
        sa.Column("frames", sa.JSON(), nullable=False),
        sa.Column("dominant", sa.String(length=64), nullable=True),
        sa.Column("stance_target", sa.String(length=64), nullable=True),
        sa.Column("stance", sa.String(length=16), nullable=True),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_annotations_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
        sa.UniqueConstraint(
            "article_id", "coder", "codebook_key", name=op.f("uq_annotations_article_id_coder_codebook_key")
        ),
    )
    op.create_index(op.f("ix_annotations_article_id"), "annotations", ["article_id"])
    op.create_index(op.f("ix_annotations_codebook_key_coder"), "annotations", ["codebook_key", "coder"])


def downgrade() -> None:
    op.drop_index(op.f("ix_annotations_codebook_key_coder"), table_name="annotations")
    op.drop_index(op.f("ix_annotations_article_id"), table_name="annotations")
    op.drop_table("annotations")
    op.drop_table("codebooks")
