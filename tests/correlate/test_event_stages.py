"""The stage events ``pr_labeled`` and ``change_request``, and the ``params`` run filter.

Every expectation is a time written in the test (``dt("10:30")``): the stage reached at the
time of the one record that should count, or ``None``.
"""

from __future__ import annotations

from typing import Any

import pytest

from leadline.correlate.linking import change_request_keys, is_change_request, keys_touched
from leadline.correlate.scope import param_text, params_match, run_params
from leadline.correlate.timeline import ChangeTimeline, build_timelines, reads_change_requests
from leadline.domain.merge import merge_label_events, merge_pull_request
from leadline.domain.records import LabelEvent, PipelineRun, PullRequest, RecordModel
from tests.correlate.builders import at, commit, dt, issue, pr, profile, run


def labels(*events: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"label": name, "action": action, "at": at(when)} for name, action, when in events]


def timeline(records: list[RecordModel], *stages: dict[str, Any], **top: Any) -> ChangeTimeline:
    (found,) = build_timelines(profile(*stages, **top), records)
    return found


# --- params_match -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("prod", "prod"),
        ("", ""),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (0, "0"),
        (1.5, "1.5"),
        (None, None),
        (["prod"], None),
        ({"a": "b"}, None),
    ],
)
def test_param_text(value: Any, text: str | None) -> None:
    assert param_text(value) == text


@pytest.mark.parametrize(
    ("run_params_", "wanted", "expected"),
    [
        ({}, None, True),  # no filter
        ({"DEPLOY_ENV": "prod"}, None, True),
        ({}, {}, True),  # nothing wanted (profiles reject an empty mapping)
        ({"DEPLOY_ENV": "prod"}, {"DEPLOY_ENV": "prod"}, True),
        ({"DEPLOY_ENV": "PROD"}, {"DEPLOY_ENV": "prod"}, True),  # values ignore case
        ({"DEPLOY_ENV": "production"}, {"DEPLOY_ENV": "prod*"}, True),  # globs
        ({"DEPLOY_ENV": "production"}, {"DEPLOY_ENV": "prod"}, False),  # whole value
        ({"DEPLOY_ENV": "preprod"}, {"DEPLOY_ENV": "prod*"}, False),
        ({"deploy_env": "prod"}, {"DEPLOY_ENV": "prod"}, False),  # names are exact
        ({}, {"DEPLOY_ENV": "prod"}, False),  # missing parameter
        ({"DEPLOY_ENV": None}, {"DEPLOY_ENV": "*"}, False),  # no value
        ({"DEPLOY_ENV": ["prod"]}, {"DEPLOY_ENV": "*"}, False),  # not a scalar
        ({"DRY_RUN": False}, {"DRY_RUN": "false"}, True),
        ({"REPLICAS": 3}, {"REPLICAS": "3"}, True),
        ({"A": "1", "B": "2"}, {"A": "1", "B": "2"}, True),  # every wanted parameter
        ({"A": "1", "B": "3"}, {"A": "1", "B": "2"}, False),
        ({"A": "1"}, {"A": "1", "B": "2"}, False),
    ],
)
def test_params_match(run_params_: dict[str, Any], wanted: Any, expected: bool) -> None:
    assert params_match(run_params_, wanted) is expected
    # The hashable form the DORA filter reads gives the same answer.
    assert params_match(dict(run_params(run_params_)), wanted) is expected


def test_run_params_is_sorted_text() -> None:
    assert run_params({"b": 2, "a": True, "c": None}) == (("a", "true"), ("b", "2"), ("c", None))
    assert run_params({}) == ()


# --- ci_completed / cd_completed with params ------------------------------------------------


