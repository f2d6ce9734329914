"""Timelines under the workflow options: the stored completion (``completed_work: all``),
the category of each change (``categories``, first match wins), and the done signal."""

from __future__ import annotations

from typing import Any

import pytest

from leadline.correlate.categories import category_of, pr_in_category
from leadline.correlate.linking import link
from leadline.correlate.scoped import apply_scope
from leadline.correlate.stages import done_hit
from leadline.correlate.timeline import build_timelines
from leadline.domain.records import PullRequest
from leadline.profiles.models import ChangeCategory, Profile
from tests.correlate.builders import dt, issue, pr, record
from tests.correlate.workflow_case import CATEGORIES, RECORDS, profile_data

RECORD_MODELS = [record(r["kind"], **{k: v for k, v in r.items() if k != "kind"}) for r in RECORDS]


def timelines(**top: Any) -> dict[str, Any]:
    profile = Profile.model_validate(profile_data(**top))
    return {t.key: t for t in build_timelines(profile, RECORD_MODELS)}


def test_by_default_a_change_ends_at_its_last_stage_and_has_no_category() -> None:
    built = timelines()
    assert built["WF-1"].end is not None and built["WF-1"].end.at == dt("12:00")
    assert built["WF-2"].end is not None and built["WF-2"].end.at == dt("10:15")
    assert built["WF-3"].end is None  # never deployed: in flight
    assert all(t.done is None and t.category is None for t in built.values())


def test_completed_work_all_ends_a_change_at_its_done_signal_or_its_last_stage() -> None:
    built = timelines(completed_work="all")
    three = built["WF-3"].end
    assert three is not None and (three.at, three.source) == (dt("11:00"), "issue WF-3 → Done")
    one = built["WF-1"].end
    assert one is not None and one.at == dt("12:00")  # never done: its deployment ends it


def test_completion_is_the_earlier_of_done_and_deployed() -> None:
    records = [
        issue("WF-9", ("In Progress", "09:10"), ("Done", "09:40"), project="WF"),
        record("commit", repo="acme/api", sha="e" * 40, committed_at="2024-05-01T09:20:00Z",
               message="WF-9 fix"),
        record("pipeline_run", system="argocd", pipeline="deploy", run_id="d9", type="cd",
               status="success", finished_at="2024-05-01T10:00:00Z", environment="production",
               commit_sha="e" * 40),
    ]  # fmt: skip
    profile = Profile.model_validate(profile_data(completed_work="all"))
    [built] = build_timelines(profile, records)
    assert built.stages[2] is not None and built.stages[2].at == dt("10:00")
    assert built.end is not None and built.end.at == dt("09:40")


def test_categories_first_match_wins_then_the_default() -> None:
    built = timelines(categories=CATEGORIES)
    assert {k: t.category for k, t in built.items()} == {
        "WF-1": "Hotfix",  # hotfix/* source branch
        "WF-2": "Defect",  # label Bug matches bug: labels ignore case
        "WF-3": "Feature",  # nothing else matched: the default
    }


def test_without_a_default_an_unmatched_change_has_no_category() -> None:
    built = timelines(categories=CATEGORIES[:2])
    assert built["WF-3"].category is None


def _pr(**kw: Any) -> PullRequest:
    made = pr(1, "10:00", **kw)
    assert isinstance(made, PullRequest)
    return made


@pytest.mark.parametrize(
    ("spec", "kw", "matches"),
    [
        ({"source_branches": ["hotfix/*"]}, {"branch": "hotfix/x"}, True),
        ({"source_branches": ["hotfix/*"]}, {"branch": "Hotfix/x"}, False),  # case-sensitive
        ({"source_branches": ["hotfix/*"]}, {"branch": None}, False),
        ({"target_branches": ["release/*"]}, {"target": "release/1"}, True),
        ({"target_branches": ["release/*"]}, {"target": "main"}, False),
        ({"labels": ["BUG"]}, {"labels": ["bug"]}, True),
        ({"labels": ["bug"]}, {"labels": []}, False),
        # every key given must match the same pull request
        ({"source_branches": ["fix/*"], "labels": ["bug"]}, {"branch": "fix/a", "labels": ["x"]},
         False),
        ({"source_branches": ["fix/*"], "labels": ["bug"]},
         {"branch": "fix/a", "labels": ["bug"]}, True),
    ],
)  # fmt: skip
def test_pr_in_category(spec: dict[str, Any], kw: dict[str, Any], matches: bool) -> None:
    assert pr_in_category(ChangeCategory(name="c", **spec), _pr(**kw)) is matches


def test_a_change_without_a_pull_request_takes_only_the_default() -> None:
    bundle = link([issue("WF-5", ("In Progress", "09:10"), project="WF")], "ticket")["WF-5"]
    profile = Profile.model_validate(profile_data())
    change = apply_scope(profile.scope, bundle)
    assert change is not None
    cats = [ChangeCategory.model_validate(c) for c in CATEGORIES]
    assert category_of(cats, change) == "Feature"
    assert category_of(cats[:2], change) is None
    assert category_of([], change) is None


def _change(*records: Any, unit: str = "ticket") -> Any:
    bundles = link(list(records), unit)  # type: ignore[arg-type]
    [bundle] = bundles.values()
    change = apply_scope(Profile.model_validate(profile_data(scope={})).scope, bundle)
    assert change is not None
    return change


def test_done_hit_of_a_ticket_is_its_first_done_move_else_its_resolution() -> None:
    moved = _change(issue("WF-6", ("Done", "10:00"), ("Reopened", "10:10"), ("Closed", "10:30")))
    hit = done_hit(moved)
    assert hit is not None and (hit.at, hit.source) == (dt("10:00"), "issue WF-6 → Done")
    resolved = _change(issue("WF-7", ("In Progress", "10:00"), resolved_at="2024-05-01T12:00:00Z"))
    hit = done_hit(resolved)
    assert hit is not None and (hit.at, hit.source) == (dt("12:00"), "issue WF-7 resolved")
    assert done_hit(_change(issue("WF-8", ("In Progress", "10:00")))) is None


def test_done_hit_of_a_pull_request_is_its_merge() -> None:
    merged = _change(pr(4, "10:00", title="x", merged="10:40"), unit="pull_request")
    hit = done_hit(merged)
    assert hit is not None and hit.at == dt("10:40")
    assert done_hit(_change(pr(5, "10:00", title="x"), unit="pull_request")) is None
