"""Helpers for the end-to-end sync tests: a second fresh database, the records a database
holds, and running ``leadline`` in a subprocess that can be killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from leadline.config import Settings
from leadline.services.database import open_database
from leadline.store.mapping import MAPPINGS
from tests.conftest import fresh_db_url
from tests.replay_server import ReplayServer

ROOT = Path(__file__).parents[2]


@contextmanager
def opened(url: str) -> Iterator[Engine]:
    engine = open_database(Settings(database_url=url))
    try:
        yield engine
    finally:
        engine.dispose()


def records(engine: Engine) -> dict[str, list[Any]]:
    """Every stored record, per kind, as decoded JSON in a fixed order (row ids and
    insertion order do not matter: two databases holding the same records compare equal)."""
    out: dict[str, list[Any]] = {}
    with engine.connect() as conn:
        for kind, mapping in sorted(MAPPINGS.items()):
            rows = conn.execute(select(mapping.table.c.data)).scalars().all()
            out[kind] = sorted((json.loads(r) for r in rows), key=lambda r: json.dumps(r))
    return out


def counts(engine: Engine) -> dict[str, int]:
    return {kind: len(found) for kind, found in records(engine).items() if found}


def leadline_argv(db_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "leadline", "--db", db_url, *args]


def run(db_url: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``leadline --db URL ARGS`` in a subprocess, to the end."""
    return subprocess.run(
        leadline_argv(db_url, *args),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )


def kill_after(
    server: ReplayServer, answered: int, db_url: str, *args: str, env: dict[str, str]
) -> int:
    """Start ``leadline … ARGS``, let the server answer ``answered`` requests, then SIGKILL
    the process while its next request hangs. Returns how many requests arrived."""
    server.hang_after = answered
    process = subprocess.Popen(
        leadline_argv(db_url, *args),
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        if not server.wait_for_requests(answered + 1, timeout=120):
            _, err = process.communicate(timeout=30)
            raise AssertionError(f"the sync ended before {answered + 1} requests: {err!r}")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        server.release()
    assert process.returncode == -signal.SIGKILL
    return len(server.requests)


__all__ = ["counts", "fresh_db_url", "kill_after", "opened", "records", "run"]
