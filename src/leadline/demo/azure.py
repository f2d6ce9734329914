"""The Identity team's records as Azure DevOps and ServiceNow send them, mapped by leadline.

The generator plans Identity's work like any team's (``demo.records``); this module turns
each planned record into what the tool would deliver — Azure Boards work item updates, Azure
Repos pushes and pull request service-hook deliveries, ``build.complete`` and release
``deployment-completed`` deliveries, ServiceNow incidents from the Table API — and stores
what the real mappings (``leadline.sources.azure_devops``, ``leadline.sources.servicenow``)
make of them, folding the deliveries of one pull request as the write path does
(``domain.merge``). So the demo shows Azure's records as they are: work items ``AB#4123``
in project ``Identity`` (states New → Committed → Done), repositories
``Identity/identity-api``, reviews as votes seen at each delivery, commits without parents
(a push carries none), builds and release stages (``<release>/<stage>``, a retried stage
``…/2``) with their artifacts, incidents ``INC0010231`` with their ``sys_id``.

One addition: a release names no repository and no service, so its deployments could not
be told apart per team, and no ServiceNow incident could link to one (by service and time,
docs/deployments.md). The demo's release runs carry the built repository and the service
(what a release pipeline's artifact and the team's configuration item are).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from leadline.demo.org import TeamSpec
from leadline.demo.time import sha
from leadline.domain.merge import merge
from leadline.domain.records import RecordModel
from leadline.domain.times import parse_time
from leadline.sources import servicenow
from leadline.sources.azure_devops import rest as azure_rest
from leadline.sources.azure_devops import webhook as azure_hook
from leadline.sources.base import Parsed

Record = dict[str, Any]
DOMAIN = "acme.com"
BOT = "renovate"  # the dependency bot (GitHub's is dependabot)
STATES = {"In Progress": "Committed", "Done": "Done"}  # Scrum; "In Review" is no Scrum state
TYPES = {"Story": "Product Backlog Item", "Bug": "Bug", "Task": "Task"}
PRIORITY = {"SEV-1": ("1", "1 - Critical"), "SEV-2": ("2", "2 - High"),
            "SEV-3": ("3", "3 - Moderate")}  # fmt: skip
RELEASE_BASE, STAGE_BASE, INCIDENT_BASE = 180, 2400, 10230


def convert(team: TeamSpec, records: list[Record]) -> list[Record]:
    """``records`` (one team's, in the import format) → the same records as the Azure DevOps
    and ServiceNow integrations produce them."""
    commits = {r["sha"]: r for r in records if r["kind"] == "commit"}
    releases = _Releases()
    out: list[RecordModel] = []
    for n, r in enumerate(r for r in records if r["kind"] == "incident"):
        out.append(_one(servicenow.incident(_incident(r, n), UTC)))
    for r in records:
        kind = r["kind"]
        if kind == "issue":
            out.append(_one(azure_rest.work_item(r["key"][3:], _updates(r))))
        elif kind == "commit":
            out.append(_one(azure_hook.parse(_push(r))))
        elif kind == "pull_request":
            out.append(_pull_request(r, commits))
        elif kind == "pipeline_run" and r["type"] == "ci":
            out.append(_one(azure_hook.parse(_build(r))))
        elif kind == "pipeline_run":
            run = _one(azure_hook.parse(releases.delivery(r)))
            out.append(run.model_copy(update={"repo": r["repo"], "service": r["service"]}))
        elif kind != "incident":  # Azure Boards has no fix versions, Identity no events
            raise ValueError(f"demo: no Azure DevOps form for {kind}")
    return [m.model_dump(mode="json", exclude_none=True) for m in out]


def _one(parsed: Parsed) -> RecordModel:
    if len(parsed.records) != 1:
        raise ValueError(f"demo: expected one record, got {parsed}")
    return parsed.records[0]


def azure_time(text: str) -> str:
    """Azure's seven fractional digits (the mapping reads them to the microsecond)."""
    return f"{text[:-1]}.0000000Z"


def _login(person: str) -> str:
    """An Azure DevOps identity's ``uniqueName``; the dependency bot is Renovate's."""
    return f"{BOT if person == 'dependabot[bot]' else person}@{DOMAIN}"


def _identity(person: str) -> dict[str, str]:
    return {"displayName": _login(person).split("@")[0].title(), "uniqueName": _login(person)}


def _repository(repo: str) -> dict[str, Any]:
    project, name = repo.split("/", 1)
    return {"id": sha("repo", repo)[:8], "name": name, "project": {"name": project}}


# --- Azure Boards --------------------------------------------------------------------------


def _updates(issue: Record) -> list[dict[str, Any]]:
    """A work item's updates (``_apis/wit/workItems/{id}/updates``), oldest first."""
    created = azure_time(issue["created_at"])
    first = {
        "System.TeamProject": issue["project"],
        "System.WorkItemType": TYPES[issue["type"]],
        "System.Title": issue["title"],
        "System.CreatedDate": created,
        "System.ChangedDate": created,
        "System.State": "New",
        "System.Tags": "; ".join(issue["labels"]),
        "Microsoft.VSTS.Common.Priority": 1 if issue["priority"] == "High" else 2,
    }
    updates = [{"rev": 1, "fields": {k: {"newValue": v} for k, v in first.items()}}]
    state, changed = "New", created
    for change in issue["status_changes"]:
        new = STATES.get(change["to"])
        if new is None:
            continue
        at = azure_time(change["at"])
        fields: dict[str, Any] = {
            "System.State": {"oldValue": state, "newValue": new},
            "System.ChangedDate": {"oldValue": changed, "newValue": at},
        }
        if new == "Done":
            fields["Microsoft.VSTS.Common.ClosedDate"] = {"newValue": at}
        updates.append({"rev": len(updates) + 1, "fields": fields})
        state, changed = new, at
    return updates


# --- Azure Repos ---------------------------------------------------------------------------


def _push(commit: Record) -> dict[str, Any]:
    at = azure_time(commit["committed_at"])
    person = {"name": _identity(commit["author"])["displayName"],
              "email": _login(commit["author"]), "date": at}  # fmt: skip
    return {
        "eventType": "git.push",
        "createdDate": at,
        "resource": {
            "repository": _repository(commit["repo"]),
            "refUpdates": [{"name": f"refs/heads/{commit['branch']}", "oldObjectId": "0" * 39
                            + "1", "newObjectId": commit["sha"]}],
            "commits": [{"commitId": commit["sha"], "author": person, "committer": person,
                         "comment": commit["message"]}],
        },
    }  # fmt: skip


def _pull_request(pr: Record, commits: dict[str, Record]) -> RecordModel:
    """Every delivery Azure sends for the pull request — created, one per review, completed
    or abandoned — each with the votes as they then stood, folded as the write path does."""
    moments = [(pr["created_at"], "git.pullrequest.created")]
    moments += [(r["at"], "git.pullrequest.updated") for r in pr["reviews"]]
    if "closed_at" in pr:
        event = "git.pullrequest.merged" if "merged_at" in pr else "git.pullrequest.updated"
        moments.append((pr["closed_at"], event))
    votes = {"approved": 10, "changes_requested": -5, "commented": 0}
    stored: RecordModel | None = None
    for at, event in moments:
        seen = {r["author"]: votes[r["state"]] for r in pr["reviews"] if r["at"] <= at}
        closing = at == pr.get("closed_at")
        resource = _pr_resource(pr, commits, at, seen, closing)
        delivery = {"eventType": event, "createdDate": azure_time(at), "resource": resource}
        stored = merge(stored, _one(azure_hook.parse(delivery)))
    assert stored is not None
    return stored


def _pr_resource(
    pr: Record, commits: dict[str, Record], at: str, votes: dict[str, int], closing: bool
) -> dict[str, Any]:
    pushed = [s for s in pr["commit_shas"] if commits[s]["committed_at"] <= at]
    status = "active"
    if closing:
        status = "completed" if "merged_at" in pr else "abandoned"
    merge_sha = pr.get("merge_commit_sha") if status == "completed" else None
    resource: dict[str, Any] = {
        "repository": _repository(pr["repo"]),
        "pullRequestId": pr["number"],
        "status": status,
        "createdBy": _identity(pr["author"]),
        "creationDate": azure_time(pr["created_at"]),
        "closedDate": azure_time(pr["closed_at"]) if closing else "0001-01-01T00:00:00",
        "title": pr["title"],
        "sourceRefName": f"refs/heads/{pr['source_branch']}",
        "targetRefName": f"refs/heads/{pr['target_branch']}",
        "mergeStatus": "succeeded",
        "lastMergeSourceCommit": {"commitId": pushed[-1]},
        # Before completion Azure's merge commit is a test merge: the mapping ignores it.
        "lastMergeCommit": {"commitId": merge_sha or sha("test merge", pr["number"], at)},
        "reviewers": [{**_identity(a), "vote": v, "isContainer": False}
                      for a, v in sorted(votes.items())],
        "labels": [{"name": label} for label in pr["labels"]],
    }  # fmt: skip
    return resource


# --- Azure Pipelines -----------------------------------------------------------------------


def _build(run: Record) -> dict[str, Any]:
    """A ``build.complete`` delivery: the run id is the build id, and its number the
    date-stamped ``buildNumber`` Azure gives."""
    repo = _repository(run["repo"])
    build = {
        "id": int(run["run_id"]),
        "buildNumber": f"{run['started_at'][:10].replace('-', '')}.{int(run['run_id']) % 9 + 1}",
        "status": "completed",
        "result": "succeeded" if run["status"] == "success" else "failed",
        "definition": {"name": run["pipeline"]},
        "startTime": azure_time(run["started_at"]),
        "finishTime": azure_time(run["finished_at"]),
        "sourceBranch": f"refs/heads/{run['branch']}",
        "sourceVersion": run["commit_sha"],
        "repository": {"type": "TfsGit", "name": repo["name"]},
        "project": repo["project"],
    }
    return {"eventType": "build.complete", "createdDate": build["finishTime"], "resource": build}


class _Releases:
    """Classic release pipelines: a release per build deployed, a stage id per release and
    stage (Staging, Production), a retried stage is its next attempt."""

    def __init__(self) -> None:
        self.by_build: dict[str, int] = {}
        self.stages: dict[tuple[int, str], int] = {}
        self.attempts: dict[tuple[int, str], int] = {}

    def delivery(self, run: Record) -> dict[str, Any]:
        artifact = run["artifacts"][0]
        build_id = artifact["version"].rsplit("-", 1)[1]
        release = self.by_build.setdefault(build_id, RELEASE_BASE + len(self.by_build) + 1)
        stage = run["environment"].title()
        stage_id = self.stages.setdefault((release, stage), STAGE_BASE + len(self.stages) + 1)
        attempt = self.attempts[(release, stage)] = self.attempts.get((release, stage), 0) + 1
        definition = {"name": run["pipeline"]}
        reference = {
            "definition": {"id": sha("definition", artifact["name"])[:3], "name":
                           f"build-{artifact['name']}"},
            "version": {"id": build_id, "name": build_id},
            "sourceVersion": {"id": run["commit_sha"]},
            "branch": {"id": f"refs/heads/{run['branch']}"},
            "repository": {"name": artifact["name"]},
        }  # fmt: skip
        return {
            "eventType": "ms.vss-release.deployment-completed-event",
            "createdDate": azure_time(run["finished_at"]),
            "resource": {
                "environment": {"id": stage_id, "name": stage, "releaseId": release,
                                "status": "succeeded" if run["status"] == "success"
                                else "rejected"},
                "release": {"id": release, "name": f"Release-{release}",
                            "releaseDefinition": definition,
                            "artifacts": [{"type": "Build", "alias": f"_{artifact['name']}",
                                           "isPrimary": True,
                                           "definitionReference": reference}]},
                "deployment": {"attempt": attempt, "startedOn": azure_time(run["started_at"]),
                               "completedOn": azure_time(run["finished_at"])},
            },
        }  # fmt: skip


# --- ServiceNow ----------------------------------------------------------------------------


def snow_time(text: str) -> str:
    """ServiceNow's zone-less ``YYYY-MM-DD HH:MM:SS`` (UTC, as it stores them)."""
    return parse_time(text).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _incident(incident: Record, n: int) -> dict[str, Any]:
    """An ``incident`` of the Table API, ``sysparm_display_value=all``: every field a
    ``{"value", "display_value"}`` pair (the configuration item by name)."""
    resolved = incident.get("resolved_at")
    level, shown = PRIORITY[incident["severity"]]
    state = ("6", "Resolved") if resolved else ("2", "In Progress")
    updated = snow_time(resolved or incident["created_at"])
    number = f"INC{INCIDENT_BASE + n + 1:07d}"
    fields: dict[str, tuple[str, str]] = {
        "number": _same(number),
        "sys_id": _same(sha("servicenow", number)[:32]),
        "opened_at": _same(snow_time(incident["created_at"])),
        "resolved_at": _same(snow_time(resolved) if resolved else ""),
        "short_description": _same(incident["title"]),
        "cmdb_ci": (sha("ci", incident["service"])[:32], incident["service"]),
        "priority": (level, shown),
        "urgency": (level, shown.split(" - ")[1]),
        "impact": (level, shown.split(" - ")[1]),
        "state": state,
        "sys_updated_on": _same(updated),
    }
    return {"sys_class_name": {"value": "incident", "display_value": "Incident"}} | {
        k: {"value": v, "display_value": d} for k, (v, d) in fields.items()
    }


def _same(value: str) -> tuple[str, str]:
    return value, value
