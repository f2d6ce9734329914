"""Schema: migrations applied on first use, matching the tables; SQLite pragmas."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from leadline.config import Settings
from leadline.errors import StoreError
from leadline.services.database import open_database
from leadline.store.db import make_engine
from leadline.store.migrate import current_revision, ensure_schema, head_revision
from leadline.store.tables import metadata
from tests.conftest import backend


def test_first_use_creates_every_table_at_head(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert {t.name for t in metadata.sorted_tables} <= names
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()


def test_migrations_match_the_table_definitions(engine: Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff: list[Any] = compare_metadata(ctx, metadata)
    assert diff == []


def test_ensure_schema_is_idempotent(db_url: str) -> None:
    first = open_database(Settings(database_url=db_url))
    first.dispose()
    second = make_engine(db_url)
    ensure_schema(second)
    with second.connect() as conn:
        assert current_revision(conn) == head_revision()
    second.dispose()


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite pragmas")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_children_are_deleted_with_their_parent(engine: Engine) -> None:
    from leadline.domain.parse import parse_object
    from leadline.services.ingest import import_records

    record = parse_object(
        {
            "kind": "issue",
            "key": "A-1",
            "created_at": "2024-05-01T10:00:00Z",
            "status_changes": [{"to": "Done", "at": "2024-05-01T11:00:00Z"}],
        },
        "x",
        1,
    )
    import_records(engine, [record])  # type: ignore[list-item]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM issues"))
        assert conn.execute(text("SELECT count(*) FROM issue_status_changes")).scalar() == 0


def test_unreachable_database_is_a_store_error() -> None:
    eng = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError, match="cannot open database"):
        ensure_schema(eng)


def test_head_revision_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from leadline.store.migrate import MIGRATIONS

    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()
