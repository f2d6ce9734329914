"""Timeline sets built in chunks (``services/refresh.py``): resumable, safe with two builders,
honest about what they reflect while records keep arriving.

The dataset is the generated organisation of ``bench/gen_org.py`` (150 tickets, about 800
records; the profile has no scope, so every ticket is a change) built 7 changes a chunk: 22
chunks. Every expectation on the stored rows is a build of the same records on a second,
fresh database in one chunk; progress figures are counted from the generated records.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bench.gen_org import organisation, write
from sqlalchemy import Engine, select

from leadline.cli import progress as cli_progress
from leadline.config import Settings
from leadline.domain.parse import parse_line
from leadline.domain.records import RecordModel
from leadline.domain.times import to_micros
from leadline.errors import NotReady
from leadline.profiles.loader import load_profile
from leadline.services import refresh as refresh_module
from leadline.services import shipments
from leadline.services.database import open_database
from leadline.services.ingest import import_records
from leadline.services.leadtime import lead_time
from leadline.services.refresh import refresh, timeline_fingerprint
from leadline.store import changelog
from leadline.store import shipments as shipments_store
from leadline.store import timelines as store
from leadline.store.db import reading
from leadline.store.tables import change_log, deployment_commits, pipeline_runs, timelines
from tests.conftest import fresh_db_url

ROOT = Path(__file__).parents[2]
PROFILE_PATH = ROOT / "bench" / "org-profile.yaml"
PROFILE = load_profile(PROFILE_PATH)
FINGERPRINT = timeline_fingerprint(PROFILE)
TICKETS = 150
CHUNK = 7

Row = tuple[str, int, int | None, bytes, str]


@functools.cache
def generated() -> tuple[dict[str, Any], ...]:
    return tuple(organisation(TICKETS))


def parse(dicts: Sequence[dict[str, Any]]) -> list[RecordModel]:
    out = []
    for n, d in enumerate(dicts, 1):
        record = parse_line(json.dumps(d), "generated", n)
        assert not isinstance(record, Exception), record
        out.append(record)
    return out  # type: ignore[return-value]


@functools.cache
def _records() -> tuple[RecordModel, ...]:
    return tuple(parse(generated()))


def records() -> list[RecordModel]:
    return list(_records())


def issues() -> list[dict[str, Any]]:
    return [d for d in generated() if d["kind"] == "issue"]


# Every ticket is a change (start: ticket_created, no scope); keys are built in string order.
KEYS = sorted(d["key"] for d in issues())
assert len(KEYS) == TICKETS


def moved(keys: Sequence[str], days: int = 1) -> list[dict[str, Any]]:
    """The issues ``keys`` re-sent, created ``days`` earlier."""
    out = []
    for d in issues():
        if d["key"] in keys:
            created = parse_time(d["created_at"]) - timedelta(days=days)
            out.append(d | {"created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert len(out) == len(keys)
    return out


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def created_us(dicts: Sequence[dict[str, Any]], key: str) -> int:
    [d] = [d for d in dicts if d.get("key") == key]
    return to_micros(parse_time(d["created_at"]))


def rows(engine: Engine) -> list[Row]:
    """Every stored timeline of the profile's set, sorted by change key."""
    with reading(engine) as conn:
        ts = store.get_set(conn, FINGERPRINT)
        assert ts is not None
        tl = timelines.c
        query = select(tl.change_key, tl.start_at, tl.end_at, tl.times, tl.sources)
        found = conn.execute(query.where(tl.set_id == ts.id)).all()
    out = [(k, int(s), None if e is None else int(e), bytes(t), src) for k, s, e, t, src in found]
    return sorted(out)


def state(engine: Engine) -> store.TimelineSet:
    with reading(engine) as conn:
        ts = store.get_set(conn, FINGERPRINT)
    assert ts is not None
    return ts


def head(engine: Engine) -> int:
    with reading(engine) as conn:
        return changelog.last_seq(conn)


