"""The Search team's records as Bitbucket Cloud, Jenkins and Opsgenie send them, mapped by
leadline.

Search keeps its tickets in Jira (the import format, as the other teams'); its code is on
Bitbucket Cloud, its CI and deployments are Jenkins jobs, its alerts Opsgenie's. Each planned
record (``demo.records``) becomes what the tool's API lists — a Bitbucket commit and pull
request (``sources.bitbucket.mapping``), a build of Jenkins' JSON API
(``sources.jenkins.rest``), an alert of ``/v2/alerts`` (``sources.opsgenie.rest``) — and the
demo stores what the real mapping makes of it. So the demo shows their records as they are:
pull requests naming their commits by Bitbucket's **12-character** hashes (the correlation
resolves them), approvals at the approver's last action, no other review; Jenkins runs of
type ``ci_cd`` numbered per job, their repository from the git remote, their service and
environment from the ``SERVICE`` and ``ENVIRONMENT`` build parameters; Opsgenie alerts by
``entity`` (the service) with no deployment link, so they link to deployments by service
and time.
"""

from __future__ import annotations

from typing import Any

from leadline.demo.org import TeamSpec
from leadline.demo.time import sha
from leadline.domain.records import RecordModel
from leadline.domain.times import parse_time
from leadline.sources.bitbucket import mapping as bitbucket
from leadline.sources.jenkins import rest as jenkins
from leadline.sources.opsgenie import rest as opsgenie
from leadline.sources.payload import Node

Record = dict[str, Any]
JENKINS = "https://jenkins.acme.com"
BOT = "renovate-bot"  # Bitbucket's dependency bot (GitHub's is dependabot)
PRIORITY = {"SEV-1": "P1", "SEV-2": "P2", "SEV-3": "P3"}
TINY_BASE = 880


def convert(team: TeamSpec, records: list[Record]) -> list[Record]:
    """``records`` (one team's, in the import format) → the same records as the Bitbucket
    Cloud, Jenkins and Opsgenie integrations produce them; issues, versions and events stay."""
    numbers = _BuildNumbers()
    runs = sorted((r for r in records if r["kind"] == "pipeline_run"),
                  key=lambda r: (r["started_at"], int(r["run_id"])))  # fmt: skip
    number = {id(r): numbers.take(r["pipeline"]) for r in runs}  # in the order they started
    out: list[Record] = []
    incidents = 0
    for r in records:
        kind = r["kind"]
        model: RecordModel
        if kind == "commit":
            model = bitbucket.cloud_commit(Node(_commit(r), "values[]"), r["repo"], r["branch"])
        elif kind == "pull_request":
            model = bitbucket.cloud_pull_request(Node(_pull_request(r), "values[]"), r["repo"], [])
        elif kind == "pipeline_run":
            job = r["pipeline"]
            found = jenkins.build_run(job, _build(r, number[id(r)]), "builds[]")
            assert found is not None  # a finished build
            model = found
        elif kind == "incident":
            incidents += 1
            (model,) = opsgenie.alert(_alert(r, incidents)).records
        else:
            out.append(r)
            continue
        out.append(model.model_dump(mode="json", exclude_none=True))
    return out


def _ms(text: str) -> int:
    return int(parse_time(text).timestamp() * 1000)


def _user(person: str) -> dict[str, Any]:
    nickname = BOT if person == "dependabot[bot]" else person
    return {"nickname": nickname, "display_name": nickname.title(), "type": "user"}


# --- Bitbucket Cloud -----------------------------------------------------------------------


def _commit(commit: Record) -> dict[str, Any]:
    """A commit of ``/2.0/repositories/{workspace}/{repo}/commits``."""
    user = _user(commit["author"])
    return {
        "type": "commit",
        "hash": commit["sha"],
        "date": commit["committed_at"].replace("Z", "+00:00"),
        "message": commit["message"],
        "author": {"raw": f"{user['display_name']} <{user['nickname']}@acme.com>", "user": user},
        "parents": [{"hash": p, "type": "commit"} for p in commit["parents"]],
    }


