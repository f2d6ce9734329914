"""``leadline doctor --profile NAME_OR_PATH|--collection NAME …``: the data-quality report.

A report, not a gate: the exit code is 0 whatever it finds (2 on bad input, like every
command). The table has one line per check — severity, id, count, what it means and the fix —
and with ``--examples`` the records behind each count under it.
"""

from __future__ import annotations

import json
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.cli.options import profile_options, window_options


@click.command("doctor")
@profile_options
@window_options
@click.option(
    "--examples", "-v", "examples", is_flag=True,
    help="Under each check, the records behind its count (up to 20, newest first).",
)  # fmt: skip
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
def doctor_command(
    app: AppContext,
    profile: Any,
    collection: str | None,
    window: Any,
    examples: bool,
    fmt: str,
) -> None:
    """What the data behind a profile's figures is missing: pull requests without a ticket
    key, deployments of unknown commits, failures linked to no deployment, stages counted 0,
    patterns that match nothing… each with a count, a severity and a fix (docs/doctor.md).

    The window is [--from, --to); without them, the one `leadline dora` uses (the 90 days
    ending at the end of today, UTC).
    """
    from leadline.cli.progress import step_progress
    from leadline.services.doctor import Subject
    from leadline.services.doctor_checks import diagnose

    subject = Subject(profile.name, collection)
    with step_progress("building timelines") as progress:
        report = diagnose(app.engine, profile, window, subject, on_progress=progress)
    data = report.to_json()
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    for line in table_lines(data, examples):
        click.echo(line)


def table_lines(data: dict[str, Any], examples: bool) -> list[str]:
    """The table: a heading naming the subject and the window, one line per check."""
    from leadline.cli.render import window_text
    from leadline.domain.times import parse_time

    subject = data["subject"]
    about = f"profile {subject['profile']}"
    if "collection" in subject:
        about = f"collection {subject['collection']} ({about})"
    window = data["window"]
    start, end = parse_time(window["from"]), parse_time(window["to"])
    lines = [f"Data quality of {about}, {window_text(start, end)} (end exclusive)", ""]
    rows = [
        (c["severity"], c["id"] + (f"[{c.get('stage') or c['rule']}]"
                                   if "stage" in c or "rule" in c else ""),
         "—" if c["count"] is None else str(c["count"]), c)
        for c in data["checks"]
    ]  # fmt: skip
    wide = [max(len(r[i]) for r in rows) for i in range(3)]
    for severity, ident, count, check in rows:
        fix = f" Fix: {check['hint']}" if check["count"] else ""
        lines.append(
            f"{severity:<{wide[0]}}  {ident:<{wide[1]}}  {count:>{wide[2]}}  "
            f"{check['summary']}.{fix}"
        )
        if examples:
            lines.extend(_example(x) for x in check["examples"])
    return lines


def _example(x: dict[str, Any]) -> str:
    parts = [x["record"]]
    if x["at"]:
        parts.append(x["at"])
    if x["detail"]:
        parts.append(x["detail"])
    return "    " + "  ".join(parts)
