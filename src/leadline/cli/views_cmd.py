"""``leadline views list|show NAME``: the saved views of the org file (``views:``), as
``leadline apply`` stored them; each is drawn by the dashboard at ``/v/NAME``."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import click

from leadline.cli.context import AppContext

FORMATS = click.Choice(["table", "json"])


@click.group("views")
def views_group() -> None:
    """Saved views (dashboards): list, show. Define them under `views:` in the org file;
    the dashboard draws each at /v/NAME."""


@views_group.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def list_command(app: AppContext, fmt: str) -> None:
    """Every view, in the org file's order: what it shows and its widgets."""
    from leadline.services.views import every

    found = [v.as_json() for v in every(app.engine)]
    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo("no views: define them under views: in the org file (`leadline apply`)")
    for v in found:
        click.echo(f"{v['name']}  [{_shows(v)}]  {_defaults(v)}  {', '.join(v['widgets'])}")


@views_group.command("show")
@click.argument("name")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def show_command(app: AppContext, name: str, fmt: str) -> None:
    """One view: what it shows, its widgets in order, its default window, and its URL."""
    from leadline.services.views import get

    v = get(app.engine, name).as_json()
    if fmt == "json":
        click.echo(json.dumps(v, indent=2))
        return
    rows = [("name", v["name"]), ("shows", _shows(v)), ("widgets", ", ".join(v["widgets"])),
            ("defaults", _defaults(v)), ("path", f"/v/{quote(v['name'], safe='')}")]  # fmt: skip
    if v["description"]:
        rows.insert(1, ("description", v["description"]))
    for label, value in rows:
        click.echo(f"{label + ':':<13}{value}")


def _shows(v: dict[str, Any]) -> str:
    return f"collection {v['collection']}" if v["collection"] else f"profile {v['profile']}"


def _defaults(v: dict[str, Any]) -> str:
    """The view's window, interval and statistic; unset ones are every report's defaults."""
    found = v["range"] or {}
    window = (f"last {found['days']} days" if "days" in found else
              f"{found.get('from', '…')} → {found.get('to', '…')}" if found else
              "default window")  # fmt: skip
    return f"{window}, by {v['interval'] or 'week'}, {v['stat'] or 'mean'}"
