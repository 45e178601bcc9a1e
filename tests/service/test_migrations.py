"""Alembic: numbered revisions, upgrade from empty, and models that match the migrated schema."""

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from service.cli import MIGRATIONS, alembic_config
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
