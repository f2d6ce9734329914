"""``leadline sync circleci --project gh/OWNER/NAME``: a CircleCI project's workflows
(``services.sync.circleci``), with the API token from ``CIRCLECI_TOKEN``."""

from __future__ import annotations

import os
from datetime import datetime

import click

from leadline.cli.context import AppContext
from leadline.cli.sync.common import (
    format_option,
    print_report,
    progress_option,
    since_option,
    sync_display,
)
from leadline.errors import ConfigError

CIRCLECI_API = "https://circleci.com/api/v2"


@click.command("circleci")
@click.option(
    "--project",
    required=True,
    metavar="SLUG",
    help="The project slug: gh/OWNER/NAME, bb/OWNER/NAME or circleci/ORG-ID/PROJECT-ID "
    "(Project Settings → Overview).",
)
@click.option(
    "--base-url",
    default=CIRCLECI_API,
    show_default=True,
    help="API root (CircleCI server: https://HOST/api/v2).",
)
@since_option
@format_option
@progress_option
@click.pass_obj
def circleci_command(
    app: AppContext,
    project: str,
    base_url: str,
    since: datetime | None,
    fmt: str,
    progress: bool | None,
) -> None:
    """Pull a CircleCI project's pipelines and their finished workflows (one pipeline run
    each, with the pipeline's commit).

    The API token comes from CIRCLECI_TOKEN (a personal API token; sent as Circle-Token).
    """
    from leadline.services.sync.circleci import sync_circleci
    from leadline.sources.http import RestClient

    token = os.environ.get("CIRCLECI_TOKEN", "").strip()
    if not token:
        raise ConfigError("CircleCI credentials missing: set CIRCLECI_TOKEN (a personal API token)")
    headers = {"Circle-Token": token, "Accept": "application/json", "User-Agent": "leadline-sync"}
    engine = app.engine
    with sync_display(progress) as display:
        root = base_url.strip().rstrip("/")
        with RestClient(root, headers=headers, on_wait=display.wait) as client:
            report = sync_circleci(
                engine,
                client,
                project,
                since=since,
                on_progress=display.progress,
                on_warning=display.warn,
            )
    print_report(report, fmt)
