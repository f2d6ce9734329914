"""``leadline doctor --profile NAME_OR_PATH|--collection NAME …``: the data-quality report.

A report, not a gate: the exit code is 0 whatever it finds (2 on bad input, like every
command). The table has one line per check — severity, id, count, what it means and the fix —
and with ``--examples`` the records behind each count under it. ``--excluded`` lists instead
every record the ``exclude`` rules took out, under the rule that did.
"""

from __future__ import annotations

import json
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.cli.csvout import format_option
from leadline.cli.options import profile_options, window_options


@click.command("doctor")
@profile_options
@window_options
@click.option(
    "--examples", "-v", "examples", is_flag=True,
    help="Under each check, the records behind its count (up to 20, newest first).",
)  # fmt: skip
@click.option(
    "--excluded",
    is_flag=True,
    help="Instead of the checks: every record the exclude rules took out of the window, "
    "under the rule that did (the records behind the excluded_by_rule counts).",
)
@format_option
@click.pass_obj
def doctor_command(
    app: AppContext,
    profile: Any,
    collection: str | None,
    window: Any,
    examples: bool,
    excluded: bool,
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
    if excluded:
        from leadline.services.doctor_exclusions import excluded_report

        found = excluded_report(app.engine, profile, window, subject)
        if fmt == "csv":
            from leadline.cli import csvout

            csvout.excluded(found)
            return
        text = json.dumps(found, indent=2) if fmt == "json" else "\n".join(excluded_lines(found))
        click.echo(text)
        return
    with step_progress("building timelines") as progress:
        report = diagnose(app.engine, profile, window, subject, on_progress=progress)
    data = report.to_json()
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    if fmt == "csv":
        from leadline.cli import csvout

        csvout.doctor(data, examples)
        return
    for line in table_lines(data, examples):
        click.echo(line)


def excluded_lines(data: dict[str, Any]) -> list[str]:
    """One heading line per rule (with its count), its records under it."""
    lines = [f"Records excluded from {_about(data)}", ""]
    if not data["rules"]:
        lines.append("No exclude rules.")
    for rule in data["rules"]:
        lines.append(f"{rule['rule']}: {rule['count']}")
        lines.extend(_example(x) for x in rule["records"])
    return lines


def _about(data: dict[str, Any]) -> str:
    """The subject and the window of a report, as the heading names them."""
    from leadline.cli.render import window_text
    from leadline.domain.times import parse_time

    subject = data["subject"]
    about = f"profile {subject['profile']}"
    if "collection" in subject:
        about = f"collection {subject['collection']} ({about})"
    window = data["window"]
    start, end = parse_time(window["from"]), parse_time(window["to"])
    return f"{about}, {window_text(start, end)} (end exclusive)"


def table_lines(data: dict[str, Any], examples: bool) -> list[str]:
    """The table: a heading naming the subject and the window, one line per check."""
    lines = [f"Data quality of {_about(data)}", ""]
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
