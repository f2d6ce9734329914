"""Hotfix and revert PRs, bug tickets and restored incidents: the pure rules of
``correlate/unplanned.py``, each boundary by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadline.correlate.ancestry import Deployment, ship
from leadline.correlate.commit_graph import CommitGraph
from leadline.correlate.incidents import Failure, FailureLink
from leadline.correlate.unplanned import (
    PrPatterns,
    Restore,
    TicketPatterns,
    glob_hit,
    link_pr_failures,
    pr_rule,
    restoring_deployments,
    reverted_sha,
    reverted_title,
    rework,
    ticket_rule,
)

HOUR = 3_600_000_000
PATTERNS = PrPatterns(titles=('Revert "*"', "hotfix*"), branches=("hotfix/*", "revert-*"),
                      labels=("hotfix", "revert"))  # fmt: skip


@pytest.mark.parametrize(
    ("value", "patterns", "expected"),
    [
        ("Hotfix: login", ("hotfix*",), "hotfix*"),  # case-insensitive
        ("a hotfix", ("hotfix*",), None),  # the whole value
        ("hotfix", ("hotfix*",), "hotfix*"),  # * may be empty
        ("hotfix", ("hotfix?",), None),  # ? is exactly one character
        ("hotfix1", ("hotfix?",), "hotfix?"),
        ("hotfix12", ("hotfix?",), None),
        ("[HOTFIX] login", ("[hotfix]*",), "[hotfix]*"),  # [ is literal
        ("h login", ("[hotfix]*",), None),  # … not a character class
        ("a.b", ("a.b",), "a.b"),  # regex characters are literal
        ("axb", ("a.b",), None),
        ("line\nbreak", ("line*",), "line*"),  # * crosses lines
        (None, ("*",), None),
        ("x", (), None),
        ("fix", ("hot*", "fix"), "fix"),  # the first that matches
        ("fix", ("f*", "fix"), "f*"),
    ],
)
def test_glob_hit(value: str | None, patterns: tuple[str, ...], expected: str | None) -> None:
    assert glob_hit(value, patterns) == expected


@pytest.mark.parametrize(
    ("title", "branch", "target", "labels", "expected"),
    [
        ('Revert "Add search"', "feature/x", "main", [], "title 'Revert \"*\"'"),
        ("Fix amount", "hotfix/amount", "main", [], "branch 'hotfix/*'"),
        ("Fix amount", "feature/x", "main", ["Urgent", "HOTFIX"], "label 'hotfix'"),
        ("Add search", "feature/x", "main", ["bug"], None),
        # any: the first kind that matched, in the order titles, branches, labels
        ("hotfix: x", "hotfix/x", "main", ["hotfix"], "title 'hotfix*'"),
        (None, None, None, [], None),
    ],
)
def test_pr_rule_any(
    title: str | None, branch: str | None, target: str | None, labels: list[str],
    expected: str | None,
) -> None:  # fmt: skip
    assert pr_rule(title, branch, target, labels, PATTERNS) == expected


def test_pr_rule_target_branches_filter_both_modes() -> None:
    main_only = PrPatterns(titles=("hotfix*",), target_branches=("main", "release/*"))
    assert pr_rule("hotfix", "b", "main", [], main_only) == "title 'hotfix*'"
    assert pr_rule("hotfix", "b", "Release/1.2", [], main_only) == "title 'hotfix*'"
    assert pr_rule("hotfix", "b", "develop", [], main_only) is None
    assert pr_rule("hotfix", "b", None, [], main_only) is None
    every = PrPatterns(titles=("hotfix*",), target_branches=("main",), match="all")
    assert pr_rule("hotfix", "b", "develop", [], every) is None


def test_pr_rule_all_needs_every_given_kind() -> None:
    both = PrPatterns(titles=('Revert "*"',), branches=("revert-*",), match="all")
    assert pr_rule('Revert "x"', "revert-1-x", "main", [], both) == (
        "title 'Revert \"*\"' and branch 'revert-*'"
    )
    assert pr_rule('Revert "x"', "fix/x", "main", [], both) is None  # one of two
    assert pr_rule("x", "revert-1-x", "main", [], both) is None
    # A kind not given is not required.
    alone = PrPatterns(labels=("revert",), match="all")
    assert pr_rule("x", "y", "main", ["revert"], alone) == "label 'revert'"
    assert pr_rule("x", "y", "main", [], alone) is None
    three = PrPatterns(titles=("*",), branches=("*",), labels=("*",), match="all")
    assert pr_rule("t", "b", "main", ["l"], three) == "title '*' and branch '*' and label '*'"
    assert pr_rule("t", "b", "main", [], three) is None  # no label at all


def test_no_pattern_matches_nothing() -> None:
    assert pr_rule("hotfix", "hotfix/x", "main", ["hotfix"], PrPatterns()) is None
    assert pr_rule("hotfix", "b", "main", [], PrPatterns(match="all")) is None


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("This reverts commit ABCDEF1234.",), "abcdef1234"),
        (("this REVERTS commit abcdef1",), "abcdef1"),  # 7 digits: the shortest
        (("This reverts commit abcdef",), None),  # 6 are too few
        (("This reverts commit " + "a" * 40,), "a" * 40),
        (("This reverts commit " + "a" * 41,), None),  # not a whole SHA
        (("This reverts commit abcdefg123",), None),  # g is no hex digit
        (("xThis reverts commit abcdef1",), None),  # a whole word
        ((None, "", "This reverts commit 1234567 and 89abcde"), "1234567"),  # the first
        (("This reverts commit 1111111", "This reverts commit 2222222"), "1111111"),
        ((), None),
    ],
)
def test_reverted_sha(texts: tuple[str | None, ...], expected: str | None) -> None:
    assert reverted_sha(*texts) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ('Revert "Add search"', "Add search"),
        ('  revert  "Add search"  ', "Add search"),
        ('Revert "Revert "Add search""', 'Revert "Add search"'),  # the outer quotes only
        ('Revert ""', None),
        ('Revert " "', None),
        ("Revert Add search", None),
        ('Reverted "Add search"', None),
        ('Please Revert "x"', None),
        (None, None),
    ],
)
def test_reverted_title(title: str | None, expected: str | None) -> None:
    assert reverted_title(title) == expected


def _dep(i: str, at: int, repo: str | None = "acme/api", sha: str | None = None,
         service: str | None = None) -> Deployment:  # fmt: skip
    return Deployment(id=i, stream="s", at_us=at, sha=sha, repo=repo, service=service)


def test_link_pr_failures_by_repository_and_window() -> None:
    deps = [_dep("d1", 0), _dep("d2", 10 * HOUR), _dep("other", 11 * HOUR, repo="acme/web"),
            _dep("norepo", 11 * HOUR, repo=None, service="acme/api")]  # fmt: skip
    hotfix = Failure(("acme/api#5",), 12 * HOUR, "acme/api")
    at_same_time = Failure(("acme/api#6",), 10 * HOUR, "acme/api")  # strictly before
    too_late = Failure(("acme/api#7",), 10 * HOUR + 7 * 24 * HOUR + 1, "ACME/API")
    on_edge = Failure(("acme/api#8",), 10 * HOUR + 7 * 24 * HOUR, "acme/api")
    links = link_pr_failures([hotfix, at_same_time, too_late, on_edge], deps)
    assert links == {
        ("acme/api#5",): FailureLink("d2", "service"),  # not acme/web's, not the repo-less
        ("acme/api#6",): FailureLink("d1", "service"),
        ("acme/api#7",): FailureLink(None, None),
        ("acme/api#8",): FailureLink("d2", "service"),
    }
    shorter = link_pr_failures([hotfix], deps, window=timedelta(hours=1))
    assert shorter[("acme/api#5",)] == FailureLink(None, None)


def test_link_pr_failures_by_the_reverted_commit() -> None:
    sha = "f" * 40
    deps = [_dep("d1", 0, sha=sha), _dep("d2", 10 * HOUR, sha="e" * 40)]
    shipments = ship(CommitGraph({}), deps)
    revert = Failure(("acme/api#7",), 400 * HOUR, "acme/api", None, sha)  # past any window
    assert link_pr_failures([revert], deps, shipments) == {
        ("acme/api#7",): FailureLink("d1", "commit")
    }


def test_ticket_rule() -> None:
    bugs = TicketPatterns(issue_types=("bug", "incident"))
    assert ticket_rule("Bug", [], None, "PAY", bugs) == "type 'bug'"
    assert ticket_rule("Story", [], None, "PAY", bugs) is None
    assert ticket_rule(None, [], None, "PAY", bugs) is None
    every = TicketPatterns(issue_types=("Bug",), labels=("prod*",), priorities=("P1",),
                           projects=("PAY",))  # fmt: skip
    assert ticket_rule("bug", ["x", "Production"], "p1", "pay", every) == (
        "type 'Bug', label 'prod*', priority 'P1', project 'PAY'"
    )
    assert ticket_rule("bug", ["x"], "p1", "pay", every) is None  # all must hold
    assert ticket_rule("bug", ["prod"], "P2", "pay", every) is None
    assert ticket_rule("bug", ["prod"], "P1", "OPS", every) is None
    assert ticket_rule("Bug", [], None, None, TicketPatterns()) is None


def test_restoring_deployments_boundaries() -> None:
    deps = [_dep("a1", 10, service="api"), _dep("a2", 20, service=" API "),
            _dep("a3", 20, service="api"), _dep("w1", 15, service="web"),
            _dep("none", 15, service=None)]  # fmt: skip
    incidents = [
        Restore("p/created-edge", "api", 10, 12),  # a1 at exactly created
        Restore("p/resolved-edge", "api", 11, 20),  # a2, a3 at resolved: the greatest id
        Restore("p/before", "api", 11, 19),  # nothing in [11, 19]
        Restore("p/open", "api", 0, None),
        Restore("p/no-service", None, 0, 100),
        Restore("p/blank", "  ", 0, 100),
        Restore("p/web", "Web", 0, 100),
        Restore("p/after", "api", 21, 30),
    ]
    assert restoring_deployments(incidents, deps) == {
        "a1": ["p/created-edge"],
        "a3": ["p/resolved-edge"],
        "w1": ["p/web"],
    }
    both = [Restore("p/z", "api", 0, 10), Restore("p/a", "api", 5, 15)]
    assert restoring_deployments(both, deps) == {"a1": ["p/a", "p/z"]}  # sorted
    assert restoring_deployments([], deps) == {}


def test_rework_lists_every_rule_in_order() -> None:
    got = rework(
        ["d1", "d2", "d3", "d4"],
        {"d1": ["acme/api#3", "acme/api#3", "acme/api#1"], "d2": ["acme/api#1"]},
        {"acme/api#3": "title 'hotfix*'"},
        {"d1": ["PAY-2", "PAY-1"], "d3": ["PAY-9"]},
        {"PAY-1": "type 'Bug'", "PAY-2": "type 'Bug'"},
        {"d1": ["pd/I1"], "d4": ["pd/I2", "pd/I3"]},
    )
    assert got == {
        "d1": ("pull request acme/api#3: title 'hotfix*'", "ticket PAY-1: type 'Bug'",
               "ticket PAY-2: type 'Bug'", "restored incident pd/I1"),
        "d4": ("restored incident pd/I2", "restored incident pd/I3"),
    }  # fmt: skip
    assert rework([], {}, {}, {}, {}, {}) == {}
