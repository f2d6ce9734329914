"""The record tables: one per record kind (docs/records.md) with its child rows, and the raw
webhook deliveries records are parsed from.

Every record table has a surrogate ``id``, a unique natural key, ``data`` and ``digest``
(``base.record_columns``); child rows reference their parent's ``id`` with
``ON DELETE CASCADE`` and are rewritten when the parent changes (``store.writer``).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text, UniqueConstraint

from leadline.store.tables.base import Micros, id_column, metadata, parent_column, record_columns

issues = Table(
    "issues",
    metadata,
    id_column(),
    Column("key", Text, nullable=False, unique=True),
    Column("project", Text, nullable=False, index=True),
    Column("type", Text),
    Column("title", Text),
    Column("priority", Text),
    Column("service", Text),
    Column("created_at", Micros, nullable=False),
    Column("resolved_at", Micros),
    Column("assignee", Text, index=True),  # an identity (contributors, unmatched)
    *record_columns(),
)

issue_status_changes = Table(
    "issue_status_changes",
    metadata,
    id_column(),
    parent_column("issue_id", "issues"),
    Column("seq", Integer, nullable=False),
    Column("to_status", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("at", Micros, nullable=False),
)

issue_fix_versions = Table(
    "issue_fix_versions",
    metadata,
    id_column(),
    parent_column("issue_id", "issues"),
    Column("name", Text, nullable=False),
)

versions = Table(
    "versions",
    metadata,
    id_column(),
    Column("project", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("released_at", Micros),
    *record_columns(),
    UniqueConstraint("project", "name"),
)

commits = Table(
    "commits",
    metadata,
    id_column(),
    Column("repo", Text, nullable=False),
    Column("sha", Text, nullable=False),
    Column("sha7", String(7), nullable=False, index=True),
    Column("committed_at", Micros, nullable=False),
    Column("authored_at", Micros),
    Column("author", Text),
    # The ``author_email`` extra field (``leadline git``): an identity, like ``author``.
    Column("author_email", Text, index=True),
    Column("branch", Text),
    *record_columns(),
    UniqueConstraint("repo", "sha"),
)

commit_parents = Table(
    "commit_parents",
    metadata,
    id_column(),
    parent_column("commit_id", "commits"),
    Column("position", Integer, nullable=False),
    Column("parent_sha", Text, nullable=False, index=True),
)

commit_paths = Table(
    "commit_paths",
    metadata,
    id_column(),
    parent_column("commit_id", "commits"),
    Column("path", Text, nullable=False),
)

commit_ticket_keys = Table(
    "commit_ticket_keys",
    metadata,
    id_column(),
    parent_column("commit_id", "commits"),
    Column("key", Text, nullable=False, index=True),
)

pull_requests = Table(
    "pull_requests",
    metadata,
    id_column(),
    Column("repo", Text, nullable=False),
    Column("number", BigInteger, nullable=False),
    Column("title", Text),
    Column("source_branch", Text),
    Column("target_branch", Text),
    Column("author", Text),
    Column("created_at", Micros, nullable=False),
    Column("merged_at", Micros),
    Column("closed_at", Micros),
    Column("merge_commit_sha", Text),
    Column("merge_sha7", String(7), index=True),
    *record_columns(),
    UniqueConstraint("repo", "number"),
)

pr_commits = Table(
    "pr_commits",
    metadata,
    id_column(),
    parent_column("pull_request_id", "pull_requests"),
    Column("sha", Text, nullable=False),
    Column("sha7", String(7), nullable=False, index=True),
)

pr_ticket_keys = Table(
    "pr_ticket_keys",
    metadata,
    id_column(),
    parent_column("pull_request_id", "pull_requests"),
    Column("key", Text, nullable=False, index=True),
)

pr_reviews = Table(
    "pr_reviews",
    metadata,
    id_column(),
    parent_column("pull_request_id", "pull_requests"),
    Column("author", Text),
    Column("state", String(32), nullable=False),
    Column("at", Micros, nullable=False),
)

DEPLOYS_COVER = ("type", "finished_at", "pipeline", "environment", "repo", "service", "status")

pipeline_runs = Table(
    "pipeline_runs",
    metadata,
    id_column(),
    Column("system", Text, nullable=False),
    Column("pipeline", Text, nullable=False),
    Column("run_id", Text, nullable=False),
    Column("type", String(8), nullable=False),
    Column("status", Text, nullable=False),
    Column("started_at", Micros),
    Column("finished_at", Micros, nullable=False),
    Column("environment", Text),
    Column("repo", Text),
    Column("commit_sha", Text),
    Column("branch", Text),
    Column("service", Text),
    *record_columns(),
    UniqueConstraint("system", "pipeline", "run_id"),
    Index("ix_pipeline_runs_finished_at", "finished_at"),
    # DORA reads the deploying runs (cd, ci_cd) in time order, not every CI run, and counts
    # them by what its filters look at: from the index alone (migration 0007).
    Index("ix_pipeline_runs_deploys", *DEPLOYS_COVER),
)

pipeline_run_commits = Table(
    "pipeline_run_commits",
    metadata,
    id_column(),
    parent_column("pipeline_run_id", "pipeline_runs"),
    Column("sha", Text, nullable=False),
    Column("sha7", String(7), nullable=False, index=True),
)

pipeline_artifacts = Table(
    "pipeline_artifacts",
    metadata,
    id_column(),
    parent_column("pipeline_run_id", "pipeline_runs"),
    Column("name", Text, nullable=False),
    Column("version", Text),
    Column("direction", String(8), nullable=False),
    Index("ix_pipeline_artifacts_name_version", "name", "version"),
)

incidents = Table(
    "incidents",
    metadata,
    id_column(),
    Column("source", Text, nullable=False),
    Column("ext_id", Text, nullable=False),
    Column("title", Text),
    Column("service", Text),
    Column("severity", Text),
    Column("created_at", Micros, nullable=False),
    Column("resolved_at", Micros),
    Column("deployment_run_id", Text),
    Column("commit_sha", Text),
    *record_columns(),
    UniqueConstraint("source", "ext_id"),
    # Migration 0010: what dora.restore (and dora.failures) filter incidents by.
    Column("priority", Text),
    Column("urgency", Text),
    Column("acknowledged_at", Micros),
)

events = Table(
    "events",
    metadata,
    id_column(),
    Column("component", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("event_time", Micros, nullable=False),
    *record_columns(),
    UniqueConstraint("component", "key", "event_type", "event_time"),
    Index("ix_events_key", "key"),
    Column("key7", String(7), nullable=False, index=True),
    # The ticket a jira/issue event names (stripped, upper case), as the linker reads it.
    Column("ticket_key", Text, index=True),
)

raw_events = Table(
    "raw_events",
    metadata,
    id_column(),
    Column("source", String(64), nullable=False),
    Column("event_type", Text),
    Column("delivery_id", Text),
    Column("received_at", Micros, nullable=False),
    Column("payload", Text, nullable=False),
    Column("parse_status", String(16), nullable=False, server_default="pending"),
    Column("parse_error", Text),
    UniqueConstraint("source", "delivery_id"),
)
