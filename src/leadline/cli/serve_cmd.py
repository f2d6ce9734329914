"""``leadline serve``"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from leadline.cli.context import AppContext


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--access-log/--no-access-log", default=True, show_default=True,
    help="Log one line per request on stderr.",
)  # fmt: skip
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64),
    help="Worker processes (each batches its own webhook deliveries).",
)  # fmt: skip
@click.pass_obj
def serve_command(app: AppContext, host: str, port: int, access_log: bool, workers: int) -> None:
    """Run the HTTP API and the web dashboard (see docs/api.md and docs/dashboard.md).

    A background process keeps every profile's figures current (leadline refresh --watch);
    reads answer from the last complete build and say how current it is."""
    import uvicorn

    from leadline.api.app import create_app
    from leadline.api.logs import log_config

    app.engine  # noqa: B018 - open and migrate the database before taking requests
    _tune_gc()
    settings = app.settings.model_copy(update={"refresher": "external"})
    with _refresher(settings.database_url):
        if workers == 1:
            uvicorn.run(
                create_app(settings), host=host, port=port, log_level="info",
                access_log=access_log, log_config=log_config(),
            )  # fmt: skip
            return
        # Each worker builds its app from the environment: pass the resolved settings on.
        os.environ["LEADLINE_DATABASE_URL"] = settings.database_url
        os.environ["LEADLINE_REFRESHER"] = "external"
        uvicorn.run(
            "leadline.api.app:app_from_environment", factory=True, workers=workers, host=host,
            port=port, log_level="info", access_log=access_log, log_config=log_config(),
        )  # fmt: skip


@contextmanager
def _refresher(database_url: str) -> Iterator[None]:
    """The background refresher in a process of its own (``leadline refresh --watch``):
    building timelines is CPU work in Python, which in the server's process would take the
    interpreter lock from the event loop. It ends with the server (and by itself if the
    server is killed).

    uvicorn answers SIGTERM with a graceful shutdown, then raises the signal again with the
    handler it found at start: under the default one the process would die there, before this
    ``finally`` stops the child. So SIGTERM is made an exit (status 143) that unwinds it."""
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    command = [sys.executable, "-m", "leadline", "--db", database_url, "refresh", "--watch",
               "--parent", str(os.getpid())]  # fmt: skip
    child = subprocess.Popen(command)
    try:
        yield
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _tune_gc() -> None:
    """A request allocates thousands of short-lived objects (a webhook body decodes into a
    tree of dicts) and few cycles: collect the young generation less often, and leave
    everything loaded at start-up out of every collection. About 13 % less CPU per webhook
    delivery (bench/webhooks.py)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