def _pull_request(pr: Record) -> dict[str, Any]:
    """A pull request of ``/2.0/repositories/{workspace}/{repo}/pullrequests``: Cloud names
    commits by 12-character hashes and has no merge time (a merged pull request's
    ``updated_on``); a participant's approval is dated by their last action."""
    state = "OPEN"
    if "closed_at" in pr:
        state = "MERGED" if "merged_at" in pr else "DECLINED"
    updated = pr.get("closed_at") or max([pr["created_at"], *(r["at"] for r in pr["reviews"])])
    last: dict[str, Record] = {}
    for review in pr["reviews"]:
        last[review["author"]] = review
    participants = [
        {"user": _user(a), "role": "REVIEWER", "approved": r["state"] == "approved",
         "state": r["state"] if r["state"] != "commented" else None,
         "participated_on": _cloud_time(r["at"])}
        for a, r in sorted(last.items())
    ]  # fmt: skip
    item: dict[str, Any] = {
        "type": "pullrequest",
        "id": pr["number"],
        "title": pr["title"],
        "state": state,
        "author": _user(pr["author"]),
        "created_on": _cloud_time(pr["created_at"]),
        "updated_on": _cloud_time(updated),
        "source": {"branch": {"name": pr["source_branch"]},
                   "commit": {"hash": pr["commit_shas"][-1][:12]}},
        "destination": {"branch": {"name": pr["target_branch"]}},
        "participants": participants,
        "merge_commit": {"hash": pr["merge_commit_sha"][:12]} if state == "MERGED" else None,
    }  # fmt: skip
    return item


def _cloud_time(text: str) -> str:
    """Cloud's ISO 8601 with microseconds and an offset."""
    return parse_time(text).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


# --- Jenkins -------------------------------------------------------------------------------


class _BuildNumbers:
    """Jenkins numbers each job's builds 1, 2, …: the demo's start where six months of
    history would have left them."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, job: str) -> int:
        number = self.next.get(job, 100 + int(sha("jenkins", job)[:4], 16) % 700)
        self.next[job] = number + 1
        return number


def _build(run: Record, number: int) -> dict[str, Any]:
    """A build of ``/job/JOB/api/json?tree=builds[…]``: the git plugin's ``BuildData`` names
    the commit, branch and remote; a deployment job's ``ParametersAction`` its target."""
    started = _ms(run["started_at"])
    actions: list[dict[str, Any]] = []
    if run.get("environment"):
        actions.append({
            "_class": "hudson.model.ParametersAction",
            "parameters": [
                {"_class": "hudson.model.StringParameterValue", "name": "SERVICE",
                 "value": run["service"]},
                {"_class": "hudson.model.StringParameterValue", "name": "ENVIRONMENT",
                 "value": run["environment"]},
            ],
        })  # fmt: skip
    if run.get("commit_sha"):
        actions.append({
            "_class": "hudson.plugins.git.util.BuildData",
            "lastBuiltRevision": {"SHA1": run["commit_sha"],
                                  "branch": [{"name": f"refs/remotes/origin/{run['branch']}"}]},
            "remoteUrls": [f"https://bitbucket.org/{run['repo']}.git"],
        })  # fmt: skip
    return {
        "_class": "org.jenkinsci.plugins.workflow.job.WorkflowRun",
        "number": number,
        "url": f"{JENKINS}/job/{run['pipeline']}/{number}/",
        "result": "SUCCESS" if run["status"] == "success" else "FAILURE",
        "building": False,
        "timestamp": started,
        "duration": _ms(run["finished_at"]) - started,
        "actions": actions,
        "changeSets": [],
    }


# --- Opsgenie ------------------------------------------------------------------------------


def _alert(incident: Record, n: int) -> dict[str, Any]:
    """An alert of ``/v2/alerts``: its id, ``entity`` the service; a closed alert's
    ``report.closeTime`` is the milliseconds from creation to close."""
    created = _ms(incident["created_at"])
    resolved = incident.get("resolved_at")
    alert_id = sha("opsgenie", incident["id"])
    item: dict[str, Any] = {
        "id": f"{alert_id[:8]}-{alert_id[8:12]}-{alert_id[12:16]}-{alert_id[16:20]}-"
              f"{alert_id[20:32]}-{created}",
        "tinyId": str(TINY_BASE + n),
        "message": incident["title"],
        "status": "closed" if resolved else "open",
        "acknowledged": True,
        "createdAt": _og_time(incident["created_at"]),
        "updatedAt": _og_time(resolved or incident["created_at"]),
        "priority": PRIORITY[incident["severity"]],
        "entity": incident["service"],
        "source": "Datadog",
        "tags": [incident["service"]],
    }  # fmt: skip
    if resolved:
        item["report"] = {"ackTime": 60_000, "closeTime": _ms(resolved) - created}
    return item


def _og_time(text: str) -> str:
    return parse_time(text).strftime("%Y-%m-%dT%H:%M:%S.000Z")
