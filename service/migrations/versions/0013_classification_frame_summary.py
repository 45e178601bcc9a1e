"""Each classification's frames summarised on its row: ``frame_mask`` and ``frame_shares`` (issue 13).

A stored comparison pivoted the ~9 ``article_frames`` rows of every classification (presence bit
mask, shares) at read time: 40 % of its time at 100,000 articles. ``store_classifications`` now
writes the summary with the rows; this revision back-fills every stored classification from its
frame rows. Positions are the frame keys in code point order (``COLLATE "C"`` on PostgreSQL,
SQLite's BINARY collation, Python's ``sorted``); ``frame_mask`` stays NULL for a result with more
than 62 frames (the bits of a signed 64-bit integer; counted comparisons refuse those codebooks).

PostgreSQL back-fills in one ``UPDATE ... FROM`` (a million classifications: about a minute, the
table rewritten once); SQLite (development stores) in chunks from Python. Columns are added with
plain ``ALTER TABLE`` (a SQLite batch rebuild of ``classifications`` would cascade-delete
``article_frames``, see 0004).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000
MAX_MASK_FRAMES = 62

PG_BACKFILL = f"""
UPDATE classifications c
SET frame_mask = s.mask, frame_shares = s.shares
FROM (
    SELECT classification_id,
           CASE WHEN count(*) > {MAX_MASK_FRAMES} THEN NULL
                ELSE sum(CASE WHEN present THEN (1::bigint << (rn - 1)::int) ELSE 0 END) END AS mask,
           array_agg(share ORDER BY frame_key COLLATE "C") AS shares
    FROM (
        SELECT classification_id, frame_key, present, share,
               row_number() OVER (PARTITION BY classification_id ORDER BY frame_key COLLATE "C") AS rn
        FROM article_frames
    ) f
    GROUP BY classification_id
) s
WHERE s.classification_id = c.id
"""

classifications = sa.table(
    "classifications",
    sa.column("id", sa.Integer),
    sa.column("frame_mask", sa.BigInteger),
    sa.column("frame_shares", sa.JSON),
)
article_frames = sa.table(
    "article_frames",
    sa.column("classification_id", sa.Integer),
    sa.column("frame_key", sa.String),
    sa.column("present", sa.Boolean),
    sa.column("share", sa.Float),
)


def upgrade() -> None:
    connection = op.get_bind()
    op.add_column("classifications", sa.Column("frame_mask", sa.BigInteger(), nullable=True))
    if connection.dialect.name == "postgresql":
        op.add_column(
            "classifications", sa.Column("frame_shares", postgresql.ARRAY(sa.Float()), nullable=True)
        )
        op.execute(PG_BACKFILL)
        op.execute(
            "UPDATE classifications SET frame_mask = 0, frame_shares = '{}' WHERE frame_shares IS NULL"
        )
        op.alter_column("classifications", "frame_shares", nullable=False)
        return
    op.add_column(
        "classifications", sa.Column("frame_shares", sa.JSON(), nullable=False, server_default="[]")
    )
    op.execute("UPDATE classifications SET frame_mask = 0")  # rows without frames keep 0 and []
    last_id = 0
    while True:
        ids = connection.scalars(
            sa.select(classifications.c.id)
            .where(classifications.c.id > last_id)
            .order_by(classifications.c.id)
            .limit(CHUNK)
        ).all()
        if not ids:
            break
        last_id = ids[-1]
        frames: dict[int, list[tuple[str, bool, float]]] = {}
        for cid, key, present, share in connection.execute(
            sa.select(
                article_frames.c.classification_id,
                article_frames.c.frame_key,
                article_frames.c.present,
                article_frames.c.share,
            ).where(article_frames.c.classification_id.in_(ids))
        ):
            frames.setdefault(cid, []).append((key, bool(present), float(share)))
        for cid, rows in frames.items():
            rows.sort()
            mask = sum(1 << j for j, (_, present, _) in enumerate(rows) if present)
            connection.execute(
                sa.update(classifications)
                .where(classifications.c.id == cid)
                .values(
                    frame_mask=mask if len(rows) <= MAX_MASK_FRAMES else None,
                    frame_shares=[share for _, _, share in rows],
                )
            )


def downgrade() -> None:
    op.drop_column("classifications", "frame_shares")
    op.drop_column("classifications", "frame_mask")
