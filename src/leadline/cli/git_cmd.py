"""``leadline git PATH …``: zero-config DORA for a local git repository."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from leadline.cli.context import AppContext
from leadline.cli.csvout import format_option
from leadline.cli.options import window_options
from leadline.metrics.choices import INTERVALS, STATISTICS

if TYPE_CHECKING:
    from leadline.services.gitrepo import GitImport


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
    "--all-tags",
    is_flag=True,
    help="Count every matching tag as a deployment. Default: releases only, leaving out "
    "pre-releases (1.0rc1, 2.0.dev1, v1.2.3-beta.1, …) and tags that ship no commit an "
    "earlier release did not ship.",
)
@click.option(
    "--paths",
    "paths",
    metavar="GLOB",
    multiple=True,
    help="Report only the commits that change a matching path, and the tags that ship one "
    "(a monorepo's component): a shell glob on the repository-relative path (case-sensitive; "
    "* also matches /, so 'src/**' is everything under src/). Repeat for several.",
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
    type=click.Choice(INTERVALS),
    default="week",
    show_default=True,
    help="Bucket size of the trend series (UTC; weeks start on Monday).",
)
@click.option(
    "--stat",
    type=click.Choice(STATISTICS),
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
    "--allow-empty",
    is_flag=True,
    help="Print the report even when it counts no deployment (default: a message saying "
    "why, and exit code 3).",
)
@format_option
@click.pass_obj
def git_command(
    app: AppContext,
    path: str,
    globs: tuple[str, ...],
    all_tags: bool,
    paths: tuple[str, ...],
    name: str | None,
    window: Any,
    interval: str,
    stat: str,
    full: bool,
    allow_empty: bool,
    fmt: str,
) -> None:
    """Import a local git repository and print its DORA metrics, as `leadline dora` does.

    Commits (with parents) are the changes; tags matching GLOB are successful production
    deployments, dated by the tag (tagger date, else the commit's date); unless --all-tags,
    only releases (see --all-tags). Lead time of a commit = the first deployment that
    contains it − its commit time. With --paths, every commit is still imported (a tag
    ships by ancestry through all of them) but only the commits changing a matching path
    count, and only the tags that ship one. Re-running imports only what is new. The window is
    [--from, --to); without them, the 90 days ending at the end of today (UTC). Import
    counts go to stderr. No deployment in the window is exit code 3, unless --allow-empty.
    """
    from leadline.cli.progress import step_progress
    from leadline.services.gitrepo import git_report, require_deployment
    from leadline.sources.git.gitlog import open_repository

    open_repository(path)  # a bad PATH fails before the database is opened (or created)
    with step_progress("importing commits") as progress:
        done, report = git_report(
            app.engine, path, globs or ("*",), name, window, interval, stat,
            on_progress=progress, full=full, releases_only=not all_tags, paths=paths or None,
        )  # fmt: skip
    _tell(done)
    if not allow_empty:
        require_deployment(done, report)
    elif not report["deployment_frequency"]["deployments"]:
        click.echo(f"leadline: {done.no_deployment(report, allowed=True)}", err=True)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
        return
    if fmt == "csv":  # the CSV of `leadline dora`
        from leadline.cli.csvout import echo_text
        from leadline.services.csvreports import dora_csv

        echo_text(dora_csv(report))
        return
    from leadline.cli.render import dora_table

    dora_table(report)


def _tell(done: GitImport) -> None:
    """What was imported, left out and read unusually: stderr, before any report or error."""
    click.echo(f"leadline: {done.summary()}", err=True)
    if (line := done.selection()) is not None:
        click.echo(f"leadline: {line}", err=True)
    for warning in done.warnings():
        click.echo(f"leadline: warning: {warning}", err=True)
