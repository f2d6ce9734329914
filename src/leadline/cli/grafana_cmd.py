"""``leadline grafana > leadline.json``: a Grafana dashboard over ``GET /metrics``
(``services/grafana.py``; import steps in docs/grafana.md). It needs no database."""

from __future__ import annotations

import json

import click


@click.command("grafana")
@click.option(
    "--datasource-uid",
    default=None,
    metavar="UID",
    help="The Prometheus data source's uid (default: chosen on import).",
)
@click.option("--title", default="leadline: DORA", show_default=True,
              help="The dashboard's title.")  # fmt: skip
def grafana_command(datasource_uid: str | None, title: str) -> None:
    """Print a Grafana dashboard (JSON model) of the DORA figures /metrics exposes."""
    from leadline.errors import InputError
    from leadline.services.grafana import dashboard

    if not title.strip():
        raise InputError("--title: give a non-empty title")
    if datasource_uid is not None and not datasource_uid.strip():
        raise InputError("--datasource-uid: give the data source's uid (or leave it out)")
    click.echo(json.dumps(dashboard(title, datasource_uid), indent=2))
