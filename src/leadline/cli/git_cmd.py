"""``leadline git PATH …``: zero-config DORA for a local git repository."""

from __future__ import annotations

import json
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.cli.options import window_options


@click.command("git")
@click.argument("path", metavar="PATH")
@click.option(
    "--tags",
    "globs",
    metavar="GLOB",
    multiple=True,
    help="Tags that are production deployments: a shell glob on the tag name (case-sensitive; "
    "* also matches /). Repeat for several. Default: every tag.",
)
@click.option(
    "--repo",
    "name",
    metavar="NAME",
    help="The repository's name in the records (default: origin's path, e.g. acme/api, "
    "else the directory name).",
)
@window_options
@click.option(
    "--interval",
    type=click.Choice(["day", "week", "month"]),
    default="week",
    show_default=True,
    help="Bucket size of the trend series (UTC; weeks start on Monday).",
)
@click.option(
    "--stat",
    type=click.Choice(["mean", "median", "p90", "p95"]),
    default="median",
    show_default=True,
    help="Statistic of the commit lead times.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Read every commit again, not only those new since the last run (e.g. after "
    "deepening a shallow clone).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def git_command(
    app: AppContext,
    path: str,
    globs: tuple[str, ...],
    name: str | None,
    window: Any,
    interval: str,
    stat: str,
    full: bool,
    fmt: str,
) -> None:
    """Import a local git repository and print its DORA metrics, as `leadline dora` does.

    Commits (with parents) are the changes; tags matching GLOB are successful production
    deployments, dated by the tag (tagger date, else the commit's date). Lead time of a
    commit = the first deployment that contains it − its commit time. Re-running imports
    only what is new. The window is [--from, --to); without them, the 90 days ending at the
    end of today (UTC). Import counts go to stderr.
    """
    from leadline.cli.progress import step_progress
    from leadline.services.gitrepo import git_report
    from leadline.sources.gitlog import open_repository

    open_repository(path)  # a bad PATH fails before the database is opened (or created)
    with step_progress("importing commits") as progress:
        done, report = git_report(
            app.engine, path, globs or ("*",), name, window, interval, stat,
            on_progress=progress, full=full,
        )  # fmt: skip
    click.echo(f"leadline: {done.summary()}", err=True)
    deployments = report["deployment_frequency"]["deployments"]
    if not deployments and done.first_tag_at is not None and done.last_tag_at is not None:
        click.echo(
            f"leadline: no deployment in the window; the tags run from "
            f"{done.first_tag_at.date()} to {done.last_tag_at.date()} (use --from/--to)",
            err=True,
        )
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
        return
    from leadline.cli.render import dora_table

    dora_table(report)
