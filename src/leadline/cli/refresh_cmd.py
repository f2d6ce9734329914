"""``leadline refresh [--watch]``: bring every stored profile's and collection's timelines up
to date now (with a progress bar), or keep them so (the server's background refresher)."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.words import plural


@click.command("refresh")
@click.option(
    "--watch", is_flag=True,
    help="Keep refreshing as records arrive, until stopped (what `leadline serve` runs).",
)  # fmt: skip
@click.option(
    "--parent", type=int, default=None, hidden=True,
    help="Stop when the process with this id is gone (the server that started it).",
)  # fmt: skip
@click.pass_obj
def refresh_command(app: AppContext, watch: bool, parent: int | None) -> None:
    """Build or update the materialized timelines of every stored profile and collection.

    Lead-time and DORA reads then answer at once. Safe to run beside a server: it works in
    short chunks, each its own transaction, and resumes where a killed run stopped."""
    from leadline.services.refresher import Refresher

    settings = app.settings
    engine = app.engine
    refresher = Refresher(engine, write_wait=settings.write_wait, poll=settings.refresh_poll)
    if watch:
        _stop_on_signals(refresher, parent)
        refresher.run_forever()
        return
    _once(app, refresher)


def _once(app: AppContext, refresher: Any) -> None:
    from leadline.cli.progress import step_progress
    from leadline.services.refresh import refresh

    engine = app.engine
    for profile in refresher.profiles(engine):
        with step_progress(f"Refreshing {profile.name}", min_total=2000) as progress:
            rebuilt = refresh(engine, profile, progress)
        state = f"{plural(rebuilt, 'change', spec=',')} rebuilt" if rebuilt else "up to date"
        click.echo(f"{profile.name}: {state}")


def _stop_on_signals(refresher: Any, parent: int | None) -> None:
    def stop(*_: object) -> None:
        refresher.stop(timeout=0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if parent is None:
        return

    def watch_parent() -> None:
        while os.getppid() == parent:
            threading.Event().wait(1.0)
        stop()  # the server is gone (killed): so is its refresher

    threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()
