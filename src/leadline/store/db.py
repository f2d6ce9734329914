"""Engines and connections: SQLite (WAL, foreign keys) or PostgreSQL through psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from leadline.config import normalise_database_url
from leadline.errors import ConfigError

SQLITE_PRAGMAS = (
    "PRAGMA busy_timeout=30000",  # first: switching to WAL below may wait for another opener
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
        cursor.execute(pragma)
    cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    # Writers take the write lock up front (no lock upgrade, no SQLITE_BUSY mid-transaction);
    # readers start a deferred transaction and never block anyone in WAL mode.
    if conn.get_execution_options().get("leadline_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


# One key for every leadline writer on a PostgreSQL database (see ``writing``).
PG_WRITER_LOCK = 0x6C65_6164  # "lead"


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction: committed when the block ends, rolled back on any error.

    Writers are serialised on both backends: SQLite by ``BEGIN IMMEDIATE``, PostgreSQL by a
    transaction-scoped advisory lock. That keeps the change log's sequence in commit order
    (an incremental refresh never passes over an uncommitted entry), lets two imports of the
    same new record queue instead of colliding, and makes first-use migrations safe.
    """
    with engine.connect().execution_options(leadline_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITER_LOCK})
        yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only snapshot (rolled back at the end)."""
    with engine.connect() as conn, conn.begin() as tx:
        yield conn
        tx.rollback()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
