"""Materialized timelines stay exact under incremental refreshes.

Whatever order records arrive in, and however they are re-sent with new content, the
timelines refreshed after every import equal a from-scratch build of the final data.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select

from leadline.domain.parse import parse_line
from leadline.domain.records import RecordModel
from leadline.profiles.loader import load_profile, load_profile_text
from leadline.services.ingest import import_records
from leadline.services.leadtime import lead_time, refresh, timeline_fingerprint
from leadline.store.tables import timeline_sets, timelines
from leadline.store.timelines import unpack_times
from tests.conftest import FIXTURES

EXAMPLES = FIXTURES / "lead_time_examples"
PROFILES = [EXAMPLES / "profile.yaml", EXAMPLES / "profile-cicd.yaml"]
PR_PROFILE = Path(__file__).parents[2] / "examples" / "profiles" / "pr-lead-time.yaml"


def example_records() -> list[RecordModel]:
    out: list[RecordModel] = []
    for path in sorted(EXAMPLES.glob("example*.ndjson")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            record = parse_line(line, str(path), n)
            assert not isinstance(record, Exception), record
            out.append(record)  # type: ignore[arg-type]
    return out


def stored(engine: Engine, fingerprint: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        set_id = conn.execute(
            select(timeline_sets.c.id).where(timeline_sets.c.fingerprint == fingerprint)
        ).scalar_one()
        tl = timelines.c
        rows = conn.execute(
            select(tl.change_key, tl.start_at, tl.end_at, tl.times, tl.sources)
            .where(tl.set_id == set_id)
            .order_by(tl.change_key)
        )
        return [tuple(r) for r in rows]


def from_scratch(engine: Engine, profile: Any) -> list[tuple[Any, ...]]:
    fingerprint = timeline_fingerprint(profile)
    with engine.begin() as conn:
        conn.execute(delete(timeline_sets).where(timeline_sets.c.fingerprint == fingerprint))
    refresh(engine, profile)
    return stored(engine, fingerprint)


def mutations(records: list[RecordModel]) -> list[RecordModel]:
    """Re-sent records with new content that move or break links."""
    out: list[RecordModel] = []
    for r in records:
        if r.kind == "pull_request" and r.number == 101:  # type: ignore[union-attr]
            # Renamed to another ticket: PROP-1 loses this PR, PROP-3 gains it.
            out.append(
                r.model_copy(update={"title": "PROP-3 take over", "source_branch": "feature/x"})
            )
        elif r.kind == "issue" and r.key == "PROP-8":  # type: ignore[union-attr]
            out.append(r.model_copy(update={"fix_versions": []}))  # no longer released
        elif r.kind == "version" and r.name == "1.2":  # type: ignore[union-attr]
            from datetime import timedelta

            out.append(r.model_copy(update={"released_at": r.released_at + timedelta(hours=1)}))  # type: ignore[union-attr, operator]
    assert len(out) == 4  # PR, issue, and version 1.2 of two projects
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_refresh_after_every_import_equals_a_full_build(engine: Engine, seed: int) -> None:
    profiles = [load_profile(p) for p in [*PROFILES, PR_PROFILE]]
    records = example_records()
    rng = random.Random(seed)
    rng.shuffle(records)
    batches = [records[i : i + rng.randint(5, 40)] for i in range(0, len(records), 25)]
    batches.append(mutations(records))
    for batch in batches:
        import_records(engine, batch)
        for profile in profiles:
            lead_time(engine, profile, "mean")
    for profile in profiles:
        incremental = stored(engine, timeline_fingerprint(profile))
        assert incremental, profile.name
        assert incremental == from_scratch(engine, profile), profile.name


def test_second_refresh_without_new_records_rebuilds_nothing(engine: Engine) -> None:
    profile = load_profile(PROFILES[0])
    import_records(engine, example_records())
    assert refresh(engine, profile) == 8
    assert refresh(engine, profile) == 0
    import_records(engine, example_records())  # unchanged: no change-log entries
    assert refresh(engine, profile) == 0


def test_a_new_record_rebuilds_only_the_changes_it_touches(engine: Engine) -> None:
    profile = load_profile(PROFILES[0])
    import_records(engine, example_records())
    refresh(engine, profile)
    late = parse_line(
        '{"kind":"pipeline_run","system":"jenkins","pipeline":"api-build","run_id":"late",'
        '"type":"ci","status":"success","finished_at":"2024-05-02T00:00:00Z",'
        '"commit_sha":"zzzzzzzzzz"}',
        "x",
        1,
    )
    import_records(engine, [late])  # type: ignore[list-item]
    assert refresh(engine, profile) == 0  # links to no ticket


def test_thresholds_and_names_do_not_invalidate_timelines(tmp_path: Path) -> None:
    text = PROFILES[0].read_text()
    renamed = tmp_path / "p.yaml"
    renamed.write_text(text.replace("name: Ticket to production", "name: Renamed"))
    a, b = load_profile(PROFILES[0]), load_profile(renamed)
    assert a.name != b.name
    assert timeline_fingerprint(a) == timeline_fingerprint(b)
    assert timeline_fingerprint(a) != timeline_fingerprint(load_profile(PROFILES[1]))


def _records(*lines: str) -> list[RecordModel]:
    out = [parse_line(line, "x", n) for n, line in enumerate(lines, 1)]
    assert all(not isinstance(r, Exception) for r in out), out
    return out  # type: ignore[return-value]


STEPS = [
    # 1. A ticket, a PR naming it (its commit does not), CI producing an artifact.
    _records(
        '{"kind":"issue","key":"X-1","created_at":"2024-05-01T09:00:00Z",'
        '"status_changes":[{"to":"In Progress","at":"2024-05-01T09:10:00Z"},'
        '{"to":"Done","at":"2024-05-01T11:00:00Z"}],"fix_versions":["9.9"]}',
        '{"kind":"issue","key":"X-2","created_at":"2024-05-01T09:00:00Z"}',
        '{"kind":"commit","repo":"r","sha":"aaaaaaaaaa1","committed_at":"2024-05-01T09:20:00Z",'
        '"message":"wip"}',
        '{"kind":"pull_request","repo":"r","number":1,"title":"X-1 work",'
        '"created_at":"2024-05-01T09:30:00Z","merged_at":"2024-05-01T09:40:00Z",'
        '"commit_shas":["aaaaaaaaaa1"],"merge_commit_sha":"bbbbbbbbbb2",'
        '"reviews":[{"author":"rev","state":"approved","at":"2024-05-01T09:35:00Z"}]}',
        '{"kind":"pipeline_run","system":"ci","pipeline":"build","run_id":"1","type":"ci",'
        '"status":"success","finished_at":"2024-05-01T09:45:00Z","commit_sha":"bbbbbbbbbb2",'
        '"artifacts":[{"name":"app","version":"7","direction":"output"}]}',
    ),
    # 2. The deployment, linked only through the artifact it consumed.
    _records(
        '{"kind":"pipeline_run","system":"cd","pipeline":"deploy","run_id":"1","type":"cd",'
        '"status":"success","finished_at":"2024-05-01T09:50:00Z","environment":"production",'
        '"artifacts":[{"name":"app","version":"7","direction":"input"}]}',
    ),
    # 3. The release of the fix version.
    _records('{"kind":"version","project":"X","name":"9.9","released_at":"2024-05-01T12:00:00Z"}'),
    # 4. The PR is renamed to the other ticket: X-1 loses it, X-2 gains it.
    _records(
        '{"kind":"pull_request","repo":"r","number":1,"title":"X-2 work",'
        '"created_at":"2024-05-01T09:30:00Z","merged_at":"2024-05-01T09:40:00Z",'
        '"commit_shas":["aaaaaaaaaa1"],"merge_commit_sha":"bbbbbbbbbb2",'
        '"reviews":[{"author":"rev","state":"approved","at":"2024-05-01T09:35:00Z"}]}',
    ),
]


def test_each_kind_of_late_record_is_picked_up_incrementally(engine: Engine) -> None:
    """Links through artifacts, fix versions and renamed PRs all reach the right changes."""
    profile = load_profile_text(
        """
name: Small
stages:
  - {name: In Progress, event: issue_status, statuses: [In Progress]}
  - {name: PR Merged, event: pr_merged}
  - {name: CI, event: ci_completed}
  - {name: CD, event: cd_completed, environments: [production]}
  - {name: Done, event: issue_status, category: done}
  - {name: Released, event: released}
""",
        "small.yaml",
    )
    fingerprint = timeline_fingerprint(profile)
    seen = []
    for step in STEPS:
        import_records(engine, step)
        refresh(engine, profile)
        incremental = stored(engine, fingerprint)
        assert incremental == from_scratch(engine, profile)
        seen.append({row[0]: unpack_times(row[3])[1] for row in incremental})
    cd = profile.stages.index(next(s for s in profile.stages if s.event == "cd_completed"))
    assert seen[0]["X-1"][cd] is None  # no deployment yet
    assert seen[1]["X-1"][cd] is not None  # reached through the artifact
    assert seen[2]["X-1"][-1] is not None  # released
    assert seen[3]["X-1"][cd] is None  # the PR (and its deployment) moved away
    assert seen[3]["X-2"][cd] is not None
