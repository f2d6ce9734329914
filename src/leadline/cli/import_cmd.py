"""``leadline import PATH… | -``"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO

import click

from leadline.cli.context import AppContext
from leadline.cli.csvout import format_option
from leadline.words import plural

PROGRESS_MIN_BYTES = 4 * 1024 * 1024


@click.command("import")
@click.argument("paths", nargs=-1, required=True, metavar="PATH…")
@format_option
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a TTY).")
@click.pass_obj
def import_command(
    app: AppContext, paths: tuple[str, ...], fmt: str, progress: bool | None
) -> None:
    """Load NDJSON records from files, or '-' for stdin.

    All-or-nothing: a bad line anywhere means nothing is written, and every bad line is
    reported as PATH:LINE: field: problem (exit code 2). A value the database cannot store
    (a NUL, a lone surrogate, an integer past 64 bits, a non-finite number) is a bad line.

    A record whose end precedes its start (merged before created…) is stored, and reported
    on stderr as a warning: PATH:LINE: field: problem, then the count.
    """
    from leadline.services.ingest import Source, import_ndjson

    engine = app.engine
    with ExitStack() as stack:
        sources = [Source(name, stack.enter_context(_open(name))) for name in paths]
        total = sum(_size(name) for name in paths)
        show = progress if progress is not None else (sys.stderr.isatty() and total > 0)
        show = bool(show) and total >= (0 if progress else PROGRESS_MIN_BYTES)
        with _progress_bar(show, total) as advance:
            report = import_ndjson(
                engine, sources, batch_size=app.settings.import_batch_size, on_progress=advance
            )
    _print_warnings(report.warnings, report.warning_count)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2))
        return
    if fmt == "csv":
        from leadline.cli import csvout

        csvout.imported(report.counts)
        return
    _print_table(report)


def _print_warnings(lines: list[str], total: int) -> None:
    for line in lines:
        click.echo(f"{line} (warning: stored)", err=True)
    if total > len(lines):
        click.echo(f"… and {total - len(lines)} more", err=True)
    if total:
        click.echo(
            f"leadline: warning: {plural(total, 'record')} stored with an end before their start",
            err=True,
        )


def _open(name: str) -> BinaryIO:
    from leadline.errors import InputError

    if name == "-":
        return _NoClose(sys.stdin.buffer)  # type: ignore[return-value]
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{name}: is a directory, not an NDJSON file")
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None


class _NoClose:
    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._stream)

    def __enter__(self) -> _NoClose:
        return self

    def __exit__(self, *_: object) -> None:
        return None


def _size(name: str) -> int:
    if name == "-":
        return 0
    try:
        return Path(name).stat().st_size
    except OSError:
        return 0


@contextmanager
def _progress_bar(show: bool, total: int) -> Iterator[_Advance | None]:
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("importing", total=total)
        yield _Advance(bar, task)


class _Advance:
    """Progress callback that updates the bar every ~1 MB rather than every line."""

    def __init__(self, bar: object, task: object) -> None:
        self._bar = bar
        self._task = task
        self._pending = 0

    def __call__(self, n: int) -> None:
        self._pending += n
        if self._pending >= 1 << 20:
            self._bar.advance(self._task, self._pending)  # type: ignore[attr-defined]
            self._pending = 0


def _print_table(report: object) -> None:
    from leadline.services.ingest import ImportReport

    assert isinstance(report, ImportReport)
    kinds = sorted(report.counts)
    width = max([len("kind"), *(len(k) for k in kinds)])
    click.echo(f"{'kind':<{width}}  {'new':>9}  {'updated':>9}  {'unchanged':>9}")
    for kind in kinds:
        c = report.counts[kind]
        click.echo(f"{kind:<{width}}  {c.new:>9}  {c.updated:>9}  {c.unchanged:>9}")
    rate = round(report.records / report.seconds) if report.seconds > 0 else 0
    click.echo(f"{plural(report.records, 'record')} in {report.seconds:.2f} s "
               f"({plural(rate, 'record', spec=',')}/s)")  # fmt: skip
