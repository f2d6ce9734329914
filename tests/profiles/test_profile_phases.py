"""Efficiency-profile phases map onto stages; start may be any stage event."""

from __future__ import annotations

import pytest

from leadline.profiles.loader import ProfileError, load_profile_text

EQUIVALENT_STAGES = """
name: Stages
start: {event: ticket_created}
stages:
  - {name: Planning, event: issue_status, category: in_progress}
  - {name: Coding, event: commit}
  - {name: Review, event: pr_merged, occurrence: last}
  - {name: Build, event: ci_completed, occurrence: last}
  - {name: Deployment, event: cd_completed, occurrence: last, environments: [production]}
"""


def test_default_phases_are_the_equivalent_stages() -> None:
    phases = load_profile_text("name: Phases\nphases: default\n")
    stages = load_profile_text(EQUIVALENT_STAGES)
    assert phases.start == stages.start
    assert phases.stages == stages.stages


def test_custom_phases_with_a_stage_event_start_and_a_disabled_phase() -> None:
    profile = load_profile_text(
        """
name: p
phases:
  - name: Planning
    start: {source: issue_management, event: issue_status, category: todo}
    end: {source: issue_management, event: issue_status, statuses: [In Progress]}
    ideal: 1d
  - {name: Coding, end: {source: scm, event: pr_created}, enabled: false}
  - {name: Review, end: {source: scm, event: pr_approved}, acceptable: 2d}
"""
    )
    assert profile.start.event == "issue_status" and profile.start.category == "todo"
    assert [s.name for s in profile.stages] == ["Planning", "Review"]
    assert profile.stages[0].ideal == 86400.0 and profile.stages[1].acceptable == 172800.0
    start = profile.start.as_stage()
    assert start is not None and start.event == "issue_status"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("phases: [{name: a, end: {source: scm, event: commit}}]",
         "phases[0].start: required on the first phase"),
        ("phases: [{name: a, start: {source: scm, event: commit_created}, end: {event: commit}}]",
         "phases[0].end.source: required"),
        ("phases: [{name: a, start: {source: x, event: commit_created}, "
         "end: {source: scm, event: commit}}]",
         "phases[0].start.source: unknown source 'x'"),
        ("phases: [{name: a, start: {source: scm, event: commit_created}, "
         "end: {source: cd, event: commit}}]",
         "phases[0].end.event: event 'commit' comes from source 'scm', not 'cd'"),
        ("phases: [{name: a, start: {source: scm, event: commit_created}, "
         "end: {source: scm, event: teleport}}]",
         "phases[0].end.event: unknown event 'teleport'"),
        ("phases: [{name: a, start: {source: scm, event: commit_created}, "
         "end: {source: ci, event: ci_completed, environments: [x]}}]",
         "phases[0].end.environments: not used by event 'ci_completed'"),
        ("phases: [{name: a, start: {source: scm, event: commit_created}, "
         "end: {source: scm, event: commit}}, {name: b, start: {source: scm, event: commit}, "
         "end: {source: scm, event: pr_merged}}]",
         "phases[1].start: only the first phase has a start"),
        ("phases: " + str([{"name": str(i)} for i in range(6)]),
         "phases: at most 5 phases, got 6"),
        ("phases: default\nstages: [{name: a, event: commit}]",
         "phases: give either stages or phases, not both"),
        ("phases: 3", "phases: expected a list of 1 to 5 phases, or 'default'"),
    ],
)  # fmt: skip
def test_phase_errors_point_at_the_phase(text: str, line: str) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile_text("name: p\n" + text + "\n", "e.yaml")
    assert any(d.startswith(f"e.yaml: {line}") for d in info.value.details), info.value.details


@pytest.mark.parametrize(
    ("start", "line"),
    [
        ("{event: ticket_created, category: todo}",
         "start.category: only used when start.event is a stage event, not 'ticket_created'"),
        ("{event: issue_status}",
         "start.statuses: required for event 'issue_status' (or give category)"),
        ("{event: pr_created, pipelines: [x]}", "start.pipelines: not used by event 'pr_created'"),
        ("{event: commit, event_types: [x]}", "start.event_types: not used by event 'commit'"),
    ],
)  # fmt: skip
def test_start_filters_follow_the_stage_rules(start: str, line: str) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile_text(
            f"name: p\nstart: {start}\nstages: [{{name: a, event: commit}}]\n", "s.yaml"
        )
    assert f"s.yaml: {line}" in info.value.details
