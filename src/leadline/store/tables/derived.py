"""Derived data, rebuilt from the records and kept incrementally: the change log, the
per-change timelines, the commits each deployment shipped and the baseline deployments.

Dropping every row here loses nothing a refresh cannot recompute (``leadline lead-time``).
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
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

from leadline.store.tables.base import Micros, id_column, metadata, parent_column

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
    id_column(),
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
    id_column(),
    parent_column("set_id", "timeline_sets"),
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
    id_column(),
    parent_column("pipeline_run_id", "pipeline_runs"),
    Column("sha", Text, nullable=False),
    Column("sha7", String(7), nullable=False, index=True),
)

# The first deployment of each stream whose source has a partial history, with the tracking
# start of its repository (correlate/baseline.py); refreshed with deployment_commits.
baseline_deployments = Table(
    "baseline_deployments",
    metadata,
    id_column(),
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
