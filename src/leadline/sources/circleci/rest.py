"""CircleCI API v2 items → ``pipeline_run`` records (``leadline sync circleci``).

``GET /pipeline/{id}/workflow`` items are mapped with their pipeline (``GET
/project/{slug}/pipeline`` items): the same record a ``workflow-completed`` webhook makes.
A workflow still running (``running``, ``on_hold``, ``failing``) is not final: ``workflow``
answers ``None`` and the sync asks again later; ``not_run`` is final and records nothing.
"""

from __future__ import annotations

from typing import Any

from leadline.domain.records import PipelineRun
from leadline.sources.circleci import runs
from leadline.sources.payload import Node


def is_final(item: Any) -> bool:
    """Will CircleCI change this workflow any more?"""
    return runs.is_final(Node(item, "workflow").get("status").text())


def workflow(item: Any, pipeline: Any) -> PipelineRun | None:
    """A finished workflow with its pipeline → its run; ``None`` when not final or not run."""
    node = Node(item, "workflow")
    node.obj()
    status = node.get("status").text()
    if not runs.is_final(status) or status.lower() == runs.NOT_RUN:
        return None
    pipe = Node(pipeline, "pipeline")
    pipe.obj()
    return runs.run(
        node, pipe,
        name=node.get("name").text(),
        status=status,
        started_at=runs.opt_started(node, "created_at"),
        slug=node.get("project_slug").opt_text() or pipe.get("project_slug").opt_text(),
        params=runs.pipeline_params(pipe),
    )  # fmt: skip


def pipeline_id(item: Any) -> str:
    return Node(item, "pipeline").get("id").text()


def created_at(item: Any) -> str:
    """The pipeline's ``created_at`` text (the listing is newest first by it)."""
    return Node(item, "pipeline").get("created_at").text()


def project(item: Any) -> tuple[str, str | None]:
    """``(slug, repository url)`` of a ``GET /project/{slug}`` answer."""
    node = Node(item, "project")
    return node.get("slug").text(), node.get("vcs_info").get("vcs_url").opt_text()