def deploys() -> list[RecordModel]:
    return [
        issue("HX-1", created="09:00"),
        commit("a" * 40, "09:10", "HX-1 fix"),
        run("1", "10:00", type="cd", sha="a" * 40, params={"DEPLOY_ENV": "staging"}),
        run("2", "11:00", type="cd", sha="a" * 40, params={"DEPLOY_ENV": "Prod"}),
        run("3", "12:00", type="cd", sha="a" * 40, params={"DEPLOY_ENV": "prod", "DRY": True}),
        run("4", "09:30", type="ci", sha="a" * 40, params={"SUITE": "smoke"}),
        run("5", "09:40", type="ci", sha="a" * 40, params={"SUITE": "full"}),
    ]


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ({"event": "cd_completed"}, "10:00"),  # no filter: the first deployment
        ({"event": "cd_completed", "params": {"DEPLOY_ENV": "prod"}}, "11:00"),
        (
            {"event": "cd_completed", "params": {"DEPLOY_ENV": "prod"}, "occurrence": "last"},
            "12:00",
        ),
        ({"event": "cd_completed", "params": {"DEPLOY_ENV": "prod", "DRY": "true"}}, "12:00"),
        ({"event": "cd_completed", "params": {"DEPLOY_ENV": "qa"}}, None),
        ({"event": "ci_completed", "params": {"SUITE": "full"}}, "09:40"),
        ({"event": "ci_completed", "params": {"SUITE": "f*"}}, "09:40"),
        ({"event": "ci_completed"}, "09:30"),
    ],
)
def test_run_stages_filter_on_params(stage: dict[str, Any], expected: str | None) -> None:
    found = timeline(deploys(), {"name": "S", **stage})
    assert (found.stages[0] and found.stages[0].at) == (dt(expected) if expected else None)


# --- pr_labeled ---------------------------------------------------------------------------


def labelled(**kw: Any) -> list[RecordModel]:
    events = labels(
        ("ready-for-qa", "added", "10:00"),
        ("ready-for-qa", "removed", "10:30"),
        ("Ready-For-QA", "added", "11:00"),
        ("bug", "added", "09:30"),
    )
    return [
        issue("HX-1", created="09:00"),
        pr(7, "09:10", title="HX-1 login", label_events=events, **kw),
    ]


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ({"labels": ["ready-for-qa"]}, "10:00"),  # first added (default occurrence: first)
        ({"labels": ["ready-for-qa"], "occurrence": "last"}, "11:00"),  # any case
        ({"labels": ["ready-*"]}, "10:00"),
        ({"labels": ["*"]}, "09:30"),
        ({"labels": ["bug"], "occurrence": "last"}, "09:30"),
        ({"labels": ["wontfix"]}, None),
        ({"labels": ["ready-for-qa"], "target_branches": ["main"]}, "10:00"),
        ({"labels": ["ready-for-qa"], "target_branches": ["release/*"]}, None),
        ({"labels": ["ready-for-qa"], "target_branches": ["MAIN"]}, None),  # branches: exact case
    ],
)
def test_pr_labeled(stage: dict[str, Any], expected: str | None) -> None:
    found = timeline(labelled(), {"name": "QA", "event": "pr_labeled", **stage})
    assert (found.stages[0] and found.stages[0].at) == (dt(expected) if expected else None)


def test_pr_labeled_names_the_label_and_pr() -> None:
    found = timeline(labelled(), {"name": "QA", "event": "pr_labeled", "labels": ["bug"]})
    assert found.stages[0] is not None
    assert found.stages[0].source == "label 'bug' on acme/api#7"


def test_removed_only_or_no_events_never_reach_pr_labeled() -> None:
    removed = labels(("ready-for-qa", "removed", "10:00"))
    records = [issue("HX-1", created="09:00"), pr(7, "09:10", title="HX-1", label_events=removed)]
    stage = {"name": "QA", "event": "pr_labeled", "labels": ["*"]}
    assert timeline(records, stage).stages == (None,)
    # The current labels alone carry no time: they never reach the stage either.
    records = [issue("HX-1", created="09:00"), pr(7, "09:10", title="HX-1", labels=["qa"])]
    assert timeline(records, stage).stages == (None,)


