"""Filters written as conditions in a profile: every bad condition is one ``PATH: where:
what`` line at its exact key; good ones load, export and load back equal; and a profile
of lists keeps the fingerprint it had before conditions existed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadline.correlate.scope import any_glob, exact_match, glob_match
from leadline.profiles import (
    ProfileError,
    load_profile_text,
    profile_fingerprint,
    profile_from_data,
)
from leadline.profiles.conditions import Conditions
from leadline.profiles.export import Format, export_text
from leadline.profiles.loader import profile_to_dict
from tests.profiles.support import problems

KEYS = "equals, not, starts_with, ends_with, contains, not_contains, regex"
STAGES = "stages: [{name: Merged, event: pr_merged}]\n"
LINE = re.compile(r"^src\.yaml: [^\n]+: [^\n]+$")


def scoped(scope: str) -> str:
    return f"name: P\nscope: {scope}\n{STAGES}"


CASES: list[tuple[str, str, list[str]]] = [
    (
        "bad regex (a string)",
        scoped("{repos: {regex: '('}}"),
        [
            "p.yaml: scope.repos.regex: bad regular expression '(': missing ), unterminated "
            "subpattern at position 0"
        ],
    ),
    (
        "bad regex (the second of a list)",
        "name: P\nstages:\n  - {name: CD, event: cd_completed, pipelines: {regex: [ok, '[a']}}\n",
        [
            "p.yaml: stages[0].pipelines.regex[1]: bad regular expression '[a': unterminated "
            "character set at position 0"
        ],
    ),
    (
        "empty mapping",
        scoped("{repos: {}}"),
        [f"p.yaml: scope.repos: no condition given (expected one or more of {KEYS})"],
    ),
    (
        "unknown key, with a suggestion",
        scoped("{labels: {startswith: [team-]}}"),
        [
            f"p.yaml: scope.labels.startswith: unknown field 'startswith' (expected one of "
            f"{KEYS}); did you mean 'starts_with'?"
        ],
    ),
    (
        "the Python name of not",
        scoped("{repos: {not_: [x]}}"),
        [
            f"p.yaml: scope.repos.not_: unknown field 'not_' (expected one of {KEYS}); did you "
            "mean 'not'?"
        ],
    ),
    (
        "empty list",
        scoped("{repos: {not: []}}"),
        ["p.yaml: scope.repos.not: empty list matches nothing"],
    ),
    (
        "a string where a list is wanted",
        scoped("{repos: {starts_with: acme}}"),
        ["p.yaml: scope.repos.starts_with: expected a list, got the string 'acme' (write [acme])"],
    ),
    (
        "a blank name",
        scoped("{repos: {contains: [' ']}}"),
        ["p.yaml: scope.repos.contains[0]: must not be empty"],
    ),
    (
        "a filter that is neither (unchanged message)",
        scoped("{repos: acme}"),
        ["p.yaml: scope.repos: expected a list, got the string 'acme' (write [acme])"],
    ),
    (
        "statuses are sets, not filters",
        "name: P\nstages:\n  - {name: D, event: issue_status, statuses: {not: [Done]}}\n",
        ["p.yaml: stages[0].statuses: expected a list, got a mapping"],
    ),
    (
        "hotfix label patterns are lists",
        f"name: P\n{STAGES}dora:\n"
        "  failures: {source: pull_requests, labels: {contains: [hotfix]}}\n",
        [
            "p.yaml: dora.failures.labels: a list of patterns with source 'pull_requests' "
            "(conditions are for filters)"
        ],
    ),
    (
        "every problem at once, in the order of the file",
        "name: P\nscope: {repos: {regex: '('}, projects: {}}\n"
        "stages:\n  - {name: M, event: pr_merged, target_branches: {ends_with: []}}\n",
        [
            "p.yaml: scope.repos.regex: bad regular expression '(': missing ), unterminated "
            "subpattern at position 0",
            f"p.yaml: scope.projects: no condition given (expected one or more of {KEYS})",
            "p.yaml: stages[0].target_branches.ends_with: empty list matches nothing",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_bad_condition_is_one_line_at_its_key(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


GOOD = """\
name: Conditions
scope:
  repos: {starts_with: [acme/pay], not: [acme/payments-legacy]}
  labels: {contains: [incident]}
stages:
  - {name: Merged, event: pr_merged, target_branches: {equals: [main], not: ['release/old*']}}
  - {name: Deployed, event: cd_completed, pipelines: {regex: '^deploy-(prod|live)$'}}
dora:
  deployments: {source: cd, pipelines: {regex: '^deploy-(prod|live)$'}}
  failures: {source: incidents, severities: {not: [sev4]}}
