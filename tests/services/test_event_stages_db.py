"""Lead time and DORA through the stage events ``pr_labeled`` and ``change_request`` and the
``params`` filters, on the real database (SQLite, or PostgreSQL with
LEADLINE_TEST_DATABASE_URL). Every expected figure is worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.domain.records import RecordModel
from leadline.metrics.windows import Window
from leadline.profiles.loader import profile_from_data
from leadline.services import drilldown
from leadline.services.dora import dora
from leadline.services.ingest import import_records
from leadline.services.leadtime import explain, lead_time
from leadline.store.db import writing
from leadline.store.upsert import merge_and_upsert
from tests.correlate.builders import at, commit, issue, pr, run

A, B = "a" * 40, "b" * 40

PROFILE: dict[str, Any] = {
    "name": "events",
    "stages": [
        {"name": "Ready for QA", "event": "pr_labeled", "labels": ["ready-for-qa"]},
        {"name": "Prod", "event": "cd_completed", "params": {"DEPLOY_ENV": "prod"}},
        {"name": "Change closed", "event": "change_request"},
    ],
}


def change(number: str, when: str, title: str, status: str = "success") -> RecordModel:
    return run(number, when, type="cd", status=status, system="servicenow",
               pipeline="change_request/normal", title=title)  # fmt: skip


def records(with_late_change: bool = True) -> list[RecordModel]:
    qa = [{"label": "ready-for-qa", "action": "added", "at": at("10:00")}]
    qa2 = [{"label": "ready-for-qa", "action": "added", "at": at("09:30")}]
    out = [
        issue("HX-1", created="09:00"),
        commit(A, "09:05", "HX-1 login"),
        pr(7, "09:10", title="HX-1 login", shas=(A,), label_events=qa),
        run("1", "10:30", type="cd", sha=A, params={"DEPLOY_ENV": "staging"}),
        run("2", "11:00", type="cd", sha=A, params={"DEPLOY_ENV": "prod"}),
        change("CHG1", "12:00", "HX-1: release login"),
        issue("HX-2", created="09:00"),
        commit(B, "09:05", "HX-2 logout"),
        pr(8, "09:10", title="HX-2 logout", shas=(B,), label_events=qa2),
        run("3", "10:30", type="cd", sha=B, params={"DEPLOY_ENV": "Prod"}),
        change("CHG2", "11:30", "HX-2: first try", status="failure"),
    ]
    if with_late_change:
        out.append(change("CHG3", "13:30", "HX-2: release logout"))
    return out


def test_lead_time_through_the_event_stages(engine: Engine) -> None:
    import_records(engine, records())
    report = lead_time(engine, profile_from_data(PROFILE))
    # HX-1: created 09:00, labelled 10:00 (3600 s), prod deploy 11:00 — the 10:30 run is
    # staging (3600 s), change CHG1 closed 12:00 (3600 s).
    # HX-2: created 09:00, labelled 09:30 (1800 s), prod deploy 10:30 — "Prod" matches
    # "prod" (3600 s), CHG2 failed, CHG3 closed 13:30 (10 800 s).
    # Means: (3600 + 1800) / 2 = 2700, (3600 + 3600) / 2 = 3600, (3600 + 10800) / 2 = 7200.
    assert report["changes"] == 2
    assert [(s["name"], s["seconds"], s["samples"]) for s in report["stages"]] == [
        ("Ready for QA", 2700.0, 2),
        ("Prod", 3600.0, 2),
        ("Change closed", 7200.0, 2),
    ]
    assert report["total_seconds"] == 13500.0
    detail = explain(engine, profile_from_data(PROFILE), "HX-2")
    assert [s["source"] for s in detail["stages"]] == [
        "label 'ready-for-qa' on acme/api#8",
        "pipeline_run jenkins/build/3",
        "change_request servicenow/CHG3",
    ]


def test_a_change_request_arriving_later_rebuilds_its_ticket(engine: Engine) -> None:
    profile = profile_from_data(PROFILE)
    import_records(engine, records(with_late_change=False))
    before = explain(engine, profile, "HX-2")
    assert before["stages"][2]["at"] is None  # only the failed CHG2 so far
    assert lead_time(engine, profile)["changes"] == 1  # HX-2 is in flight
    import_records(engine, [change("CHG3", "13:30", "HX-2: release logout")])
    after = explain(engine, profile, "HX-2")
    assert after["stages"][2]["at"] == "2024-05-01T13:30:00Z"
    assert after["total_seconds"] == 1800 + 3600 + 10800
    # A change request renamed to another ticket leaves the first one.
    import_records(engine, [change("CHG3", "13:30", "HX-9: something else")])
    assert explain(engine, profile, "HX-2")["stages"][2]["at"] is None


def test_label_events_accumulate_in_the_store(engine: Engine) -> None:
    """Webhook snapshots merge: each delivery carries its own label event."""
    profile = profile_from_data(PROFILE | {"stages": PROFILE["stages"][:1]})
    import_records(engine, [issue("HX-1", created="09:00")])
    for when, action in (("10:00", "added"), ("10:20", "removed"), ("10:40", "added")):
        event = {"label": "ready-for-qa", "action": action, "at": at(when)}
        delivery = pr(7, "09:10", title="HX-1", updated_at=at(when), label_events=[event])
        with writing(engine) as conn:
            merge_and_upsert(conn, [delivery])
    assert explain(engine, profile, "HX-1")["stages"][0]["at"] == "2024-05-01T10:00:00Z"
    last = profile_from_data(PROFILE | {"stages": [PROFILE["stages"][0] | {"occurrence": "last"}]})
    assert explain(engine, last, "HX-1")["stages"][0]["at"] == "2024-05-01T10:40:00Z"


DORA: dict[str, Any] = {
    "name": "dora params",
    "stages": [{"name": "Prod", "event": "cd_completed"}],
    "dora": {"deployments": {"pipelines": ["build"], "params": {"DEPLOY_ENV": "prod*"}}},
}
DAY = Window(datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 2, tzinfo=UTC))


def dora_runs() -> list[RecordModel]:
    return [
        run("1", "10:00", type="cd", params={"DEPLOY_ENV": "prod"}),
        run("2", "11:00", type="cd", params={"DEPLOY_ENV": "production"}),
        run("3", "12:00", type="cd", params={"DEPLOY_ENV": "staging"}),
        run("4", "13:00", type="cd"),  # no parameters
        run("5", "14:00", type="cd", status="failure", params={"DEPLOY_ENV": "prod"}),
        run("6", "15:00", type="cd", status="failure", params={"DEPLOY_ENV": "staging"}),
    ]


@pytest.mark.parametrize(
    ("deployments", "failures", "expected"),
    [
        # Runs 1 and 2 deploy to prod*; run 5 failed there (run 6 failed on staging).
        ({}, {}, (2, 1)),
        ({"params": {"DEPLOY_ENV": "staging"}}, {}, (1, 1)),  # run 3; failure run 6
        ({"params": {"DEPLOY_ENV": "prod"}}, {"params": {"DEPLOY_ENV": "*"}}, (1, 2)),
        ({"params": None}, {}, (4, 2)),  # no params filter: every run of "build"
    ],
)
def test_dora_deployments_and_failures_filter_on_params(
    engine: Engine, deployments: dict[str, Any], failures: dict[str, Any], expected: Any
) -> None:
    spec = DORA["dora"]["deployments"] | deployments
    data = DORA | {"dora": {"deployments": {k: v for k, v in spec.items() if v is not None},
                            "failures": failures}}  # fmt: skip
    profile = profile_from_data(data)
    import_records(engine, dora_runs())
    report = dora(engine, profile, DAY, "day")
    got = (
        report["deployment_frequency"]["deployments"],
        report["change_failure_rate"]["failures"],
    )
    assert got == expected
    # The drill-down lists exactly the deployments it counted.
    start, end = DAY.micros()
    assert start is not None and end is not None
    assert len(drilldown.deployments(engine, profile, start, end)) == expected[0]
