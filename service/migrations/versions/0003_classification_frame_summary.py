"""Per-classification frame summary, so comparisons read one row per article instead of eight.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("classifications") as batch:
        batch.add_column(sa.Column("frame_summary", sa.Text(), nullable=True))
    # Backfill from the stored results (same encoding as service.storage.classifications.encode_frames).
    connection = op.get_bind()
    table = sa.table("classifications", sa.column("id"), sa.column("result"), sa.column("frame_summary"))
    for row_id, result in connection.execute(sa.select(table.c.id, table.c.result)).all():
        result = json.loads(result) if isinstance(result, str) else result
        summary = ";".join(
            f"{f['key']}={int(bool(f.get('present')))}:{float(f.get('share') or 0.0)!r}"
            for f in (result or {}).get("frames") or []
        )
        connection.execute(sa.update(table).where(table.c.id == row_id).values(frame_summary=summary))


def downgrade() -> None:
    with op.batch_alter_table("classifications") as batch:
        batch.drop_column("frame_summary")
