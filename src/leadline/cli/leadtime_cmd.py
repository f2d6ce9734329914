"""``leadline lead-time --profile NAME_OR_PATH …``"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.cli.options import profile_options, window_options
from leadline.metrics.choices import INTERVALS, STATISTICS


@click.command("lead-time")
@profile_options
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option("--change", "change_key", metavar="KEY", help="Explain one change stage by stage.")
@click.option(
    "--by",
    type=click.Choice(["category"]),
    help="Also the figures of each of the profile's categories (its categories list).",
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
        from leadline.cli.leadtime_series import series_csv

        click.echo(series_csv(result), nl=False)
    elif fmt == "csv":
        click.echo(_csv(result), nl=False)
    else:
        from leadline.cli.render import category_tables, lead_time_table

        lead_time_table(result, profile, window.start, window.end)
        if "categories" in result:
            category_tables(result)
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


def _csv(result: dict[str, Any]) -> str:
    """One row per stage and the total; with ``--by category`` the rows of each category
    follow, under a ``category`` first column (empty for the whole report's rows)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    grouped = "categories" in result
    # A last column, `level`, only when the profile's dora.bands gives stage ranges.
    levels = any("level" in s for s in result["stages"])
    header = ["stage", "seconds", "samples", "missing", "rating", *(["level"] * levels)]
    writer.writerow(["category"] * grouped + header)
    parts = [("", result), *((c["name"], c) for c in result.get("categories", []))]
    for name, part in parts:
        lead = [name] * grouped
        for s in part["stages"]:
            level = [s.get("level") or ""] if levels else []
            row = [s["name"], s["seconds"], s["samples"], s["missing"], s["rating"] or "", *level]
            writer.writerow(lead + row)
        total = ["Total", part["total_seconds"], part["changes"], "", part["rating"] or ""]
        writer.writerow(lead + total + [""] * levels)
    return out.getvalue()


def _emit_change(explained: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(explained, indent=2))
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["stage", "at", "seconds", "source"])
        writer.writerow(["(start)", explained["start"], "", explained["start_source"]])
        for s in explained["stages"]:
            seconds = "" if s["seconds"] is None else s["seconds"]
            writer.writerow([s["name"], s["at"] or "", seconds, s["source"] or ""])
        click.echo(out.getvalue(), nl=False)
        return
    from leadline.cli.render import change_table

    change_table(explained)
