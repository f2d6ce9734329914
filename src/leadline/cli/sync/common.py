"""``leadline sync``: the group and what every tool's command shares.

``sync_group`` is the click group; each tool's command lives in its own module of this
package and is attached with ``sync_group.add_command(...)`` (``cli.main._register``). The
helpers: ``token_from_env`` and ``env_value`` (credentials from the environment, never
printed), ``sync_display`` (progress bar, rate-limit waits and warnings on stderr) and
``print_report`` (counts on stdout).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from leadline.words import plural

if TYPE_CHECKING:
    from leadline.services.sync.engine import SyncReport


@click.group("sync")
def sync_group() -> None:
    """Pull history from a tool's REST API, incrementally and resumably.

    Each run continues from cursors stored in the database, so a re-run fetches only
    what changed, and a run that was killed resumes where it stopped. Tokens come from the
    environment and are never printed.
    """


def token_from_env(name: str, what: str) -> str | None:
    """The token in ``$name``, or ``None`` with a warning on stderr (unauthenticated calls
    work on public data but with a low rate limit)."""
    token = os.environ.get(name, "").strip()
    if not token:
        click.echo(f"leadline: warning: {name} is not set: {what}", err=True)
        return None
    return token


@dataclass
class SyncDisplay:
    """Callbacks for a sync: ``progress(resource, pages, items)``, ``wait(seconds, reason)``
    (rate limits, retries) and ``warn(message)``; all on stderr."""

    progress: Callable[[str, int, int], None]
    wait: Callable[[float, str], None]
    warn: Callable[[str], None]


@contextmanager
def sync_display(show_progress: bool | None = None) -> Iterator[SyncDisplay]:
    """A live line per resource on a terminal (``--progress`` forces it, ``--no-progress``
    hides it); waits and warnings are always printed, as plain lines."""
    show = sys.stderr.isatty() if show_progress is None else show_progress
    if not show:
        yield SyncDisplay(lambda *_: None, _print_wait(click.echo), _print_warning(click.echo))
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    console = Console(stderr=True)
    bar = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        TextColumn("{task.fields[counts]}"),
        console=console,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def progress(resource: str, pages: int, items: int) -> None:
        if resource not in tasks:
            tasks[resource] = bar.add_task(resource, total=None, counts="")
        counts = f"{plural(pages, 'page')}, {plural(items, 'item')}"
        bar.update(tasks[resource], counts=counts)

    def echo(message: str, err: bool = True) -> None:
        console.print(message, markup=False, highlight=False)

    with bar:
        yield SyncDisplay(progress, _print_wait(echo), _print_warning(echo))


def _print_wait(echo: Callable[..., None]) -> Callable[[float, str], None]:
    def wait(seconds: float, reason: str) -> None:
        if seconds >= 0.5:
            echo(f"leadline: {reason}, waiting {seconds:.0f} s", err=True)

    return wait


def _print_warning(echo: Callable[..., None]) -> Callable[[str], None]:
    def warn(message: str) -> None:
        echo(f"leadline: warning: {message}", err=True)

    return warn


def print_report(report: SyncReport, fmt: str) -> None:
    """The sync's counts per kind (new, updated, unchanged) on stdout; records stored with
    an end before their start on stderr (a data-quality warning each, then the count)."""
    for line in report.quality_warnings:
        click.echo(f"leadline: data quality: {line}", err=True)
    if report.quality_warning_count:
        n = plural(report.quality_warning_count, "record")
        click.echo(f"leadline: {n} stored with an end before their start", err=True)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2))
        return
    kinds = sorted(report.counts)
    width = max([len("kind"), *(len(k) for k in kinds)])
    click.echo(f"{'kind':<{width}}  {'new':>9}  {'updated':>9}  {'unchanged':>9}")
    for kind in kinds:
        c = report.counts[kind]
        click.echo(f"{kind:<{width}}  {c.new:>9}  {c.updated:>9}  {c.unchanged:>9}")
    new = sum(c.new for c in report.counts.values())
    updated = sum(c.updated for c in report.counts.values())
    click.echo(
        f"{report.source} {report.scope}: {new} new, {updated} updated, "
        f"{plural(report.requests, 'request')}"
        + (f", {plural(len(report.warnings), 'item')} skipped" if report.warnings else "")
    )


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    from leadline.domain.times import parse_bound

    try:
        return parse_bound(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
progress_option = click.option(
    "--progress/--no-progress", default=None, help="Progress display (default: on a terminal)."
)
since_option = click.option(
    "--since",
    metavar="D",
    callback=_since,
    help="How far back the first sync reaches (date or RFC 3339 time); later runs go on "
    "from their cursors.",
)


def env_value(name: str) -> str:
    """``$name`` without surrounding blanks ("" when unset): for credentials that are required
    (the command says which are missing)."""
    return os.environ.get(name, "").strip()
