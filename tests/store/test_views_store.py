"""``views``: the saved views, replaced whole, in the org file's order; migration 0013 that
creates the table (and its downgrade, which drops it)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect

from leadline.store import views
from leadline.store.db import make_engine, reading, writing
from leadline.store.migrate import alembic_config


def test_replace_all_keeps_the_order_and_drops_the_rest(engine: Engine) -> None:
    first = [{"name": "B", "widgets": ["lead_time"]}, {"name": "A", "widgets": []}]
    with writing(engine) as conn:
        views.replace_all(conn, first, 1)
    with reading(engine) as conn:
        assert views.all_bodies(conn) == first
    with writing(engine) as conn:
        views.replace_all(conn, [{"name": "C"}], 2)
    with reading(engine) as conn:
        assert views.all_bodies(conn) == [{"name": "C"}]
    with writing(engine) as conn:
        views.replace_all(conn, [], 3)
    with reading(engine) as conn:
        assert views.all_bodies(conn) == []


def test_migration_0013_creates_and_drops_the_table(db_url: str) -> None:
    engine = make_engine(db_url)
    with writing(engine) as conn:
        command.upgrade(alembic_config(conn), "0012")  # type: ignore[arg-type]
        before = set(inspect(conn).get_table_names())
        command.upgrade(alembic_config(conn), "0013")  # type: ignore[arg-type]
        after = set(inspect(conn).get_table_names())
        command.downgrade(alembic_config(conn), "0012")  # type: ignore[arg-type]
        downgraded = set(inspect(conn).get_table_names())
    engine.dispose()
    assert "views" not in before and "views" in after and "views" not in downgraded
