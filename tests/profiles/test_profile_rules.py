"""Rules between keys, and many problems reported at once in document order."""

from __future__ import annotations

import pytest

from leadline.profiles import ProfileError, load_profile_text
from tests.profiles.support import EVENTS, FORMS, one_stage, problems

RULES: list[tuple[str, str, list[str]]] = [
    # --- rules between keys
    (
        "filter not used by the event",
        "name: P\nstages:\n  - {name: a, event: commit}\n  - {name: b, event: pr_approved}\n"
        "  - {name: c, event: pr_created, pipelines: [build]}\n",
        ["p.yaml: stages[2].pipelines: not used by event 'pr_created'"],
    ),
    (
        "filters on commit",
        one_stage("name: a, event: commit, labels: [x], environments: [prod]"),
        [
            "p.yaml: stages[0].labels: not used by event 'commit'",
            "p.yaml: stages[0].environments: not used by event 'commit'",
        ],
    ),
    (
        "environments on ci",
        one_stage("name: a, event: ci_completed, environments: [prod]"),
        ["p.yaml: stages[0].environments: not used by event 'ci_completed'"],
    ),
    (
        "category on a pr stage",
        one_stage("name: a, event: pr_review, category: done"),
        ["p.yaml: stages[0].category: not used by event 'pr_review'"],
    ),
    (
        "issue_status without statuses or category",
        one_stage("name: a, event: issue_status"),
        ["p.yaml: stages[0].statuses: required for event 'issue_status' (or give category)"],
    ),
    (
        "issue_status with both",
        one_stage("name: a, event: issue_status, statuses: [Done], category: done"),
        ["p.yaml: stages[0].category: give either statuses or category, not both"],
    ),
    (
        "start.event_types without api_event",
        "name: P\nstart: {event_types: [go]}\nstages: [{name: a, event: commit}]",
        [
            "p.yaml: start.event_types: only used with event 'api_event' "
            "(start.event is 'ticket_created')"
        ],
    ),
    (
        "duplicate stage names",
        "name: P\nstages:\n  - {name: Done, event: commit}\n  - {name: x, event: released}\n"
        "  - {name: ' done ', event: pr_created}\n",
        ["p.yaml: stages[2].name: stage name ' done ' is already used by stages[0]"],
    ),
    (
        "deployments filter for another source",
        one_stage("name: a, event: commit", "dora: {deployments: {source: cd, labels: [x]}}"),
        ["p.yaml: dora.deployments.labels: not used by source 'cd'"],
    ),
    (
        "deployments default source is cd",
        one_stage("name: a, event: commit", "dora: {deployments: {projects: [P]}}"),
        ["p.yaml: dora.deployments.projects: not used by source 'cd'"],
    ),
    (
        "releases with environments",
        one_stage(
            "name: a, event: commit", "dora: {deployments: {source: releases, environments: [p]}}"
        ),
        ["p.yaml: dora.deployments.environments: not used by source 'releases'"],
    ),
    (
        "failures from incidents with statuses",
        one_stage(
            "name: a, event: commit", "dora: {failures: {source: incidents, statuses: [failure]}}"
        ),
        ["p.yaml: dora.failures.statuses: not used by source 'incidents'"],
    ),
    (
        "failures from cd with a window",
        one_stage("name: a, event: commit", "dora: {failures: {window: 7d}}"),
        ["p.yaml: dora.failures.window: not used by source 'cd'"],
    ),
    (
        "restore from incidents with labels",
        one_stage("name: a, event: commit", "dora: {restore: {labels: [sev1]}}"),
        ["p.yaml: dora.restore.labels: not used by source 'incidents'"],
    ),
    (
        "restore clock statuses from incidents",
        one_stage(
            "name: a, event: commit",
            "dora: {restore: {start_statuses: [In Progress], stop_statuses: [Done]}}",
        ),
        [
            "p.yaml: dora.restore.start_statuses: not used by source 'incidents'",
            "p.yaml: dora.restore.stop_statuses: not used by source 'incidents'",
        ],
    ),
    (
        "restore start and incident filters from issues",
        one_stage(
            "name: a, event: commit",
            "dora: {restore: {source: issues, start: acknowledged,"
            " severities: [sev1], urgencies: [high], priorities: [High]}}",
        ),
        [  # in document order
            "p.yaml: dora.restore.start: not used by source 'issues'",
            "p.yaml: dora.restore.severities: not used by source 'issues'",
            "p.yaml: dora.restore.urgencies: not used by source 'issues'",
        ],
    ),
    (
        "a status both starts and stops the clock",
        one_stage(
            "name: a, event: commit",
            "dora: {restore: {source: issues, start_statuses:"
            " [In Progress, Done], stop_statuses: [Resolved, ' done ']}}",
        ),
        [
            "p.yaml: dora.restore.stop_statuses[1]: ' done ' is in start_statuses too: a status "
            "cannot both start and stop the clock"
        ],
    ),
    (
        "restore start is created or acknowledged",
        one_stage("name: a, event: commit", "dora: {restore: {start: resolved}}"),
        ["p.yaml: dora.restore.start: must be one of created, acknowledged, got 'resolved'"],
    ),
    (
        "failure incident filters with issues",
        one_stage(
            "name: a, event: commit",
            "dora: {failures: {source: issues, urgencies: [high], services: [api]}}",
        ),
        [
            "p.yaml: dora.failures.urgencies: not used by source 'issues'",
            "p.yaml: dora.failures.services: not used by source 'issues'",
        ],
    ),
    (
        "failure incident filters with cd",
        one_stage("name: a, event: commit", "dora: {failures: {severities: [sev1]}}"),
        ["p.yaml: dora.failures.severities: not used by source 'cd'"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in RULES], ids=[c[0] for c in RULES])
def test_rule_problem_lines(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


def test_single_problem_is_the_message() -> None:
    with pytest.raises(ProfileError) as info:
        load_profile_text(one_stage("name: a, event: teleport"), "p.yaml")
    assert info.value.message == info.value.details[0]
    assert str(info.value) == info.value.message


def test_every_problem_is_reported_in_document_order() -> None:
    text = """\
name: P
start: {event: ticket_created, event_types: [x]}
stages:
  - {name: In Progress, event: issue_status}
  - {name: Commit, event: commit, labels: [x], ideal: soon}
  - {name: PR, event: pr_created, pipelines: [a], ideal: 2h, acceptable: 1h}
  - {name: X, event: teleport}
  - {name: pr, event: pr_merged, occurrence: sometimes}
  - {name: Y, event: issue_status, statuses: [Done], category: done}
missing_stages: sometimes
dora:
  deployments: {source: cd, labels: [a], environments: []}
  bands: 2023
"""
    with pytest.raises(ProfileError) as info:
        load_profile_text(text, "p.yaml")
    err = info.value
    assert err.message == "p.yaml: 14 problems in the profile"
    assert err.details == [
        "p.yaml: start.event_types: only used with event 'api_event' "
        "(start.event is 'ticket_created')",
        "p.yaml: stages[0].statuses: required for event 'issue_status' (or give category)",
        "p.yaml: stages[1].labels: not used by event 'commit'",
        f"p.yaml: stages[1].ideal: not a duration: 'soon' (expected {FORMS})",
        "p.yaml: stages[2].pipelines: not used by event 'pr_created'",
        "p.yaml: stages[2].ideal: ideal (2h) is longer than acceptable (1h)",
        f"p.yaml: stages[3].event: unknown event 'teleport' (expected one of {EVENTS})",
        "p.yaml: stages[4].name: stage name 'pr' is already used by stages[2]",
        "p.yaml: stages[4].occurrence: must be one of first, last, got 'sometimes'",
        "p.yaml: stages[5].category: give either statuses or category, not both",
        "p.yaml: missing_stages: must be one of zero, exclude, got 'sometimes'",
        "p.yaml: dora.deployments.labels: not used by source 'cd'",
        "p.yaml: dora.deployments.environments: empty list matches nothing",
        "p.yaml: dora.bands: must be one of harness, dora-2023, dora-2024, got the number 2023",
    ]
    assert err.problems[0] == (
        "start.event_types",
        "only used with event 'api_event' (start.event is 'ticket_created')",
    )


def test_details_are_capped() -> None:
    stages = "".join(f"  - {{name: s{i}, event: nope}}\n" for i in range(60))
    with pytest.raises(ProfileError) as info:
        load_profile_text(f"name: P\nstages:\n{stages}", "p.yaml")
    assert info.value.message == "p.yaml: 60 problems in the profile"
    assert len(info.value.problems) == 60
    assert len(info.value.details) == 51
    assert info.value.details[-1] == "… and 10 more"
