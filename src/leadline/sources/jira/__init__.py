"""Jira (Cloud and Server/Data Center): webhook deliveries and REST answers → issue and
version records. Pure mapping code: no HTTP, no clock.

- ``webhook``: ``parse(payload)`` reads a delivery; ``issue_record`` is shared with ``rest``;
- ``rest``: the REST objects ``leadline sync jira`` reads (an issue with its changelog,
  versions);
- ``signature``: ``X-Hub-Signature`` (Cloud) or ``?secret=`` (Server).

Rules and reasons: docs/sources-jira-pagerduty.md.
"""
