"""``dora.failures.source: pull_requests`` and ``dora.rework``: every option validated (one
line per problem, at its key), and tests/profiles/options/prfailures.yaml loads and exports
back to an equal profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadline.profiles.loader import load_profile, profile_from_data, profile_to_dict
from tests.profiles.support import one_stage, problems

OPTIONS = Path(__file__).parent / "options" / "prfailures.yaml"
STAGE = "name: a, event: pr_merged"


def test_the_options_file_round_trips() -> None:
    profile = load_profile(OPTIONS)
    assert profile.dora is not None and profile.dora.rework is not None
    f, r = profile.dora.failures, profile.dora.rework
    assert (f.source, f.titles, f.match, f.window) == (
        "pull_requests", ['Revert "*"', "hotfix*"], "any", 3 * 86400.0
    )  # fmt: skip
    assert r.pull_requests is not None and r.pull_requests.match == "all"
    assert r.issues is not None and r.issues.priorities == ["P1", "P2"]
    assert r.incidents is True
    assert profile_from_data(profile_to_dict(profile), "export") == profile


def test_a_profile_without_the_new_options_exports_as_before() -> None:
    exported = profile_to_dict(profile_from_data(
        {"name": "P", "stages": [{"name": "a", "event": "pr_merged"}],
         "dora": {"failures": {"source": "incidents"}}}, "p"))  # fmt: skip
    assert "rework" not in exported["dora"]
    assert set(exported["dora"]["failures"]) == {"source"}


@pytest.mark.parametrize(
    ("dora", "expected"),
    [
        (
            "dora: {failures: {source: pull_requests}}",
            ["p.yaml: dora.failures.titles: give at least one of titles, branches, labels"],
        ),
        (
            "dora: {failures: {source: pull_requests, target_branches: [main], match: all}}",
            ["p.yaml: dora.failures.titles: give at least one of titles, branches, labels"],
        ),
        (
            "dora: {failures: {source: incidents, titles: [x], branches: [y], match: any}}",
            [
                "p.yaml: dora.failures.titles: not used by source 'incidents'",
                "p.yaml: dora.failures.branches: not used by source 'incidents'",
                "p.yaml: dora.failures.match: not used by source 'incidents'",
            ],
        ),
        (
            "dora: {failures: {source: issues, target_branches: [main]}}",
            ["p.yaml: dora.failures.target_branches: not used by source 'issues'"],
        ),
        (
            "dora: {failures: {source: cd, labels: [x]}}",
            ["p.yaml: dora.failures.labels: not used by source 'cd'"],
        ),
        (
            "dora: {failures: {source: pull_requests, titles: [x], match: some}}",
            ["p.yaml: dora.failures.match: must be one of any, all, got 'some'"],
        ),
        (
            "dora: {failures: {source: pull_requests, titles: []}}",
            ["p.yaml: dora.failures.titles: empty list matches nothing"],
        ),
        (
            "dora: {rework: {}}",
            ["p.yaml: dora.rework: give at least one signal: pull_requests, issues, incidents"],
        ),
        (
            "dora: {rework: {incidents: false}}",
            ["p.yaml: dora.rework: give at least one signal: pull_requests, issues, incidents"],
        ),
        (
            "dora: {rework: {pull_requests: {match: all}, issues: {}}}",
            [
                "p.yaml: dora.rework.pull_requests.titles: give at least one of titles, branches, "
                "labels",
                "p.yaml: dora.rework.issues.issue_types: give at least one of issue_types, labels, "
                "priorities, projects",
            ],
        ),
        (
            "dora: {rework: {issues: {types: [Bug]}}}",
            [
                "p.yaml: dora.rework.issues.types: unknown field 'types' (expected one of "
                "issue_types, labels, priorities, projects)"
            ],
        ),
        (
            "dora: {rework: {incidents: yes please}}",
            ["p.yaml: dora.rework.incidents: expected true or false, got the string 'yes please'"],
        ),
    ],
)
def test_problem_lines(dora: str, expected: list[str]) -> None:
    assert problems(one_stage(STAGE, dora)) == expected
