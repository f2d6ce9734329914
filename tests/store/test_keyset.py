"""Key-set conditions (``values_in``, ``keys_in``) and planner statistics, on either backend."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, text

from leadline.store import tables as t
from leadline.store.keyset import ARRAY_KEYS, MAX_KEYS, chunk_size, keys_in, values_in
from leadline.store.neighbourhood import ensure_statistics
from tests.conftest import backend

ROWS = 1200  # more than MAX_KEYS: PostgreSQL takes them in one array


def _fill(engine: Engine) -> None:
    rows = [
        {"project": f"P{i % 7}", "name": f"v{i}", "released_at": i, "data": "{}", "digest": "x"}
        for i in range(ROWS)
    ]
    with engine.begin() as conn:
        conn.execute(insert(t.versions), rows)


def test_values_in_and_keys_in_select_the_named_rows(engine: Engine) -> None:
    _fill(engine)
    v = t.versions.c
    wanted = [(f"P{i % 7}", f"v{i}") for i in range(0, ROWS, 2)] + [("P0", "absent")]
    with engine.connect() as conn:
        size = chunk_size(conn)
        assert size == (MAX_KEYS if backend() == "sqlite" else ARRAY_KEYS)
        names: set[str] = set()
        ids: set[int] = set()
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            query = select(v.id, v.name).where(keys_in([v.project, v.name], chunk))
            for row_id, name in conn.execute(query):
                names.add(name)
                ids.add(row_id)
        assert names == {f"v{i}" for i in range(0, ROWS, 2)}
        by_id: set[str] = set()
        by_int: list[int] = sorted(ids)
        for start in range(0, len(by_int), size):
            query = select(v.name).where(values_in(v.id, by_int[start : start + size]))
            by_id.update(conn.execute(query).scalars())
        assert by_id == names
        assert list(conn.execute(select(v.id).where(values_in(v.name, [])))) == []
        assert list(conn.execute(select(v.id).where(keys_in([v.project, v.name], [])))) == []


def test_ensure_statistics_analyzes_tables_never_analyzed(engine: Engine) -> None:
    _fill(engine)
    with engine.begin() as conn:
        ensure_statistics(conn)  # a no-op on SQLite
        if backend() == "postgresql":
            tuples = conn.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = CAST('versions' AS regclass)")
            ).scalar_one()
            assert tuples == ROWS
