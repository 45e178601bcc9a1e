"""Alembic: numbered revisions, upgrade from empty and with stored data, models that match the schema."""

import json
import re

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from service.cli import MIGRATIONS, alembic_config
from service.storage.classifications import read_classifications
from service.storage.classified_rows import fetch_classified_rows
from service.storage.tables import Base


def test_revisions_are_numbered_in_sequence_with_one_head(app):
    script = ScriptDirectory.from_config(alembic_config(app))
    revisions = list(reversed(list(script.walk_revisions())))
    assert [r.revision for r in revisions] == [f"{n:04d}" for n in range(1, len(revisions) + 1)]
    assert len(script.get_heads()) == 1
    for path in (MIGRATIONS / "versions").glob("*.py"):
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+\.py", path.name), path.name


def test_downgrade_to_empty_then_upgrade_to_head(app, runner):
    engine = app.extensions["framescope"]["engine"]
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    assert runner.invoke(args=["db", "check"]).exit_code == 0


def test_models_match_migrations(app):
    """An empty autogenerate diff: every model change comes with a revision."""
    with app.extensions["framescope"]["engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_is_idempotent(runner):
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "current"])
    assert result.exit_code == 0


def stored_0003(engine) -> None:
    """Two classifications as revision 0003 stored them: ``result`` JSON, ``frame_summary`` and
    ``article_frames`` rows (complete for article 1, missing for article 2, as in stores written
    before the rows were filled)."""
    meta = sa.MetaData()
    outlets = sa.Table("outlets", meta, autoload_with=engine)
    articles = sa.Table("articles", meta, autoload_with=engine)
    classifications = sa.Table("classifications", meta, autoload_with=engine)
    article_frames = sa.Table("article_frames", meta, autoload_with=engine)
    evidence = [{"sentence": "Prices rose.", "start": 0, "end": 12, "score": 0.812345, "field": "text"}]
    frames = [
        {
            "key": "economic-cost",
            "label": "E",
            "score": 0.9,
            "present": True,
            "share": 0.5,
            "evidence": evidence,
        },
        {
            "key": "escalation-risk",
            "label": "R",
            "score": 0.2,
            "present": False,
            "share": 0.125,
            "evidence": [],
        },
    ]
    with engine.begin() as connection:
        connection.execute(sa.insert(outlets), [{"id": 1, "key": "o", "name": "O", "metadata": {}}])
        connection.execute(
            sa.insert(articles),
            [
                {
                    "id": i,
                    "outlet_id": 1,
                    "title": "t",
                    "text": f"x{i}",
                    "content_hash": f"h{i}",
                    "word_count": 1,
                }
                for i in (1, 2)
            ],
        )
        for i in (1, 2):
            result = {
                "status": "ok",
                "language": "en",
                "n_sentences": 4,
                "frames": frames,
                "dominant_frame": "economic-cost",
                "stance": {
                    "target": "ukraine-support",
                    "label": "against",
                    "scores": {"favor": 0.1, "against": 0.7, "neutral": 0.2},
                    "evidence": evidence,
                },
                "model": {"version": "m-old", "codebook": "conflict", "codebook_hash": "h"},
            }
            connection.execute(
                sa.insert(classifications),
                [
                    {
                        "id": i,
                        "article_id": i,
                        "model_version": "m-old",
                        "codebook_key": "conflict",
                        "codebook_hash": "h",
                        "status": "ok",
                        "n_sentences": 4,
                        "dominant_frame": "economic-cost",
                        "stance_target": "ukraine-support",
                        "stance_label": "against",
                        "result": result,
                        "frame_summary": "economic-cost=1:0.5;escalation-risk=0:0.125",
                    }
                ],
            )
        connection.execute(
            sa.insert(article_frames),
            [
                {"classification_id": 1, "article_id": 1, "frame_key": f["key"], "present": f["present"]}
                | {"score": f["score"], "share": f["share"]}
                for f in frames
            ],
        )


