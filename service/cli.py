"""Command-line tools: ``flask db ...`` (Alembic driven from the app's own config, no alembic.ini)
and ``flask classify --missing`` (label stored articles with the served model)."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from service.classifier_registry import get_model
from service.classifying import classify_stored_articles
from service.storage.classifications import unclassified_articles
from service.storage.signatures import sign_articles, unsigned_article_ids

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
db_cli = AppGroup("db", help="Database migrations (Alembic).")


def alembic_config(app: Flask) -> Config:
    """Alembic config bound to the app's engine; env.py reads it from ``config.attributes``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = app.extensions["framescope"]["engine"]
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head). Safe to run on every start."""
    command.upgrade(alembic_config(current_app), revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. base)."""
    command.downgrade(alembic_config(current_app), revision)


@db_cli.command("current")
def current() -> None:
    """Show the applied revision."""
    command.current(alembic_config(current_app))


@db_cli.command("check")
def check() -> None:
    """Fail if the models differ from the migrated schema (a revision is missing)."""
    command.check(alembic_config(current_app))
    click.echo("models match migrations")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--rev-id", required=True, help="Next number in sequence, e.g. 0002.")
@click.option("--autogenerate/--empty", default=True)
def revision(message: str, rev_id: str, autogenerate: bool) -> None:
    """Write a new numbered revision (diffed against the current database when autogenerating)."""
    command.revision(alembic_config(current_app), message=message, rev_id=rev_id, autogenerate=autogenerate)


@click.command("classify")
@click.option(
    "--missing", is_flag=True, required=True, help="Classify articles with no result from the served model."
)
@click.option("--chunk-size", default=1000, show_default=True, help="Articles per transaction.")
@with_appcontext
def classify_command(missing: bool, chunk_size: int) -> None:
    """Classify stored articles with the served model (e.g. after a model update); resumable.

    Each chunk is committed on its own, so an interrupted run keeps its progress and a rerun picks
    up where it stopped. Results of older model versions stay stored (comparisons choose a version).
    """
    model = get_model()
    factory = current_app.extensions["framescope"]["write_sessionmaker"]
    n_total = 0
    while True:
        with factory() as session:
            pending = unclassified_articles(session, model.version, limit=chunk_size)
            if not pending:
                break
            n_new = classify_stored_articles(session, model, [aid for aid, _, _ in pending])
            session.commit()
        if not n_new:  # pragma: no cover - nothing could be stored; do not loop forever
            break
        n_total += n_new
        click.echo(f"{n_total} article(s) classified", err=True)
    click.echo(f"classified {n_total} article(s) with {model.version}")


@click.command("sign")
@click.option("--missing", is_flag=True, required=True, help="Sign articles stored without a signature.")
@click.option("--chunk-size", default=1000, show_default=True, help="Articles per transaction.")
@with_appcontext
def sign_command(missing: bool, chunk_size: int) -> None:
    """Put stored articles without a signature into syndication clusters; resumable.

    For articles stored before revision 0007 or with ``SYNDICATION_AT_INGEST`` off. Each chunk is
    committed on its own, so an interrupted run keeps its progress.
    """
    factory = current_app.extensions["framescope"]["write_sessionmaker"]
    n_total = 0
    while True:
        with factory() as session:
            pending = unsigned_article_ids(session, limit=chunk_size)
            if not pending:
                break
            sign_articles(session, pending)
            session.commit()
        n_total += len(pending)
        click.echo(f"{n_total} article(s) signed", err=True)
    click.echo(f"signed {n_total} article(s)")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(classify_command)
    app.cli.add_command(sign_command)