def test_pr_labeled_in_the_pull_request_unit() -> None:
    events = labels(("ready-for-qa", "added", "10:00"))
    records = [commit("b" * 40, "09:00"), pr(7, "09:10", shas=("b" * 40,), label_events=events)]
    found = timeline(
        records,
        {"name": "Created", "event": "pr_created"},
        {"name": "QA", "event": "pr_labeled", "labels": ["ready-for-qa"]},
        start={"event": "commit_created"},
    )
    assert found.key == "acme/api#7"
    assert (found.start.at, [s and s.at for s in found.stages]) == (
        dt("09:00"),
        [dt("09:10"), dt("10:00")],
    )


# --- label events: the record and merging --------------------------------------------------


def test_label_events_merge_across_deliveries() -> None:
    first = pr(7, "09:10", label_events=labels(("qa", "added", "10:00")), updated_at=at("10:00"))
    second = pr(7, "09:10", label_events=labels(("qa", "removed", "10:30")), updated_at=at("10:30"))
    third = pr(7, "09:10", label_events=labels(("bug", "added", "10:00")), updated_at=at("10:00"))
    assert isinstance(first, PullRequest) and isinstance(second, PullRequest)
    assert isinstance(third, PullRequest)
    merged = merge_pull_request(merge_pull_request(second, first), third)
    got = [(e.label, e.action, e.at) for e in merged.label_events]
    # One per (label, action, time), in time order, then by label: whatever the order.
    assert got == [("bug", "added", dt("10:00")), ("qa", "added", dt("10:00")),
                   ("qa", "removed", dt("10:30"))]  # fmt: skip
    again = merge_pull_request(merged, first)
    assert again.label_events == merged.label_events
    # A snapshot without label events (a sync listing) keeps the stored ones.
    bare = pr(7, "09:10", updated_at=at("11:00"))
    assert isinstance(bare, PullRequest)
    assert merge_pull_request(merged, bare).label_events == merged.label_events


def test_merge_label_events_of_nothing() -> None:
    assert merge_label_events([], []) == []
    one = LabelEvent.model_validate({"label": "qa", "action": "added", "at": at("10:00")})
    assert merge_label_events([one], [one]) == [one]


def test_a_pull_request_without_label_events_stores_no_key() -> None:
    plain = pr(7, "09:10")
    assert "label_events" not in plain.model_dump(mode="json")
    with_events = pr(7, "09:10", label_events=labels(("qa", "ADDED", "10:00")))
    assert with_events.model_dump(mode="json")["label_events"] == [
        {"label": "qa", "action": "added", "at": "2024-05-01T10:00:00Z"}
    ]


# --- change_request -----------------------------------------------------------------------


def change(
    number: str,
    when: str,
    title: str | None,
    status: str = "success",
    kind: str = "normal",
    **kw: Any,
) -> RecordModel:
    extra = {} if title is None else {"title": title}
    return run(number, when, type="cd", status=status, system="servicenow",
               pipeline=f"change_request/{kind}", **extra, **kw)  # fmt: skip


def itsm() -> list[RecordModel]:
    return [
        issue("HX-1", created="09:00", project="HX"),
        change("CHG1", "13:00", "HX-1: deploy login", status="failure"),
        change("CHG2", "14:00", "Deploy HX-1 and HX-2", status="closed"),
        change(
            "CHG3",
            "15:00",
            "HX-1 again",
            status="successful_issues",
            kind="emergency",
            params={"risk": "High"},
        ),
        change("CHG4", "12:00", "HX-1 canceled", status="canceled"),
        change("CHG5", "11:00", "hx-1 lower case is no key"),
        change("CHG6", "10:00", "XHX-1 is another key"),
        change("CHG7", "10:30", None),
        run(
            "R1",
            "10:45",
            type="cd",
            system="jenkins",
            pipeline="change_request/normal",
            title="HX-1 not ITSM",
        ),
    ]


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ({}, "14:00"),  # closed, not unsuccessful: success, successful_issues, closed
        ({"occurrence": "last"}, "15:00"),
        ({"statuses": ["failure"]}, "13:00"),
        ({"statuses": ["canceled", "FAILURE"]}, "12:00"),
        ({"statuses": ["review"]}, None),
        ({"pipelines": ["change_request/emergency"]}, "15:00"),
        ({"params": {"risk": "high"}}, "15:00"),
        ({"params": {"risk": "low"}}, None),
    ],
)
def test_change_request(stage: dict[str, Any], expected: str | None) -> None:
    found = timeline(itsm(), {"name": "CR", "event": "change_request", **stage})
    assert (found.stages[0] and found.stages[0].at) == (dt(expected) if expected else None)


