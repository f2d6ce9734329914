"""Data-quality warnings: records that are stored but whose times contradict each other.

A record whose end precedes its start — a pull request merged or closed before it was
created, an issue resolved before it was created, a pipeline run finished before it
started, an incident resolved before it was created, a commit committed before it was
authored — is a fact the tool reported, usually a clock or a migration gone wrong. leadline
stores it as it is (refusing it would lose the rest of the record, and reports already clamp
negative durations to zero) but says so: every ingest answer (``leadline import``,
``POST /v1/records``, a webhook delivery, ``leadline sync``) carries these warnings.

``findings(record)`` are (field, problem) pairs — the import prints them as
``PATH:LINE: field: problem`` — and ``warnings(record)`` the same as one line each, naming
the record (``pull_request acme/api#12: merged_at 2024-01-01T00:00:00Z is before
created_at 2024-01-02T00:00:00Z``). Pure functions of the record; no time zone or clock.
"""

from __future__ import annotations

from datetime import datetime

from leadline.domain.records import (
    Commit,
    Event,
    Incident,
    Issue,
    PipelineRun,
    PullRequest,
    RecordModel,
    Version,
)
from leadline.domain.times import format_time

MAX_WARNINGS = 50  # warnings kept per answer; the count says how many there were

# Per kind: (end field, start field) pairs, checked in this order.
ORDERED: dict[type, tuple[tuple[str, str], ...]] = {
    PullRequest: (("merged_at", "created_at"), ("closed_at", "created_at")),
    Issue: (("resolved_at", "created_at"),),
    PipelineRun: (("finished_at", "started_at"),),
    Incident: (("resolved_at", "created_at"),),
    Commit: (("committed_at", "authored_at"),),
}


def label(record: RecordModel) -> str:
    """How a message names ``record``: its kind and natural key (``pull_request
    acme/api#12``, ``issue PROJ-1``, ``pipeline_run github-actions/deploy/42``…)."""
    if isinstance(record, PullRequest):
        key = f"{record.repo}#{record.number}"
    elif isinstance(record, Commit):
        key = f"{record.repo}@{record.sha}"
    elif isinstance(record, Issue):
        key = record.key
    elif isinstance(record, Version):
        key = f"{record.project}/{record.name}"
    elif isinstance(record, PipelineRun):
        key = f"{record.system}/{record.pipeline}/{record.run_id}"
    elif isinstance(record, Incident):
        key = f"{record.source}/{record.id}"
    else:
        assert isinstance(record, Event)
        at = format_time(record.event_time)
        key = f"{record.component}/{record.key}/{record.event_type}@{at}"
    return f"{record.kind} {key}"


def findings(record: RecordModel) -> list[tuple[str, str]]:
    """(field, problem) for every end of ``record`` that precedes its start."""
    out: list[tuple[str, str]] = []
    for end_name, start_name in ORDERED.get(type(record), ()):
        end = getattr(record, end_name)
        start = getattr(record, start_name)
        if isinstance(end, datetime) and isinstance(start, datetime) and end < start:
            problem = f"{end_name} {format_time(end)} is before {start_name} {format_time(start)}"
            out.append((end_name, problem))
    return out


def warnings(record: RecordModel) -> list[str]:
    """``findings`` as lines naming the record: ``pull_request acme/api#12: merged_at … is
    before created_at …``."""
    return [f"{label(record)}: {problem}" for _field, problem in findings(record)]


class Warnings:
    """Warnings of one answer: the first ``MAX_WARNINGS`` kept, all of them counted."""

    def __init__(self, limit: int = MAX_WARNINGS) -> None:
        self.kept: list[str] = []
        self.total = 0
        self._limit = limit

    def add(self, line: str) -> None:
        self.total += 1
        if len(self.kept) < self._limit:
            self.kept.append(line)

    def add_record(self, record: RecordModel) -> None:
        for line in warnings(record):
            self.add(line)
