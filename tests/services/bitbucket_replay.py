"""Bitbucket's REST APIs over the recorded answers of ``tests/fixtures/bitbucket/rest``:
Cloud (API 2.0) for ``likyh/likyhphp`` and Data Center (REST 1.0) for ``TP/first-repo``.

Both serve what ``leadline sync bitbucket`` reads, the way Bitbucket does. Cloud: listings
ordered by ``sort`` (``-updated_on``…), filtered by ``q=updated_on>=…``, cut into ``pagelen``
pages with a ``next`` URL in the body. Data Center: ``start``/``limit`` pages with
``isLastPage`` and ``nextPageStart``, pull requests newest update first. Items come from
DevLake's raw rows (one row = one item; a Cloud pull request's detail is its listed row);
the Data Center activities are constructed (PROVENANCE.md). Tests may edit the lists
between syncs: answers are computed per request.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from tests.replay_server import ReplayServer, Reply, Request
from tests.sources.rest_fixtures import FIXTURES, by_input, data, load

REST = FIXTURES / "bitbucket" / "rest"
CLOUD_RAW = REST / "devlake-raw" / "bitbucket"
DC_RAW = REST / "devlake-raw" / "bitbucket_server"
CLOUD_REPO = "likyh/likyhphp"
DC_REPO = "TP/first-repo"
CLOUD_BASE = "/repositories/likyh/likyhphp"
DC_BASE = "/rest/api/1.0/projects/TP/repos/first-repo"
EMPTY_CLOUD = {"values": [], "pagelen": 10, "page": 1}


def when(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def deployment_time(item: dict[str, Any]) -> datetime:
    """The order of the deployments listing: the last update, else the release's time."""
    state = item.get("state", {})
    return when(item.get("last_update_time") or state.get("completed_on")
                or item["release"]["created_on"])  # fmt: skip


class FakeCloud:
    def __init__(self) -> None:
        self.pull_requests: list[dict[str, Any]] = data(
            CLOUD_RAW / "_raw_bitbucket_api_pull_requests.csv"
        )
        self.pr_commits = {
            str(k): v
            for k, v in by_input(CLOUD_RAW / "_raw_bitbucket_api_pull_request_commits.csv",
                                 "BitbucketId").items()
        }  # fmt: skip
        self.pipelines: list[dict[str, Any]] = data(CLOUD_RAW / "_raw_bitbucket_api_pipelines.csv")
        self.deployments: list[dict[str, Any]] = data(
            CLOUD_RAW / "_raw_bitbucket_api_deployments.csv"
        )
        self.limited: set[tuple[str, int]] = set()

    def rate_limit_once(self, suffix: str, page: int) -> None:
        """The first request for that page of ``CLOUD_BASE/suffix`` answers 429
        (``Retry-After: 1``), as Bitbucket Cloud does past its hourly limit."""
        self.limited.add((f"{CLOUD_BASE}/{suffix}", page))

    def install(self, server: ReplayServer) -> None:
        b = CLOUD_BASE
        server.add(b, Reply(body={"type": "repository", "full_name": CLOUD_REPO}))
        server.add(
            f"{b}/pullrequests",
            self._listing(lambda: self.pull_requests, lambda i: when(i["updated_on"])),
        )
        server.add(
            f"{b}/pipelines/",
            self._listing(lambda: self.pipelines, lambda i: when(i["created_on"])),
        )
        server.add(f"{b}/deployments/", self._listing(lambda: self.deployments, deployment_time))
        for pr in self.pull_requests:
            n = pr["id"]
            server.add(f"{b}/pullrequests/{n}", self._pr(n))
            server.add(f"{b}/pullrequests/{n}/commits", self._commits(str(n)))
            for sha in {pr["source"]["commit"]["hash"]} | {
                c["hash"] for c in self.pr_commits.get(str(n), [])
            }:
                server.add(f"{b}/commit/{sha}/statuses", Reply(body=EMPTY_CLOUD))
        for pipeline in self.pipelines:
            uuid = pipeline["uuid"]  # {…}: sent percent-encoded
            server.add(f"{b}/pipelines/{quote(uuid, safe='')}", self._pipeline(uuid))

    def _pr(self, number: int) -> Callable[[Request], Reply]:
        def serve(_request: Request) -> Reply:
            (found,) = [p for p in self.pull_requests if p["id"] == number]
            return Reply(body=copy.deepcopy(found))

        return serve

    def _pipeline(self, uuid: str) -> Callable[[Request], Reply]:
        def serve(_request: Request) -> Reply:
            (found,) = [p for p in self.pipelines if p["uuid"] == uuid]
            return Reply(body=copy.deepcopy(found))

        return serve

    def _commits(self, number: str) -> Callable[[Request], Reply]:
        return lambda request: self._page(request, self.pr_commits.get(number, []))

    def _listing(
        self, items: Callable[[], list[Any]], key: Callable[[Any], datetime]
    ) -> Callable[[Request], Reply]:
        def serve(request: Request) -> Reply:
            found = list(items())
            query = request.query.get("q", "")
            if query.startswith("updated_on>="):
                lower = when(query.removeprefix("updated_on>="))
                found = [i for i in found if key(i) >= lower]
            found.sort(key=key, reverse=request.query.get("sort", "").startswith("-"))
            return self._page(request, found)

        return serve

    def _page(self, request: Request, items: list[Any]) -> Reply:
        page = int(request.query.get("page", "1"))
        if (request.path, page) in self.limited:
            self.limited.discard((request.path, page))
            return Reply(429, {"type": "error", "error": {"message": "Rate limit exceeded"}},
                         {"Retry-After": "1"})  # fmt: skip
        size = int(request.query.get("pagelen", "10"))
        body: dict[str, Any] = {"pagelen": size, "page": page, "size": len(items),
                                "values": items[(page - 1) * size : page * size]}  # fmt: skip
        if page * size < len(items):
            query = urlencode({**request.query, "page": str(page + 1)})
            body["next"] = f"{{base}}{request.path}?{query}"
        return Reply(body=json.dumps(body))


