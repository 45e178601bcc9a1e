"""``flask keys ...``: create, list and revoke API keys from the server's shell (bootstraps admin)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from service.storage import api_keys

keys_cli = AppGroup("keys", help="API keys: create, list, revoke.")


def _session():
    return current_app.extensions["framescope"]["write_sessionmaker"]()


@keys_cli.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(api_keys.SCOPES),
    default=("read",),
    show_default=True,
    help="Repeat for several (write implies read; admin implies both).",
)
def create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a key for NAME and print its token (shown once; only a hash is stored)."""
    with _session() as session:
        created = api_keys.create_key(session, name, list(scopes))
        session.commit()
        summary = f"created key {created.key.id} ({created.key.name}, scopes: {created.key.scope})"
        click.echo(summary, err=True)
        click.echo(created.token)


@keys_cli.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked keys.")
def list_(include_revoked: bool) -> None:
    """List keys: id, prefix, scopes, name, created and revoked times (never tokens)."""
    with _session() as session:
        after = None
        while True:
            page = api_keys.list_keys(session, after=after, limit=500, include_revoked=include_revoked)
            for key in page.items:
                revoked = f" revoked {key.revoked_at:%Y-%m-%dT%H:%M:%SZ}" if key.revoked_at else ""
                click.echo(
                    f"{key.id}\t{key.prefix}…\t{key.scope}\t{key.name}\t"
                    f"created {key.created_at:%Y-%m-%dT%H:%M:%SZ}{revoked}"
                )
            if page.next_after is None:
                break
            after = page.next_after


@keys_cli.command("revoke")
@click.argument("key_id", type=int)
def revoke(key_id: int) -> None:
    """Revoke key KEY_ID; requests using it get 401 from then on."""
    with _session() as session:
        key = session.get(api_keys.ApiKey, key_id)
        if key is None:
            raise click.ClickException(f"API key {key_id} does not exist.")
        api_keys.revoke_key(session, key, keep_an_admin=False)  # the shell can always create another
        session.commit()
        click.echo(f"revoked key {key_id} ({key.name})")


def init_app(app: Flask) -> None:
    app.cli.add_command(keys_cli)
