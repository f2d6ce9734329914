"""GitLab: webhook deliveries and REST answers → records (commit, pull_request, issue,
incident, pipeline_run, version). Pure mapping code: no HTTP, no clock.

- ``webhook``: ``parse(event, payload)`` reads a delivery (push, merge request, note, issue;
  the CI/CD hooks through ``ci``);
- ``ci``: Pipeline, Deployment and Release Hooks, and what a pipeline run is whichever way it
  arrives (``pipeline_run``: the hook and the REST answer share it);
- ``rest``: the REST objects ``leadline sync gitlab`` reads (merge requests, commits; the
  CI/CD objects through ``rest_ci``);
- ``signature``: the ``X-Gitlab-Token`` check.

Every mapping decision: docs/sources.md#gitlab.
"""
