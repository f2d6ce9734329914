"""Shared fixtures: a fresh database per test, on SQLite or PostgreSQL.

``LEADLINE_TEST_DATABASE_URL`` selects the backend for the whole run: unset → a SQLite file in
the test's temp dir; a PostgreSQL URL → a fresh schema per test on that server (dropped after
the test), so every test sees an empty, newly migrated database on either backend.
"""

from __future__ import annotations

import io
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text

from leadline.cli.main import main
from leadline.config import Settings, normalise_database_url
from leadline.services.database import open_database

PG_URL = os.environ.get("LEADLINE_TEST_DATABASE_URL", "")
# A server's metric reads wait this long for the background refresher before answering from
# an older build: long enough that tests reading right after a write see it (the tests of
# stale answers set their own, short wait).
os.environ.setdefault("LEADLINE_READ_WAIT", "60")
# Tests never assert on wall-clock time: no Hypothesis deadline (a busy CI machine, or mutmut's
# trampolines, would make a 200 ms deadline fail a correct property).
hypothesis_settings.register_profile("leadline", deadline=None)
hypothesis_settings.load_profile("leadline")
FIXTURES = Path(__file__).parent / "fixtures"


def backend() -> str:
    return "postgresql" if PG_URL else "sqlite"


@contextmanager
def fresh_db_url(tmp_path: Path, name: str = "leadline") -> Iterator[str]:
    """An empty database on the backend of the run: a SQLite file in ``tmp_path``, or a new
    schema on the PostgreSQL server (dropped afterwards)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    base = normalise_database_url(PG_URL)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    with fresh_db_url(tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(Settings(database_url=db_url))
    yield eng
    eng.dispose()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> object:
    """Run ``leadline --db <test db> ARGS`` in-process; returns code, stdout, stderr. The
    terminal is 160 columns wide, so no table cell wraps across the text a test looks for."""
    monkeypatch.setenv("COLUMNS", "160")

    def run(*args: str, stdin: bytes | None = None, db: bool = True) -> CliResult:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        argv = (["--db", db_url] if db else []) + list(args)
        capsys.readouterr()
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
