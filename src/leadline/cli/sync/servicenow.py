"""``leadline sync servicenow``: incidents, and change requests as deployments
(``services.sync.servicenow``). Credentials come from the environment and are never printed."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from leadline.cli.context import AppContext
from leadline.cli.sync.common import (
    env_value,
    format_option,
    print_report,
    progress_option,
    since_option,
    sync_display,
)
from leadline.errors import ConfigError

SERVICENOW_AUTH = "set SERVICENOW_USER and SERVICENOW_PASSWORD (basic auth; a user with read " \
    "access to the incident and change_request tables)"  # fmt: skip


@click.command("servicenow")
@click.option("--instance", required=True, metavar="URL",
              help="The instance: https://YOUR-INSTANCE.service-now.com")  # fmt: skip
@click.option("--query", default="", metavar="ENCODED_QUERY",
              help="Only these records, as an encoded query (e.g. assignment_group=…); "
              "no ORDERBY and no ^NQ.")  # fmt: skip
@click.option(
    "--table", "tables", multiple=True, type=click.Choice(["incident", "change_request"]),
    help="The tables to pull (repeatable; default both).",
)  # fmt: skip
@since_option
@click.option("--per-page", type=click.IntRange(1, 10000), default=100, hidden=True)
@format_option
@progress_option
@click.pass_obj
def servicenow_command(
    app: AppContext, instance: str, query: str, tables: tuple[str, ...],
    since: datetime | None, per_page: int, fmt: str, progress: bool | None,
) -> None:  # fmt: skip
    """Pull ServiceNow incidents (→ incidents) and change requests (→ deployments) through
    the Table API, incrementally on sys_updated_on.

    Basic auth from SERVICENOW_USER and SERVICENOW_PASSWORD. ServiceNow date-times carry no
    zone: they are read in LEADLINE_SERVICENOW_TIMEZONE (UTC when unset — the zone of the
    Table API's actual values); the zone used is printed on every run.
    """
    from leadline.services.sync.servicenow import TABLES, sync_servicenow
    from leadline.sources.http import RestClient

    user, password = env_value("SERVICENOW_USER"), env_value("SERVICENOW_PASSWORD")
    if not (user and password):
        pairs = (("SERVICENOW_USER", user), ("SERVICENOW_PASSWORD", password))
        missing = " and ".join(name for name, value in pairs if not value)
        raise ConfigError(f"ServiceNow credentials: {missing} not set ({SERVICENOW_AUTH})")
    zone_name = app.settings.servicenow_timezone
    how = "LEADLINE_SERVICENOW_TIMEZONE" if os.environ.get("LEADLINE_SERVICENOW_TIMEZONE") \
        else "the default; set LEADLINE_SERVICENOW_TIMEZONE to change it"  # fmt: skip
    click.echo(f"leadline: servicenow: date-times without a zone are read as {zone_name} "
               f"({how})", err=True)  # fmt: skip
    headers = {"Accept": "application/json", "User-Agent": "leadline-sync"}
    engine = app.engine
    with sync_display(progress) as display:
        root = instance.strip().rstrip("/")
        with RestClient(root, headers=headers, auth=(user, password),
                        on_wait=display.wait) as client:  # fmt: skip
            report = sync_servicenow(
                engine, client, ZoneInfo(zone_name), query=query,
                tables=tables or tuple(TABLES), since=since, per_page=per_page,
                on_progress=display.progress, on_warning=display.warn,
            )  # fmt: skip
    print_report(report, fmt)
