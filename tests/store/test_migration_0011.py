"""Migration 0011 and the identity columns it adds: contributors tables, collection members,
``issues.assignee`` and ``commits.author_email`` (copied from the stored records), on SQLite
and PostgreSQL; an issue without an assignee keeps the JSON and digest it was stored with."""

from __future__ import annotations

import json
from typing import Any

from alembic import command
from sqlalchemy import Engine, inspect, select, text

from leadline.domain.records import KINDS, Issue
from leadline.services.ingest import import_records
from leadline.store import tables as t
from leadline.store.db import make_engine, reading, writing
from leadline.store.mapping import serialise
from leadline.store.migrate import alembic_config


def _commit(sha: str, **extra: Any) -> dict[str, Any]:
    data = {"kind": "commit", "repo": "acme/app", "sha": sha,
            "committed_at": "2026-01-05T10:00:00Z", **extra}  # fmt: skip
    return {"sha": sha, "sha7": sha[:7], "data": json.dumps(data), "digest": "x" * 64}


def test_upgrade_copies_author_emails_and_downgrade_drops_the_additions(db_url: str) -> None:
    engine = make_engine(db_url)
    with writing(engine) as conn:
        command.upgrade(alembic_config(conn), "0010")  # type: ignore[arg-type]
        rows = [
            _commit("a" * 40, author="Ana", author_email="ana@acme.com"),
            _commit("b" * 40, author="Bo"),
            _commit("c" * 40, author_email=""),  # blank: nothing to copy
            _commit("d" * 40, author_email=7),  # not text: nothing to copy
        ]
        conn.execute(
            text("INSERT INTO commits (repo, sha, sha7, committed_at, data, digest)"
                 " VALUES ('acme/app', :sha, :sha7, 1767607200000000, :data, :digest)"),
            rows,
        )  # fmt: skip
        command.upgrade(alembic_config(conn), "0011")  # type: ignore[arg-type]
        got = dict(conn.execute(text("SELECT sha, author_email FROM commits")).all())
        tables = set(inspect(conn).get_table_names())
    assert got == {"a" * 40: "ana@acme.com", "b" * 40: None, "c" * 40: None, "d" * 40: None}
    assert {"contributors", "contributor_identities"} <= tables
    with writing(engine) as conn:
        command.downgrade(alembic_config(conn), "0010")  # type: ignore[arg-type]
        inspector = inspect(conn)
        commit_columns = {c["name"] for c in inspector.get_columns("commits")}
        issue_columns = {c["name"] for c in inspector.get_columns("issues")}
        collection_columns = {c["name"] for c in inspector.get_columns("collections")}
        tables = set(inspector.get_table_names())
    engine.dispose()
    assert "author_email" not in commit_columns and "assignee" not in issue_columns
    assert "members" not in collection_columns and "contributors" not in tables


def test_an_issue_without_assignee_keeps_its_stored_json() -> None:
    issue = {"kind": "issue", "key": "PAY-1", "created_at": "2026-01-04T09:00:00Z"}
    # The stored text of this issue before ``assignee`` existed (sorted keys, no blanks).
    before = ('{"created_at":"2026-01-04T09:00:00Z","fix_versions":[],"key":"PAY-1",'
              '"kind":"issue","labels":[],"priority":null,"project":"PAY","resolved_at":null,'
              '"service":null,"status_changes":[],"title":null,"type":null}')  # fmt: skip
    assert serialise(Issue.model_validate(issue))[0] == before
    assigned = serialise(Issue.model_validate({**issue, "assignee": "5b10ac8d"}))[0]
    assert json.loads(assigned) == {**json.loads(before), "assignee": "5b10ac8d"}


def test_the_identity_columns_are_filled_on_import(engine: Engine) -> None:
    records = [
        {"kind": "issue", "key": "PAY-1", "created_at": "2026-01-04T09:00:00Z",
         "assignee": "ana@acme.com"},
        {"kind": "issue", "key": "PAY-2", "created_at": "2026-01-04T09:00:00Z"},
        {"kind": "commit", "repo": "acme/app", "sha": "a" * 40, "author": "Ana",
         "author_email": "ana@acme.com", "committed_at": "2026-01-05T10:00:00Z"},
        {"kind": "commit", "repo": "acme/app", "sha": "b" * 40, "author": "Bo",
         "committed_at": "2026-01-05T10:00:00Z"},
    ]  # fmt: skip
    import_records(engine, [KINDS[r["kind"]].model_validate(r) for r in records])
    with reading(engine) as conn:
        issues = dict(conn.execute(select(t.issues.c.key, t.issues.c.assignee)).all())
        commits = dict(conn.execute(select(t.commits.c.author, t.commits.c.author_email)).all())
    assert issues == {"PAY-1": "ana@acme.com", "PAY-2": None}
    assert commits == {"Ana": "ana@acme.com", "Bo": None}
