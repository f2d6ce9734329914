"""``leadline sync azure-devops --org-url URL --project NAME``: pull one Azure DevOps project
(``services.sync.azure_devops``). The personal access token comes from the environment."""

from __future__ import annotations

import os
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

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

TOKEN_ENV = "AZURE_DEVOPS_TOKEN"
CLOUD_HOST = "dev.azure.com"


@click.command("azure-devops")
@click.option(
    "--org-url",
    required=True,
    metavar="URL",
    help="The organisation: https://dev.azure.com/ORG (Azure DevOps Server: "
    "https://HOST/COLLECTION).",
)
@click.option("--project", required=True, metavar="NAME", help="The project.")
@click.option(
    "--release-url",
    metavar="URL",
    help="The release API's root (default: https://vsrm.dev.azure.com/ORG for "
    "dev.azure.com, else --org-url).",
)
@since_option
@click.option("--per-page", type=click.IntRange(1, 1000), default=100, hidden=True)
@format_option
@progress_option
@click.pass_obj
def azure_devops_command(
    app: AppContext,
    org_url: str,
    project: str,
    release_url: str | None,
    since: datetime | None,
    per_page: int,
    fmt: str,
    progress: bool | None,
) -> None:
    """Pull an Azure DevOps project: work items with their state history (Boards), pull
    requests with reviewers' votes and the default branches' commits (Repos), builds and
    release deployments (Pipelines).

    Authentication: a personal access token in AZURE_DEVOPS_TOKEN (scopes: Work Items, Code,
    Build and Release, all read), sent as HTTP Basic with an empty user name.
    """
    from leadline.services.sync.azure_devops import sync_azure_devops
    from leadline.sources.http import RestClient

    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise ConfigError(
            f"Azure DevOps credentials missing: set {TOKEN_ENV} to a personal "
            "access token (read scopes: Work Items, Code, Build, Release)"
        )
    root = org_url.strip().rstrip("/")
    releases_root = (release_url or default_release_url(root)).strip().rstrip("/")
    headers = {"Accept": "application/json", "User-Agent": "leadline-sync"}
    auth = ("", token)
    with sync_display(progress) as display:
        client = RestClient(root, headers=headers, auth=auth, on_wait=display.wait)
        releases = RestClient(releases_root, headers=headers, auth=auth, on_wait=display.wait)
        with client, releases:
            report = sync_azure_devops(
                app.engine,
                client,
                releases,
                project,
                since=since,
                per_page=per_page,
                on_progress=display.progress,
                on_warning=display.warn,
            )
    print_report(report, fmt)


def default_release_url(org_url: str) -> str:
    """Azure DevOps Services serves releases from ``vsrm.dev.azure.com/ORG``; a server
    (Azure DevOps Server) serves them from the collection's own URL."""
    parts = urlsplit(org_url)
    if (parts.hostname or "").lower() == CLOUD_HOST:
        netloc = parts.netloc.replace(parts.hostname or CLOUD_HOST, "vsrm." + CLOUD_HOST, 1)
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return org_url