"""


def test_conditions_export_as_written_and_load_back_equal() -> None:
    profile = load_profile_text(GOOD)
    assert isinstance(profile.scope.repos, Conditions)
    exported = profile_to_dict(profile)
    assert exported["scope"] == {
        "repos": {"not": ["acme/payments-legacy"], "starts_with": ["acme/pay"]},
        "labels": {"contains": ["incident"]},
    }
    # A lone regex is a one-item list; `not` keeps its name.
    assert exported["stages"][1]["pipelines"] == {"regex": ["^deploy-(prod|live)$"]}
    assert exported["dora"]["failures"]["severities"] == {"not": ["sev4"]}
    again = profile_from_data(exported)
    assert again == profile
    assert profile_fingerprint(again) == profile_fingerprint(profile)
    # The compiled expression survives the round trip (it is rebuilt on validation).
    assert isinstance(again.stages[1].pipelines, Conditions)
    assert again.stages[1].pipelines.patterns(ignore_case=True)[0].search("DEPLOY-LIVE")


def test_key_order_and_a_lone_regex_do_not_change_the_fingerprint() -> None:
    one = GOOD.replace("{starts_with: [acme/pay], not: [acme/payments-legacy]}",
                       "{not: [acme/payments-legacy], starts_with: [acme/pay]}")  # fmt: skip
    two = GOOD.replace(
        "{regex: '^deploy-(prod|live)$'}}\ndora", "{regex: ['^deploy-(prod|live)$']}}\ndora"
    )
    assert one != GOOD and two != GOOD
    fingerprints = {profile_fingerprint(load_profile_text(t)) for t in (GOOD, one, two)}
    assert len(fingerprints) == 1
    other = GOOD.replace("not: [sev4]", "not: [sev3]")
    assert profile_fingerprint(load_profile_text(other)) not in fingerprints


LISTS = """\
name: Lists
scope: {repos: [acme/*], labels: [team-pay], services: [pay*]}
stages:
  - {name: Merged, event: pr_merged, target_branches: [main]}
  - {name: Deployed, event: cd_completed, pipelines: [deploy-*], environments: [production]}
dora:
  deployments: {source: cd, pipelines: [deploy-*]}
  failures: {source: incidents, severities: [sev1]}
"""


def test_a_profile_of_lists_is_unchanged() -> None:
    """Its export is its lists, and its fingerprint the one it had before conditions
    existed (computed then, with the same text): its stored timelines stay valid."""
    profile = load_profile_text(LISTS)
    exported = profile_to_dict(profile)
    assert exported["scope"] == {"repos": ["acme/*"], "labels": ["team-pay"], "services": ["pay*"]}
    assert exported["stages"][1]["pipelines"] == ["deploy-*"]
    assert profile_fingerprint(profile) == (
        "51b0d050c5929b608562609ef5ee7c724e679dc444953ecd040131de8b62e77e"
    )


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_an_export_loads_back_to_the_same_profile(fmt: Format) -> None:
    """``leadline profile export`` writes conditions as mappings that load back equal."""
    profile = load_profile_text(GOOD)
    text = export_text(profile, fmt)
    assert "not:" in text if fmt == "yaml" else '"not": [' in text
    assert load_profile_text(text, f"p.{fmt}") == profile


REGEXISH = st.text(alphabet="()[]{}*+?^$|\\.-a1 ", max_size=8)
condition_maps = st.dictionaries(
    st.one_of(st.sampled_from(KEYS.split(", ")), st.sampled_from(["not_", "x", ""])),
    st.one_of(REGEXISH, st.lists(REGEXISH, max_size=3), st.integers(), st.none(), st.just({})),
    max_size=4,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(condition_maps, st.lists(st.text(max_size=8), max_size=3))
def test_random_conditions_are_a_profile_or_clear_lines(
    given_: dict[str, Any], values: list[str]
) -> None:
    """Junk conditions: either one ``PATH: where: what`` line per problem, or a profile
    that round-trips and whose predicates answer for any value, never a traceback."""
    data = {
        "name": "P",
        "scope": {"repos": given_},
        "stages": [{"name": "CD", "event": "cd_completed", "environments": given_}],
    }
    try:
        profile = profile_from_data(data, "src.yaml")
    except ProfileError as err:
        assert err.details and all(LINE.match(line) for line in err.details), err.details
        return
    assert profile_from_data(profile_to_dict(profile)) == profile
    for value in [*values, None]:
        glob_match(value, profile.scope.repos)
        exact_match(value, profile.stages[0].environments)
    any_glob(values, profile.scope.repos)
