"""CircleCI outbound webhook bodies → ``pipeline_run`` records.

``workflow-completed`` → the workflow's run; ``job-completed`` → the job's run (pipeline
``WORKFLOW/JOB``, so a deploy job can be chosen by name in a profile). A run that did not
run (``not_run``) and any other event type (the test ping) are acknowledged and ignored.
The delivery id is the body's ``id`` (CircleCI's event id, the same on a redelivery).
"""

from __future__ import annotations

from typing import Any

from leadline.sources.base import Parsed
from leadline.sources.circleci import runs
from leadline.sources.payload import Node

EVENTS = ("workflow-completed", "job-completed")


def delivery_id(payload: Any) -> str | None:
    """The event id of a decoded body (``None`` when it has none)."""
    value = payload.get("id") if isinstance(payload, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def parse(payload: Any) -> Parsed:
    """One delivery → its run, or nothing with the reason."""
    root = Node(payload)
    root.obj()
    event = root.get("type").text()
    if event not in EVENTS:
        return Parsed([], ignored=f"event type {event!r}: only {' and '.join(EVENTS)} are used")
    workflow = root.get("workflow")
    workflow.obj()
    pipeline = root.get("pipeline")
    pipeline.obj()
    slug = root.get("project").get("slug").opt_text()
    common = runs.pipeline_params(pipeline)
    if event == "job-completed":
        job = root.get("job")
        job.obj()
        status = job.get("status").text()
        if status.lower() == runs.NOT_RUN:
            return Parsed([], ignored="job not run")
        number = job.get("number").opt_id_text()
        record = runs.run(
            job, pipeline,
            name=f"{workflow.get('name').text()}/{job.get('name').text()}",
            status=status,
            started_at=runs.opt_started(job, "started_at"),
            slug=slug,
            params={
                **common,
                "workflow_id": (workflow.get("id").opt_text(), f"{workflow.path}.id"),
                "job_number": (number, f"{job.path}.number"),
            },
        )  # fmt: skip
        return Parsed([record])
    status = workflow.get("status").text()
    if status.lower() == runs.NOT_RUN:
        return Parsed([], ignored="workflow not run")
    record = runs.run(
        workflow, pipeline,
        name=workflow.get("name").text(),
        status=status,
        started_at=runs.opt_started(workflow, "created_at"),
        slug=slug,
        params=common,
    )  # fmt: skip
    return Parsed([record])
