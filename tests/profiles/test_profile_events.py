"""Validation of the stage events ``pr_labeled`` and ``change_request`` and of the
``params`` filters: every problem one line ``PATH: where: what``, each exact."""

from __future__ import annotations

import pytest

from leadline.profiles import (
    ProfileError,
    load_profile_text,
    profile_fingerprint,
    profile_from_data,
    profile_to_dict,
)
from tests.profiles.support import one_stage, problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (one_stage("name: a, event: pr_labeled"),
         "stages[0].labels: required for event 'pr_labeled' (['*']: any label)"),
        (one_stage("name: a, event: pr_labeled, labels: [x], pipelines: [b]"),
         "stages[0].pipelines: not used by event 'pr_labeled'"),
        (one_stage("name: a, event: pr_created, params: {A: b}"),
         "stages[0].params: not used by event 'pr_created'"),
        (one_stage("name: a, event: issue_status, statuses: [x], params: {A: b}"),
         "stages[0].params: not used by event 'issue_status'"),
        (one_stage("name: a, event: change_request, environments: [prod]"),
         "stages[0].environments: not used by event 'change_request'"),
        (one_stage("name: a, event: change_request, labels: [x]"),
         "stages[0].labels: not used by event 'change_request'"),
        (one_stage("name: a, event: cd_completed, params: {}"),
         "stages[0].params: empty mapping matches nothing"),
        (one_stage("name: a, event: cd_completed, params: {REPLICAS: 3}"),
         "stages[0].params.REPLICAS: expected a string, got the number 3 "
         "(put it in quotes to make it text)"),
        (one_stage("name: a, event: cd_completed, params: {DRY: [a]}"),
         "stages[0].params.DRY: expected a string, got a list"),
        (one_stage("name: a, event: cd_completed, params: {'': prod}"),
         "stages[0].params['']: must not be empty"),
        (one_stage("name: a, event: ci_completed, params: {A: ' '}"),
         "stages[0].params.A: must not be empty"),
        (one_stage("name: a, event: ci_completed, params: [A]"),
         "stages[0].params: expected a mapping, got a list"),
        (one_stage("name: a, event: commit", "dora: {deployments: {source: pull_requests, "
                   "params: {A: b}}}"),
         "dora.deployments.params: not used by source 'pull_requests'"),
        (one_stage("name: a, event: commit", "dora: {failures: {source: incidents, "
                   "params: {A: b}}}"),
         "dora.failures.params: not used by source 'incidents'"),
        (one_stage("name: a, event: commit", "dora: {restore: {params: {A: b}}}"),
         "dora.restore.params: unknown field 'params'"),
        ("name: P\nstart: {event: ticket_created, params: {A: b}}\n"
         "stages: [{name: a, event: commit}]",
         "start.params: only used when start.event is a stage event, not 'ticket_created'"),
        ("name: P\nstart: {event: pr_labeled}\nstages: [{name: a, event: commit}]",
         "start.labels: required for event 'pr_labeled' (['*']: any label)"),
        ("name: P\nphases: [{name: a, start: {source: issue_management, event: ticket_created},"
         " end: {source: cd, event: change_request}}]",
         "phases[0].end.event: event 'change_request' comes from source 'itsm', not 'cd'"),
        ("name: P\nphases: [{name: a, start: {source: issue_management, event: ticket_created},"
         " end: {source: ci, event: pr_labeled, labels: [x]}}]",
         "phases[0].end.event: event 'pr_labeled' comes from source 'scm', not 'ci'"),
        ("name: P\nphases: [{name: a, start: {source: issue_management, event: ticket_created},"
         " end: {source: itsm, event: change_request, params: {}}}]",
         "phases[0].end.params: empty mapping matches nothing"),
    ],
)  # fmt: skip
def test_problem_lines(text: str, expected: str) -> None:
    found = problems(text)
    assert any(line.startswith(f"p.yaml: {expected}") for line in found), found


VALID = """\
name: Events
start: {event: change_request, pipelines: ["change_request/*"], params: {risk: low}}
stages:
  - {name: QA, event: pr_labeled, labels: [ready-for-qa], target_branches: [main],
     occurrence: last}
  - {name: CI, event: ci_completed, params: {SUITE: full}}
  - {name: Prod, event: cd_completed, params: {DEPLOY_ENV: "prod*"}}
  - {name: Change, event: change_request, statuses: [success], params: {category: Software}}
dora:
  deployments: {params: {DEPLOY_ENV: prod}}
  failures: {params: {DEPLOY_ENV: "*"}}
"""


def test_a_valid_profile_round_trips() -> None:
    profile = load_profile_text(VALID, "v.yaml")
    assert profile.stages[0].effective_occurrence == "last"
    assert profile.stages[3].effective_occurrence == "first"
    assert profile.stages[2].params == {"DEPLOY_ENV": "prod*"}
    assert profile.dora is not None and profile.dora.failures.params == {"DEPLOY_ENV": "*"}
    again = profile_from_data(profile_to_dict(profile))
    assert again == profile
    assert profile_fingerprint(again) == profile_fingerprint(profile)
    changed = profile_from_data(
        profile_to_dict(profile)
        | {"dora": {"deployments": {"params": {"DEPLOY_ENV": "production"}}}}
    )
    assert profile_fingerprint(changed) != profile_fingerprint(profile)


def test_itsm_phase() -> None:
    profile = load_profile_text(
        "name: P\nphases:\n"
        "  - {name: Deploy, start: {source: issue_management, event: ticket_created},\n"
        "     end: {source: itsm, event: change_request, occurrence: last}}\n",
        "p.yaml",
    )
    assert [(s.name, s.event, s.occurrence) for s in profile.stages] == [
        ("Deploy", "change_request", "last")
    ]
    with pytest.raises(ProfileError):
        load_profile_text("name: P\nstages: [{name: a, event: change_request, params: 1}]")


def test_the_options_profile_loads_and_round_trips() -> None:
    from pathlib import Path

    from leadline.profiles import load_profile

    path = Path(__file__).parent / "options" / "events.yaml"
    profile = load_profile(path)
    assert [s.event for s in profile.stages] == [
        "pr_labeled", "pr_labeled", "ci_completed", "cd_completed", "change_request",
    ]  # fmt: skip
    assert profile_from_data(profile_to_dict(profile)) == profile
