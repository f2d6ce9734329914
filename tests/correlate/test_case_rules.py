"""One case rule per filter key (the table of ``correlate/scope.py`` and docs/profiles.md).

Hand-written: each row is a filter key, the predicate every caller uses for it, a stored
value, a profile's pattern, and whether the filter keeps the value. A row that differs
only in case is the point of the table: names match in any case, branches in exact case,
exact names ignoring case and surrounding spaces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from leadline.correlate.scope import (
    any_glob,
    branch_match,
    exact_match,
    glob_match,
    params_match,
    service_ok,
    status_set,
)

Predicate = Callable[[str | None, Sequence[str] | None], bool]

#: The predicate of each filter key (what the stages, categories, scope and dora call).
RULES: dict[str, Predicate] = {
    "projects": glob_match,
    "issue_types": glob_match,
    "repos": glob_match,
    "pipelines": glob_match,
    "names": glob_match,
    "event_types": glob_match,
    "services": glob_match,
    "scope.services": service_ok,
    "target_branches": branch_match,
    "source_branches": branch_match,
    "environments": exact_match,
    "priorities": exact_match,
    "severities": exact_match,
    "urgencies": exact_match,
}

CASES = [
    # (filter key, value, patterns, kept)
    ("projects", "PAY", ["pay"], True),
    ("projects", "pay", ["PA*"], True),
    ("projects", "PAYMENTS", ["pay"], False),  # a glob matches the whole name
    ("issue_types", "Bug", ["bug"], True),
    ("issue_types", "Incident", ["INC*"], True),
    ("repos", "Acme/API", ["acme/*"], True),
    ("repos", "acme/web", ["acme/api"], False),
    ("pipelines", "Deploy-Prod", ["deploy-*"], True),
    ("names", "V1.2", ["v*"], True),
    ("event_types", "Deploy.Finished", ["deploy.*"], True),
    ("services", "Payments", ["pay*"], True),
    ("services", None, ["pay*"], False),  # a section's list: no service, no match
    ("scope.services", "Payments", ["pay*"], True),
    ("scope.services", "Search", ["pay*"], False),
    ("scope.services", None, ["pay*"], True),  # naming no service passes the scope
    ("target_branches", "main", ["main"], True),
    ("target_branches", "Main", ["main"], False),  # the rule that drifted: exact case
    ("target_branches", "MAIN", ["main"], False),
    ("target_branches", "release/1.2", ["release/*"], True),
    ("target_branches", "Release/1.2", ["release/*"], False),
    ("target_branches", None, ["main"], False),  # a PR without a target branch
    ("source_branches", "feature/x", ["feature/*"], True),
    ("source_branches", "Feature/x", ["feature/*"], False),
    ("environments", "Production", ["production"], True),
    ("environments", " production ", ["PRODUCTION"], True),  # spaces trimmed
    ("environments", "production-eu", ["production"], False),  # exact, not a glob
    ("environments", "prod", ["prod*"], False),  # no glob at all
    ("environments", None, ["production"], False),
    ("priorities", "p1", ["P1"], True),
    ("priorities", "P", ["P1"], False),
    ("severities", "SEV1", ["sev1"], True),
    ("urgencies", "High", ["high"], True),
]


@pytest.mark.parametrize(("key", "value", "patterns", "kept"), CASES)
def test_each_filter_has_one_case_rule(
    key: str, value: str | None, patterns: list[str], kept: bool
) -> None:
    assert RULES[key](value, patterns) is kept, (key, value, patterns)


@pytest.mark.parametrize("key", sorted(RULES))
def test_an_absent_list_narrows_nothing(key: str) -> None:
    assert RULES[key]("anything", None) is True
    assert RULES[key](None, None) is True


@pytest.mark.parametrize(
    ("labels", "patterns", "kept"),
    [
        (["Hotfix"], ["hotfix"], True),  # any case
        (["team-a", "BUG"], ["bug*"], True),  # any of the labels
        (["team-a"], ["bug*"], False),
        ([], ["bug*"], False),
        ([], None, True),
    ],
)
def test_labels_any_case_any_of(labels: list[str], patterns: list[str] | None, kept: bool) -> None:
    assert any_glob(labels, patterns) is kept


@pytest.mark.parametrize(
    ("params", "wanted", "kept"),
    [
        ({"DEPLOY_ENV": "Production"}, {"DEPLOY_ENV": "prod*"}, True),  # value: any case
        ({"deploy_env": "prod"}, {"DEPLOY_ENV": "prod"}, False),  # name: exact case
        ({"DEPLOY_ENV": "prod"}, {"DEPLOY_ENV": "PROD"}, True),
    ],
)
def test_params_name_exact_value_any_case(
    params: dict[str, str], wanted: dict[str, str], kept: bool
) -> None:
    assert params_match(params, wanted) is kept


def test_run_statuses_any_case() -> None:
    assert status_set(["Failure", "ROLLED_BACK"], ["success"]) == {"failure", "rolled_back"}
    assert status_set(None, ["success"]) == {"success"}
