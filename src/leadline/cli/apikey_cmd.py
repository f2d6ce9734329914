"""``leadline apikey create|list|revoke``"""

from __future__ import annotations

import click

from leadline.cli.context import AppContext


@click.group("apikey")
def apikey_group() -> None:
    """API keys for the HTTP API (stored hashed; shown once)."""


@apikey_group.command("create")
@click.argument("name")
@click.option(
    "--scope",
    type=click.Choice(["ingest", "read", "admin"]),
    default="read",
    show_default=True,
    help="ingest: send records and events; read: metrics and profiles; admin: everything.",
)
@click.option(
    "--collection", metavar="NAME",
    help="Limit a read key to this collection (and those under it): it reads nothing else.",
)  # fmt: skip
@click.pass_obj
def create_command(app: AppContext, name: str, scope: str, collection: str | None) -> None:
    """Create a key; it is printed once, alone on the last line of stdout."""
    from leadline.services.apikeys import create

    key = create(app.engine, name, scope, collection)
    limited = f" limited to collection {collection!r}" if collection else ""
    click.echo(f"created {scope} key {name!r}{limited}; store it now, it is not shown again:",
               err=True)  # fmt: skip
    click.echo(key)


@apikey_group.command("list")
@click.pass_obj
def list_command(app: AppContext) -> None:
    """List keys (name, prefix, scopes, state) — never the keys themselves."""
    from leadline.domain.times import format_time, from_micros
    from leadline.services.apikeys import list_keys

    for key in list_keys(app.engine):
        state = "revoked" if key.revoked_at else "active"
        created = format_time(from_micros(key.created_at))
        limited = f"  (collection {key.collection!r})" if key.collection else ""
        click.echo(
            f"{key.prefix}  {','.join(key.scopes):<7}  {state:<7}  {created}  {key.name}{limited}"
        )


@apikey_group.command("revoke")
@click.argument("prefix")
@click.pass_obj
def revoke_command(app: AppContext, prefix: str) -> None:
    """Revoke the key whose prefix (from `apikey list`) is PREFIX."""
    from leadline.services.apikeys import revoke

    revoke(app.engine, prefix)
    click.echo(f"revoked {prefix}")
