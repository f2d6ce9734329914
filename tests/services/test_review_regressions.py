"""Regressions found in review: artifact promotions, event key casing, concurrent writers."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine, select

from leadline.config import Settings
from leadline.domain.parse import parse_line
from leadline.domain.records import RecordModel
from leadline.profiles.loader import load_profile_text
from leadline.services.database import open_database
from leadline.services.ingest import import_records
from leadline.services.leadtime import refresh, timeline_fingerprint
from leadline.store.tables import issues, timeline_sets, timelines
from tests.services.test_incremental_timelines import from_scratch, stored


def records(*lines: str) -> list[RecordModel]:
    out = [parse_line(line, "x", n) for n, line in enumerate(lines, 1)]
    assert all(not isinstance(r, Exception) for r in out), out
    return out  # type: ignore[return-value]


PROFILE = load_profile_text(
    """
name: promo
start: {event: api_event, event_types: [work_started]}
stages:
  - {name: CI, event: ci_completed}
  - {name: Prod, event: cd_completed, environments: [production]}
"""
)


def test_a_deployment_two_artifact_hops_away_is_picked_up_incrementally(engine: Engine) -> None:
    import_records(engine, records(
        '{"kind":"issue","key":"X-1","created_at":"2024-05-01T09:00:00Z"}',
        '{"kind":"commit","repo":"r","sha":"abcdef12345","committed_at":"2024-05-01T09:10:00Z",'
        '"message":"X-1 change"}',
        '{"kind":"pipeline_run","system":"ci","pipeline":"build","run_id":"1","type":"ci",'
        '"status":"success","finished_at":"2024-05-01T09:20:00Z","commit_sha":"abcdef12345",'
        '"artifacts":[{"name":"app","version":"7","direction":"output"}]}',
        '{"kind":"pipeline_run","system":"cd","pipeline":"stage","run_id":"1","type":"cd",'
        '"status":"success","finished_at":"2024-05-01T09:30:00Z","environment":"staging",'
        '"artifacts":[{"name":"app","version":"7","direction":"input"},'
        '{"name":"app-rc","version":"7","direction":"output"}]}',
    ))  # fmt: skip
    refresh(engine, PROFILE)
    import_records(engine, records(
        '{"kind":"pipeline_run","system":"cd","pipeline":"prod","run_id":"1","type":"cd",'
        '"status":"success","finished_at":"2024-05-01T10:00:00Z","environment":"production",'
        '"artifacts":[{"name":"app-rc","version":"7","direction":"input"}]}',
    ))  # fmt: skip
    refresh(engine, PROFILE)
    incremental = stored(engine, timeline_fingerprint(PROFILE))
    assert incremental[0][2] is not None  # reached production
    assert incremental == from_scratch(engine, PROFILE)


def test_generic_event_keys_match_tickets_whatever_their_case(engine: Engine) -> None:
    import_records(engine, records(
        '{"kind":"issue","key":"X-1","created_at":"2024-05-01T09:00:00Z"}',
        '{"kind":"event","component":"Jira","key":" x-1 ","event_type":"work_started",'
        '"event_time":"2024-05-01T10:00:00Z"}',
        '{"kind":"commit","repo":"r","sha":"abcdef12345","committed_at":"2024-05-01T10:10:00Z",'
        '"message":"X-1"}',
        '{"kind":"pipeline_run","system":"ci","pipeline":"build","run_id":"1","type":"ci",'
        '"status":"success","finished_at":"2024-05-01T10:20:00Z","commit_sha":"abcdef12345"}',
    ))  # fmt: skip
    refresh(engine, PROFILE)
    rows = stored(engine, timeline_fingerprint(PROFILE))
    assert rows[0][1] == 1714557600 * 1_000_000  # the event, not the ticket's creation


def test_concurrent_imports_of_the_same_new_records_queue_instead_of_failing(
    db_url: str,
) -> None:
    open_database(Settings(database_url=db_url)).dispose()
    batch = records(*(
        f'{{"kind":"issue","key":"C-{i}","created_at":"2024-05-01T09:00:00Z"}}'
        for i in range(300)
    ))  # fmt: skip
    errors: list[BaseException] = []

    def work() -> None:
        engine = open_database(Settings(database_url=db_url))
        try:
            import_records(engine, batch)
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert len(conn.execute(select(issues.c.id)).all()) == 300
    engine.dispose()


def test_concurrent_first_use_migrates_once(db_url: str) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            open_database(Settings(database_url=db_url)).dispose()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_refresh_with_nothing_new_does_not_write(engine: Engine) -> None:
    import_records(
        engine, records('{"kind":"issue","key":"X-1","created_at":"2024-05-01T09:00:00Z"}')
    )
    refresh(engine, PROFILE)
    with engine.connect() as conn:
        before: Any = conn.execute(select(timeline_sets.c.built_at)).scalar_one()
        count = len(conn.execute(select(timelines.c.id)).all())
    assert refresh(engine, PROFILE) == 0
    with engine.connect() as conn:
        assert conn.execute(select(timeline_sets.c.built_at)).scalar_one() == before
        assert len(conn.execute(select(timelines.c.id)).all()) == count
