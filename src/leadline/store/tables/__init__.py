"""The database schema (SQLAlchemy Core): ``metadata`` with every table registered, and the
tables themselves — the one place queries, the record mapping and Alembic take them from.

- ``base``: ``metadata`` (constraint naming convention), ``Micros``, the column helpers.
- ``records``: one table per record kind (docs/records.md), their child rows, raw events.
- ``derived``: what refreshes rebuild (change log, timelines, deployment commits, baseline).
- ``state``: service state (API keys, stored profiles, sync cursors, collections, saved
  views, contributors).

Conventions
- Times are ``BigInteger`` microseconds since the Unix epoch, UTC (columns end in ``_at``;
  ``leadline.domain.times.to_micros``/``from_micros`` convert). Integers compare and
  aggregate identically on SQLite and PostgreSQL and are exact.
- Every record table has a surrogate ``id``, a unique natural key, ``data`` (the whole
  normalized record as JSON text, unknown extra fields included) and ``digest`` (sha256 of
  ``data``) so an unchanged re-import is detected without touching the row.
- Child rows (status changes, reviews, commit links, …) reference their parent's ``id`` with
  ``ON DELETE CASCADE`` and are rewritten when the parent changes.

Importing this package registers every table on ``metadata`` (a table module imported alone
would leave the others out of ``metadata.create_all`` and of Alembic's comparison).
"""

from leadline.store.tables.base import metadata
from leadline.store.tables.derived import (
    baseline_deployments,
    change_log,
    deployment_commits,
    derived_state,
    timeline_sets,
    timelines,
)
from leadline.store.tables.records import (
    DEPLOYS_COVER,
    commit_parents,
    commit_paths,
    commit_ticket_keys,
    commits,
    events,
    incidents,
    issue_fix_versions,
    issue_status_changes,
    issues,
    pipeline_artifacts,
    pipeline_run_commits,
    pipeline_runs,
    pr_commits,
    pr_reviews,
    pr_ticket_keys,
    pull_requests,
    raw_events,
    versions,
)
from leadline.store.tables.state import (
    api_keys,
    collections,
    contributor_identities,
    contributors,
    profiles,
    sync_cursors,
    views,
)

__all__ = [
    "DEPLOYS_COVER",
    "api_keys",
    "baseline_deployments",
    "change_log",
    "collections",
    "commit_parents",
    "commit_paths",
    "commit_ticket_keys",
    "commits",
    "contributor_identities",
    "contributors",
    "deployment_commits",
    "derived_state",
    "events",
    "incidents",
    "issue_fix_versions",
    "issue_status_changes",
    "issues",
    "metadata",
    "pipeline_artifacts",
    "pipeline_run_commits",
    "pipeline_runs",
    "pr_commits",
    "pr_reviews",
    "pr_ticket_keys",
    "profiles",
    "pull_requests",
    "raw_events",
    "sync_cursors",
    "timeline_sets",
    "timelines",
    "versions",
    "views",
]