class FakeDataCenter:
    def __init__(self) -> None:
        self.pull_requests: list[dict[str, Any]] = data(
            DC_RAW / "_raw_bitbucket_server_api_pull_requests.csv"
        )
        self.pr_commits = {
            str(k): v
            for k, v in by_input(DC_RAW / "_raw_bitbucket_server_api_pull_request_commits.csv",
                                 "BitbucketId").items()
        }  # fmt: skip
        activities = load(REST / "constructed" / "dc-activities.json")
        self.activities = {k: v for k, v in activities.items() if not k.startswith("_")}

    def install(self, server: ReplayServer) -> None:
        b = DC_BASE
        server.add(b, Reply(body={"slug": "first-repo", "project": {"key": "TP"}}))
        server.add(f"{b}/pull-requests", self._listing)
        for pr in self.pull_requests:
            n = str(pr["id"])
            server.add(
                f"{b}/pull-requests/{n}/commits",
                lambda r, n=n: self._page(r, self.pr_commits.get(n, [])),
            )
            server.add(
                f"{b}/pull-requests/{n}/activities",
                lambda r, n=n: self._page(r, self.activities.get(n, [])),
            )
            for sha in {pr["fromRef"]["latestCommit"]} | {
                c["id"] for c in self.pr_commits.get(n, [])
            }:
                server.add(f"/rest/build-status/1.0/commits/{sha}", lambda r: self._page(r, []))

    def _listing(self, request: Request) -> Reply:
        found = sorted(self.pull_requests, key=lambda p: p["updatedDate"], reverse=True)
        return self._page(request, found)

    def _page(self, request: Request, items: list[Any]) -> Reply:
        start = int(request.query.get("start", "0"))
        limit = int(request.query.get("limit", "25"))
        chunk = items[start : start + limit]
        last = start + limit >= len(items)
        body: dict[str, Any] = {"size": len(chunk), "limit": limit, "start": start,
                                "isLastPage": last, "values": copy.deepcopy(chunk)}  # fmt: skip
        if not last:
            body["nextPageStart"] = start + limit
        return Reply(body=body)
