"""``leadline lead-time --profile NAME_OR_PATH …``"""

from __future__ import annotations

import json
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.cli.csvout import format_option
from leadline.cli.options import profile_pair_options, window_options
from leadline.metrics.choices import INTERVALS, STATISTICS


@click.command("lead-time")
@profile_pair_options
@click.option(
    "--stat",
    type=click.Choice(STATISTICS),
    default="mean",
    show_default=True,
    help="Statistic per stage; the total is the sum of the stage values.",
)
@window_options
@click.option(
    "--all-time",
    is_flag=True,
    help="Every change ever finished, instead of the default window (not with --from/--to).",
)
@format_option
@click.option("--change", "change_key", metavar="KEY", help="Explain one change stage by stage.")
@click.option(
    "--by",
    metavar="GROUPING",
    help="Also the figures of each group: category (the profile's categories list), type, "
    "priority, label or project (of the change's issue or pull request).",
)
@click.option(
    "--interval",
    type=click.Choice(INTERVALS),
    help="Also the trend: per bucket (UTC; weeks start on Monday) the changes, the total and "
    "each stage's figure; --format csv prints only the trend.",
)
@click.pass_obj
def lead_time_command(
    app: AppContext,
    profile: Any,
    collection: str | None,
    other: Any,
    stat: str,
    window: Any,
    all_time: bool,
    fmt: str,
    change_key: str | None,
    by: str | None,
    interval: str | None,
) -> None:
    """Lead time by stage for the changes that reached the profile's last stage in the window.

    The window is [--from, --to) on the time the last stage was reached; without them, the
    90 days ending at the end of today (UTC), as every report; --all-time for no window. The
    output states it. Changes that have not reached the last stage are in flight and not
    counted.

    Two --profile (what-if): the same window under both, the stages side by side with B − A,
    and the changes both count with their totals under each (docs/lead-time.md#what-if).
    """
    from datetime import UTC, datetime

    from leadline.cli.progress import step_progress
    from leadline.metrics.windows import Window, closed
    from leadline.services import leadtime

    if all_time and (window.start or window.end):
        raise click.UsageError("--all-time takes no --from or --to")
    window = Window() if all_time else closed(window, datetime.now(UTC))

    if by is not None and change_key is not None:
        raise click.UsageError("--by takes no --change")
    if other is not None:
        if by is not None or change_key is not None or interval is not None:
            raise click.UsageError(
                "two --profile (a comparison) take no --by, --change or --interval"
            )
        _compare(app, profile, other, stat, window, fmt)
        return
    _check_interval(interval, change_key, by, fmt, all_time)
    leadtime.check_by(profile, by)
    engine = app.engine
    with step_progress("building timelines") as progress:
        if change_key is not None:
            explained = leadtime.explain(engine, profile, change_key, progress)
            _emit_change(explained, fmt)
            return
        result = leadtime.lead_time(
            engine, profile, stat, window, progress, interval=interval, by=by
        )
    if collection is not None:
        result = {"collection": collection, **result}
    if fmt == "json":
        result.pop("in_flight", None)
        click.echo(json.dumps(result, indent=2))
    elif fmt == "csv" and interval is not None:
        from leadline.services.csvreports import series_csv

        click.echo(series_csv(result), nl=False)
    elif fmt == "csv":  # services.csvreports: the CSV GET /v1/metrics/lead-time gives too
        from leadline.cli.csvout import echo_text
        from leadline.services.csvreports import lead_time_csv

        echo_text(lead_time_csv(result))
    else:
        from leadline.cli.render import category_tables, lead_time_table

        lead_time_table(result, profile, window.start, window.end)
        if "categories" in result:
            category_tables(result)
        if "groups" in result:
            from leadline.cli.leadtime_render import group_table

            group_table(result)
        if interval is not None:
            from leadline.cli.leadtime_series import series_table

            series_table(result, interval)


def _check_interval(
    interval: str | None, change: str | None, by: str | None, fmt: str, all_time: bool
) -> None:
    """``--interval`` needs a window and is one table: not with ``--change``, ``--all-time``,
    nor ``--by`` in CSV (one CSV holds one table)."""
    if interval is None:
        return
    if change is not None:
        raise click.UsageError("--interval takes no --change")
    if all_time:
        raise click.UsageError("--interval takes no --all-time (a trend needs a window)")
    if by is not None and fmt == "csv":
        raise click.UsageError("--interval with --format csv takes no --by")


def _compare(app: AppContext, a: Any, b: Any, stat: str, window: Any, fmt: str) -> None:
    """``--profile A --profile B``: the what-if (services/leadtime_compare.py)."""
    from leadline.cli.leadtime_render import compare_csv, compare_tables
    from leadline.cli.progress import step_progress
    from leadline.services.leadtime_compare import compare

    with step_progress("building timelines") as progress:
        result = compare(app.engine, a, b, stat, window, progress)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
    elif fmt == "csv":
        click.echo(compare_csv(result), nl=False)
    else:
        compare_tables(result)


def _emit_change(explained: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(explained, indent=2))
        return
    if fmt == "csv":
        from leadline.cli.csvout import echo_csv

        rows = [["(start)", explained["start"], None, explained["start_source"]]]
        rows += [[s["name"], s["at"], s["seconds"], s["source"]] for s in explained["stages"]]
        echo_csv(["stage", "at", "seconds", "source"], rows)
        return
    from leadline.cli.render import change_table

    change_table(explained)
