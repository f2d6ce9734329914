"""Change timelines: the lead-time page's eight examples, starts, units, scope, order."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadline.correlate.linking import link
from leadline.correlate.timeline import ChangeTimeline, StageHit, build_timeline, build_timelines
from leadline.domain.records import RecordModel
from leadline.metrics.leadtime import stage_durations
from leadline.profiles.loader import load_profile
from leadline.profiles.models import Profile
from tests.correlate.builders import (
    EXAMPLES,
    commit,
    dt,
    event,
    issue,
    load_example,
    load_expected,
    pr,
    profile,
    run,
)

EXPECTED = load_expected()
SHA = "c" * 40
MERGE = "d" * 40


def minutes(timeline: ChangeTimeline) -> list[float]:
    """Stage durations (docs/metrics.md): time − previous happened stage (or start),
    ≥ 0."""
    out: list[float] = []
    previous = timeline.start.at
    for hit in timeline.stages:
        if hit is None:
            out.append(0.0)
            continue
        out.append(max(0.0, (hit.at - previous).total_seconds() / 60))
        previous = hit.at
    return out


def _rfc3339(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _example(name: str) -> tuple[Profile, list[RecordModel], dict[str, Any]]:
    spec = EXPECTED[name]
    return load_profile(EXAMPLES / spec["profile"]), load_example(spec["file"]), spec


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_stage_times_exactly(name: str) -> None:
    prof, records, spec = _example(name)
    timelines = build_timelines(prof, records)
    assert [t.key for t in timelines] == [spec["change"]]
    timeline = timelines[0]
    assert timeline.start == StageHit(dt("09:50"), spec["start_source"])
    assert [s.name for s in prof.stages] == [s["name"] for s in spec["stages"]]
    got = [(_rfc3339(h.at if h else None), h.source if h else None) for h in timeline.stages]
    assert got == [(s["at"], s["source"]) for s in spec["stages"]]
    assert minutes(timeline) == [s["minutes"] for s in spec["stages"]]
    assert sum(minutes(timeline)) == spec["total_minutes"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_totals_through_the_metrics_engine(name: str) -> None:
    prof, records, spec = _example(name)
    (timeline,) = build_timelines(prof, records)
    times = [[h.at.timestamp() if h else math.nan for h in timeline.stages]]
    durations = stage_durations([timeline.start.at.timestamp()], times)[0]
    assert [0.0 if math.isnan(d) else d / 60 for d in durations] == [
        s["minutes"] for s in spec["stages"]
    ]
    assert float(sum(d for d in durations if not math.isnan(d))) / 60 == spec["total_minutes"]


def test_totals_match_the_page() -> None:
    totals = [EXPECTED[f"example{n}"]["total_minutes"] for n in range(1, 9)]
    assert totals == [70, 99, 70, 104, 164, 70, 70, 70]


def test_all_examples_together_give_the_same_timelines() -> None:
    prof = load_profile(EXAMPLES / "profile.yaml")
    records = [r for n in range(1, 9) for r in load_example(f"example{n}.ndjson")]
    together = {t.key: t for t in build_timelines(prof, records)}
    assert sorted(together) == [f"PROP-{n}" for n in range(1, 9)]
    for n in range(1, 9):
        (alone,) = build_timelines(prof, load_example(f"example{n}.ndjson"))
        assert together[alone.key] == alone


def _hit(prof: Profile, records: list[RecordModel], key: str = "PROP-1") -> StageHit | None:
    timeline = build_timeline(prof, link(records, "ticket")[key])
    assert timeline is not None
    return timeline.stages[0]


def _at(hit: StageHit | None) -> datetime | None:
    return None if hit is None else hit.at


def test_api_event_stage_and_start() -> None:
    records = [
        issue("PROP-1"),
        commit(SHA, "10:05", "PROP-1 a"),
        event("jira", "PROP-1", "work_started", "09:58"),
        event("jira", "PROP-1", "triaged", "09:55"),
        event("scm", SHA, "Deployed", "10:40"),
    ]
    any_event = profile({"name": "E", "event": "api_event"})
    deployed = profile({"name": "E", "event": "api_event", "event_types": ["deployed"]})
    assert _hit(any_event, records) == StageHit(dt("09:55"), "event jira/PROP-1/triaged")
    assert _hit(deployed, records) == StageHit(dt("10:40"), f"event scm/{SHA}/Deployed")
    start = {"event": "api_event", "event_types": ["work_*"]}
    timeline = build_timeline(
        profile({"name": "E", "event": "commit"}, start=start), link(records)["PROP-1"]
    )
    assert timeline is not None and timeline.start.source == "event jira/PROP-1/work_started"
    fallback = build_timeline(
        profile(
            {"name": "E", "event": "commit"}, start={"event": "api_event", "event_types": ["x"]}
        ),
        link(records)["PROP-1"],
    )
    assert fallback is not None and fallback.start == StageHit(dt("09:50"), "issue PROP-1")


def test_first_stage_start_and_no_start() -> None:
    stages = (
        {"name": "C", "event": "commit"},
        {"name": "D", "event": "issue_status", "statuses": ["Done"]},
    )
    prof = profile(*stages, start={"event": "first_stage"})
    records = [issue("PROP-1", ("Done", "10:20")), issue("PROP-2")]
    bundles = link(records)
    timeline = build_timeline(prof, bundles["PROP-1"])
    assert timeline is not None
    assert timeline.start == StageHit(dt("10:20"), "issue PROP-1 → Done")
    assert build_timeline(prof, bundles["PROP-2"]) is None
    assert [t.key for t in build_timelines(prof, records)] == ["PROP-1"]


def _pr_unit_records() -> list[RecordModel]:
    return [
        issue("PROP-1", ("Done", "10:30")),
        commit(SHA, "10:05", "form"),
        commit(MERGE, "10:15", "merge"),
        pr(7, "10:10", title="PROP-1 login", shas=(SHA,), merge=MERGE, merged="10:15"),
        pr(8, "10:20", repo="other/tool", merged="10:25"),  # no commits: start = PR created
        run("1", "10:16", sha=MERGE),
    ]


def test_commit_created_uses_the_pull_request_unit() -> None:
    stages = (
        {"name": "Merged", "event": "pr_merged"},
        {"name": "CI", "event": "ci_completed"},
        {"name": "Done", "event": "issue_status", "statuses": ["Done"]},
    )
    prof = profile(*stages, start={"event": "commit_created"})
    timelines = build_timelines(prof, _pr_unit_records())
    assert [t.key for t in timelines] == ["acme/api#7", "other/tool#8"]
    seven, eight = timelines
    assert seven.start == StageHit(dt("10:05"), f"commit acme/api@{SHA[:7]}")
    assert [_at(h) for h in seven.stages] == [dt("10:15"), dt("10:16"), dt("10:30")]
    assert eight.start == StageHit(dt("10:20"), "pull_request other/tool#8")
    assert [_at(h) for h in eight.stages] == [dt("10:25"), None, None]


SCOPES = [
    # (scope, ticket-unit keys, PR-unit keys)
    ({}, ["PROP-1", "WEB-1"], ["acme/api#7", "other/tool#8"]),
    ({"projects": ["prop"]}, ["PROP-1"], ["acme/api#7"]),
    ({"projects": ["P*"]}, ["PROP-1"], ["acme/api#7"]),
    ({"issue_types": ["bug"]}, ["WEB-1"], []),
    ({"repos": ["acme/*"]}, ["PROP-1", "WEB-1"], ["acme/api#7"]),
    ({"repos": ["ACME/API"]}, ["PROP-1", "WEB-1"], ["acme/api#7"]),
    ({"labels": ["team-*"]}, ["WEB-1"], []),
]


@pytest.mark.parametrize(("scope", "ticket_keys", "pr_keys"), SCOPES)
def test_scope_narrows_changes(
    scope: dict[str, Any], ticket_keys: list[str], pr_keys: list[str]
) -> None:
    records = [
        *_pr_unit_records(),
        issue("WEB-1", type="Bug", labels=["team-web"], created="09:00"),
    ]
    stage = {"name": "Merged", "event": "pr_merged"}
    tickets = build_timelines(profile(stage, scope=scope), records)
    prs = build_timelines(profile(stage, scope=scope, start={"event": "commit_created"}), records)
    assert [t.key for t in tickets] == ticket_keys
    assert [t.key for t in prs] == pr_keys


def test_repos_scope_narrows_which_code_records_count() -> None:
    records = [
        issue("PROP-1"),
        commit("1" * 40, "10:01", "PROP-1 docs", repo="acme/docs"),
        commit("2" * 40, "10:05", "PROP-1 code", repo="acme/api"),
        run("1", "10:02", sha="1" * 40, repo="acme/docs"),
        run("2", "10:06", sha="2" * 40),  # no repo on the run: it counts
    ]
    stages = ({"name": "C", "event": "commit"}, {"name": "CI", "event": "ci_completed"})
    (timeline,) = build_timelines(profile(*stages, scope={"repos": ["acme/api"]}), records)
    assert [_at(h) for h in timeline.stages] == [dt("10:05"), dt("10:06")]
    (unscoped,) = build_timelines(profile(*stages), records)
    assert [_at(h) for h in unscoped.stages] == [dt("10:01"), dt("10:02")]


ALL_RECORDS = [r for n in range(1, 9) for r in load_example(f"example{n}.ndjson")]
PROFILES = [load_profile(EXAMPLES / "profile.yaml"), load_profile(EXAMPLES / "profile-cicd.yaml")]
PR_PROFILE = PROFILES[0].model_copy(
    update={"start": PROFILES[0].start.model_copy(update={"event": "commit_created"})}
)
BASELINES = [build_timelines(p, ALL_RECORDS) for p in [*PROFILES, PR_PROFILE]]


@settings(max_examples=60, deadline=None)
@given(st.permutations(range(len(ALL_RECORDS))))
def test_record_order_never_changes_a_timeline(order: list[int]) -> None:
    shuffled = [ALL_RECORDS[i] for i in order]
    for prof, baseline in zip([*PROFILES, PR_PROFILE], BASELINES, strict=True):
        assert build_timelines(prof, shuffled) == baseline


def test_ticket_created_start_in_the_pull_request_unit_is_pr_creation() -> None:
    prof = profile({"name": "Merged", "event": "pr_merged"})
    bundle = link(_pr_unit_records(), "pull_request")["acme/api#7"]
    timeline = build_timeline(prof, bundle)
    assert timeline is not None
    assert timeline.start == StageHit(dt("10:10"), "pull_request acme/api#7")


def test_pull_request_unit_label_scope_uses_pr_labels() -> None:
    records = [issue("PROP-1", labels=["team-api"]), pr(7, "10:10", title="PROP-1", labels=["ui"])]
    start = {"event": "commit_created"}
    stage = {"name": "Created", "event": "pr_created"}
    assert build_timelines(profile(stage, start=start, scope={"labels": ["team-*"]}), records) == []
    assert len(build_timelines(profile(stage, start=start, scope={"labels": ["UI"]}), records)) == 1
