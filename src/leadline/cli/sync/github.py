"""``leadline sync github``: pull requests, commits, runs, deployments, releases and tags (and
issues) of one repository (``services.sync.github``). The token comes from ``GITHUB_TOKEN``."""

from __future__ import annotations

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

GITHUB_API = "https://api.github.com"


@click.command("github")
@click.option("--repo", required=True, metavar="OWNER/NAME", help="The repository.")
@click.option(
    "--base-url",
    default=GITHUB_API,
    show_default=True,
    help="API root (GitHub Enterprise: https://HOST/api/v3).",
)
@since_option
@click.option("--issues/--no-issues", default=False, help="Also pull issues.", show_default=True)
@click.option(
    "--commit-paths/--no-commit-paths",
    default=False,
    show_default=True,
    help="Also fetch each commit (GET /commits/SHA) for the paths it changes, for scope.paths: "
    "one more request per commit not yet stored with paths.",
)
@click.option("--per-page", type=click.IntRange(1, 100), default=100, hidden=True)
@format_option
@progress_option
@click.pass_obj
def github_command(
    app: AppContext,
    repo: str,
    base_url: str,
    since: datetime | None,
    issues: bool,
    commit_paths: bool,
    per_page: int,
    fmt: str,
    progress: bool | None,
) -> None:
    """Pull a GitHub repository: pull requests (commits, reviews), commits of the default
    branch, workflow runs, deployments, releases and tags (and issues with --issues).

    The token comes from GITHUB_TOKEN (without it: public data, 60 requests an hour).
    """
    from leadline.services.sync.github import sync_github
    from leadline.sources.http import RestClient

    token = token_from_env("GITHUB_TOKEN", "unauthenticated requests (60 an hour)")
    headers = {
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "leadline-sync",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    engine = app.engine
    with sync_display(progress) as display:
        client = RestClient(base_url, headers=headers, on_wait=display.wait)
        with client:
            report = sync_github(
                engine,
                client,
                repo,
                since=since,
                issues=issues,
                commit_paths=commit_paths,
                per_page=per_page,
                on_progress=display.progress,
                on_warning=display.warn,
            )
    print_report(report, fmt)
