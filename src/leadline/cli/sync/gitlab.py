"""``leadline sync gitlab --project ID``: pull a GitLab project (``services.sync.gitlab``)."""

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

GITLAB_URL = "https://gitlab.com"


@click.command("gitlab")
@click.option(
    "--project",
    required=True,
    metavar="ID",
    help="The project: its numeric id or its path (group/project).",
)
@click.option(
    "--base-url",
    default=GITLAB_URL,
    show_default=True,
    metavar="URL",
    help="The GitLab instance (self-managed: https://HOST); /api/v4 is added.",
)
@since_option
@click.option(
    "--commit-paths/--no-commit-paths",
    default=False,
    show_default=True,
    help="Also fetch each commit's diff (GET /repository/commits/SHA/diff) for the paths it "
    "changes, for scope.paths: one more request per commit not yet stored with paths.",
)
@click.option("--per-page", type=click.IntRange(1, 100), default=100, hidden=True)
@format_option
@progress_option
@click.pass_obj
def gitlab_command(
    app: AppContext,
    project: str,
    base_url: str,
    since: datetime | None,
    commit_paths: bool,
    per_page: int,
    fmt: str,
    progress: bool | None,
) -> None:
    """Pull a GitLab project: merge requests (commits, notes, approvals), commits of the
    default branch (with parents), finished pipelines, deployments and releases.

    The token comes from GITLAB_TOKEN (a personal, project or group access token with
    read_api; sent as PRIVATE-TOKEN). Without it only public projects can be read.
    """
    from leadline.services.sync.gitlab import sync_gitlab
    from leadline.sources.http import RestClient

    token = token_from_env("GITLAB_TOKEN", "unauthenticated requests (public projects only)")
    headers = {"User-Agent": "leadline-sync"}
    if token:
        headers["PRIVATE-TOKEN"] = token
    engine = app.engine
    with (
        sync_display(progress) as display,
        RestClient(api_root(base_url), headers=headers, on_wait=display.wait) as client,
    ):
        report = sync_gitlab(
            engine,
            client,
            project,
            since=since,
            commit_paths=commit_paths,
            per_page=per_page,
            on_progress=display.progress,
            on_warning=display.warn,
        )
    print_report(report, fmt)


def api_root(base_url: str) -> str:
    """``https://HOST[/prefix]`` → ``…/api/v4`` (a URL that already ends so is kept)."""
    root = base_url.strip().rstrip("/")
    return root if root.endswith("/api/v4") else f"{root}/api/v4"
