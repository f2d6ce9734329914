"""Conditions on every filter (docs/profiles.md, "Matching"): each key under each case rule.

Hand-written tables: a filter key, the record's value, the conditions written in the
profile, and whether the filter keeps the record (the reason in a comment). The predicates
are those of ``correlate/scope.py`` that every caller uses; a list keeps today's answers
(``test_case_rules.py``), and ``{equals: L}`` is the same filter as ``L``.
"""

from __future__ import annotations

from typing import Any

import pytest

from leadline.correlate.scope import any_glob, glob_match
from leadline.profiles.conditions import Conditions, filter_text
from tests.correlate.test_case_rules import CASES, RULES


def cond(data: dict[str, Any]) -> Conditions:
    return Conditions.model_validate(data)


PAY = {"starts_with": ["acme/pay"], "not": ["acme/payments-legacy"]}
DEPLOY = {"regex": "^deploy-(prod|live)$"}
BRANCHES = {"equals": ["main"], "not": ["release/old*"]}

ONE_VALUE = [
    # (filter key, value, conditions, kept)
    # --- names: globs for equals/not, plain text otherwise, any case
    ("repos", "acme/payments", PAY, True),
    ("repos", "Acme/PAY-api", PAY, True),  # any case
    ("repos", "acme/payments-legacy", PAY, False),  # the `not` of an AND
    ("repos", "acme/web", PAY, False),  # does not start with acme/pay
    ("repos", "acme/web", {"not": ["acme/pay*"]}, True),  # `not` takes globs
    ("repos", "acme/pay-api", {"not": ["acme/pay*"]}, False),
    ("repos", "acme/pay-api", {"not": ["acme/web", "acme/pay-api"]}, False),  # none of them
    ("repos", "acme/web", {"equals": ["acme/*"]}, True),  # equals: today's glob rule
    ("repos", "acme/web", {"ends_with": ["/api", "/web"]}, True),  # any of the values
    ("repos", "acme/web", {"contains": ["*"]}, False),  # plain text: `*` is a star
    ("repos", "acme/we*b", {"contains": ["*"]}, True),
    ("repos", "acme/pay", {"not_contains": ["legacy"]}, True),
    ("repos", "acme/LEGACY-pay", {"not_contains": ["legacy"]}, False),  # any case
    ("repos", "acme/old", {"not_contains": ["legacy", "old"]}, False),  # contains one
    ("repos", None, {"not": ["acme/x"]}, True),  # no repo: nothing to exclude
    ("repos", None, {"not_contains": ["x"]}, True),
    ("repos", None, {"not": ["acme/x"], "contains": ["a"]}, False),  # a positive key fails
    ("repos", None, {"starts_with": ["a"]}, False),
    # --- regex: re.search, any case for names, a string or a list (any of them)
    ("pipelines", "deploy-prod", DEPLOY, True),
    ("pipelines", "Deploy-LIVE", DEPLOY, True),  # any case, as the filter
    ("pipelines", "deploy-prod-eu", DEPLOY, False),  # `$` anchors
    ("pipelines", "redeploy-prod", {"regex": "deploy-prod"}, True),  # a search, not a match
    ("pipelines", "ship", {"regex": ["^deploy", "^ship$"]}, True),
    ("pipelines", None, {"regex": "."}, False),
    ("pipelines", "deploy-prod", {"regex": "prod", "not": ["*-eu"]}, True),
    ("pipelines", "deploy-prod-eu", {"regex": "prod", "not": ["*-eu"]}, False),
    # --- branches: exact case for every key
    ("target_branches", "main", BRANCHES, True),
    ("target_branches", "release/old-2", BRANCHES, False),  # not main either
    (
        "target_branches",
        "release/2",
        {"starts_with": ["release/"], "not": ["release/old*"]},
        True,
    ),
    (
        "target_branches",
        "release/old-1",
        {"starts_with": ["release/"], "not": ["release/old*"]},
        False,
    ),
    ("target_branches", "Main", {"starts_with": ["main"]}, False),  # exact case
    ("target_branches", "Main", {"not": ["main"]}, True),  # `Main` is not `main`
    ("target_branches", "Release/2", {"regex": "^release/"}, False),  # regex in exact case
    ("target_branches", "hotfix/MAIN", {"ends_with": ["main"]}, False),
    ("source_branches", "feature/x", {"contains": ["ture/"]}, True),
    ("target_branches", None, {"not": ["main"]}, True),
    # --- exact names: equals/not exact (no glob), spaces trimmed, any case
    ("environments", " Production ", {"starts_with": ["prod"]}, True),
    ("environments", "production-eu", {"equals": ["production"]}, False),
    ("environments", "production", {"equals": ["prod*"]}, False),  # no globs
    ("environments", "prod-eu", {"not": [" PROD-EU "]}, False),
    ("environments", " staging", {"regex": "^stag"}, True),  # searched trimmed
    ("environments", "staging", {"ends_with": ["ING "]}, True),  # the name trimmed too
    ("priorities", "P1", {"not": ["p1", "p2"]}, False),
    ("priorities", "P3", {"not": ["p1", "p2"]}, True),
    ("severities", "SEV2", {"regex": "^sev[12]$"}, True),
    ("urgencies", None, {"not": ["low"]}, True),
    # --- scope.services: a record naming no service passes, as with a list
    ("scope.services", None, {"starts_with": ["pay"]}, True),
    ("scope.services", "web", {"starts_with": ["pay"]}, False),
    ("scope.services", "Payments", {"starts_with": ["pay"]}, True),
]


