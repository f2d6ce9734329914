"""A CircleCI API v2 over the answers Apache DevLake recorded (``tests/fixtures/circleci/
rest``): project ``gh/coldgust/coldgust.github.io``, its 10 pipelines and their workflows.

``FakeCircleCI.install(server)`` serves, the way CircleCI does (under ``/api/v2``):

* ``/project/{slug}`` — the project;
* ``/project/{slug}/pipeline`` — ``{"items", "next_page_token"}`` pages of ``PAGE``
  pipelines, newest ``created_at`` first, the token opaque (``page-token`` asks for the
  next page);
* ``/pipeline/{id}`` and ``/pipeline/{id}/workflow`` — a pipeline and its workflows (one
  page; none for the errored pipeline, as CircleCI answers).

``add_pipeline`` puts a new pipeline (and its workflows) on top, as a new push would;
``finish`` settles a workflow; ``rate_limit_once(token)`` answers that page 429 first.
"""

from __future__ import annotations

import base64
import copy
from typing import Any

from tests.replay_server import Reply, Request
from tests.sources.rest_fixtures import FIXTURES, rows

REST = FIXTURES / "circleci" / "rest"
ROOT = "/api/v2"
PAGE = 3


def csv(name: str) -> list[dict[str, Any]]:
    return rows(REST / f"_raw_circleci_api_{name}.csv")


class FakeCircleCI:
    def __init__(self) -> None:
        (project,) = [r["data"] for r in csv("projects")]
        self.project = project
        self.slug = project["slug"]
        self.pipelines: list[dict[str, Any]] = [r["data"] for r in csv("pipelines")]
        self.workflows: dict[str, list[dict[str, Any]]] = {}
        for row in csv("workflows"):
            self.workflows.setdefault(row["data"]["pipeline_id"], []).append(row["data"])
        self.limited: set[str] = set()

    def install(self, server: Any) -> None:
        server.add(f"{ROOT}/project/{self.slug}", Reply(body=self.project))
        server.add(f"{ROOT}/project/{self.slug}/pipeline", self._pipelines)
        for pipeline in self.pipelines:
            self._install_pipeline(server, pipeline["id"])
        self._server = server

    def _install_pipeline(self, server: Any, ident: str) -> None:
        server.add(f"{ROOT}/pipeline/{ident}", self._pipeline)
        server.add(f"{ROOT}/pipeline/{ident}/workflow", self._workflows)

    def add_pipeline(self, pipeline: dict[str, Any], workflows: list[dict[str, Any]]) -> None:
        self.pipelines.append(pipeline)
        self.workflows[pipeline["id"]] = workflows
        self._install_pipeline(self._server, pipeline["id"])

    def rate_limit_once(self, token: str) -> None:
        self.limited.add(token)

    def newest_first(self) -> list[dict[str, Any]]:
        return sorted(self.pipelines, key=lambda p: p["created_at"], reverse=True)

    # --- serving ----------------------------------------------------------------------------

    def _pipelines(self, request: Request) -> Reply:
        token = request.query.get("page-token", "")
        if token in self.limited:
            self.limited.discard(token)
            return Reply(429, {"message": "Rate limit exceeded"}, {"Retry-After": "1"})
        start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
        found = self.newest_first()
        chunk = copy.deepcopy(found[start : start + PAGE])
        more = start + PAGE < len(found)
        nxt = base64.urlsafe_b64encode(str(start + PAGE).encode()).decode() if more else None
        return Reply(body={"items": chunk, "next_page_token": nxt})

    def _pipeline(self, request: Request) -> Reply:
        ident = request.path.rsplit("/", 1)[-1]
        (found,) = [p for p in self.pipelines if p["id"] == ident]
        return Reply(body=copy.deepcopy(found))

    def _workflows(self, request: Request) -> Reply:
        ident = request.path.split("/")[-2]
        items = copy.deepcopy(self.workflows.get(ident, []))
        return Reply(body={"items": items, "next_page_token": None})


def token_of(start: int) -> str:
    """The page token of the page starting at ``start`` (for ``rate_limit_once``)."""
    return base64.urlsafe_b64encode(str(start).encode()).decode()
