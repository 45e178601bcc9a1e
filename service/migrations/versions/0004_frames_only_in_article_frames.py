"""Frames stored once, as ``article_frames`` rows: drop ``classifications.result`` and ``frame_summary``.

Until now every classification kept its frames three times: in the ``result`` JSON, in
``article_frames`` rows and in the ``frame_summary`` string (0003). This revision keeps the rows
only. The article-level values ``result`` held that had no column (language, stance scores, the
evidence sentences) get their own columns first, then every classification is checked for its
frame rows (any missing row is written from ``result``) before the two columns are dropped.

Columns are added and dropped with plain ``ALTER TABLE`` (SQLite 3.35+ drops columns natively):
a batch table rebuild would drop ``classifications``, which on SQLite with foreign keys on
cascades to (empties) ``article_frames``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000

classifications = sa.table(
    "classifications",
    sa.column("id", sa.Integer),
    sa.column("article_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("n_sentences", sa.Integer),
    sa.column("dominant_frame", sa.String),
    sa.column("model_version", sa.String),
    sa.column("codebook_key", sa.String),
    sa.column("codebook_hash", sa.String),
    sa.column("stance_target", sa.String),
    sa.column("stance_label", sa.String),
    sa.column("language", sa.String),
    sa.column("stance_scores", sa.JSON),
    sa.column("evidence", sa.JSON),
    sa.column("result", sa.JSON),
    sa.column("frame_summary", sa.Text),
)
article_frames = sa.table(
    "article_frames",
    sa.column("classification_id", sa.Integer),
    sa.column("frame_key", sa.String),
    sa.column("article_id", sa.Integer),
    sa.column("present", sa.Boolean),
    sa.column("score", sa.Float),
    sa.column("share", sa.Float),
)


def upgrade() -> None:
    op.add_column("classifications", sa.Column("language", sa.String(length=16), nullable=True))
    op.add_column(
        "classifications", sa.Column("stance_scores", sa.JSON(), nullable=False, server_default="{}")
    )
    op.add_column("classifications", sa.Column("evidence", sa.JSON(), nullable=False, server_default="{}"))
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(classifications.c.id, classifications.c.article_id, classifications.c.result)
            .where(classifications.c.id > last_id)
            .order_by(classifications.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        have = {
            (cid, key)
            for cid, key in connection.execute(
                sa.select(article_frames.c.classification_id, article_frames.c.frame_key).where(
                    article_frames.c.classification_id.in_([row[0] for row in rows])
                )
            )
        }
        missing = []
        for cid, article_id, result in rows:
            result = _as_dict(result)
            stance = result.get("stance") or {}
            frames = result.get("frames") or []
            connection.execute(
                sa.update(classifications)
                .where(classifications.c.id == cid)
                .values(
                    language=result.get("language", "en"),
                    stance_scores={k: float(v) for k, v in (stance.get("scores") or {}).items()},
                    evidence={
                        "frames": {f["key"]: f["evidence"] for f in frames if f.get("evidence")},
                        "stance": stance.get("evidence") or [],
                    },
                )
            )
            missing.extend(
                {
                    "classification_id": cid,
                    "article_id": article_id,
                    "frame_key": f["key"],
                    "present": bool(f.get("present")),
                    "score": float(f.get("score") or 0.0),
                    "share": float(f.get("share") or 0.0),
                }
                for f in frames
                if (cid, f["key"]) not in have
            )
        if missing:
            connection.execute(sa.insert(article_frames), missing)
    op.drop_column("classifications", "frame_summary")
    op.drop_column("classifications", "result")


def downgrade() -> None:
    op.add_column("classifications", sa.Column("result", sa.JSON(), nullable=False, server_default="{}"))
    op.add_column("classifications", sa.Column("frame_summary", sa.Text(), nullable=True))
    connection = op.get_bind()
    stored = connection.execute(sa.select(classifications)).mappings().all()
    frames_of: dict[int, list[Any]] = {}
    for row in connection.execute(sa.select(article_frames).order_by(article_frames.c.frame_key)).mappings():
        frames_of.setdefault(row["classification_id"], []).append(row)
    for c in stored:
        evidence = _as_dict(c["evidence"])
        frames = [
            {
                "key": f["frame_key"],
                "label": f["frame_key"],
                "score": f["score"],
                "present": bool(f["present"]),
                "share": f["share"],
                "evidence": (evidence.get("frames") or {}).get(f["frame_key"], []),
            }
            for f in frames_of.get(c["id"], [])
        ]
        result = {
            "status": c["status"],
            "language": c["language"],
            "n_sentences": c["n_sentences"],
            "frames": frames,
            "dominant_frame": c["dominant_frame"],
            "stance": {
                "target": c["stance_target"],
                "label": c["stance_label"],
                "scores": _as_dict(c["stance_scores"]),
                "evidence": evidence.get("stance") or [],
            },
            "model": {
                "version": c["model_version"],
                "codebook": c["codebook_key"],
                "codebook_hash": c["codebook_hash"],
            },
        }
        summary = ";".join(f"{f['key']}={int(f['present'])}:{float(f['share'])!r}" for f in frames)
        connection.execute(
            sa.update(classifications)
            .where(classifications.c.id == c["id"])
            .values(result=result, frame_summary=summary)
        )
    for name in ("evidence", "stance_scores", "language"):
        op.drop_column("classifications", name)


def _as_dict(value: Any) -> dict[str, Any]:
    """JSON columns come back parsed on PostgreSQL and (here, untyped) as text on SQLite."""
    if isinstance(value, str):
        value = json.loads(value)
    return value or {}
