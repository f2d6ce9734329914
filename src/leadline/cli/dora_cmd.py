"""``leadline dora --profile NAME_OR_PATH …``"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.cli.csvout import format_option
from leadline.cli.options import profile_options, window_options
from leadline.metrics.choices import INTERVALS, STATISTICS


@click.command("dora")
@profile_options
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
    default="mean",
    show_default=True,
    help="Statistic for lead time for changes.",
)
@click.option(
    "--compare",
    type=click.Choice(["previous"]),
    default=None,
    help="Also compare each figure with the previous window of the same length "
    "(change, p-value, better / worse / no significant change).",
)
@format_option
@click.pass_obj
def dora_command(
    app: AppContext,
    profile: Any,
    collection: str | None,
    window: Any,
    interval: str,
    stat: str,
    compare: str | None,
    fmt: str,
) -> None:
    """The four DORA metrics with bands and trends, as the profile's dora block defines them
    (--profile: a file or a stored profile's name; or --collection NAME: a team's inherited
    profile and filters).

    The window is [--from, --to); without them, the 90 days ending at the end of today (UTC).
    """
    from leadline.cli.progress import step_progress
    from leadline.services.dora import dora

    with step_progress("building timelines") as progress:
        report = dora(
            app.engine,
            profile,
            window,
            interval,
            stat,
            on_progress=progress,
            compare=compare == "previous",
        )
    shown: Mapping[str, Any] = report
    if collection is not None:
        shown = {"collection": collection, **report}
    if fmt == "json":
        click.echo(json.dumps(shown, indent=2))
        return
    if fmt == "csv":  # services.csvreports: the CSV GET /v1/dora gives too
        from leadline.cli.csvout import echo_text
        from leadline.services.csvreports import dora_csv

        echo_text(dora_csv(shown))
        return
    from leadline.cli.render import dora_table

    dora_table(shown)