def test_change_request_source_and_scope() -> None:
    found = timeline(itsm(), {"name": "CR", "event": "change_request"})
    assert (
        found.stages[0] is not None and found.stages[0].source == "change_request servicenow/CHG2"
    )
    # A ticket out of the scope's projects: not measured at all.
    assert build_timelines(profile({"name": "CR", "event": "change_request"},
                                   scope={"projects": ["OTHER"]}), itsm()) == []  # fmt: skip
    # scope.services narrows change requests that name a service.
    records = [issue("HX-1", created="09:00"),
               change("CHG1", "10:00", "HX-1", service="billing"),
               change("CHG2", "11:00", "HX-1", service="payments")]  # fmt: skip
    found = timeline(records, {"name": "CR", "event": "change_request"},
                     scope={"services": ["pay*"]})  # fmt: skip
    assert found.stages[0] is not None and found.stages[0].at == dt("11:00")


def test_change_requests_are_no_pipeline_runs() -> None:
    """A change request naming the ticket never counts for cd_completed (nor ci): the
    stages that existed before change requests linked keep their answers."""
    found = timeline(itsm(), {"name": "CD", "event": "cd_completed", "statuses": ["*"]},
                     {"name": "CI", "event": "ci_completed"})  # fmt: skip
    assert found.stages == (None, None)


def test_change_request_in_the_pull_request_unit() -> None:
    records = [issue("HX-1", created="08:00"), commit("c" * 40, "09:00"),
               pr(7, "09:10", title="HX-1 login", shas=("c" * 40,)),
               change("CHG1", "16:00", "Release HX-1")]  # fmt: skip
    found = timeline(records, {"name": "CR", "event": "change_request"},
                     start={"event": "commit_created"})  # fmt: skip
    assert found.key == "acme/api#7" and found.stages[0] is not None
    assert found.stages[0].at == dt("16:00")


def test_change_request_as_the_start() -> None:
    found = timeline(itsm(), {"name": "Done", "event": "change_request", "occurrence": "last"},
                     start={"event": "change_request"})  # fmt: skip
    assert (found.start.at, found.stages[0] and found.stages[0].at) == (dt("14:00"), dt("15:00"))


def test_is_change_request_and_its_keys() -> None:
    def one(**kw: Any) -> PipelineRun:
        made = run("1", "10:00", type="cd", **kw)
        assert isinstance(made, PipelineRun)
        return made

    cr = one(system="servicenow", pipeline="change_request/normal", title="HX-1 and HX-2")
    assert is_change_request(cr)
    assert change_request_keys(cr) == {"HX-1", "HX-2"}
    assert keys_touched(cr) == {"HX-1", "HX-2"}  # the change log rebuilds both tickets
    for other in (
        one(system="jenkins", pipeline="change_request/normal", title="HX-1"),
        one(system="servicenow", pipeline="deploy", title="HX-1"),
        one(system="servicenow", pipeline="change_request", title="HX-1"),  # no "/"
    ):
        assert not is_change_request(other)
        assert change_request_keys(other) == set() and keys_touched(other) == set()
    assert change_request_keys(one(system="servicenow", pipeline="change_request/x")) == set()
    assert change_request_keys(
        one(system="servicenow", pipeline="change_request/x", title=["HX-1"])
    ) == set()  # fmt: skip


def test_reads_change_requests() -> None:
    assert not reads_change_requests(profile({"name": "a", "event": "commit"}))
    assert reads_change_requests(
        profile({"name": "a", "event": "commit"}, {"name": "b", "event": "change_request"})
    )
    assert reads_change_requests(
        profile({"name": "a", "event": "commit"}, start={"event": "change_request"})
    )
    assert not reads_change_requests(
        profile({"name": "a", "event": "commit"}, start={"event": "cd_completed"})
    )
