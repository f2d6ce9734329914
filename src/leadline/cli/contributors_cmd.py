"""``leadline contributors list|show|import|unmatched|delete``: the people behind the
records (docs/collections.md, "People")."""

from __future__ import annotations

import json
from pathlib import Path

import click

from leadline.cli.context import AppContext
from leadline.cli.csvout import FORMATS, format_option


@click.group("contributors")
def contributors_group() -> None:
    """Contributors (people) and their identities; the identities no one has.

    Manage them in the org file (`contributors:`), with `import`, or over the API.
    """


@contributors_group.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table",
              show_default=True, help="csv: the format `import` reads.")  # fmt: skip
@click.pass_obj
def list_command(app: AppContext, fmt: str) -> None:
    """Every contributor with their e-mail and identities."""
    from leadline.profiles.people import to_csv
    from leadline.services.contributors import all_contributors

    people = all_contributors(app.engine)
    if fmt == "json":
        click.echo(json.dumps([p.as_json() for p in people], indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(to_csv(people), nl=False)
    elif not people:
        click.echo("no contributors: add them with `leadline contributors import people.csv`")
    for p in people if fmt == "table" else []:
        email = f" <{p.email}>" if p.email else ""
        click.echo(f"{p.name}{email}  {', '.join(p.identities)}".rstrip())


@contributors_group.command("show")
@click.argument("name")
@click.pass_obj
def show_command(app: AppContext, name: str) -> None:
    """One contributor as JSON."""
    from leadline.services.contributors import get

    click.echo(json.dumps(get(app.engine, name).as_json(), indent=2, ensure_ascii=False))


@contributors_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Remove the contributors the file does not name (default: keep them).",
)
@click.pass_obj
def import_command(app: AppContext, path: Path, replace: bool) -> None:
    """Contributors from a CSV file: columns name,email,identities (identities separated
    by `;`; rows of the same name are one contributor). All or nothing."""
    from leadline.services.contributors import import_csv

    report = import_csv(app.engine, path, replace=replace)
    for label, names in (("created", report.created), ("updated", report.updated),
                         ("removed", report.removed), ("unchanged", report.unchanged)):  # fmt: skip
        if names:
            click.echo(f"{label}: {', '.join(names)}")
    if not any((report.created, report.updated, report.removed, report.unchanged)):
        click.echo("contributors: nothing in the file")


@contributors_group.command("unmatched")
@format_option
@click.pass_obj
def unmatched_command(app: AppContext, fmt: str) -> None:
    """Identities seen in records that belong to no contributor, most records first, with
    where they were seen and suggested contributors (same e-mail, same name)."""
    from leadline.services.contributors import unmatched

    found = unmatched(app.engine)
    if fmt == "json":
        click.echo(json.dumps([u.as_json() for u in found], indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        from leadline.cli import csvout

        csvout.unmatched(found)
        return
    if not found:
        click.echo("every identity seen in records belongs to a contributor")
    for u in found:
        seen = ", ".join(f"{s['where']} {s['records']}" for s in u.seen)
        hints = "; ".join(f"{s['contributor']}? ({s['reason']})" for s in u.suggestions)
        click.echo(f"{u.identity}  [{seen}]" + (f"  → {hints}" if hints else ""))


@contributors_group.command("delete")
@click.argument("name")
@click.pass_obj
def delete_command(app: AppContext, name: str) -> None:
    """Remove a contributor (not while a collection names them as a member)."""
    from leadline.services.contributors import delete

    click.echo(f"removed: {delete(app.engine, name)}")
