"""Engines and connections: SQLite (WAL, foreign keys) or PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from leadline.config import normalise_database_url
from leadline.errors import ConfigError, WriteBusy

DEFAULT_WAIT_MS = 30000  # how long a writer waits for the write lock unless told otherwise
SQLITE_PRAGMAS = (
    f"PRAGMA busy_timeout={DEFAULT_WAIT_MS}",  # first: switching to WAL may wait for another
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; raises ``ConfigError`` for an unusable URL."""
    url = normalise_database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"not a database URL: {url!r} (e.g. sqlite:///leadline.db or "
            "postgresql+psycopg://user@host/db)"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"unsupported database {backend!r}: use sqlite or postgresql")
    kwargs: dict[str, Any] = {}
    if backend == "postgresql":
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise ConfigError(f"cannot use database URL {url!r}: {exc}") from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, own transactions (BEGIN is emitted below).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    for pragma in SQLITE_PRAGMAS:
        _execute_waiting(cursor, pragma)
    cursor.close()


def _execute_waiting(cursor: Any, statement: str) -> None:
    """Run a pragma, retrying "database is locked" for up to ``DEFAULT_WAIT_MS``: SQLite
    answers it at once, without waiting its busy timeout, when several connections switch a
    new file to WAL together (several processes or threads opening a new database)."""
    deadline = time.monotonic() + DEFAULT_WAIT_MS / 1000
    pause = 0.005
    while True:
        try:
            cursor.execute(statement)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def _sqlite_on_begin(conn: Any) -> None:
    # Writers take the write lock up front (no lock upgrade, no SQLITE_BUSY mid-transaction),
    # waiting at most their bounded wait; readers start a deferred transaction and never
    # block anyone in WAL mode.
    options = conn.get_execution_options()
    if options.get("leadline_write"):
        wait_ms = options.get("leadline_wait_ms", DEFAULT_WAIT_MS)
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


# The writer lock of one leadline database on PostgreSQL (see ``writing``): this key and the
# schema's name, so that leadline databases kept in different schemas of one PostgreSQL
# database (``?options=-csearch_path%3D…``) do not wait for each other's writers.
PG_WRITER_LOCK = 0x6C65_6164  # "lead"


@contextmanager
def writing(engine: Engine, wait: float | None = None) -> Iterator[Connection]:
    """One write transaction: committed when the block ends, rolled back on any error.

    Writers are serialised on both backends: SQLite by ``BEGIN IMMEDIATE``, PostgreSQL by a
    transaction-scoped advisory lock. That keeps the change log's sequence in commit order
    (an incremental refresh never passes over an uncommitted entry), lets two imports of the
    same new record queue instead of colliding, and makes first-use migrations safe.

    ``wait``: the longest time, in seconds, to wait for the write lock (default: the
    ``bounded_wait`` in force, else 30 s on SQLite and unbounded on PostgreSQL). Past it
    ``WriteBusy`` is raised and nothing is written: the server answers 503 with
    ``Retry-After`` instead of holding a request for minutes.
    """
    if wait is None:
        wait = _WAIT.get()
    options: dict[str, Any] = {"leadline_write": True}
    if wait is not None:
        options["leadline_wait_ms"] = max(1, int(wait * 1000))
    with engine.connect().execution_options(**options) as conn:
        with _lock_wait(conn, wait):
            tx = conn.begin()
            if conn.dialect.name == "postgresql":
                if wait is not None:
                    conn.execute(text(f"SET LOCAL lock_timeout = {options['leadline_wait_ms']}"))
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                    {"key": PG_WRITER_LOCK},
                )
                if wait is not None:
                    conn.execute(text("SET LOCAL lock_timeout = DEFAULT"))
        with tx:
            yield conn


_WAIT: ContextVar[float | None] = ContextVar("leadline_write_wait", default=None)


@contextmanager
def bounded_wait(seconds: float | None) -> Iterator[None]:
    """Every ``writing()`` in this context (and in threads started from it with a copy of
    the context, as ``run_in_threadpool`` does) waits at most ``seconds`` for the write lock.
    The server sets it around each request and each job of its writer thread, so no request
    waits behind a long import; the CLI leaves it unset and waits as long as it takes."""
    token = _WAIT.set(seconds)
    try:
        yield
    finally:
        _WAIT.reset(token)


@contextmanager
def _lock_wait(conn: Connection, wait: float | None) -> Iterator[None]:
    """Turn "the lock was not obtained in time" into ``WriteBusy`` (and roll back)."""
    try:
        yield
    except OperationalError as exc:
        if not is_busy(exc):
            raise
        if conn.in_transaction():
            conn.rollback()
        waited = wait if wait is not None else DEFAULT_WAIT_MS / 1000
        raise WriteBusy(waited) from None


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "another writer holds the lock": SQLite's
    ``database is locked`` or PostgreSQL's ``lock_not_available`` (55P03)."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) == "55P03":
        return True
    message = str(orig).lower()
    return "database is locked" in message or "database table is locked" in message


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only snapshot (rolled back at the end)."""
    with engine.connect() as conn, conn.begin() as tx:
        yield conn
        tx.rollback()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
