"""``commit_paths``: the paths a commit changes, one row each, written and rewritten with the
commit (both write paths: a bulk import into an empty table and an upsert), and migration
0012 that creates the table and fills it from records stored with extra ``paths``."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import Engine, inspect, text

from leadline.domain.records import Commit
from leadline.services.ingest import import_records
from leadline.store.db import make_engine, writing
from leadline.store.migrate import alembic_config

SHA = "c" * 40


def _commit(sha: str, *paths: str) -> Commit:
    data = {"kind": "commit", "repo": "acme/mono", "sha": sha,
            "committed_at": "2024-01-01T00:00:00Z", "paths": list(paths)}  # fmt: skip
    return Commit.model_validate(data)


def _stored(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT c.sha, p.path FROM commit_paths p"
                                 " JOIN commits c ON c.id = p.commit_id"))  # fmt: skip
        return {(sha, path) for sha, path in rows}


def test_paths_are_written_and_rewritten_with_their_commit(engine: Engine) -> None:
    # A repeated path is stored once; a commit without paths has no rows.
    import_records(engine, [_commit(SHA, "a/x.py", "b y/ü.txt", "a/x.py"), _commit("d" * 40)])
    assert _stored(engine) == {(SHA, "a/x.py"), (SHA, "b y/ü.txt")}
    import_records(engine, [_commit(SHA, "c/z.go")])  # the commit again, other paths
    assert _stored(engine) == {(SHA, "c/z.go")}


def test_migration_0012_creates_the_table_and_copies_stored_paths(db_url: str) -> None:
    engine = make_engine(db_url)
    stored = [
        ("a" * 40, {"paths": ["src/a.py", "src/a.py", "", 3, "docs/b.md"]}),
        ("b" * 40, {"message": "no paths"}),
        ("e" * 40, {"paths": "not a list"}),
    ]
    with writing(engine) as conn:
        command.upgrade(alembic_config(conn), "0011")  # type: ignore[arg-type]
        for sha, extra in stored:
            data = {"kind": "commit", "repo": "r", "sha": sha,
                    "committed_at": "2024-01-01T00:00:00Z", **extra}  # fmt: skip
            conn.execute(
                text("INSERT INTO commits (repo, sha, sha7, committed_at, data, digest)"
                     " VALUES ('r', :sha, :sha7, 0, :data, :digest)"),
                {"sha": sha, "sha7": sha[:7], "data": json.dumps(data), "digest": "x" * 64},
            )  # fmt: skip
        command.upgrade(alembic_config(conn), "0012")  # type: ignore[arg-type]
    # Only the first record had a list: its distinct non-empty text paths, in order.
    assert _stored(engine) == {("a" * 40, "src/a.py"), ("a" * 40, "docs/b.md")}
    with writing(engine) as conn:
        command.downgrade(alembic_config(conn), "0011")  # type: ignore[arg-type]
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert "commit_paths" not in tables and "commits" in tables
