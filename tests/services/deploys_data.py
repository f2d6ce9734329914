"""Hand-built records for the deployment and failure-counting options (issue 17): tickets as
deployments, release names, runs counted at their start, failure priorities, absolute counts
and the all-runs denominator. Window [2024-03-01, 2024-04-01): 31 days.

Tickets (statuses [Done, Closed], issue types [Story], project PAY):

- PAY-1 api: In Progress 03-02, Done 03-05 → one entry, 03-05;
- PAY-2 api: Done 03-10, Reopened 03-12, Done 03-20 → entries 03-10 and 03-20;
- PAY-3 web: Done 02-20, Reopened 03-01, Done 03-03 → entries 02-20 (before) and 03-03;
- PAY-5 web: Done 03-25, Closed 03-26 → one entry (Done → Closed stays resolved), 03-25;
- PAY-6 (never resolved), PAY-7 (Done 04-02, after), PAY-4 (a Bug), OPS-1 (project OPS).

So ``occurrence: first`` → PAY-1, PAY-2 (03-10), PAY-5 = 3 (PAY-3's first is in February);
``last`` → PAY-1, PAY-2 (03-20), PAY-3 (03-03), PAY-5 = 4; ``every`` → 5.

Failure tickets (type Incident; ``priorities: [P1, Highest]``):

- INC-1 priority "p1", api, 03-11 → the latest api deployment before it within 7 days;
- INC-2 priority P3, api, 03-06 → left out by the priorities (else it fails PAY-1);
- INC-3 priority Highest, no service, ``deployment_run_id: PAY-5`` → PAY-5 by name;
- INC-4 priority P1, billing, 03-15 → no billing deployment: unlinked.

Runs (cd, production, service api; ``count_at`` start vs finish):

- r1 success, started 02-29 23:00, finished 03-01 01:00 → finish: in; start: out;
- r2 success, 03-10 10:00 → 11:00 → in both;
- r3 success, 03-31 23:00 → 04-01 01:00 → start only;
- r10 success, 03-31 22:00 → 04-01 02:00 → start only;
- r4 success, no start, finished 03-20 → in both (counted at its finish);
- r5 failure, 03-15 → in both; r6 failure, 02-28 23:00 → 03-01 00:30 → finish only;
- r7 cancelled, 03-18 → neither a deployment nor a failure, but a run (``total: all_runs``);
- r8 success on staging → never.

Incident pd/1 (api, 03-10 12:00) → r2 (the latest api deployment before it).

Versions of PAY: v1.0 03-02, v1.1 03-09, hotfix-1 03-10, v2.0 04-05.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WINDOW = ("2024-03-01", "2024-04-01")
DAYS = 31.0


def _ticket(
    key: str, changes: list[tuple[str, str]], *, type_: str = "Story", service: str | None = None,
    priority: str | None = None, **extra: Any,
) -> dict[str, Any]:  # fmt: skip
    record: dict[str, Any] = {
        "kind": "issue", "key": key, "type": type_, "created_at": "2024-02-01T09:00:00Z",
        "status_changes": [{"to": to, "at": f"2024-{at}T10:00:00Z"} for to, at in changes],
    }  # fmt: skip
    if service is not None:
        record["service"] = service
    if priority is not None:
        record["priority"] = priority
    return record | extra


def _failure(key: str, day: str, priority: str, service: str | None, **extra: Any) -> Any:
    record = _ticket(key, [], type_="Incident", service=service, priority=priority, **extra)
    return record | {"created_at": f"2024-{day}T12:00:00Z"}


def _run(
    run_id: str, status: str, finished: str, started: str | None = None,
    environment: str = "production",
) -> dict[str, Any]:  # fmt: skip
    record = {"kind": "pipeline_run", "system": "argo", "pipeline": "deploy", "run_id": run_id,
              "type": "cd", "status": status, "environment": environment, "service": "api",
              "finished_at": f"2024-{finished}Z"}  # fmt: skip
    if started is not None:
        record["started_at"] = f"2024-{started}Z"
    return record


def _version(name: str, day: str) -> dict[str, Any]:
    return {"kind": "version", "project": "PAY", "name": name,
            "released_at": f"2024-{day}T12:00:00Z"}  # fmt: skip


RECORDS: list[dict[str, Any]] = [
    _ticket("PAY-1", [("In Progress", "03-02"), ("Done", "03-05")], service="api"),
    _ticket("PAY-2", [("Done", "03-10"), ("Reopened", "03-12"), ("Done", "03-20")], service="api"),
    _ticket("PAY-3", [("Done", "02-20"), ("Reopened", "03-01"), ("Done", "03-03")], service="web"),
    _ticket("PAY-5", [("Done", "03-25"), ("Closed", "03-26")], service="web"),
    _ticket("PAY-6", [("In Progress", "03-04")]),
    _ticket("PAY-7", [("Done", "04-02")]),
    _ticket("PAY-4", [("Done", "03-15")], type_="Bug"),
    _ticket("OPS-1", [("Done", "03-16")]),
    _failure("INC-1", "03-11", "p1", "api"),
    _failure("INC-2", "03-06", "P3", "api"),
    _failure("INC-3", "03-27", "Highest", None, deployment_run_id="PAY-5"),
    _failure("INC-4", "03-15", "P1", "billing"),
    _run("r1", "success", "03-01T01:00:00", "02-29T23:00:00"),
    _run("r2", "success", "03-10T11:00:00", "03-10T10:00:00"),
    _run("r3", "success", "04-01T01:00:00", "03-31T23:00:00"),
    _run("r10", "success", "04-01T02:00:00", "03-31T22:00:00"),
    _run("r4", "success", "03-20T12:00:00"),
    _run("r5", "failure", "03-15T12:30:00", "03-15T12:00:00"),
    _run("r6", "failure", "03-01T00:30:00", "02-28T23:00:00"),
    _run("r7", "cancelled", "03-18T12:30:00", "03-18T12:00:00"),
    _run("r8", "success", "03-12T12:00:00", "03-12T11:00:00", environment="staging"),
    {"kind": "incident", "source": "pd", "id": "1", "service": "api",
     "created_at": "2024-03-10T12:00:00Z", "resolved_at": "2024-03-10T13:00:00Z"},
    _version("v1.0", "03-02"),
    _version("v1.1", "03-09"),
    _version("hotfix-1", "03-10"),
    _version("v2.0", "04-05"),
]  # fmt: skip

TICKETS = {"source": "issues", "statuses": ["Done", "Closed"], "issue_types": ["Story"],
           "projects": ["PAY"]}  # fmt: skip
FAILURE_TICKETS = {"source": "issues", "issue_types": ["Incident"], "priorities": ["P1", "Highest"]}
RUNS = {"source": "cd", "environments": ["production"]}


def profile_data(name: str, **dora: Any) -> dict[str, Any]:
    """A profile with one stage and the ``dora`` block ``dora``."""
    return {"name": name, "stages": [{"name": "Done", "event": "issue_status",
                                      "statuses": ["Done"]}], "dora": dora}  # fmt: skip


def write_records(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    return path
