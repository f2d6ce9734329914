"""Domain records (docs/records.md) and time handling."""

from leadline.domain.records import (
    KINDS,
    Commit,
    Event,
    Incident,
    Issue,
    PipelineRun,
    PullRequest,
    Record,
    RecordModel,
    Version,
    infer_category,
)

__all__ = [
    "KINDS",
    "Commit",
    "Event",
    "Incident",
    "Issue",
    "PipelineRun",
    "PullRequest",
    "Record",
    "RecordModel",
    "Version",
    "infer_category",
]
