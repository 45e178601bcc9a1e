"""Model registry (issue 11): models trained from coded articles, and which one serves a codebook.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "trained_models",
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("codebook", sa.String(length=64), nullable=False),
        sa.Column("base_version", sa.String(length=80), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("artifact", sa.LargeBinary(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_trained_models")),
    )
    op.create_index(op.f("ix_trained_models_codebook"), "trained_models", ["codebook"])
    op.create_table(
        "model_activations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("codebook", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_activations")),
    )
    op.create_index(op.f("ix_model_activations_codebook_id"), "model_activations", ["codebook", "id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_model_activations_codebook_id"), table_name="model_activations")
    op.drop_table("model_activations")
    op.drop_index(op.f("ix_trained_models_codebook"), table_name="trained_models")
    op.drop_table("trained_models")
