"""``leadline sync jenkins --base-url URL``: pull a Jenkins server's finished builds
(``services.sync.jenkins``)."""

from __future__ import annotations

import os

import click

from leadline.cli.context import AppContext
from leadline.cli.sync.common import format_option, print_report, progress_option, sync_display


@click.command("jenkins")
@click.option(
    "--base-url",
    required=True,
    metavar="URL",
    help="The Jenkins root, e.g. https://jenkins.example.com (with its context path).",
)
@click.option(
    "--job",
    "jobs",
    multiple=True,
    metavar="GLOB",
    help="Only jobs whose full name (folder/job) matches; repeatable. Default: all.",
)
@click.option("--per-page", type=click.IntRange(1, 1000), default=50, hidden=True)
@format_option
@progress_option
@click.pass_obj
def jenkins_command(
    app: AppContext,
    base_url: str,
    jobs: tuple[str, ...],
    per_page: int,
    fmt: str,
    progress: bool | None,
) -> None:
    """Pull the finished builds of a Jenkins server's jobs (folders and multibranch projects
    walked down) as pipeline runs, with the commit each one built.

    Credentials come from JENKINS_USER and JENKINS_TOKEN (an API token; HTTP Basic).
    Without them only an anonymous-readable Jenkins can be read. Every run is stored as
    ci_cd: a profile's pipelines globs (job names) say which jobs are CI and which deploy
    (docs/sources-jenkins.md).
    """
    from leadline.services.sync.jenkins import sync_jenkins
    from leadline.sources.http import RestClient

    user = os.environ.get("JENKINS_USER", "").strip()
    token = os.environ.get("JENKINS_TOKEN", "").strip()
    if bool(user) != bool(token):
        raise click.UsageError("set both JENKINS_USER and JENKINS_TOKEN (or neither)")
    if not token:
        click.echo("leadline: warning: JENKINS_TOKEN is not set: anonymous requests", err=True)
    auth = (user, token) if token else None
    headers = {"User-Agent": "leadline-sync"}
    with (
        sync_display(progress) as display,
        RestClient(base_url.strip().rstrip("/"), headers=headers, auth=auth,
                   on_wait=display.wait) as client,
    ):  # fmt: skip
        report = sync_jenkins(
            app.engine, client, jobs=list(jobs) or None, per_page=per_page,
            on_progress=display.progress, on_warning=display.warn,
        )  # fmt: skip
    print_report(report, fmt)
