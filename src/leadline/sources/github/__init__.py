"""GitHub: webhook deliveries and REST answers → records (commit, pull_request, issue,
pipeline_run, version). Pure mapping code: no HTTP, no clock.

- ``webhook``: ``parse(event, payload)`` reads a delivery (push, pull request, review, issue;
  the CI/CD events through ``ci``);
- ``ci``: ``workflow_run``, ``deployment_status`` and ``release`` deliveries;
- ``rest``: the REST answers ``leadline sync github`` reads, wrapped as the delivery that
  would carry them, so a synced record and a webhook record are the same record;
- ``signature``: the ``X-Hub-Signature-256`` check.

Every mapping decision: docs/sources.md#github.
"""
