"""Importing with worker processes gives exactly what importing in one process gives."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from leadline.config import Settings
from leadline.domain.parse import parse_line
from leadline.errors import LineError, RecordsError
from leadline.services import ingest
from leadline.services.database import open_database
from leadline.services.ingest import Source, import_ndjson
from leadline.store.tables import metadata
from tests.conftest import fresh_db_url


def _lines() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(1, 40):
        key = f"HX-{i}"
        out.append({
            "kind": "issue", "key": key, "created_at": "2024-01-01T00:00:00Z",
            "status_changes": [{"to": "In Progress", "at": "2024-01-02T00:00:00Z"}],
            "fix_versions": ["v1"], "score": 1.5e16 if i % 5 == 0 else i,  # floats: json path
        })  # fmt: skip
        out.append({
            "kind": "commit", "repo": "a/b", "sha": f"{i:040x}", "message": f"{key} done",
            "committed_at": "2024-01-03T00:00:00+02:00", "parents": [f"{i - 1:040x}"],
        })  # fmt: skip
        out.append({
            "kind": "pull_request", "repo": "a/b", "number": i, "title": f"{key} ü",
            "created_at": "2024-01-03T00:00:00Z", "commit_shas": [f"{i:040x}"],
        })  # fmt: skip
        if i % 7 == 0:  # the same key again, changed: new, then updated
            out.append({"kind": "issue", "key": key, "created_at": "2024-01-05T00:00:00Z"})
        if i % 4 == 0:
            out.append({"kind": "event", "component": "jira", "key": key,
                        "event_type": "work_started", "event_time": 1704067200 + i})  # fmt: skip
    return out


def _ndjson(records: list[Any]) -> bytes:
    return b"".join(
        (r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode()) + b"\n\n"
        for r in records
    )


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in ("alembic_version", "timeline_sets", "timelines"):
                continue
            rows = conn.execute(text(f'SELECT * FROM "{table.name}"')).all()
            out[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    return out


def _import(engine: Engine, data: bytes, workers: int) -> dict[str, Any]:
    report = import_ndjson(engine, [Source("in.ndjson", io.BytesIO(data))], workers=workers)
    out = report.as_json()
    out.pop("seconds")
    return out


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "CHUNK_LINES", 7)
    monkeypatch.setattr(ingest, "PARALLEL_MIN_LINES", 10)


@pytest.mark.usefixtures("small_chunks")
def test_workers_store_what_one_process_stores(tmp_path: Path) -> None:
    data = _ndjson(_lines())
    engines = [
        open_database(Settings(database_url=f"sqlite:///{tmp_path / f'{w}.db'}")) for w in (0, 2)
    ]
    try:
        reports = [_import(e, data, w) for e, w in zip(engines, (0, 2), strict=True)]
        assert reports[0] == reports[1]
        assert reports[0]["kinds"]["issue"] == {"new": 39, "updated": 5, "unchanged": 0}
        assert _dump(engines[0]) == _dump(engines[1])
    finally:
        for e in engines:
            e.dispose()


@pytest.mark.usefixtures("small_chunks")
def test_workers_report_every_bad_line_and_write_nothing(engine: Engine) -> None:
    records: list[Any] = list(_lines())
    records[3] = b"{not json"
    records[40] = {"kind": "commit", "repo": "a/b"}
    records[-1] = {"kind": "nope"}
    data = _ndjson(records)
    messages = []
    for workers in (0, 2):
        with pytest.raises(RecordsError) as exc:
            _import(engine, data, workers)
        messages.append([str(e) for e in exc.value.errors])
    assert messages[0] == messages[1]
    assert len(messages[0]) == 3
    assert messages[0][0].startswith("in.ndjson:7: (line): not valid JSON")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM issues")).scalar_one() == 0


@pytest.mark.usefixtures("small_chunks")
def test_reimport_after_workers_is_unchanged(engine: Engine) -> None:
    # No key twice (a repeated key with other content is "updated" on every import).
    data = _ndjson([r for r in _lines() if r["kind"] != "issue" or "status_changes" in r])
    first = _import(engine, data, 2)
    again = _import(engine, data, 0)
    for kind, counts in first["kinds"].items():
        total = counts["new"] + counts["updated"] + counts["unchanged"]
        assert again["kinds"][kind] == {"new": 0, "updated": 0, "unchanged": total}


def _indexes(engine: Engine) -> dict[str, list[tuple[str, str]]]:
    from leadline.store.bulk import secondary_indexes

    with engine.connect() as conn:
        return {t.name: secondary_indexes(conn, t.name) for t in metadata.sorted_tables}


def test_bulk_writer_stores_what_the_plain_writer_stores(tmp_path: Path) -> None:
    """Bulk mode (no digest lookups for keys new to an empty table, indexes built at the end)
    stores the same rows and counts, in small batches where keys repeat across batches."""
    from leadline.store.db import writing
    from leadline.store.prepared import prepare
    from leadline.store.writer import RecordWriter

    parsed = [parse_line(json.dumps(r), "in", 1) for r in _lines()]
    records = [r for r in parsed if not isinstance(r, LineError)]
    dumps, counts = [], []
    for bulk in (False, True):
        with fresh_db_url(tmp_path, f"bulk{bulk}") as url:
            engine = open_database(Settings(database_url=url))
            before = _indexes(engine)
            with writing(engine) as conn:
                writer = RecordWriter(conn, batch_size=4, bulk=bulk)
                for record in records:
                    writer.add_prepared(prepare(record))
                writer.finish()
            assert _indexes(engine) == before
            dumps.append(_dump(engine))
            counts.append(writer.counts)
            engine.dispose()
    assert dumps[0] == dumps[1]
    assert counts[0] == counts[1]
    assert counts[1]["issue"].updated == 5


@pytest.mark.usefixtures("small_chunks")
def test_failed_import_keeps_the_indexes(engine: Engine) -> None:
    before = _indexes(engine)
    records: list[Any] = list(_lines())
    records[-1] = {"kind": "nope"}  # after many batches were written
    with pytest.raises(RecordsError):
        import_ndjson(engine, [Source("in", io.BytesIO(_ndjson(records)))], batch_size=5)
    assert _indexes(engine) == before
    assert any(before.values())
