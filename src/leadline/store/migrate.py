"""Schema migrations (Alembic), applied automatically on first use of a database."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

from leadline.errors import StoreError
from leadline.store.db import writing

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Connection) -> object:
    """An Alembic ``Config`` for leadline's migrations that runs them on ``connection``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


_REVISION = re.compile(r'^revision = "([^"]+)"$', re.M)
_DOWN = re.compile(r'^down_revision = "([^"]+)"$', re.M)


@functools.cache
def head_revision() -> str:
    """The newest migration: the one no other revises. Read from the files' two lines
    (loading alembic's ScriptDirectory cost every command a quarter of a second)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if m := _REVISION.search(text):
            revisions.add(m[1])
        if m := _DOWN.search(text):
            revised.add(m[1])
    heads = revisions - revised
    assert len(heads) == 1, f"migrations must form one line, heads: {sorted(heads)}"
    return heads.pop()


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    row = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


def ensure_schema(engine: Engine) -> None:
    """Bring the database to the newest schema; cheap when it already is."""
    try:
        with engine.connect() as conn:
            current = current_revision(conn)
        if current == head_revision():
            return
        from alembic import command

        with writing(engine) as conn:
            # Re-check under the write lock: another process may have migrated meanwhile.
            if current_revision(conn) == head_revision():
                return
            command.upgrade(alembic_config(conn), "head")  # type: ignore[arg-type]
    except (OperationalError, DBAPIError) as exc:
        raise StoreError(f"cannot open database {engine.url!r}: {_reason(exc)}") from exc
    except Exception as exc:
        if type(exc).__name__ == "CommandError":  # alembic: a revision this version lacks
            raise StoreError(
                f"database {engine.url!r} has a schema this leadline does not know "
                f"({exc}); upgrade leadline"
            ) from exc
        raise


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
