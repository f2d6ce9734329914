"""``leadline sync bitbucket --repo WS/SLUG``: pull a Bitbucket Cloud or Data Center
repository (``services.sync.bitbucket``)."""

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
    token_from_env,
)

CLOUD_API = "https://api.bitbucket.org/2.0"


@click.command("bitbucket")
@click.option(
    "--repo",
    required=True,
    metavar="WS/SLUG",
    help="Cloud: WORKSPACE/SLUG; Data Center: PROJECT/SLUG (the project key).",
)
@click.option(
    "--data-center",
    "data_center",
    is_flag=True,
    help="Bitbucket Data Center (Server): needs --base-url.",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Cloud: the API root (default https://api.bitbucket.org/2.0); Data "
    "Center: https://HOST[/context] (/rest is added).",
)
@since_option
@click.option("--per-page", type=click.IntRange(1, 100), default=50, hidden=True)
@format_option
@progress_option
@click.pass_obj
def bitbucket_command(
    app: AppContext,
    repo: str,
    data_center: bool,
    base_url: str | None,
    since: datetime | None,
    per_page: int,
    fmt: str,
    progress: bool | None,
) -> None:
    """Pull a Bitbucket repository: pull requests (commits, approvals, the build statuses of
    their head commits) and, on Cloud, Pipelines runs and deployments.

    The token comes from BITBUCKET_TOKEN: a repository, project or workspace access token
    (sent as a Bearer token), or an app password when BITBUCKET_USERNAME is set too (HTTP
    Basic). Without it only public repositories can be read.
    """
    from leadline.services.sync.bitbucket import sync_bitbucket
    from leadline.sources.http import RestClient

    if data_center and not base_url:
        raise click.UsageError("--data-center needs --base-url https://HOST")
    token = token_from_env("BITBUCKET_TOKEN", "unauthenticated requests (public repositories only)")
    username = os.environ.get("BITBUCKET_USERNAME", "").strip()
    headers = {"User-Agent": "leadline-sync", "Accept": "application/json"}
    auth: tuple[str, str] | None = None
    if token and username:
        auth = (username, token)
    elif token:
        headers["Authorization"] = f"Bearer {token}"
    root = api_root(base_url, data_center=data_center)
    with (
        sync_display(progress) as display,
        RestClient(root, headers=headers, auth=auth, on_wait=display.wait) as client,
    ):
        report = sync_bitbucket(
            app.engine, client, repo,
            flavour="dc" if data_center else "cloud", since=since, per_page=per_page,
            on_progress=display.progress, on_warning=display.warn,
        )  # fmt: skip
    print_report(report, fmt)


def api_root(base_url: str | None, *, data_center: bool) -> str:
    """Cloud: the API root as given (default ``https://api.bitbucket.org/2.0``); Data
    Center: ``https://HOST[/context]`` → ``…/rest`` (a URL that already ends so is kept)."""
    root = (base_url or CLOUD_API).strip().rstrip("/")
    if data_center and not root.endswith("/rest"):
        return f"{root}/rest"
    return root
