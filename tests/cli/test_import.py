"""`leadline import`: counts, idempotence, replacement, atomic failure
(docs/records.md, docs/cli.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from leadline.store import tables as t
from tests.helpers import ndjson, snapshot

EXAMPLE = Path(__file__).parents[2] / "examples" / "records.ndjson"
ALL_KINDS = {"issue", "version", "commit", "pull_request", "pipeline_run", "incident", "event"}


def _json(result: Any) -> dict[str, Any]:
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def test_example_has_every_kind_and_imports_new(run_cli: Any) -> None:
    report = _json(run_cli("import", str(EXAMPLE), "--format", "json"))
    assert set(report["kinds"]) == ALL_KINDS
    assert report["kinds"]["commit"] == {"new": 2, "updated": 0, "unchanged": 0}
    assert all(c["new"] >= 1 and c["updated"] == 0 for c in report["kinds"].values())
    assert report["records"] == 9


def test_table_output_names_each_kind(run_cli: Any) -> None:
    result = run_cli("import", str(EXAMPLE))
    assert result.code == 0, result.err
    header, *rows = result.out.splitlines()
    assert header.split() == ["kind", "new", "updated", "unchanged"]
    assert {row.split()[0] for row in rows[:-1]} == ALL_KINDS
    assert rows[-1].startswith("9 records in ")


def test_second_import_is_unchanged_and_touches_no_row(run_cli: Any, db_url: str) -> None:
    _json(run_cli("import", str(EXAMPLE), "--format", "json"))
    engine = create_engine(db_url)
    before = snapshot(engine)
    report = _json(run_cli("import", str(EXAMPLE), "--format", "json"))
    assert all(
        c == {"new": 0, "updated": 0, "unchanged": c["unchanged"]} for c in report["kinds"].values()
    )
    assert sum(c["unchanged"] for c in report["kinds"].values()) == 9
    assert snapshot(engine) == before
    engine.dispose()


def test_resent_record_replaces_the_old_one(run_cli: Any, db_url: str, tmp_path: Path) -> None:
    pr = {
        "kind": "pull_request",
        "repo": "acme/api",
        "number": 7,
        "created_at": "2024-05-01T10:00:00Z",
        "title": "HX-1 first",
        "commit_shas": ["a", "b"],
        "reviews": [{"author": "x", "state": "commented", "at": "2024-05-01T10:01:00Z"}],
    }
    first = tmp_path / "first.ndjson"
    first.write_text(ndjson(pr))
    _json(run_cli("import", str(first), "--format", "json"))
    changed = {
        **pr,
        "title": "HX-2 renamed",
        "commit_shas": ["c"],
        "reviews": [],
        "extra": {"k": 1},
    }
    second = tmp_path / "second.ndjson"
    second.write_text(ndjson(changed))
    report = _json(run_cli("import", str(second), "--format", "json"))
    assert report["kinds"]["pull_request"] == {"new": 0, "updated": 1, "unchanged": 0}
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(t.pull_requests.c.title, t.pull_requests.c.data)).all()
        shas = conn.execute(select(t.pr_commits.c.sha)).scalars().all()
        reviews = conn.execute(select(t.pr_reviews)).all()
        keys = conn.execute(select(t.pr_ticket_keys.c.key)).scalars().all()
    engine.dispose()
    assert len(rows) == 1 and rows[0].title == "HX-2 renamed"
    assert json.loads(rows[0].data)["extra"] == {"k": 1}  # unknown fields are kept
    assert shas == ["c"] and reviews == [] and keys == ["HX-2"]


def test_same_key_twice_in_one_file_newest_wins(run_cli: Any, db_url: str, tmp_path: Path) -> None:
    v1 = {"kind": "version", "project": "P", "name": "1.0"}
    v2 = {**v1, "released_at": "2024-06-01T00:00:00+02:00"}
    path = tmp_path / "dup.ndjson"
    path.write_text(ndjson(v1, v2, v2))
    report = _json(run_cli("import", str(path), "--format", "json"))
    assert report["kinds"]["version"] == {"new": 1, "updated": 1, "unchanged": 1}
    engine = create_engine(db_url)
    with engine.connect() as conn:
        released = conn.execute(select(t.versions.c.released_at)).scalars().all()
    engine.dispose()
    assert released == [1717192800 * 1_000_000]  # 2024-05-31T22:00:00Z, stored as UTC micros


def test_stdin_import(run_cli: Any) -> None:
    data = EXAMPLE.read_bytes()
    report = _json(run_cli("import", "-", "--format", "json", stdin=data))
    assert report["records"] == 9


T0 = "2024-05-01T10:00:00Z"
GOOD = {"kind": "commit", "repo": "r", "sha": "s1", "committed_at": "2024-05-01T10:00:00Z"}
BAD_LINES = [
    ("not json at all", "(line)", "not valid JSON"),
    (
        json.dumps({"kind": "issue", "created_at": "2024-05-01T10:00:00Z"}),
        "key",
        "required field is missing",
    ),
    (
        json.dumps({"kind": "issue", "key": "A-1", "created_at": "2024-05-01T10:00:00"}),
        "created_at",
        "naive time",
    ),
    (json.dumps({"kind": "deploy", "id": 1}), "kind", "unknown kind 'deploy'"),
    (
        json.dumps({**GOOD, "sha": "s9", "parents": "abc"}),
        "parents",
        "expected a list, got the string 'abc'",
    ),
    (
        json.dumps(
            {
                "kind": "pull_request",
                "repo": "r",
                "number": "7",
                "created_at": "2024-05-01T10:00:00Z",
            }
        ),
        "number",
        "expected an integer, got the string '7'",
    ),
    (json.dumps([1, 2]), "(line)", "expected a JSON object"),
    (json.dumps({**GOOD, "sha": "nul\u0000"}), "sha", "contains a NUL character"),
    (
        json.dumps({"kind": "pull_request", "repo": "r", "number": 2**64, "created_at": T0}),
        "number",
        "less than or equal to 9223372036854775807",
    ),
    (json.dumps({**GOOD, "sha": "x" * 1001}), "sha", "at most 1000 characters"),
    (
        json.dumps({**GOOD, "committed_at": "0001-01-01T00:00:00+01:00"}),
        "committed_at",
        "out of range",
    ),
    (json.dumps({"repo": "r"}), "kind", "missing"),
]


def test_bad_lines_are_all_named_and_nothing_is_written(
    run_cli: Any, db_url: str, tmp_path: Path
) -> None:
    _json(run_cli("import", str(EXAMPLE), "--format", "json"))
    engine = create_engine(db_url)
    before = snapshot(engine)
    # Many good lines first, so several batches are flushed before the first bad line.
    good = [json.dumps({**GOOD, "sha": f"g{i}"}) for i in range(5000)]
    lines = good + [line for line, _, _ in BAD_LINES] + [json.dumps({**GOOD, "sha": "late"})]
    path = tmp_path / "mixed.ndjson"
    path.write_text("\n".join(lines) + "\n")
    result = run_cli("import", str(path))
    assert result.code == 2
    err = result.err.splitlines()
    for offset, (_, field, problem) in enumerate(BAD_LINES):
        prefix = f"{path}:{5001 + offset}: {field}: "
        matching = [line for line in err if line.startswith(prefix)]
        assert len(matching) == 1, (prefix, err)
        assert problem in matching[0]
    assert err[-1] == f"leadline: error: {len(BAD_LINES)} bad records; nothing was written"
    assert "Traceback" not in result.err
    assert snapshot(engine) == before
    engine.dispose()


def test_error_list_is_capped_at_fifty(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text("nope\n" * 73)
    result = run_cli("import", str(path))
    assert result.code == 2
    err = result.err.splitlines()
    assert len([e for e in err if ": (line): not valid JSON" in e]) == 50
    assert "… and 23 more" in err
    assert err[-1] == "leadline: error: 73 bad records; nothing was written"


def test_errors_across_files_name_each_file(run_cli: Any, tmp_path: Path) -> None:
    a, b = tmp_path / "a.ndjson", tmp_path / "b.ndjson"
    a.write_text(ndjson(GOOD) + "{\n")
    b.write_text("\n" + ndjson({**GOOD, "committed_at": 1714557600}))
    result = run_cli("import", str(a), str(b))
    assert result.code == 2
    assert f"{a}:2: (line): not valid JSON" in result.err
    assert f"{b}:2: committed_at: expected an RFC 3339 time string, got a number" in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "/nonexistent/x.ndjson"], "/nonexistent/x.ndjson: cannot read: No such file"),
        (["import", "."], ".: is a directory"),
    ],
)
def test_unreadable_input_is_one_clear_line(run_cli: Any, args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_bad_database_url_is_a_clear_error(run_cli: Any) -> None:
    result = run_cli("--db", "mysql://x/y", "import", str(EXAMPLE), db=False)
    assert result.code == 2
    assert (
        result.err.strip()
        == "leadline: error: unsupported database 'mysql': use sqlite or postgresql"
    )
