"""``leadline sync opsgenie``: alerts (and incidents) as incidents (``services.sync.opsgenie``).
The API key comes from ``OPSGENIE_API_KEY`` and is never printed."""

from __future__ import annotations

from datetime import datetime

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

OPSGENIE_API = "https://api.opsgenie.com"


@click.command("opsgenie")
@click.option("--base-url", default=OPSGENIE_API, show_default=True,
              help="The API: https://api.eu.opsgenie.com for an EU account.")  # fmt: skip
@click.option(
    "--query",
    default="",
    metavar="SEARCH",
    help='Only these alerts/incidents, an Opsgenie search query (e.g. "teams:payments").',
)
@click.option("--incidents/--no-incidents", default=False, show_default=True,
              help="Also pull Opsgenie incidents (/v1/incidents), besides alerts.")  # fmt: skip
@since_option
@click.option("--per-page", type=click.IntRange(1, 100), default=100, hidden=True)
@format_option
@progress_option
@click.pass_obj
def opsgenie_command(
    app: AppContext, base_url: str, query: str, incidents: bool, since: datetime | None,
    per_page: int, fmt: str, progress: bool | None,
) -> None:  # fmt: skip
    """Pull Opsgenie alerts (and incidents with --incidents) as incidents, incrementally on
    updatedAt.

    The API key comes from OPSGENIE_API_KEY (an API integration's key, or an account API key
    with read access), sent as "Authorization: GenieKey KEY".
    """
    from leadline.services.sync.opsgenie import sync_opsgenie
    from leadline.sources.http import RestClient

    key = env_value("OPSGENIE_API_KEY")
    if not key:
        raise ConfigError("Opsgenie credentials: OPSGENIE_API_KEY is not set (an API key with "
                          "read access, sent as GenieKey)")  # fmt: skip
    headers = {"Authorization": f"GenieKey {key}", "Accept": "application/json",
               "User-Agent": "leadline-sync"}  # fmt: skip
    engine = app.engine
    with sync_display(progress) as display:
        root = base_url.strip().rstrip("/")
        with RestClient(root, headers=headers, on_wait=display.wait) as client:
            report = sync_opsgenie(
                engine, client, query=query, incidents=incidents, since=since,
                per_page=per_page, on_progress=display.progress, on_warning=display.warn,
            )  # fmt: skip
    print_report(report, fmt)
