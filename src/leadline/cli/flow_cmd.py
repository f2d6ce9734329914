"""``leadline time-in-status`` and ``leadline pr-lead-time`` (docs/flow.md): how long issues
spend in each status (with bounces), and PR lead time by stage with its trend."""

from __future__ import annotations

import json
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.cli.csvout import format_option
from leadline.cli.options import profile_options, window_options
from leadline.metrics.choices import INTERVALS, STATISTICS


def _closed(window: Any) -> Any:
    from datetime import UTC, datetime

    from leadline.metrics.windows import closed

    return closed(window, datetime.now(UTC))


def _named(result: dict[str, Any], collection: str | None) -> dict[str, Any]:
    return result if collection is None else {"collection": collection, **result}


@click.command("time-in-status")
@profile_options
@click.option(
    "--stat",
    type=click.Choice(STATISTICS),
    default="mean",
    show_default=True,
    help="Statistic of each issue's total time in a status.",
)
@window_options
@format_option
@click.pass_obj
def time_in_status_command(
    app: AppContext, profile: Any, collection: str | None, stat: str, window: Any, fmt: str
) -> None:
    """Time in each status, with bounces, for the issues of the profile's scope resolved in
    the window (default: the 90 days ending at the end of today, UTC).

    Per status: the issues that visited it, the statistic of each issue's total time there,
    the total, the visits and the bounces (re-entries into a status already left).
    """
    from leadline.services.time_in_status import time_in_status

    window = _closed(window)
    result = _named(time_in_status(app.engine, profile, stat, window), collection)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
        return
    columns = [
        "status",
        "category",
        "issues",
        "seconds",
        "total_seconds",
        "visits",
        "bounces",
        "bounced_issues",
    ]
    if fmt == "csv":
        rows = [[s[c] for c in columns] for s in _renamed(result["statuses"])]
        click.echo(_csv(columns, rows), nl=False)
        return
    from leadline.cli.render import NO_DATA, escape, human, stated_window

    rows = [
        [
            escape(s["name"]),
            s["category"],
            str(s["issues"]),
            human(s["seconds"]) if s["issues"] else NO_DATA,
            human(s["total_seconds"]),
            str(s["visits"]),
            str(s["bounces"]),
            str(s["bounced_issues"]),
        ]
        for s in result["statuses"]
    ]
    title = (
        f"{escape(result['profile'])} — {stat} time in status, "
        f"{result['issues']} issues resolved ({result['bounced_issues']} bounced)"
    )
    heads = ["status", "category", "issues", stat, "total", "visits", "bounces", "bounced"]
    _table(title, heads, rows, f"window: {stated_window(window.start, window.end)}")


def _renamed(statuses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"status": s["name"], **s} for s in statuses]


@click.command("pr-lead-time")
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
    "--interval",
    type=click.Choice(INTERVALS),
    help="Also the trend: the figures per day, week or month of merge time.",
)
@format_option
@click.pass_obj
def pr_lead_time_command(
    app: AppContext,
    profile: Any,
    collection: str | None,
    stat: str,
    window: Any,
    interval: str | None,
    fmt: str,
) -> None:
    """PR lead time by stage for the pull requests of the profile's scope merged in the
    window: PR creation, time to first comment, approval and merge; the total is their sum.

    A stage whose event is missing (no known commit, no review, no approval) is missing, not
    zero; the next stage is measured from the last event reached.
    """
    from leadline.services.pr_lead_time import pr_lead_time

    window = _closed(window)
    result = _named(pr_lead_time(app.engine, profile, stat, window, interval), collection)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
        return
    if fmt == "csv":
        click.echo(_pr_csv(result), nl=False)
        return
    from leadline.cli.render import NO_DATA, escape, human, stated_window

    def shown(value: float | None) -> str:
        return NO_DATA if value is None else human(value)

    rows = [
        [s["name"], shown(s["seconds"]), str(s["samples"]), str(s["missing"])]
        for s in result["stages"]
    ] + [["Total", shown(result["total_seconds"]), "", ""]]
    title = f"{escape(result['profile'])} — {stat} PR lead time, {result['prs']} PRs merged"
    _table(
        title,
        ["stage", "time", "samples", "missing"],
        rows,
        f"window: {stated_window(window.start, window.end)}",
    )
    if "series" in result:
        names = [s["name"] for s in result["stages"]]
        trend = [
            [
                p["start"],
                str(p["prs"]),
                shown(p["total_seconds"]),
                *(shown(v) for v in p["stages"].values()),
            ]
            for p in result["series"]
        ]
        _table(f"per {interval}", ["from", "PRs", "total", *names], trend, None)


def _table(title: str, heads: list[str], rows: list[list[str]], note: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for i, head in enumerate(heads):
        table.add_column(head, justify="left" if i < 1 else "right")
    for row in rows:
        table.add_row(*row)
    console = Console(highlight=False)
    console.print(table)
    if note:
        console.print(note)


def _csv(heads: list[str], rows: list[list[Any]]) -> str:
    from leadline.csvtext import to_csv

    return to_csv(heads, rows)


def _pr_csv(result: dict[str, Any]) -> str:
    """One row per stage and the total; with ``--interval`` the buckets follow, one row per
    bucket and stage (``bucket`` the first column, empty for the whole window's rows)."""
    rows: list[list[Any]] = [
        ["", s["key"], s["seconds"], s["samples"], s["missing"]] for s in result["stages"]
    ]
    rows.append(["", "total", result["total_seconds"], result["prs"], ""])
    for p in result.get("series", []):
        n = p["samples"]
        rows += [[p["start"], k, v, n[k], p["prs"] - n[k]] for k, v in p["stages"].items()]
        rows.append([p["start"], "total", p["total_seconds"], p["prs"], ""])
    return _csv(["bucket", "stage", "seconds", "samples", "missing"], rows)
