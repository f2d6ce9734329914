"""``leadline apply ORG.yaml`` and ``leadline collection list|show|delete``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from leadline.cli.context import AppContext
from leadline.cli.csvout import format_option


@click.command("apply")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def apply_command(app: AppContext, path: Path) -> None:
    """Make the collections (teams) and profiles equal to an org-as-code file.

    Collections not in the file are removed, and so are the contributors when the file
    gives `contributors:`; the saved views are replaced by its `views:` (none without);
    see docs/collections.md for the format.
    """
    from leadline.services.collections import apply_org, load_org

    org = load_org(path)
    report = apply_org(app.engine, org, base=path.parent, source=str(path))
    for label, names in (("profiles stored", report.profiles),
                         ("contributors stored", report.contributors or []),
                         ("views stored", report.views),
                         ("created", report.created),
                         ("updated", report.updated), ("removed", report.removed),
                         ("unchanged", report.unchanged)):  # fmt: skip
        if names:
            click.echo(f"{label}: {', '.join(names)}")
    if not any((report.created, report.updated, report.removed)):
        click.echo("collections: nothing changed")


@click.group("collection")
def collection_group() -> None:
    """Collections (teams): list, show, delete. Create them with `leadline apply`."""


@collection_group.command("list")
@format_option
@click.pass_obj
def list_command(app: AppContext, fmt: str) -> None:
    """The tree, with each collection's effective profile, filters and members."""
    from leadline.services.collections import tree

    nodes = tree(app.engine)
    if fmt == "json":
        click.echo(json.dumps([n.as_json() for n in nodes], indent=2))
        return
    if fmt == "csv":
        from leadline.cli import csvout

        csvout.collections(nodes)
        return
    if not nodes:
        click.echo("no collections: create them with `leadline apply org.yaml`")
    for n in nodes:
        inherited = " (inherited)" if n.own_profile is None else ""
        filters = "; ".join(f"{k}={v}" for k, v in n.filters.as_text(",").items())
        if n.members:
            names = [m.contributor or f"collection:{m.collection}" for m in n.members]
            filters = "; ".join(x for x in (filters, f"members={','.join(names)}") if x)
        click.echo(f"{'  ' * n.depth}{n.name}  [{n.profile}{inherited}]  {filters}".rstrip())


@collection_group.command("show")
@click.argument("name")
@click.pass_obj
def show_command(app: AppContext, name: str) -> None:
    """One collection as JSON: effective profile and filters, and its own."""
    from leadline.services.collections import get

    click.echo(json.dumps(get(app.engine, name).as_json(), indent=2))


@collection_group.command("delete")
@click.argument("name")
@click.pass_obj
def delete_command(app: AppContext, name: str) -> None:
    """Remove a collection and every collection under it."""
    from leadline.services.collections import delete

    click.echo(f"removed: {', '.join(delete(app.engine, name))}")
