"""``dora.restore`` options (docs/dora.md#mean-time-to-restore), on SQLite and PostgreSQL:
which incidents count (priorities, severities, urgencies, services), when the clock starts
(created or acknowledged), ticket status rules (start_statuses, stop_statuses, a reopened
ticket), and the same incident filters for ``dora.failures`` (``source: incidents``).
Every expectation is worked out by hand in the comments, from the records below.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from leadline.domain.parse import parse_object
from leadline.domain.times import parse_bound, to_micros
from leadline.metrics.windows import Window
from leadline.profiles.loader import profile_from_data
from leadline.services import drilldown
from leadline.services.dora import dora
from leadline.services.ingest import import_records

FROM, TO = "2024-03-01", "2024-03-08"
H = 3600.0


def _incident(ext_id: str, created: str, resolved: str | None, **more: Any) -> dict[str, Any]:
    return {"kind": "incident", "source": "pagerduty", "id": ext_id,
            "created_at": f"2024-03-{created}Z", "resolved_at": resolved and f"2024-03-{resolved}Z",
            **more}  # fmt: skip


INCIDENTS = [
    # created 10:00, acknowledged 10:10, resolved 11:00: 1 h from creation, 50 min from the ack
    _incident(
        "A",
        "02T10:00:00",
        "02T11:00:00",
        acknowledged_at="2024-03-02T10:10:00Z",
        priority="P1",
        urgency="high",
        severity="sev1",
        service="api",
    ),
    # never acknowledged: 2 h either way
    _incident("B", "03T00:00:00", "03T02:00:00", priority="P2", urgency="low", service="api"),
    # acknowledged 00:30, resolved 06:00: 6 h from creation, 5.5 h from the ack
    _incident(
        "C",
        "04T00:00:00",
        "04T06:00:00",
        acknowledged_at="2024-03-04T00:30:00Z",
        priority="P1",
        urgency="low",
        service="web",
    ),
    # no priority: 1 h
    _incident("D", "05T00:00:00", "05T01:00:00", urgency="high", service="api"),
    # open at the end of the window
    _incident("E", "06T00:00:00", None, priority="P1", urgency="high", service="api"),
]


def _ticket(key: str, day: str, changes: list[tuple[str, str]], resolved: str | None,
            priority: str = "Low") -> dict[str, Any]:  # fmt: skip
    return {
        "kind": "issue", "key": key, "type": "Incident", "created_at": f"2024-03-{day}T00:00:00Z",
        "status_changes": [{"to": to, "at": f"2024-03-{day}T{at}:00Z"} for at, to in changes],
        "resolved_at": resolved and f"2024-03-{day}T{resolved}:00Z", "priority": priority,
    }  # fmt: skip


TICKETS = [
    # Resolved, reopened, resolved again, closed.
    _ticket(
        "INC-1",
        "02",
        [
            ("01:00", "In Progress"),
            ("03:00", "Resolved"),
            ("05:00", "Reopened"),
            ("06:00", "In Progress"),
            ("08:00", "Resolved"),
            ("09:00", "Closed"),
        ],
        "08:00",
        priority="Highest",
    ),
    _ticket("INC-2", "03", [("02:00", "In Progress"), ("04:00", "Done")], "04:00"),
    # Never In Progress.
    _ticket("INC-3", "04", [("05:00", "Resolved")], "05:00"),
    # Resolved, then reopened and still open (its resolved_at kept, as some tools do).
    _ticket(
        "INC-4",
        "05",
        [("01:00", "In Progress"), ("02:00", "Resolved"), ("03:00", "Reopened")],
        "02:00",
    ),
]

RUNS = [  # one successful deployment per service, before the incidents
    {"kind": "pipeline_run", "system": "ci", "pipeline": "deploy", "run_id": run, "type": "cd",
     "status": "success", "finished_at": at, "service": service}
    for run, at, service in (("1", "2024-03-01T12:00:00Z", "api"),
                             ("2", "2024-03-03T12:00:00Z", "web"))
]  # fmt: skip


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    records = [parse_object(r, "test", n) for n, r in enumerate(INCIDENTS + TICKETS + RUNS)]
    import_records(engine, records)
    return engine


def _profile(restore: dict[str, Any] | None = None, failures: dict[str, Any] | None = None) -> Any:
    dora_block: dict[str, Any] = {"restore": restore or {}}
    if failures is not None:
        dora_block["failures"] = failures
    return profile_from_data(
        {"name": "r", "stages": [{"name": "Deployed", "event": "cd_completed"}], "dora": dora_block}
    )


def _report(engine: Engine, **blocks: Any) -> dict[str, Any]:
    window = Window(parse_bound(FROM), parse_bound(TO))
    return dora(engine, _profile(**blocks), window, "week", "mean", now=datetime(2024, 6, 1))


def _mttr(engine: Engine, restore: dict[str, Any]) -> tuple[int, float | None, int]:
    m = _report(engine, restore=restore)["mean_time_to_restore"]
    return m["incidents"], m["mean_seconds"], m["open"]


@pytest.mark.parametrize(
    ("restore", "expected"),
    [
        # A 1 h, B 2 h, C 6 h, D 1 h → 10 h / 4 = 2.5 h; E open
        ({}, (4, 2.5 * H, 1)),
        # A 1 h, C 6 h → 3.5 h; E (P1) open
        ({"priorities": ["P1"]}, (2, 3.5 * H, 1)),
        ({"priorities": ["p1"]}, (2, 3.5 * H, 1)),  # any case
        ({"priorities": [" p2 ", "P1"]}, (3, 3 * H, 1)),  # A 1 h, B 2 h, C 6 h
        ({"priorities": ["P*"]}, (0, None, 0)),  # exact, not a glob: no incident counts
        # A 1 h, D 1 h; E open
        ({"urgencies": ["high"]}, (2, 1 * H, 1)),
        ({"priorities": ["P1"], "urgencies": ["high"]}, (1, 1 * H, 1)),  # A
        # only A has a severity; E has none, so it is not open here either
        ({"severities": ["SEV1"]}, (1, 1 * H, 0)),
        ({"services": ["web"]}, (1, 6 * H, 0)),  # C
        # from the ack: A 50 min, B (never acknowledged) 2 h, C 5.5 h, D (never) 1 h
        # = 50 + 120 + 330 + 60 = 560 min / 4 = 140 min
        ({"start": "acknowledged"}, (4, 140 * 60.0, 1)),
        ({"start": "created"}, (4, 2.5 * H, 1)),
    ],
    ids=repr,
)
def test_incident_filters_and_start(
    loaded: Engine, restore: dict[str, Any], expected: tuple[int, float, int]
) -> None:
    assert _mttr(loaded, restore) == expected


ISSUES = {"source": "issues", "issue_types": ["Incident"]}


@pytest.mark.parametrize(
    ("restore", "expected"),
    [
        # today's rule: created → first done status or resolved_at, whichever is earlier:
        # INC-1 00:00 → Resolved 03:00 = 3 h; INC-2 → Done 04:00 = 4 h; INC-3 → 5 h;
        # INC-4 → Resolved 02:00 = 2 h. 14 h / 4 = 3.5 h
        ({}, (4, 3.5 * H, 0)),
        # first In Progress → final run of stop statuses:
        # INC-1 01:00 → 08:00 (Resolved again; Closed 09:00 continues the run) = 7 h;
        # INC-2 02:00 → 04:00 = 2 h; INC-3 never In Progress: 00:00 → 05:00 = 5 h;
        # INC-4 reopened, not in a stop status: open. 14 h / 3
        (
            {"start_statuses": ["In Progress"], "stop_statuses": ["Resolved", "Done", "Closed"]},
            (3, 14 * H / 3, 1),
        ),
        # start only: stop = first done status (or resolved_at) not before the start:
        # INC-1 01:00 → 03:00 = 2 h; INC-2 2 h; INC-3 00:00 → 05:00 = 5 h; INC-4 01:00 → 02:00
        # = 1 h. 10 h / 4
        ({"start_statuses": ["in progress"]}, (4, 2.5 * H, 0)),
        # stop only, from creation: INC-1 00:00 → 08:00 = 8 h; INC-2 4 h; INC-3 5 h; INC-4 open
        ({"stop_statuses": ["Resolved", "Done", "Closed"]}, (3, 17 * H / 3, 1)),
        # Done is not a stop status: INC-2 is not restored either
        ({"stop_statuses": ["Resolved", "Closed"]}, (2, 6.5 * H, 2)),
        ({"priorities": ["highest"]}, (1, 3 * H, 0)),  # INC-1 (Highest), today's rule
        ({"priorities": ["High"]}, (0, None, 0)),  # exact: Highest is not High
        ({"services": ["chk*"]}, (0, None, 0)),  # tickets name no service
    ],
    ids=repr,
)
def test_ticket_status_rules(
    loaded: Engine, restore: dict[str, Any], expected: tuple[int, float, int]
) -> None:
    count, mean, still_open = _mttr(loaded, {**ISSUES, **restore})
    assert (count, still_open) == (expected[0], expected[2])
    assert mean == pytest.approx(expected[1], abs=1e-6)


def _at(text: str) -> int:
    return to_micros(parse_bound(text))


def test_drill_down_names_the_rule_of_each_start_and_stop(loaded: Engine) -> None:
    profile = _profile(
        {**ISSUES, "start_statuses": ["In Progress"], "stop_statuses": ["Resolved", "Closed"]}
    )
    report = drilldown.incidents(loaded, profile, _at(FROM), _at(TO))
    got = {r.key: (r.start_us, r.start_rule, r.resolved_us, r.stop_rule, r.seconds)
           for r in report.resolved}  # fmt: skip
    assert got == {
        "INC-1": (_at("2024-03-02T01:00:00Z"), "entered In Progress", _at("2024-03-02T08:00:00Z"),
                  "entered Resolved again, after a reopen", 7 * H),
        "INC-3": (_at("2024-03-04T00:00:00Z"), "created (never entered a start status)",
                  _at("2024-03-04T05:00:00Z"), "entered Resolved", 5 * H),
    }  # fmt: skip
    still_open = {r.key: (r.start_rule, r.resolved_us, r.stop_rule) for r in report.open}
    assert still_open == {
        "INC-2": ("entered In Progress", None, "not in a stop status (now Done)"),
        "INC-4": ("entered In Progress", None, "not in a stop status (now Reopened)"),
    }


def test_drill_down_of_incidents_from_the_acknowledgement(loaded: Engine) -> None:
    profile = _profile({"start": "acknowledged", "urgencies": ["HIGH"]})
    report = drilldown.incidents(loaded, profile, _at(FROM), _at(TO))
    got = {r.key: (r.start_us, r.start_rule, r.stop_rule, r.seconds) for r in report.resolved}
    assert got == {
        "pagerduty/A": (_at("2024-03-02T10:10:00Z"), "acknowledged", "resolved", 50 * 60.0),
        "pagerduty/D": (_at("2024-03-05T00:00:00Z"), "created (never acknowledged)", "resolved",
                        1 * H),
    }  # fmt: skip
    assert [(r.key, r.stop_rule) for r in report.open] == [("pagerduty/E", "not resolved")]


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        # every incident links to its service's deployment (api 03-01, web 03-03): both fail
        ({}, (2, 2, 1.0)),
        ({"priorities": ["P2"]}, (1, 2, 0.5)),  # B → api
        ({"severities": ["sev1"]}, (1, 2, 0.5)),  # A → api
        ({"urgencies": ["low"]}, (2, 2, 1.0)),  # B → api, C → web
        ({"services": ["web"]}, (1, 2, 0.5)),  # C → web
    ],
    ids=repr,
)
def test_failure_incident_filters(
    loaded: Engine, failures: dict[str, Any], expected: tuple[int, int, float]
) -> None:
    cfr = _report(loaded, failures={"source": "incidents", **failures})["change_failure_rate"]
    assert (cfr["failures"], cfr["deployments"], cfr["rate"]) == expected


def test_filters_that_match_no_incident_leave_no_source(loaded: Engine) -> None:
    """No incident is P9: the filtered source is empty, so both figures have no data (not
    0 %, not a restore time)."""
    report = _report(loaded, failures={"source": "incidents", "priorities": ["P9"]},
                     restore={"priorities": ["P9"]})  # fmt: skip
    cfr, mttr = report["change_failure_rate"], report["mean_time_to_restore"]
    assert (cfr["rate"], mttr["mean_seconds"], mttr["open"]) == (None, None, 0)
    assert cfr["reason"].startswith("no failure source: no incident matches dora.failures")
    assert mttr["reason"].startswith("no restore source: no incident matches dora.restore")
