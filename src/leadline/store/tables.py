"""SQLAlchemy Core tables: one per record kind (docs/records.md), their child rows, raw events.

Conventions
- Times are ``BigInteger`` microseconds since the Unix epoch, UTC (columns end in ``_at``;
  ``leadline.domain.times.to_micros``/``from_micros`` convert). Integers compare and
  aggregate identically on SQLite and PostgreSQL and are exact.
- Every record table has a surrogate ``id``, a unique natural key, ``data`` (the whole
  normalized record as JSON text, unknown extra fields included) and ``digest`` (sha256 of
  ``data``) so an unchanged re-import is detected without touching the row.
- Child rows (status changes, reviews, commit links, …) reference their parent's ``id`` with
  ``ON DELETE CASCADE`` and are rewritten when the parent changes.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

Micros = BigInteger


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _parent(name: str, table: str) -> Column[int]:
    return Column(name, ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False, index=True)


def _record_columns() -> list[Column[str]]:
    return [Column("data", Text, nullable=False), Column("digest", String(64), nullable=False)]


issues = Table(
    "issues",
    metadata,
    _id(),
    Column("key", Text, nullable=False, unique=True),
    Column("project", Text, nullable=False, index=True),
    Column("type", Text),
    Column("title", Text),
    Column("priority", Text),
    Column("service", Text),
    Column("created_at", Micros, nullable=False),
    Column("resolved_at", Micros),
    *_record_columns(),
)

issue_status_changes = Table(
    "issue_status_changes",
    metadata,
    _id(),
    _parent("issue_id", "issues"),
    Column("seq", Integer, nullable=False),
    Column("to_status", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("at", Micros, nullable=False),
)

issue_fix_versions = Table(
    "issue_fix_versions",
    metadata,
    _id(),
    _parent("issue_id", "issues"),
    Column("name", Text, nullable=False),
)

versions = Table(
    "versions",
    metadata,
    _id(),
    Column("project", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("released_at", Micros),
    *_record_columns(),
    UniqueConstraint("project", "name"),
)

commits = Table(
    "commits",
    metadata,
    _id(),
    Column("repo", Text, nullable=False),
    Column("sha", Text, nullable=False),
    Column("sha7", String(7), nullable=False, index=True),
    Column("committed_at", Micros, nullable=False),
    Column("authored_at", Micros),
    Column("author", Text),
    Column("branch", Text),
    *_record_columns(),
    UniqueConstraint("repo", "sha"),
)

commit_parents = Table(
    "commit_parents",
    metadata,
    _id(),
    _parent("commit_id", "commits"),
    Column("position", Integer, nullable=False),
    Column("parent_sha", Text, nullable=False, index=True),
)

commit_ticket_keys = Table(
    "commit_ticket_keys",
    metadata,
    _id(),
    _parent("commit_id", "commits"),
    Column("key", Text, nullable=False, index=True),
)

pull_requests = Table(
    "pull_requests",
    metadata,
    _id(),
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
    *_record_columns(),
    UniqueConstraint("repo", "number"),
)

pr_commits = Table(
    "pr_commits",
    metadata,
    _id(),
    _parent("pull_request_id", "pull_requests"),
    Column("sha", Text, nullable=False),
    Column("sha7", String(7), nullable=False, index=True),
)

pr_ticket_keys = Table(
    "pr_ticket_keys",
    metadata,
    _id(),
    _parent("pull_request_id", "pull_requests"),
    Column("key", Text, nullable=False, index=True),
)

pr_reviews = Table(
    "pr_reviews",
    metadata,
    _id(),
    _parent("pull_request_id", "pull_requests"),
    Column("author", Text),
    Column("state", String(32), nullable=False),
    Column("at", Micros, nullable=False),
)

DEPLOYS_COVER = ("type", "finished_at", "pipeline", "environment", "repo", "service", "status")

pipeline_runs = Table(
    "pipeline_runs",
    metadata,
    _id(),
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
    *_record_columns(),
    UniqueConstraint("system", "pipeline", "run_id"),
    Index("ix_pipeline_runs_finished_at", "finished_at"),
    # DORA reads the deploying runs (cd, ci_cd) in time order, not every CI run, and counts
    # them by what its filters look at: from the index alone (migration 0007).
    Index("ix_pipeline_runs_deploys", *DEPLOYS_COVER),
)

pipeline_run_commits = Table(
    "pipeline_run_commits",
    metadata,
    _id(),
    _parent("pipeline_run_id", "pipeline_runs"),
    Column("sha", Text, nullable=False),
    Column("sha7", String(7), nullable=False, index=True),
)

pipeline_artifacts = Table(
    "pipeline_artifacts",
    metadata,
    _id(),
    _parent("pipeline_run_id", "pipeline_runs"),
    Column("name", Text, nullable=False),
    Column("version", Text),
    Column("direction", String(8), nullable=False),
    Index("ix_pipeline_artifacts_name_version", "name", "version"),
)

incidents = Table(
    "incidents",
    metadata,
    _id(),
    Column("source", Text, nullable=False),
    Column("ext_id", Text, nullable=False),
    Column("title", Text),
    Column("service", Text),
    Column("severity", Text),
    Column("created_at", Micros, nullable=False),
    Column("resolved_at", Micros),
    Column("deployment_run_id", Text),
    Column("commit_sha", Text),
    *_record_columns(),
    UniqueConstraint("source", "ext_id"),
    # Migration 0010: what dora.restore (and dora.failures) filter incidents by.
    Column("priority", Text),
    Column("urgency", Text),
    Column("acknowledged_at", Micros),
)

events = Table(
    "events",
    metadata,
    _id(),
    Column("component", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("event_time", Micros, nullable=False),
    *_record_columns(),
    UniqueConstraint("component", "key", "event_type", "event_time"),
    Index("ix_events_key", "key"),
    Column("key7", String(7), nullable=False, index=True),
    # The ticket a jira/issue event names (stripped, upper case), as the linker reads it.
    Column("ticket_key", Text, index=True),
)

raw_events = Table(
    "raw_events",
    metadata,
    _id(),
    Column("source", String(64), nullable=False),
    Column("event_type", Text),
    Column("delivery_id", Text),
    Column("received_at", Micros, nullable=False),
    Column("payload", Text, nullable=False),
    Column("parse_status", String(16), nullable=False, server_default="pending"),
    Column("parse_error", Text),
    UniqueConstraint("source", "delivery_id"),
)


# --- derived data: the per-change timeline, kept incrementally -------------------------------

change_log = Table(
    "change_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    # What a write may have affected: k:<ticket key>, p:<repo#number>, s:<sha7>,
    # a:<artifact name>\x1f<version>, v:<project>\x1f<version name>.
    Column("ref", Text, nullable=False),
)

timeline_sets = Table(
    "timeline_sets",
    metadata,
    _id(),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("profile_name", Text, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("stages", Integer, nullable=False),
    # Every change_log entry with seq <= watermark is reflected in this set's timelines.
    Column("watermark", BigInteger, nullable=False),
    Column("built_at", Micros, nullable=False),
    # A build runs in chunks, each its own transaction (services/refresh.py): ``target`` is
    # the change-log position it brings the set to (NULL: no build running), ``cursor`` the
    # last change key done, ``done``/``total`` its progress. ``complete`` is false until the
    # first full build ends: readers answer from a set only once it is complete.
    Column("complete", Boolean, nullable=False, server_default=true()),
    Column("target", BigInteger),
    Column("cursor", Text),
    Column("done", Integer, nullable=False, server_default="0"),
    Column("total", Integer, nullable=False, server_default="0"),
)

timelines = Table(
    "timelines",
    metadata,
    _id(),
    _parent("set_id", "timeline_sets"),
    Column("change_key", Text, nullable=False),
    Column("start_at", Micros, nullable=False),
    # When the change reached the profile's last stage; NULL while it is in flight.
    Column("end_at", Micros),
    # The start then each stage time: little-endian float64 micros, NaN where the stage did
    # not happen (store/timelines.pack_times); read a window as one array (read_matrix).
    Column("times", LargeBinary, nullable=False),
    # JSON list: the record behind the start, then behind each stage (null where missing).
    Column("sources", Text, nullable=False),
    # A baseline deployment shipped the change from before tracking began
    # (correlate/baseline.py): reports leave it out or count it by the profile's switch.
    Column("baseline", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("set_id", "change_key"),
    # Covering: a window's times are read from the index alone (store/timelines.read_matrix),
    # with or without the baseline changes (migration 0009).
    Index("ix_timelines_window", "set_id", "end_at", "baseline", "times"),
)


# Commits each successful deployment shipped by git ancestry (docs/deployments.md, rule 8),
# derived from commits' parents and the runs; refreshed with the timelines (services/shipments.py).
deployment_commits = Table(
    "deployment_commits",
    metadata,
    _id(),
    _parent("pipeline_run_id", "pipeline_runs"),
    Column("sha", Text, nullable=False),
    Column("sha7", String(7), nullable=False, index=True),
)

# The first deployment of each stream whose source has a partial history, with the tracking
# start of its repository (correlate/baseline.py); refreshed with deployment_commits.
baseline_deployments = Table(
    "baseline_deployments",
    metadata,
    _id(),
    Column(
        "pipeline_run_id",
        ForeignKey("pipeline_runs.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    Column("tracking_start", Micros, nullable=False),
)

# Watermarks of derived data other than timelines (name → last change_log seq reflected).
derived_state = Table(
    "derived_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("watermark", BigInteger, nullable=False),
)


# --- service state -------------------------------------------------------------------------

api_keys = Table(
    "api_keys",
    metadata,
    _id(),
    Column("name", Text, nullable=False),
    # The key is "ll_<prefix>_<secret>"; only the prefix (to find the row) and the sha256 of
    # the secret are stored, never the key itself.
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", String(64), nullable=False),
    Column("created_at", Micros, nullable=False),
    Column("revoked_at", Micros),
    # A read key limited to one collection (and those under it); NULL: not limited.
    Column("collection", Text),
)

profiles = Table(
    "profiles",
    metadata,
    _id(),
    Column("name", Text, nullable=False, unique=True),
    Column("body", Text, nullable=False),  # JSON, as leadline.profiles.profile_to_dict
    Column("updated_at", Micros, nullable=False),
)

# Where each incremental pull (``leadline git``, ``leadline sync``) stopped: one row per
# (source, scope, resource), written in the same transaction as the records it pulled, so a
# killed run resumes exactly where its last commit left off.
sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("source", String(32), primary_key=True),  # git | github | gitlab | jira
    Column("scope", String(512), primary_key=True),  # repository, project, site+JQL…
    Column("resource", String(64), primary_key=True),  # pulls, commits, tags, issues…
    Column("cursor", Text, nullable=False),  # JSON, the resource's own shape
    Column("updated_at", Micros, nullable=False),
)

# Collections (teams): a tree by parent name; filters as JSON (profiles/collections.py).
collections = Table(
    "collections",
    metadata,
    _id(),
    Column("name", Text, nullable=False, unique=True),
    Column("parent", Text, index=True),  # the parent's name; NULL at the top
    Column("position", Integer, nullable=False),  # order among siblings
    Column("profile", Text),  # a stored profile's name; NULL: inherited
    Column("filters", Text, nullable=False),  # JSON object of the collection's own filters
    Column("description", Text),
    Column("updated_at", Micros, nullable=False),
)