_CLEAN: dict[str, tuple[list[Row], dict[str, Any]]] = {}


def clean_generated(tmp_path: Path) -> list[Row]:
    """``clean_rows`` of the generated records (built once a process: the backend is the
    same for the whole run)."""
    return _clean_generated(tmp_path)[0]


def _clean_generated(tmp_path: Path) -> tuple[list[Row], dict[str, Any]]:
    if "generated" not in _CLEAN:
        _CLEAN["generated"] = _clean(tmp_path, [records()])
    return _CLEAN["generated"]


def clean_rows(tmp_path: Path, *batches: Sequence[RecordModel]) -> list[Row]:
    """The rows of one uninterrupted build (a single chunk) of ``batches`` imported in order
    into a second, fresh database."""
    return _clean(tmp_path, batches)[0]


def _clean(
    tmp_path: Path, batches: Sequence[Sequence[RecordModel]]
) -> tuple[list[Row], dict[str, Any]]:
    """``clean_rows``, and the mean lead time of that build."""
    saved = refresh_module.REBUILD_CHUNK
    refresh_module.REBUILD_CHUNK = 1_000_000
    try:
        with fresh_db_url(tmp_path, "clean") as url:
            engine = open_database(Settings(database_url=url))
            try:
                for batch in batches:
                    import_records(engine, batch)
                assert refresh(engine, PROFILE) > 0
                return rows(engine), lead_time(engine, PROFILE, build=False)
            finally:
                engine.dispose()
    finally:
        refresh_module.REBUILD_CHUNK = saved


def stop_after(chunks: int) -> Callable[[], bool]:
    """A ``stop`` that lets ``chunks`` chunks run (it is asked before each chunk)."""
    asked = 0

    def stop() -> bool:
        nonlocal asked
        asked += 1
        return asked > chunks

    return stop


def chunked_progress(start: int, total: int) -> list[tuple[int, int]]:
    """The ``on_progress`` calls of a build from ``start`` done to the end, one a chunk
    and a last one at the end."""
    return [(min(d, total), total) for d in range(start + CHUNK, total + CHUNK, CHUNK)] + [
        (total, total)
    ]


class Killed(Exception):
    pass


# --- 1. resume after a kill ------------------------------------------------------------------


