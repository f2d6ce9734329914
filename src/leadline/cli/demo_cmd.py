"""``leadline demo [--anchor DATE] [--seed N] [--force] [--serve]``"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.words import plural

BAND_STYLE = {"elite": "bold green", "high": "green", "medium": "yellow", "low": "red"}
BANDS_MEANING = "elite/high/medium/low as Harness SEI defines them (docs/dora.md)"


@click.command("demo")
@click.option(
    "--anchor",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="DATE",
    help="The day the demo's six months end (UTC, exclusive). Default: today, so the "
    "dashboard's default windows show data. The same anchor and seed give the same records.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    metavar="N",
    default=7,
    show_default=True,
    help="Seed of the generator: another seed, another (equally realistic) history.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Load even if the database holds other data (the demo's profiles and collections "
    "replace any of the same name).",
)
@click.option("--serve", is_flag=True, help="Then run `leadline serve` on the database.")
@click.option("--host", default="127.0.0.1", show_default=True, help="With --serve.")
@click.option("--port", default=8000, show_default=True, type=int, help="With --serve.")
@click.option(
    "--export",
    metavar="PATH",
    help="Write the demo's records as NDJSON to PATH ('-' for stdout) instead of loading them.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json: what was loaded and each team's figures, for scripts.",
)
@click.pass_context
def demo_command(
    ctx: click.Context,
    anchor: datetime | None,
    seed: int,
    force: bool,
    serve: bool,
    host: str,
    port: int,
    export: str | None,
    fmt: str,
) -> None:
    """Load the Acme demo organisation and print its DORA figures per team.

    Six teams (Payments, Checkout, Platform, Mobile; Identity on Azure DevOps and ServiceNow;
    Search on Bitbucket, Jenkins and Opsgenie) over six months: tickets, commits, pull
    requests, CI and CD runs, releases, incidents and generic events, with the usual mess
    (unlinked pull requests, reruns, failed deployments, open incidents). Also stores the
    profiles "Ticket to production" and "PR to production" and the collections Acme and its
    teams. Running it again changes nothing; another --anchor or --seed replaces the previous
    demo. A database that holds anything else is refused unless --force is given. See
    docs/demo.md.
    """
    from leadline.demo.records import default_anchor

    app: AppContext = ctx.obj
    day = default_anchor(datetime.now(UTC)) if anchor is None else anchor.replace(tzinfo=UTC)
    if export is not None:
        _export(export, day, seed)
        return
    from leadline.cli.progress import step_progress
    from leadline.services.demo import load_demo, summary

    with step_progress("loading the demo", min_total=0) as progress:
        load = load_demo(
            app.engine, day, seed, force=force, on_progress=progress,
            batch_size=app.settings.import_batch_size,
        )  # fmt: skip
    with step_progress("DORA per team", min_total=0) as progress:
        rows = summary(app.engine, day, on_progress=progress)
    if fmt == "json":
        from leadline.domain.times import to_micros
        from leadline.metrics.windows import summary_bounds, window_json

        start, end = summary_bounds(day)
        stated = window_json(to_micros(start), to_micros(end))
        figures = [vars(r) for r in rows]
        click.echo(
            json.dumps({"load": load.as_json(), "window": stated, "teams": figures}, indent=2)
        )
    else:
        _print_load(load)
        _print_summary(rows, day)
    if serve:
        from leadline.cli.serve_cmd import serve_command

        click.echo(f"leadline: serving the demo on http://{host}:{port}/", err=True)
        ctx.invoke(serve_command, host=host, port=port)
    elif fmt == "table":
        click.echo("Open the dashboard on it: leadline demo --serve")
        click.echo("See what the data is missing: leadline doctor --collection Acme")


def _export(path: str, day: datetime, seed: int) -> None:
    from leadline.demo.records import generate, ndjson
    from leadline.errors import InputError

    data = ndjson(generate(day, seed))
    if path == "-":
        click.echo(data.decode(), nl=False)
        return
    try:
        with open(path, "wb") as out:
            out.write(data)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    lines = data.count(b"\n")
    click.echo(f"leadline: wrote {plural(lines, 'record')} to {path}", err=True)


def _print_load(load: Any) -> None:
    kinds = sorted(load.counts)
    width = max(len("kind"), *(len(k) for k in kinds))
    click.echo(f"{'kind':<{width}}  {'new':>9}  {'updated':>9}  {'unchanged':>9}")
    for kind in kinds:
        c = load.counts[kind]
        click.echo(f"{kind:<{width}}  {c.new:>9}  {c.updated:>9}  {c.unchanged:>9}")
    what = f"{plural(load.records, 'record')} ({load.new} new"
    what += f", {load.removed} removed)" if load.removed else ")"
    click.echo(f"{what} in {load.seconds:.1f} s; six months to {load.anchor.date()}, "
               f"seed {load.seed}")  # fmt: skip
    if load.replaced:
        click.echo(f"replaced the demo loaded before ({load.replaced})")
    click.echo(f"profiles: {', '.join(load.profiles)}")
    if load.collections:
        click.echo(f"collections: {', '.join(load.collections)}")
    click.echo()


def _print_summary(rows: list[Any], day: datetime) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from leadline.cli.render import escape, human, stated_window
    from leadline.metrics.windows import summary_window

    window = summary_window(day)
    console = Console(highlight=False)
    console.print(f"DORA by team, {stated_window(window.start, window.end)}")
    console.print(f"bands: {BANDS_MEANING}\n")
    # Each figure, right-aligned, then its band in a column of its own.
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 0, 0, 1))
    table.add_column("team", no_wrap=True)
    for name in ("deploys\nper day", "lead\ntime", "failure\nrate", "time to\nrestore"):
        table.add_column(name, justify="right", no_wrap=True)
        table.add_column("band", no_wrap=True)
    for i, r in enumerate(rows):
        if i == len(rows) - 1:
            table.add_section()
        rate = None if r.failure_rate is None else f"{r.failure_rate * 100:.1f} %"
        table.add_row(
            escape(r.team),
            *_cells(None if r.per_day is None else f"{r.per_day:.2f}", r.deployment_band),
            *_cells(human(r.lead_time_seconds) if r.changes else None, r.lead_time_band),
            *_cells(rate, r.failure_band),
            *_cells(
                None if r.restore_seconds is None else human(r.restore_seconds), r.restore_band
            ),
        )
    console.print(table)
    for r in rows:  # a team with a maturity scale of its own (docs/dora.md#custom-levels)
        if r.levels:
            console.print(f"{escape(r.team)}: its own levels, best first: "
                          f"{escape(', '.join(r.levels))}")  # fmt: skip
    console.print()


def _cells(value: str | None, band: str | None) -> tuple[str, str]:
    """The figure (``no data`` for none, never a 0) and its band, in the band's colour (``—``
    for none; a custom level plain)."""
    from leadline.cli.render import NO_DATA, escape

    if band is None:
        return value or NO_DATA, "—"
    style = BAND_STYLE.get(band)  # a custom level's name: in the text colour
    return value or NO_DATA, escape(band) if style is None else f"[{style}]{band}[/]"