@pytest.mark.parametrize(("key", "value", "given", "kept"), ONE_VALUE)
def test_each_condition_under_each_rule(
    key: str, value: str | None, given: dict[str, Any], kept: bool
) -> None:
    assert RULES[key](value, cond(given)) is kept


LABELS = [
    # (the record's labels, conditions, kept)
    (["bug", "team-pay"], {"starts_with": ["team-"]}, True),  # one label will do
    (["bug"], {"not": ["wip"]}, True),
    (["bug", "WIP"], {"not": ["wip"]}, False),  # `not`: none of the labels
    (["bug", "wip-later"], {"not": ["wip*"]}, False),
    (["wip-later"], {"not_contains": ["WIP"]}, False),
    ([], {"not": ["wip"]}, True),  # no label: nothing to exclude
    ([], {"contains": ["x"]}, False),
    (["team-pay", "bug"], {"starts_with": ["team-"], "ends_with": ["-web"]}, False),
    (["team-pay", "ui-web"], {"starts_with": ["team-"], "ends_with": ["-web"]}, True),  # each
    (["Deps"], {"equals": ["dep*"]}, True),  # equals: globs, any case
    (["incident-42"], {"contains": ["incident"]}, True),
    (["sev-1"], {"regex": r"^sev-\d$"}, True),
]


@pytest.mark.parametrize(("labels", "given", "kept"), LABELS)
def test_labels_conditions(labels: list[str], given: dict[str, Any], kept: bool) -> None:
    assert any_glob(labels, cond(given)) is kept


@pytest.mark.parametrize(("key", "value", "patterns", "kept"), CASES)
def test_equals_is_the_list_and_not_its_opposite(
    key: str, value: str | None, patterns: list[str], kept: bool
) -> None:
    """Every row of the case-rule table: ``{equals: L}`` keeps what ``L`` keeps, and
    ``{not: L}`` the opposite, for a record that has the field (one without it passes
    ``not``, unless the filter is ``scope.services``, which lets it through anyway)."""
    rule = RULES[key]
    assert rule(value, patterns) is kept
    assert rule(value, cond({"equals": patterns})) is kept
    assert rule(value, cond({"not": patterns})) is (value is None or not kept)


def test_no_filter_keeps_everything_and_a_list_is_unchanged() -> None:
    assert glob_match(None, None) and any_glob([], None)
    assert glob_match("acme/x", ["ACME/*"]) and not glob_match(None, ["acme/*"])


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        (["acme/*", "web"], "acme/*, web"),
        (PAY, "{not: [acme/payments-legacy], starts_with: [acme/pay]}"),  # in the docs' order
        ({"regex": "^d$", "equals": ["a", "b"]}, "{equals: [a, b], regex: [^d$]}"),
    ],
)
def test_a_filter_as_the_cli_and_the_dashboard_show_it(given: Any, shown: str) -> None:
    value = cond(given) if isinstance(given, dict) else given
    assert filter_text(value) == shown