def test_a_stopped_first_build_reports_its_progress_and_resumes(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = clean_generated(tmp_path)
    monkeypatch.setattr(refresh_module, "REBUILD_CHUNK", CHUNK)
    import_records(engine, records())

    assert refresh(engine, PROFILE, stop=stop_after(3)) == 21
    ts = state(engine)
    assert ts.building and not ts.complete
    assert (ts.done, ts.total, ts.cursor, ts.watermark) == (21, TICKETS, KEYS[20], 0)
    assert ts.target == head(engine)
    assert [r[0] for r in rows(engine)] == KEYS[:21]
    with pytest.raises(NotReady) as not_ready:
        lead_time(engine, PROFILE, build=False)
    assert (not_ready.value.done, not_ready.value.total) == (21, TICKETS)
    assert f"21 of {TICKETS} changes" in str(not_ready.value)

    progress: list[tuple[int, int]] = []
    assert refresh(engine, PROFILE, lambda d, t: progress.append((d, t))) == TICKETS - 21
    assert progress == chunked_progress(21, TICKETS)
    ts = state(engine)
    assert ts.complete and not ts.building
    assert (ts.watermark, ts.cursor) == (head(engine), None)
    assert rows(engine) == clean
    assert lead_time(engine, PROFILE, build=False)["as_of"]["waiting"] == 0
    assert refresh(engine, PROFILE) == 0


def test_a_build_killed_inside_a_chunk_write_leaves_nothing_of_that_chunk(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = clean_generated(tmp_path)
    monkeypatch.setattr(refresh_module, "REBUILD_CHUNK", CHUNK)
    import_records(engine, records())
    real = store.replace
    calls = 0

    def dies_in_the_third(*args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        real(*args, **kwargs)  # the chunk's rows are written, then the process dies
        if calls == 3:
            raise Killed

    monkeypatch.setattr(store, "replace", dies_in_the_third)
    with pytest.raises(Killed):
        refresh(engine, PROFILE)
    ts = state(engine)
    assert (ts.done, ts.cursor, ts.complete) == (14, KEYS[13], False)
    assert [r[0] for r in rows(engine)] == KEYS[:14]  # not one row of the third chunk

    monkeypatch.setattr(store, "replace", real)
    assert refresh(engine, PROFILE) == TICKETS - 14
    assert rows(engine) == clean


# --- 2. two builders -------------------------------------------------------------------------


def test_two_builders_at_once_write_every_chunk_exactly_once(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = clean_generated(tmp_path)
    monkeypatch.setattr(refresh_module, "REBUILD_CHUNK", CHUNK)
    import_records(engine, records())
    other = open_database(Settings(database_url=db_url))
    # In lockstep: both builders link the same chunk, then both try to write it.
    barrier = threading.Barrier(2, timeout=60)  # a safety net: never reached when both run
    real_link = refresh_module.link

    def lockstep(*args: Any, **kwargs: Any) -> Any:
        out = real_link(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return out

    outcomes: list[bool] = []
    real_advance = store.advance

    def advance(*args: Any, **kwargs: Any) -> bool:
        won = real_advance(*args, **kwargs)
        outcomes.append(won)
        return won

    monkeypatch.setattr(refresh_module, "link", lockstep)
    monkeypatch.setattr(store, "advance", advance)
    built: dict[str, int] = {}
    errors: list[BaseException] = []

    def build(name: str, eng: Engine) -> None:
        try:
            built[name] = refresh(eng, PROFILE)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [
        threading.Thread(target=build, args=(n, e)) for n, e in (("a", engine), ("b", other))
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.dispose()
    assert errors == []
    assert built["a"] + built["b"] == TICKETS  # no chunk written twice, none lost
    assert outcomes.count(True) == len(range(0, TICKETS, CHUNK))
    assert False in outcomes  # the builders did race for chunks
    found = rows(engine)
    assert len({r[0] for r in found}) == len(found) == TICKETS
    assert found == clean
    ts = state(engine)
    assert ts.complete and not ts.building and ts.watermark == head(engine)


def test_a_builder_that_loses_a_chunk_goes_on_after_the_winners_cursor(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = clean_generated(tmp_path)
    monkeypatch.setattr(refresh_module, "REBUILD_CHUNK", CHUNK)
    import_records(engine, records())
    other = open_database(Settings(database_url=db_url))
    real_link = refresh_module.link
    by_other: list[int] = []

    def other_builder_in_between(*args: Any, **kwargs: Any) -> Any:
        out = real_link(*args, **kwargs)
        if not by_other:  # ours has computed its first chunk: the other writes that chunk
            by_other.append(-1)
            by_other.append(refresh(other, PROFILE, stop=stop_after(1)))
        return out

    monkeypatch.setattr(refresh_module, "link", other_builder_in_between)
    progress: list[tuple[int, int]] = []
    try:
        ours = refresh(engine, PROFILE, lambda d, t: progress.append((d, t)))
    finally:
        other.dispose()
    assert by_other == [-1, CHUNK]
    assert ours == TICKETS - CHUNK
    assert progress == chunked_progress(CHUNK, TICKETS)  # from the other's cursor on
    assert rows(engine) == clean
    ts = state(engine)
    assert ts.complete and not ts.building


def test_a_builder_whose_build_another_finished_stops_without_writing(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = clean_generated(tmp_path)
    monkeypatch.setattr(refresh_module, "REBUILD_CHUNK", CHUNK)
    import_records(engine, records())
    other = open_database(Settings(database_url=db_url))
    real_link = refresh_module.link
    by_other: list[int] = []

    def other_builds_everything(*args: Any, **kwargs: Any) -> Any:
        out = real_link(*args, **kwargs)
        if not by_other:
            by_other.append(-1)
            by_other.append(refresh(other, PROFILE))
        return out

    monkeypatch.setattr(refresh_module, "link", other_builds_everything)
    try:
        assert refresh(engine, PROFILE) == 0
    finally:
        other.dispose()
    assert by_other == [-1, TICKETS]
    assert rows(engine) == clean
    assert state(engine).watermark == head(engine)


# --- 3. writes during a build ----------------------------------------------------------------


def test_records_written_during_a_build_are_taken_by_the_next_refresh(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    early, late = KEYS[3], KEYS[120]  # built before the write (first chunk); after it
    changed = moved([early, late])
    new = {"kind": "issue", "key": "NEW-1", "created_at": "2024-06-01T10:00:00Z"}
    during = parse([*changed, new])
    clean = clean_rows(tmp_path, records(), during)
    monkeypatch.setattr(refresh_module, "REBUILD_CHUNK", CHUNK)
    import_records(engine, records())
    shipments.refresh(engine)  # nothing more for the refresh to log before its claim
    claimed_at = head(engine)
    seen: list[Any] = []

    def write_after_the_first_chunk(done: int, total: int) -> None:
        if seen:
            return
        ts = state(engine)
        seen.append((done, total, ts.target, ts.cursor))
        with pytest.raises(NotReady) as not_ready:
            lead_time(engine, PROFILE, build=False)
        seen.append((not_ready.value.done, not_ready.value.total))
        import_records(engine, during)

    assert refresh(engine, PROFILE, write_after_the_first_chunk) == TICKETS
    assert seen == [(CHUNK, TICKETS, claimed_at, KEYS[CHUNK - 1]), (CHUNK, TICKETS)]
    written_at = head(engine)
    assert written_at > claimed_at
    ts = state(engine)
    assert ts.complete and not ts.building and ts.watermark == claimed_at  # the target
    fresh = lead_time(engine, PROFILE, build=False)["as_of"]
    assert fresh["position"] == claimed_at
    assert fresh["head"] == written_at
    assert fresh["waiting"] == written_at - claimed_at
    start = {r[0]: r[1] for r in rows(engine)}
    assert start[early] == created_us(generated(), early)  # its chunk was read before
    assert start[late] == created_us(changed, late)  # its chunk was read after the write
    assert "NEW-1" not in start  # not a key of the build

    assert refresh(engine, PROFILE) > 0
    start = {r[0]: r[1] for r in rows(engine)}
    assert start[early] == created_us(changed, early)
    assert start[late] == created_us(changed, late)
    assert start["NEW-1"] == created_us([new], "NEW-1")
    assert rows(engine) == clean
    fresh = lead_time(engine, PROFILE, build=False)["as_of"]
    assert (fresh["position"], fresh["head"], fresh["waiting"]) == (written_at, written_at, 0)


# --- 4. incremental builds in chunks ---------------------------------------------------------


def test_an_incremental_build_runs_in_chunks_resumes_and_equals_a_full_build(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = KEYS[::10]  # 15 changes across the key range
    changed = moved(keys)
    clean = clean_rows(tmp_path, records(), parse(changed))
    # What an issue record touches: its ticket, and every ticket of its fix versions.
    versions = {(k.partition("-")[0], v) for d in changed for k in [d["key"]]
                for v in d["fix_versions"]}  # fmt: skip
    touched = sorted({*keys} | {
        d["key"] for d in issues()
        if any((d["key"].partition("-")[0], v) in versions for v in d["fix_versions"])
    })  # fmt: skip
    assert len(touched) > 2 * CHUNK
    monkeypatch.setattr(refresh_module, "REBUILD_CHUNK", CHUNK)
    import_records(engine, records())
    refresh(engine, PROFILE)
    built_at = head(engine)
    before = lead_time(engine, PROFILE, build=False)
    import_records(engine, parse(changed))
    changed_at = head(engine)
    assert changed_at > built_at

    assert refresh(engine, PROFILE, stop=stop_after(2)) == 2 * CHUNK
    ts = state(engine)
    assert ts.complete and ts.building
    assert (ts.watermark, ts.target) == (built_at, changed_at)
    assert (ts.done, ts.total, ts.cursor) == (2 * CHUNK, len(touched), touched[2 * CHUNK - 1])
    # A complete set answers while its incremental build runs, saying what it reflects.
    during = lead_time(engine, PROFILE, build=False)
    assert during["as_of"]["position"] == built_at
    assert during["as_of"]["waiting"] == changed_at - built_at
    assert during["changes"] == before["changes"]

    progress: list[tuple[int, int]] = []
    rebuilt = refresh(engine, PROFILE, lambda d, t: progress.append((d, t)))
    assert rebuilt == len(touched) - 2 * CHUNK
    assert progress == chunked_progress(2 * CHUNK, len(touched))
    assert rows(engine) == clean
    start = {r[0]: r[1] for r in rows(engine)}
    assert all(start[k] == created_us(changed, k) for k in keys)
    ts = state(engine)
    assert not ts.building and ts.watermark == changed_at


# --- 5. shipments ----------------------------------------------------------------------------


def shipped(engine: Engine) -> set[tuple[str, str, str]]:
    """What each deployment shipped: (system, run id, sha)."""
    d, r = deployment_commits.c, pipeline_runs.c
    query = select(r.pipeline, r.run_id, d.sha).join(pipeline_runs, r.id == d.pipeline_run_id)
    with reading(engine) as conn:
        return {(str(p), str(i), str(s)) for p, i, s in conn.execute(query)}


def shipment_state(engine: Engine) -> tuple[int, int, set[tuple[str, str, str]]]:
    with reading(engine) as conn:
        watermark, last = shipments_store.watermark(conn), changelog.last_seq(conn)
    return watermark, last, shipped(engine)


def split_deployments() -> tuple[list[RecordModel], list[RecordModel]]:
    """The records without the last ten production deployments, and those deployments."""
    dicts = list(generated())
    cd = [i for i, d in enumerate(dicts) if d["kind"] == "pipeline_run" and d["type"] == "cd"
          and d["status"] == "success"][-10:]  # fmt: skip
    held = [dicts[i] for i in cd]
    return parse([d for i, d in enumerate(dicts) if i not in cd]), parse(held)


def test_shipments_discard_a_result_when_another_refresh_stored_one_since_the_snapshot(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, held = split_deployments()
    import_records(engine, base)
    assert shipments.refresh(engine) > 0
    before = shipped(engine)
    real = shipments.compute
    inner: list[int] = []

    def another_refresh_meanwhile(conn: Any) -> Any:
        out = real(conn)  # our snapshot: without the held deployments
        if not inner:
            inner.append(-1)
            import_records(engine, held)
            inner.append(shipments.refresh(engine))
        return out

    monkeypatch.setattr(shipments, "compute", another_refresh_meanwhile)
    import_records(engine, parse([{"kind": "issue", "key": "X-1",
                                   "created_at": "2024-06-01T10:00:00Z"}]))  # fmt: skip
    assert shipments.refresh(engine) == 0
    assert inner[0] == -1 and inner[1] > 0
    watermark, last, now = shipment_state(engine)
    held_runs = {(r.pipeline, r.run_id) for r in held}  # type: ignore[attr-defined]
    assert {(p, i) for p, i, _ in now - before} <= held_runs
    assert {(p, i) for p, i, _ in now} & held_runs  # the other refresh's rows are still there
    with reading(engine) as conn:  # nothing logged after the other refresh's own refs
        tail = conn.execute(select(change_log.c.ref).where(change_log.c.seq > watermark)).all()
    assert watermark == last and tail == []
    monkeypatch.setattr(shipments, "compute", real)
    assert shipments.refresh(engine) == 0
    assert shipment_state(engine) == (watermark, last, now)


def test_shipments_watermark_passes_our_refs_only_when_nothing_else_was_written(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, held = split_deployments()
    import_records(engine, base)
    snapshot = head(engine)
    changed = shipments.refresh(engine)
    watermark, last, first = shipment_state(engine)
    assert changed > 0 and last > snapshot  # our refs were logged ...
    assert watermark == last  # ... and need no second pass
    with reading(engine) as conn:
        refs = changelog.refs_between(conn, snapshot, last)
    assert refs and all(r.startswith("s:") for r in refs)
    assert shipments.refresh(engine) == 0

    import_records(engine, held)
    snapshot = head(engine)
    real = shipments.compute
    late = parse([{"kind": "issue", "key": "X-1", "created_at": "2024-06-01T10:00:00Z"}])

    def a_write_meanwhile(conn: Any) -> Any:
        out = real(conn)
        import_records(engine, late)
        return out

    monkeypatch.setattr(shipments, "compute", a_write_meanwhile)
    assert shipments.refresh(engine) > 0
    watermark, last, second = shipment_state(engine)
    assert second != first
    assert watermark == snapshot < last  # the snapshot's head: the issue is still to do
    monkeypatch.setattr(shipments, "compute", real)
    assert shipments.refresh(engine) == 0  # the issue ships nothing
    assert shipment_state(engine) == (head(engine), head(engine), second)


# --- 6. the CLI ------------------------------------------------------------------------------


def test_lead_time_cli_builds_in_chunks_behind_a_progress_bar(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = dict(_clean_generated(tmp_path)[1])
    del expected["in_flight"], expected["as_of"]
    data = tmp_path / "org.ndjson"
    with data.open("wb") as out:
        write(TICKETS, out)
    assert run_cli("import", str(data)).code == 0

    monkeypatch.setattr(refresh_module, "REBUILD_CHUNK", CHUNK)
    calls: list[tuple[int, int]] = []
    real = cli_progress.step_progress

    @contextlib.contextmanager
    def recorded(description: str, min_total: int = 5000) -> Iterator[Any]:
        with real(description, min_total=0) as update:  # a bar even for a few changes
            assert update is not None

            def record(done: int, total: int) -> None:
                calls.append((done, total))
                update(done, total)

            yield record

    monkeypatch.setattr(cli_progress, "step_progress", recorded)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    result = run_cli("lead-time", "--all-time", "--profile", str(PROFILE_PATH), "--format", "json")
    assert result.code == 0, result.err
    assert calls == chunked_progress(0, TICKETS)
    assert "building timelines" in result.err
    assert json.loads(result.out) == expected


def test_a_deployment_written_during_the_shipments_walk_is_shipped_by_the_next_refresh(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk's snapshot misses the deployment; the timeline build that follows claims a
    target past it. The next refresh must still walk again (the shipments watermark is
    behind), though the timeline set's watermark is at the head."""
    base, held = split_deployments()
    other = parse([{"kind": "issue", "key": "X-1", "created_at": "2024-06-01T10:00:00Z"}])
    clean = clean_rows(tmp_path, base, other, held)
    monkeypatch.setattr(refresh_module, "REBUILD_CHUNK", CHUNK)
    import_records(engine, base)
    refresh(engine, PROFILE)
    real = shipments.compute
    calls: list[int] = []

    def deployed_meanwhile(conn: Any) -> Any:
        out = real(conn)
        if not calls:
            calls.append(1)
            import_records(engine, held)
        return out

    monkeypatch.setattr(shipments, "compute", deployed_meanwhile)
    import_records(engine, other)
    refresh(engine, PROFILE)
    assert calls == [1]
    assert state(engine).watermark == head(engine)  # the build claimed past the deployment
    monkeypatch.setattr(shipments, "compute", real)
    refresh(engine, PROFILE)
    assert rows(engine) == clean
