"""An Azure DevOps REST API over the recorded answers of ``tests/fixtures/azure_devops/rest``
(``PROVENANCE.md`` there says what is derived): Microsoft's documented examples (pull
requests, work item updates, commits, a build, a release deployment) and the builds Apache
DevLake captured from a real organisation.

``FakeAzure.install(server)`` serves, the way Azure DevOps does (project ``PROJECT``):

* ``wit/reporting/workitemrevisions`` — revisions in change order, ``$maxPageSize`` per page,
  the body's ``continuationToken`` (an index here) and ``isLastBatch``; a token given back
  lists only the revisions after it. Work items 1…5 are item 1's recorded updates with the
  id, title and times moved by a day per item (derived);
* ``wit/workItems/{id}/updates`` — ``$top``/``$skip`` pages;
* ``git/pullrequests`` (``$top``/``$skip``, newest id first) and ``git/pullrequests/{id}``;
* ``git/repositories`` (the pull requests' repository, default branch ``master``) and its
  ``commits`` filtered by ``searchCriteria.fromDate`` (``$top``/``$skip``);
* ``build/builds`` — completed builds, ``minTime`` filter, newest finish first, ``$top`` per
  page and the ``x-ms-continuationtoken`` header;
* ``release/deployments`` (the release host: the same server here) — ``minModifiedTime``
  filter, continuation tokens.

``throttle_builds = True`` makes the next builds request answer 429 with ``Retry-After``.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from leadline.domain.times import format_time, parse_time
from tests.replay_server import Reply, Request
from tests.sources.rest_fixtures import FIXTURES, data, load

REST = FIXTURES / "azure_devops" / "rest"
SPECS = REST / "vsts-rest-api-specs"
PROJECT = "Fabrikam Fiber"
ROOT = "/Fabrikam%20Fiber/_apis"
SHA = "b13b8f7261ec6a4ebfa4d98aa63bf164f4be64c5"


def body(path: str) -> Any:
    return load(SPECS / path)["responses"]["200"]["body"]


def shift(value: Any, days: int) -> Any:
    """Every time string inside ``value`` moved by ``days`` (unset dates stay unset)."""
    if isinstance(value, dict):
        return {k: shift(v, days) for k, v in value.items()}
    if isinstance(value, list):
        return [shift(v, days) for v in value]
    if isinstance(value, str) and len(value) >= 20 and value[4] == "-" and value[10] == "T":
        if value.startswith(("0001-", "9999-")):
            return value
        return format_time(parse_time(value) + timedelta(days=days))
    return value


class FakeAzure:
    def __init__(self) -> None:
        recorded = body("wit-7.1/updates/GET__list_of_workitem_updates.json")["value"]
        self.updates: dict[int, list[Any]] = {}
        for item in range(1, 6):
            updates = shift(copy.deepcopy(recorded), item - 1)
            for update in updates:
                update["workItemId"] = item
                if "System.Title" in update.get("fields", {}):
                    update["fields"]["System.Title"]["newValue"] = f"Bug {item}"
            self.updates[item] = updates
        self.revisions: list[dict[str, Any]] = [
            {"id": item, "rev": u["rev"]}
            for item in self.updates
            for u in self.updates[item]
            if "fields" in u
        ]
        listed = body("git-7.1/pullRequests/GET__git_pullRequests.json")["value"]
        completed = body(
            "git-7.1/pullRequests/GET__git_repositories__repositoryId__pullRequests_"
            "status-completed.json"
        )["value"]
        self.prs = {pr["pullRequestId"]: pr for pr in [*listed, *completed]}
        self.repository = {**listed[0]["repository"], "defaultBranch": "refs/heads/master"}
        self.commits = [
            *body("git-7.1/commits/GET__git_repositories__repositoryId__pushes__pushId__"
                  "commits.json")["value"],
            body("git-7.1/commits/GET__git_repositories__repositoryId__commits__commitId_.json"),
        ]  # fmt: skip
        self.builds = [
            *body("build-5.0/builds/GET__build_builds_definitions-_definitionId__statusFilter-"
                  "completed__top-1.json")["value"],
            *data(REST / "devlake-raw" / "_raw_azuredevops_go_api_builds.csv"),
        ]  # fmt: skip
        failed = body("release-7.1/deployments/GET__ListDeploymentsForAGivenDefinitionId.json")
        self.deployments = [*failed["value"], self._deployed(failed["value"][0])]
        self.tokens_seen: list[str] = []
        self.throttle_builds = False  # True: the next builds request answers 429 first

    @staticmethod
    def _deployed(failed: dict[str, Any]) -> dict[str, Any]:
        """Derived: the recorded deployment, attempted again and succeeded, deploying the
        recorded build 391 (its artifact as the release API lists it)."""
        ok = copy.deepcopy(failed)
        ok.update(id=80, attempt=2, deploymentStatus="succeeded", operationStatus="Approved",
                  startedOn="2017-08-29T17:01:32.0900000Z",
                  completedOn="2017-08-29T17:04:10.1330000Z",
                  lastModifiedOn="2017-08-29T17:04:10.1330000Z")  # fmt: skip
        ok["release"]["artifacts"] = [{
            "type": "Build", "alias": "_VsoBuildApi", "isPrimary": True,
            "definitionReference": {
                "definition": {"id": "25", "name": "VsoBuildApi"},
                "version": {"id": "391", "name": "20150716.2"},
                "sourceVersion": {"id": SHA, "name": SHA},
                "branch": {"id": "refs/heads/master", "name": "refs/heads/master"},
            },
        }]  # fmt: skip
        return ok

    def install(self, server: Any) -> None:
        server.add(f"{ROOT}/wit/reporting/workitemrevisions", self._revisions)
        for item in self.updates:
            server.add(f"{ROOT}/wit/workItems/{item}/updates", self._updates)
        server.add(f"{ROOT}/git/pullrequests", self._pull_requests)
        for number in self.prs:
            server.add(f"{ROOT}/git/pullrequests/{number}", self._pull_request)
        server.add(f"{ROOT}/git/repositories", lambda _r: Reply(body={"value": [self.repository]}))
        server.add(f"{ROOT}/git/repositories/{self.repository['id']}/commits", self._commits)
        server.add(f"{ROOT}/build/builds", self._builds)
        server.add(f"{ROOT}/release/deployments", self._deployments)

    # --- changes between runs ---------------------------------------------------------------

    def resolve(self, item: int) -> None:
        """Work item ``item`` moves to Resolved: one more update, one more revision."""
        last = self.updates[item][-1]
        at = format_time(parse_time(last["fields"]["System.ChangedDate"]["newValue"])
                         + timedelta(hours=1))  # fmt: skip
        rev = last["rev"] + 1
        self.updates[item].append({"id": len(self.updates[item]) + 1, "workItemId": item,
                                   "rev": rev, "revisedDate": "9999-01-01T00:00:00Z",
                                   "fields": {"System.State": {"oldValue": "Active",
                                                               "newValue": "Resolved"},
                                              "System.ChangedDate": {"newValue": at}}})  # fmt: skip
        self.revisions.append({"id": item, "rev": rev})

    def merge_pr(self, number: int, closed: str) -> None:
        pr = self.prs[number]
        pr.update(status="completed", mergeStatus="succeeded", closedDate=closed,
                  lastMergeCommit={"commitId": SHA})  # fmt: skip
        for reviewer in pr.get("reviewers", []):
            reviewer["vote"] = 10

    def add_build(self, build_id: int, finished: str) -> None:
        new = copy.deepcopy(self.builds[0])
        new.update(id=build_id, finishTime=finished, buildNumber=f"n{build_id}")
        self.builds.append(new)

    # --- serving ----------------------------------------------------------------------------

    def _revisions(self, request: Request) -> Reply:
        size = int(request.query.get("$maxPageSize", "200"))
        token = request.query.get("continuationToken")
        self.tokens_seen.append(token or "")
        start = int(token) if token else 0
        page = self.revisions[start : start + size]
        end = start + len(page)
        last = end >= len(self.revisions)
        return Reply(body={"values": page, "continuationToken": str(end), "isLastBatch": last})

    def _updates(self, request: Request) -> Reply:
        item = int(request.path.split("/")[-2])
        return _skip_page(request, self.updates[item])

    def _pull_requests(self, request: Request) -> Reply:
        assert request.query.get("searchCriteria.status") == "all", request.query
        ordered = sorted(self.prs.values(), key=lambda pr: -pr["pullRequestId"])
        return _skip_page(request, ordered)

    def _pull_request(self, request: Request) -> Reply:
        return Reply(body=self.prs[int(request.path.rsplit("/", 1)[-1])])

    def _commits(self, request: Request) -> Reply:
        assert request.query.get("searchCriteria.itemVersion.version") == "master"
        since = request.query.get("searchCriteria.fromDate")
        found = [
            c
            for c in self.commits
            if since is None or parse_time(c["committer"]["date"]) >= parse_time(since)
        ]
        return _skip_page(request, found)  # fmt: skip

    def _builds(self, request: Request) -> Reply:
        assert request.query.get("statusFilter") == "completed"
        if self.throttle_builds:  # Azure DevOps' rate limiting: 429 with Retry-After
            self.throttle_builds = False
            return Reply(429, {"message": "TF400733: rate limited"}, {"Retry-After": "1"})
        since = request.query.get("minTime")
        done = [
            b
            for b in self.builds
            if b.get("status") == "completed"
            and b.get("finishTime")
            and (since is None or parse_time(b["finishTime"]) >= parse_time(since))
        ]
        done.sort(key=lambda b: (parse_time(b["finishTime"]), b["id"]), reverse=True)
        return _token_page(request, done)  # fmt: skip

    def _deployments(self, request: Request) -> Reply:
        since = request.query.get("minModifiedTime")
        found = [
            d
            for d in self.deployments
            if since is None or parse_time(d["lastModifiedOn"]) >= parse_time(since)
        ]
        found.sort(key=lambda d: -d["id"])
        return _token_page(request, found)  # fmt: skip


def _skip_page(request: Request, items: list[Any]) -> Reply:
    top, skip = int(request.query.get("$top", "100")), int(request.query.get("$skip", "0"))
    return Reply(body={"count": len(items[skip : skip + top]), "value": items[skip : skip + top]})


def _token_page(request: Request, items: list[Any]) -> Reply:
    top = int(request.query.get("$top", "100"))
    start = int(request.query.get("continuationToken", "0"))
    page = items[start : start + top]
    headers = {"x-ms-continuationtoken": str(start + top)} if start + top < len(items) else {}
    return Reply(body={"count": len(page), "value": page}, headers=headers)
