"""Failures from hotfix and revert PRs, and the deployment rework rate, on a quarter of pull
requests: every figure by hand, on SQLite and PostgreSQL.

Window [2024-01-01, 2024-04-01), by month. Deployments are the PRs merged into ``main`` of
``acme/api`` (``deployments.source: pull_requests``):

| PR | title | source branch | opened | merged | |
|---|---|---|---|---|---|
| #1 | PAY-1 Add login | feature/login | 01-02 | 01-05 | |
| #2 | Add search | feature/search | 01-20 | 01-22 | merge sha b2… |
| #3 | Revert "Add search" | revert-2-feature/search | 01-23 | 01-23 | names #2 by title |
| #4 | PAY-4 Payments page | feature/pay | 02-01 | 02-10 | |
| #5 | Fix null amount | hotfix/null-amount | 02-11 | 02-11 | a hotfix branch |
| #6 | Reports | feature/reports | 03-01 | 03-03 | merge sha f6… |
| #7 | Revert "Reports export" | fix/reports | 03-20 | 03-20 | body: This reverts commit f6… |
| #8 | PAY-8 Fix typo | feature/typo | 03-25 | 03-26 | PAY-8 is a Bug |

Not deployments: #9 ``hotfix: later`` (never merged) and #10 ``hotfix: dev`` (label
``hotfix``, merged into ``develop`` on 02-15).

Failures (``titles: ['Revert "*"', "hotfix*"]``, ``branches: ["hotfix/*"]``, ``labels:
[hotfix]``, ``target_branches: [main]``): revert #3 → #2 (the PR its title names, by its
merge commit); hotfix #5 → #4 (the latest deployment of acme/api before 02-11, one day
earlier); revert #7 → #6 (by the SHA its body names: 17 days after #6, past the 7-day window,
so only the SHA links it). #10 targets ``develop``: left out. CFR = 3 failed of 8 = 0.375.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.domain.times import parse_bound
from leadline.profiles.loader import profile_from_data
from leadline.services import drilldown
from leadline.services.dora import dora
from leadline.services.leadtime import Window

SHA = {n: f"{n:x}" * 40 for n in range(1, 11)}  # merge commit of PR n: "111…", "222…", …


def _pr(n: int, title: str, branch: str, opened: str, merged: str | None, **extra: Any) -> Any:
    return {
        "kind": "pull_request", "repo": "acme/api", "number": n, "title": title,
        "source_branch": branch, "target_branch": extra.pop("target", "main"),
        "created_at": f"2024-{opened}T09:00:00Z",
        "merged_at": None if merged is None else f"2024-{merged}T12:00:00Z",
        "merge_commit_sha": None if merged is None else SHA[n], **extra,
    }  # fmt: skip


RECORDS = [
    _pr(1, "PAY-1 Add login", "feature/login", "01-02", "01-05"),
    _pr(2, "Add search", "feature/search", "01-20", "01-22"),
    _pr(3, 'Revert "Add search"', "revert-2-feature/search", "01-23", "01-23"),
    _pr(4, "PAY-4 Payments page", "feature/pay", "02-01", "02-10"),
    _pr(5, "Fix null amount", "hotfix/null-amount", "02-11", "02-11"),
    _pr(6, "Reports", "feature/reports", "03-01", "03-03"),
    _pr(7, 'Revert "Reports export"', "fix/reports", "03-20", "03-20",
        body=f"This reverts commit {SHA[6]}."),
    _pr(8, "PAY-8 Fix typo", "feature/typo", "03-25", "03-26"),
    _pr(9, "hotfix: later", "hotfix/later", "03-27", None),
    _pr(10, "hotfix: dev", "fix/dev", "02-15", "02-15", target="develop", labels=["hotfix"]),
    {"kind": "issue", "key": "PAY-1", "created_at": "2024-01-01T00:00:00Z", "type": "Story"},
    {"kind": "issue", "key": "PAY-4", "created_at": "2024-01-01T00:00:00Z", "type": "Story"},
    {"kind": "issue", "key": "PAY-8", "created_at": "2024-03-24T00:00:00Z", "type": "Bug"},
]  # fmt: skip

FAILURES = {
    "source": "pull_requests",
    "titles": ['Revert "*"', "hotfix*"],
    "branches": ["hotfix/*"],
    "labels": ["hotfix"],
    "target_branches": ["main"],
}
WINDOW = Window(parse_bound("2024-01-01"), parse_bound("2024-04-01"))


def _profile(**dora_block: Any) -> Any:
    dora_block.setdefault("failures", {"source": "incidents"})
    return profile_from_data(
        {
            "name": "PR quarter",
            "stages": [{"name": "Merged", "event": "pr_merged"}],
            "dora": {
                "deployments": {"source": "pull_requests", "target_branches": ["main"]},
                **dora_block,
            },
        },
        "test",
    )


@pytest.fixture
def quarter(engine: Engine, run_cli: Any, tmp_path: Path) -> Engine:
    path = tmp_path / "prs.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    result = run_cli("import", str(path))
    assert result.code == 0, result.err
    return engine


def _cfr(engine: Engine, **failures: Any) -> dict[str, Any]:
    report = dora(engine, _profile(failures=failures), WINDOW, "month")
    return report["change_failure_rate"]  # type: ignore[no-any-return]


def test_cfr_from_two_reverts_and_a_hotfix_branch(quarter: Engine) -> None:
    cfr = _cfr(quarter, **FAILURES)
    assert (cfr["failures"], cfr["deployments"], cfr["rate"]) == (3, 8, 0.375)
    assert cfr["unlinked"] == 0 and cfr["warnings"] == []
    # Jan: #2 of #1–#3; Feb: #4 of #4–#5; Mar: #6 of #6–#8.
    assert [(p["failures"], p["deployments"], p["rate"]) for p in cfr["series"]] == [
        (1, 3, 0.3333), (1, 2, 0.5), (1, 3, 0.3333)
    ]  # fmt: skip
    failed = drilldown.failures(quarter, _profile(failures=FAILURES), *_window())
    assert [(x.id, x.failures) for x in failed.items] == [
        ("acme/api#6", ("acme/api#7",)), ("acme/api#4", ("acme/api#5",)),
        ("acme/api#2", ("acme/api#3",)),
    ]  # fmt: skip
    assert failed.refs["acme/api#7"].title == 'Revert "Reports export"'
    assert failed.refs["acme/api#7"].rule == "title 'Revert \"*\"'"
    assert failed.refs["acme/api#5"].rule == "branch 'hotfix/*'"


def test_target_branches_and_match_all(quarter: Engine) -> None:
    # Without target_branches, #10 (develop, label hotfix, opened 02-15) is a failure too: of
    # the latest acme/api deployment before it, #5 (02-11): 4 of 8.
    anywhere = {k: v for k, v in FAILURES.items() if k != "target_branches"}
    assert _cfr(quarter, **anywhere)["failures"] == 4
    # match: all — title 'Revert "*"' AND branch 'revert-*': only #3 (→ #2): 1 of 8.
    both = _cfr(quarter, source="pull_requests", titles=['Revert "*"'], branches=["revert-*"],
                match="all")  # fmt: skip
    assert (both["failures"], both["rate"]) == (1, 0.125)
    # A 1-day window cannot reach #6 from #7 (17 days) but the SHA still does; the hotfix #5
    # was opened 21 h after #4: still linked. Revert #3 by title as before: 3.
    assert _cfr(quarter, **FAILURES, window="1d")["failures"] == 3
    # Labels alone: #10 only, and it targets develop: no failure at all → a source exists
    # (rate 0.0) only when some merged PR matches; here none does: no data.
    none = _cfr(quarter, source="pull_requests", labels=["hotfix"], target_branches=["main"])
    assert none["rate"] is None and none["reason"].startswith("no failure source: no merged")


REWORK = {
    "pull_requests": {"titles": ['Revert "*"', "hotfix*"], "branches": ["hotfix/*"]},
    "issues": {"issue_types": ["Bug"]},
}


def _window() -> tuple[int, int]:
    from leadline.domain.times import to_micros

    return to_micros(WINDOW.start), to_micros(WINDOW.end)  # type: ignore[arg-type]


def test_rework_rate_on_a_quarter_with_hotfixes(quarter: Engine) -> None:
    # Rework: #3 and #7 (title 'Revert "*"'), #5 (branch 'hotfix/*'), #8 (ships PAY-8, a Bug):
    # 4 of 8 = 0.5. Wilson 4 of 8: z²/n = 0.4802, centre 0.5, half = 1.96/1.4802 ·
    # √(0.03125 + 0.0150063) = 0.284789 → [0.2152, 0.7848].
    report = dora(quarter, _profile(rework=REWORK), WINDOW, "month", compare=True)
    rr = report["deployment_rework_rate"]
    assert (rr["rework"], rr["deployments"], rr["rate"], rr["band"]) == (4, 8, 0.5, None)
    assert rr["signals"] == ["pull_requests", "issues"]
    assert [(p["rework"], p["deployments"], p["rate"]) for p in rr["series"]] == [
        (1, 3, 0.3333), (1, 2, 0.5), (2, 3, 0.6667)
    ]  # fmt: skip
    assert rr["interval"]["low"] == pytest.approx(0.2152, abs=1e-4)
    assert rr["interval"]["high"] == pytest.approx(0.7848, abs=1e-4)
    assert rr["interval"]["method"] == "wilson" and rr["few_samples"] is True
    assert "reason" not in rr
    # The previous quarter has no deployment: nothing to compare.
    assert report["comparison"]["deployment_rework_rate"] == {
        "previous": None, "change_percent": None, "p_value": None, "verdict": "not enough data"
    }  # fmt: skip
    # The other sections are those of a profile without the block.
    plain = dora(quarter, _profile(), WINDOW, "month", compare=True)
    for key in ("deployment_frequency", "change_failure_rate", "mean_time_to_restore"):
        assert plain[key] == report[key]


def test_no_rework_block_is_no_data(quarter: Engine) -> None:
    rr = dora(quarter, _profile(), WINDOW, "month")["deployment_rework_rate"]
    assert rr["rate"] is None and rr["band"] is None and rr["interval"] is None
    assert rr["reason"].startswith("not measured: the profile has no dora.rework block")
    assert rr["signals"] == [] and all(p["rate"] is None for p in rr["series"])


def test_rework_drill_down_names_each_rule(quarter: Engine) -> None:
    from leadline.services.drilldown_rework import rework_deployments

    items = rework_deployments(quarter, _profile(rework=REWORK), *_window())
    assert [(x.deployment.id, x.rules) for x in items] == [
        ("acme/api#8", ("ticket PAY-8: type 'Bug'",)),
        ("acme/api#7", ("pull request acme/api#7: title 'Revert \"*\"'",)),
        ("acme/api#5", ("pull request acme/api#5: branch 'hotfix/*'",)),
        ("acme/api#3", ("pull request acme/api#3: title 'Revert \"*\"'",)),
    ]


def test_rework_without_a_source_is_no_data(quarter: Engine) -> None:
    # No ticket of type Incident exists at all: no data, not 0 %.
    rr = dora(quarter, _profile(rework={"issues": {"issue_types": ["Incident"]}}), WINDOW,
              "month")["deployment_rework_rate"]  # fmt: skip
    assert rr["rate"] is None and rr["reason"] == "no rework source: no ticket matches dora.rework"
    # A Bug exists but no deployment shipped one in January: a real 0 of 3.
    january = Window(parse_bound("2024-01-01"), parse_bound("2024-02-01"))
    rr = dora(quarter, _profile(rework={"issues": {"issue_types": ["bug"]}}), january,
              "month")["deployment_rework_rate"]  # fmt: skip
    assert (rr["rework"], rr["deployments"], rr["rate"]) == (0, 3, 0.0)
