"""``leadline doctor`` on a hand-built dataset (tests/fixtures/doctor): every check has a
known, hand-computed count, and records next to each finding that must not count (outside
the window, out of scope, a link that exists). Exact on SQLite and PostgreSQL, and the same
numbers from the CLI's JSON and ``GET /v1/quality``.

The dataset, window 2024-03-01 → 2024-04-01, profile ``Doctor`` (projects PAY, repos
acme/pay-* and acme/typo-*; stages Coding → Merged → Deployed; deployments from CD runs to
production, failures from incidents):

* pull requests: #3 (merged in the window) and #4 (open, created in it) name no key; #1 has
  it in the title, #2 in the branch; #5 was merged before the window; #6 is in acme/other.
* done tickets: PAY-4 (done status), PAY-5 (resolution only) and PAY-7 (its only commit is
  in acme/other) have no code; PAY-1/2/3 do; PAY-6 is done after the window; OPS-1 is out
  of scope; PAY-8 is not done.
* commits in no PR: e1, e2 and c7 of acme/pay-api; a1 is before the window, f1 in
  acme/other (out of scope), f9 in acme/pay-lib (no pull requests there).
* deployments: d3 redeploys c2 (ships nothing); d5's commit is unknown; d6 (success) and f1
  (failure) name neither a commit nor an artifact; d7 has an artifact, s1 is staging, dx is
  before the window, o1 is in acme/other.
* incidents: i2 (a service with no deployment) and i3 (no service) link to nothing; i1 links
  to d2 by service; i4 is before the window.
* stages: PAY-9's commit predates the ticket (Coding clamped), PAY-10's PR was merged
  before its commit (Merged clamped), PAY-12 went straight to main (never Merged).
* times: commit f9 (2099) and incident i5 (1999); OPS-2 (2099) is out of scope.
* patterns: ``scope.repos: acme/typo-*`` and ``stages[2].environments: prod-eu``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from leadline.services.doctor_checks import CHECKS
from tests.conftest import FIXTURES

DATA = FIXTURES / "doctor"
PROFILE = DATA / "profile.yaml"
WINDOW = ("--from", "2024-03-01", "--to", "2024-04-01")

# (id, stage) → the records found, newest first: the count is their number.
EXPECTED: dict[tuple[str, str | None], list[str]] = {
    ("pr_without_ticket", None): ["pull_request acme/pay-api#4", "pull_request acme/pay-api#3"],
    ("ticket_done_without_code", None): ["issue PAY-7", "issue PAY-5", "issue PAY-4"],
    ("commit_without_pr", None): [
        "commit acme/pay-api@c7c7c7c7c7c7", "commit acme/pay-api@e2e2e2e2e2e2",
        "commit acme/pay-api@e1e1e1e1e1e1",
    ],
    ("commit_without_paths", None): [],  # not applicable: the profile has no scope.paths
    ("deployment_ships_nothing", None): ["deployment argo/deploy/d3"],
    ("deployment_commit_unknown", None): ["deployment argo/deploy/d5"],
    ("baseline_deployment", None): [],  # d0, the stream's first, is before the window
    ("run_without_commit", None): ["pipeline_run argo/deploy/f1", "pipeline_run argo/deploy/d6"],
    ("failure_unlinked", None): ["incident pagerduty/i3", "incident pagerduty/i2"],
    ("stage_clamped", "Coding"): ["change PAY-9"],
    ("stage_clamped", "Merged"): ["change PAY-10"],
    ("stage_clamped", "Deployed"): [],
    ("stage_never_reached", "Coding"): [],
    ("stage_never_reached", "Merged"): ["change PAY-12"],
    ("stage_never_reached", "Deployed"): [],
    ("time_in_future", None): ["commit acme/pay-lib@f9f9f9f9f9f9", "incident pagerduty/i5"],
    ("pattern_matched_nothing", None): [
        "scope.repos: acme/typo-*", "stages[2].environments: prod-eu",
    ],
}  # fmt: skip


def found_records(report: dict[str, Any]) -> dict[tuple[str, str | None], list[str]]:
    return {
        (c["id"], c.get("stage")): [x["record"] for x in c["examples"]] for c in report["checks"]
    }


@pytest.fixture
def loaded(run_cli: Any) -> Any:
    result = run_cli("import", str(DATA / "records.ndjson"))
    assert result.code == 0, result.err
    return run_cli


def test_every_count_is_the_hand_computed_one(loaded: Any) -> None:
    result = loaded("doctor", "--profile", str(PROFILE), *WINDOW, "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["window"] == {"from": "2024-03-01T00:00:00Z", "to": "2024-04-01T00:00:00Z",
                                "days": 31.0}  # fmt: skip
    assert report["subject"] == {"profile": "Doctor"}
    assert found_records(report) == EXPECTED
    for check in report["checks"]:
        if check["id"] != "commit_without_paths":  # does not apply: count null
            assert check["count"] == len(check["examples"]), check["id"]
        assert check["severity"] in ("error", "warning", "info")
        assert check["hint"]
    assert [c["id"] for c in report["checks"]] == [
        check.id
        for check in CHECKS
        # a stage check per stage; a rule check per exclude rule (this profile has none)
        for _ in range(3 if check.id.startswith("stage_") else 0 if check.id.startswith(
            "excluded_") else 1)
    ]  # fmt: skip


def test_the_table_says_it_in_words(loaded: Any) -> None:
    result = loaded("doctor", "--profile", str(PROFILE), *WINDOW, "--examples")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Data quality of profile Doctor, 2024-03-01 → 2024-04-01 (end exclusive)"
    text = result.out
    assert "2 pull requests have no ticket key. Fix: Name the ticket key" in text
    assert "1 deployment ships no commit not shipped before" in text
    assert "1 change reached Coding before the stage before it or the start (counted 0)" in text
    assert "    change PAY-9  2024-03-22T00:00:00Z  reached 2024-03-15T10:00:00Z" in lines
    assert "0 changes never reached Coding." in text
    assert "    pull_request acme/pay-api#3  2024-03-08T12:00:00Z  Bump dependencies" in lines
    # Without --examples: one line per check.
    short = loaded("doctor", "--profile", str(PROFILE), *WINDOW)
    assert len(short.out.splitlines()) == 2 + len(EXPECTED)


def test_a_narrower_window_counts_only_its_records(loaded: Any) -> None:
    result = loaded("doctor", "--profile", str(PROFILE), "--from", "2024-03-07",
                    "--to", "2024-03-13", "--format", "json")  # fmt: skip
    found = found_records(json.loads(result.out))
    assert found[("pr_without_ticket", None)] == ["pull_request acme/pay-api#3"]
    assert found[("commit_without_pr", None)] == ["commit acme/pay-api@e2e2e2e2e2e2"]
    assert found[("deployment_ships_nothing", None)] == ["deployment argo/deploy/d3"]
    assert found[("run_without_commit", None)] == []
    # Not windowed: times out of range and patterns are wrong whenever they are.
    assert len(found[("time_in_future", None)]) == 2
    assert len(found[("pattern_matched_nothing", None)]) == 2


def test_the_first_deployment_ships_history_from_before_tracking(loaded: Any) -> None:
    """From February on: d0 (2024-02-15) is production's first deployment and acme/pay-api's
    first run, and ships a1, committed before it: one baseline commit."""
    result = loaded("doctor", "--profile", str(PROFILE), "--from", "2024-02-01",
                    "--to", "2024-04-01", "--format", "json")  # fmt: skip
    [check] = [c for c in json.loads(result.out)["checks"] if c["id"] == "baseline_deployment"]
    assert (check["count"], check["severity"]) == (1, "info")
    [d0] = check["examples"]
    assert (d0["record"], d0["detail"]) == (
        "deployment argo/deploy/d0", "1 commit before tracking began (2024-02-15T00:00:00Z)"
    )  # fmt: skip


NOT_APPLICABLE: dict[str, tuple[Any, set[str]]] = {
    "no dora block": (None, {"deployment_ships_nothing", "deployment_commit_unknown",
                             "failure_unlinked", "baseline_deployment"}),
    "releases": ({"deployments": {"source": "releases"}, "failures": {"source": "issues"}},
                 {"deployment_ships_nothing", "deployment_commit_unknown",
                  "baseline_deployment"}),
    "merged pull requests": ({"deployments": {"source": "pull_requests"},
                              "failures": {"source": "incidents"}}, {"baseline_deployment"}),
    "cd failures": ({"deployments": {"source": "cd"}, "failures": {"source": "cd"}},
                    {"failure_unlinked"}),
    "per commit": ({"deployments": {"source": "cd"}, "lead_time": "commits"},
                   {"stage_clamped", "stage_never_reached", "failure_unlinked"}),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(NOT_APPLICABLE))
def test_a_check_that_does_not_apply_has_no_count(loaded: Any, tmp_path: Any, case: str) -> None:
    dora, ids = NOT_APPLICABLE[case]
    data = yaml.safe_load(PROFILE.read_text()) | {"dora": dora}
    if dora is None:
        del data["dora"]
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data))
    result = loaded("doctor", "--profile", str(path), *WINDOW, "--format", "json")
    assert result.code == 0, result.err
    checks = json.loads(result.out)["checks"]
    # The profile has no scope.paths: commit_without_paths never applies to it.
    assert {c["id"] for c in checks if c["count"] is None} == ids | {"commit_without_paths"}
    assert all(c["note"] and c["summary"] == c["note"] for c in checks if c["count"] is None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2024-04-01", "--to", "2024-03-01"), "is not before --to"),
        (("--from", "yesterday-ish"), "--from"),
        (("--collection", "Nobody"), "Nobody"),
    ],
)
def test_bad_input_exits_2(loaded: Any, args: tuple[str, ...], message: str) -> None:
    base = () if "--collection" in args else ("--profile", str(PROFILE))
    result = loaded("doctor", *base, *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_a_pull_request_may_name_its_commits_abbreviated(run_cli: Any, tmp_path: Any) -> None:
    """Bitbucket Cloud names a pull request's head and merge commit by 12 characters: those
    commits are in a pull request. b1, the branch's first commit, is not named (Cloud gives
    only the head); 5a5a5a5 shares the head's first 7 characters but not its 12 (a prefix
    match, not a sha7 one); x1 went straight to main."""

    def commit(sha: str, day: int, message: str) -> dict[str, Any]:
        return {"kind": "commit", "repo": "acme/pay-bb", "sha": sha,
                "committed_at": f"2024-03-{day:02d}T10:00:00Z", "message": message}  # fmt: skip

    head, twin, merge = "5a5a5a5a5a5a" + "b" * 28, "5a5a5a5" + "c" * 33, "6d" * 20
    records = [
        commit("b1" * 20, 2, "PAY-1 start"), commit(head, 3, "PAY-1 finish"),
        commit(twin, 3, "PAY-1 aside"), commit(merge, 4, "Merged in feature/PAY-1"),
        commit("f1" * 20, 5, "Hotfix"),
        {"kind": "pull_request", "repo": "acme/pay-bb", "number": 1, "title": "PAY-1 rounding",
         "created_at": "2024-03-03T11:00:00Z", "merged_at": "2024-03-04T10:00:00Z",
         "target_branch": "main", "commit_shas": [head[:12]], "merge_commit_sha": merge[:12]},
    ]  # fmt: skip
    path = tmp_path / "bb.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert run_cli("import", str(path)).code == 0
    result = run_cli("doctor", "--profile", str(PROFILE), *WINDOW, "--format", "json")
    assert found_records(json.loads(result.out))[("commit_without_pr", None)] == [
        "commit acme/pay-bb@f1f1f1f1f1f1", f"commit acme/pay-bb@{twin[:12]}",
        "commit acme/pay-bb@b1b1b1b1b1b1",
    ]  # fmt: skip
