"""A GitLab REST API (v4) for project 12345678 (``gitlab-data/snowflake_spend``) over the
recorded answers of ``tests/fixtures/gitlab_rest`` (README there says what is derived).

``FakeGitLab.routes()`` serves what ``leadline sync gitlab`` reads, the way GitLab does
(a commit's ``/diff``, for ``--commit-paths``, from ``diffs``):
listings filtered by ``updated_after``/``since``, ordered by ``order_by``/``sort``, cut into
``per_page`` pages with ``Link`` headers that keep the query. ``rate_limit_once`` makes one
page answer 429 first (``RateLimit-Remaining: 0``, ``RateLimit-Reset``, ``Retry-After``).
Tests may edit ``merge_requests`` etc. between syncs: answers are computed per request.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from tests.replay_server import Reply, Request, Route
from tests.sources.rest_fixtures import GITLAB, by_input, data, gitlab_csv, load

PROJECT = "/api/v4/projects/12345678"
REPO = "gitlab-data/snowflake_spend"
DERIVED = GITLAB / "derived"
NO_APPROVALS_API = (8, 10, 12, 14)  # answered 404: their approvals come from the notes


def _time(value: Any) -> str:
    """A comparable UTC text for a GitLab time (``…Z`` or ``…+00:00``)."""
    text = str(value or "")
    return text.replace("+00:00", "Z")


class FakeGitLab:
    def __init__(self) -> None:
        self.project = load(DERIVED / "project.json")
        self.merge_requests: list[dict[str, Any]] = [
            *data(gitlab_csv("merge_requests")),
            *load(DERIVED / "merge_requests.json"),
        ]
        commits = {
            str(k): v for k, v in by_input(gitlab_csv("merge_request_commits"), "Iid").items()
        }
        self.mr_commits: dict[str, list[Any]] = {**commits, **load(DERIVED / "mr_commits.json")}
        notes = {str(k): v for k, v in by_input(gitlab_csv("merge_request_notes"), "Iid").items()}
        self.mr_notes: dict[str, list[Any]] = {
            k: v for k, v in notes.items() if int(k) in {m["iid"] for m in self.merge_requests}
        }
        self.mr_notes.update(load(DERIVED / "mr_notes.json"))
        self.approvals = {str(i): load(DERIVED / f"approvals.iid-{i}.json") for i in (1, 3)}
        seen: dict[str, Any] = {}
        for job in data(gitlab_csv("job")):
            seen.setdefault(job["commit"]["id"], job["commit"])
        self.commits = [*seen.values(), *load(DERIVED / "branch_commits.json")]
        details = [*data(gitlab_csv("pipeline_details")), *load(DERIVED / "pipeline_details.json")]
        self.pipeline_details = {str(d["id"]): d for d in details}
        self.pipelines = [*data(gitlab_csv("pipeline")), *load(DERIVED / "pipelines.json")]
        self.deployments = [*data(gitlab_csv("deployments")), *load(DERIVED / "deployments.json")]
        self.releases = load(DERIVED / "releases.json")
        self.diffs: dict[str, list[Any]] = {}  # sha → its /diff items (else none)
        self.limited: set[str] = set()

    # --- routes -----------------------------------------------------------------------------

    def routes(self) -> dict[str, Route]:
        p = PROJECT
        return {
            p: Reply(body=self.project),
            f"{p}/repository/commits": self._listing(lambda: self.commits, "committed_date",
                                                     "since", fixed_order="committed_date"),
            f"{p}/merge_requests": self._listing(lambda: self.merge_requests, "updated_at",
                                                 "updated_after"),
            f"{p}/pipelines": self._listing(lambda: self.pipelines, "updated_at", "updated_after"),
            f"{p}/deployments": self._listing(lambda: self.deployments, "updated_at",
                                              "updated_after"),
            f"{p}/releases": self._listing(lambda: self.releases, "created_at", None),
        }  # fmt: skip

    def handler(self, request: Request) -> Reply:
        """Everything under the project that is not a listing route (per-item resources)."""
        rest = request.path.removeprefix(PROJECT + "/").split("/")
        if rest[0] == "merge_requests" and len(rest) == 3:
            iid, what = rest[1], rest[2]
            if what == "commits":
                return self._page(request, self.mr_commits.get(iid, []))
            if what == "notes":
                return self._page(request, self.mr_notes.get(iid, []))
            if what == "approvals":
                if int(iid) in NO_APPROVALS_API:
                    return Reply(404, {"message": "404 Not found"})
                return Reply(body=self.approvals.get(iid, {"iid": int(iid), "approved_by": []}))
        if rest[:2] == ["repository", "commits"] and len(rest) == 4 and rest[3] == "diff":
            return self._page(request, self.diffs.get(rest[2], []))
        if rest[0] == "pipelines" and len(rest) == 2 and rest[1] in self.pipeline_details:
            return Reply(body=self.pipeline_details[rest[1]])
        return Reply(404, {"message": "404 Not found"})

    def install(self, server: Any) -> None:
        """Add every route to a ``ReplayServer`` (per-item routes for the current items)."""
        for key, route in self.routes().items():
            server.add(key, route)
        for mr in self.merge_requests:
            for what in ("commits", "notes", "approvals"):
                server.add(f"{PROJECT}/merge_requests/{mr['iid']}/{what}", self.handler)
        for ident in self.pipeline_details:
            server.add(f"{PROJECT}/pipelines/{ident}", self.handler)
        shas = [c["id"] for c in self.commits]
        shas += [c["id"] for commits in self.mr_commits.values() for c in commits]
        for sha in shas:
            server.add(f"{PROJECT}/repository/commits/{sha}/diff", self.handler)

    def rate_limit_once(self, target: str) -> None:
        """The first request for ``target`` (``merge_requests?page=2``) answers 429."""
        self.limited.add(target)

    # --- serving ----------------------------------------------------------------------------

    def _listing(
        self,
        items: Callable[[], list[Any]],
        key: str,
        lower_param: str | None,
        fixed_order: str | None = None,
    ) -> Callable[[Request], Reply]:
        def serve(request: Request) -> Reply:
            found = list(items())
            lower = request.query.get(lower_param or "")
            if lower:
                found = [
                    i for i in found if _time(i.get(key) or i.get("created_at")) >= _time(lower)
                ]
            order = fixed_order or request.query.get("order_by", "created_at")
            found.sort(key=lambda i: (_time(i.get(order) or i.get("created_at")), i.get("id")),
                       reverse=request.query.get("sort", "desc") == "desc")  # fmt: skip
            return self._page(request, found)

        return serve

    def _page(self, request: Request, items: list[Any]) -> Reply:
        name = request.path.rsplit("/", 1)[-1]
        page = int(request.query.get("page", "1"))
        target = f"{name}?page={page}"
        if target in self.limited:
            self.limited.discard(target)
            reset = str(int(time.time()) + 1)
            headers = {"RateLimit-Remaining": "0", "RateLimit-Reset": reset, "Retry-After": "1"}
            return Reply(429, {"message": "429 Too Many Requests"}, dict(headers))
        size = int(request.query.get("per_page", "20"))
        chunk = items[(page - 1) * size : page * size]
        headers: dict[str, Any] = {"X-Page": str(page), "X-Per-Page": str(size)}
        if page * size < len(items):
            query = urlencode({**request.query, "page": str(page + 1)})
            headers["Link"] = f'<{{base}}{request.path}?{query}>; rel="next"'
            headers["X-Next-Page"] = str(page + 1)
        else:
            headers["X-Next-Page"] = ""
        return Reply(body=copy.deepcopy(chunk), headers=headers)