def test_0004_keeps_stored_results_and_frames_only_as_rows(app, runner, db_session):
    """Upgrade a store with results from 0003: every result reads back, frames from rows only."""
    engine = app.extensions["framescope"]["engine"]
    assert runner.invoke(args=["db", "downgrade", "0003"]).exit_code == 0
    stored_0003(engine)
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    columns = {c["name"] for c in inspect(engine).get_columns("classifications")}
    assert not {"result", "frame_summary"} & columns

    rows = fetch_classified_rows(db_session, "m-old", frame_keys=("economic-cost", "escalation-risk"))
    assert [r["article_id"] for r in rows] == [1, 2]  # article 2's frame rows were written from `result`
    for row in rows:
        assert row["frames"] == {"economic-cost": True, "escalation-risk": False}
        assert row["shares"] == {"economic-cost": 0.5, "escalation-risk": 0.125}
    back = read_classifications(db_session, [1, 2], "m-old")
    for article_id in (1, 2):
        c = back[article_id]
        assert (c.status, c.language, c.n_sentences, c.dominant_frame) == ("ok", "en", 4, "economic-cost")
        assert c.stance.scores == {"favor": 0.1, "against": 0.7, "neutral": 0.2}
        assert c.stance.evidence[0].score == 0.812345
        assert c.frame("economic-cost").evidence[0].sentence == "Prices rose."
        assert c.model.codebook_hash == "h"
    assert runner.invoke(args=["db", "check"]).exit_code == 0


def test_0004_downgrade_rebuilds_result_and_frame_summary(app, runner):
    engine = app.extensions["framescope"]["engine"]
    assert runner.invoke(args=["db", "downgrade", "0003"]).exit_code == 0
    stored_0003(engine)
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["db", "downgrade", "0003"]).exit_code == 0
    with engine.connect() as connection:
        summaries = connection.execute(sa.text("SELECT frame_summary FROM classifications ORDER BY id")).all()
    assert [s for (s,) in summaries] == ["economic-cost=1:0.5;escalation-risk=0:0.125"] * 2
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0


def test_0005_gives_stored_outlets_empty_attributes(app, runner, client):
    engine = app.extensions["framescope"]["engine"]
    assert runner.invoke(args=["db", "downgrade", "0004"]).exit_code == 0
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO outlets (key, name, metadata) VALUES ('old-paper', 'Old', '{}')")
        )
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert client.get("/v1/outlets/old-paper").get_json()["attributes"] == {}
    assert runner.invoke(args=["db", "downgrade", "0004"]).exit_code == 0
    assert "attributes" not in {c["name"] for c in inspect(engine).get_columns("outlets")}
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0


def test_0013_backfills_each_classifications_frame_summary(app, runner, db_session):
    """Stores written before 0013 get ``frame_mask``/``frame_shares`` from their frame rows, keys in
    code point order on every backend (uppercase before lowercase before accented, unlike a
    locale's collation), and 0/[] for a classification without frame rows."""
    engine = app.extensions["framescope"]["engine"]
    assert runner.invoke(args=["db", "downgrade", "0012"]).exit_code == 0
    meta = sa.MetaData()
    tables = {n: sa.Table(n, meta, autoload_with=engine) for n in ("outlets", "articles", "classifications")}
    frames = sa.Table("article_frames", meta, autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(sa.insert(tables["outlets"]), [{"id": 1, "key": "o", "name": "O", "metadata": {}}])
        connection.execute(
            sa.insert(tables["articles"]),
            [
                {
                    "id": i,
                    "outlet_id": 1,
                    "title": "t",
                    "text": f"x{i}",
                    "content_hash": f"h{i}",
                    "word_count": 1,
                }
                for i in (1, 2, 3)
            ],
        )
        connection.execute(
            sa.insert(tables["classifications"]),
            [
                {"id": i, "article_id": i, "model_version": "m", "codebook_key": "c", "codebook_hash": "h"}
                | {"status": "ok", "n_sentences": 1, "stance_scores": {}, "evidence": {}}
                for i in (1, 2, 3)
            ],
        )
        rows = {1: [("émigré", True, 0.25), ("alpha", False, 0.0), ("Zeta", True, 0.75)]}
        rows[2] = [("émigré", False, 0.0), ("alpha", True, 1.0), ("Zeta", False, 0.0)]
        connection.execute(
            sa.insert(frames),
            [
                {
                    "classification_id": cid,
                    "article_id": cid,
                    "frame_key": k,
                    "present": p,
                    "score": 0.5,
                    "share": s,
                }
                for cid, triples in rows.items()
                for k, p, s in triples
            ],
        )
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    stored = db_session.execute(
        sa.text("SELECT id, frame_mask, frame_shares FROM classifications ORDER BY id")
    ).all()
    shares = [s if isinstance(s, list) else json.loads(s) for _, _, s in stored]
    # sorted: Zeta (bit 0), alpha (bit 1), émigré (bit 2)
    assert [(cid, mask) for cid, mask, _ in stored] == [(1, 0b101), (2, 0b010), (3, 0)]
    assert shares == [[0.75, 0.0, 0.25], [0.0, 1.0, 0.0], []]
    assert runner.invoke(args=["db", "check"]).exit_code == 0
