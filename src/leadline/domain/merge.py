"""How a record that arrives as a snapshot is combined with the stored one of its key.

Webhook deliveries (and the listings ``leadline sync`` reads) are *snapshots*: a pull
request or issue in one delivery lacks what other deliveries carried (the reviews, the
earlier status changes, GitLab's author). So such a record is not written as it is: the
write path (``store.upsert.merge_and_upsert``) writes ``merge(stored, incoming)``. The rules
are pure functions of two records, so they live here, below the sources that produce the
records and the store that writes them. Rules and reasons: docs/sources.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from leadline.domain.records import (
    Commit,
    Incident,
    Issue,
    LabelEvent,
    PullRequest,
    RecordModel,
    Review,
    StatusChange,
)
from leadline.domain.times import parse_time


def merge(stored: RecordModel | None, incoming: RecordModel) -> RecordModel:
    """The record to write for ``incoming`` (from a webhook) when ``stored`` has the same
    natural key: commits, pull requests, issues and incidents are merged (``merge_commit``,
    ``merge_pull_request``, ``merge_issue``, ``merge_incident``); every other kind is complete
    in each delivery and replaces."""
    if stored is None or stored.natural_key() != incoming.natural_key():
        return incoming
    if isinstance(incoming, Commit) and isinstance(stored, Commit):
        return merge_commit(stored, incoming)
    if isinstance(incoming, PullRequest) and isinstance(stored, PullRequest):
        return merge_pull_request(stored, incoming)
    if isinstance(incoming, Issue) and isinstance(stored, Issue):
        return merge_issue(stored, incoming)
    if isinstance(incoming, Incident) and isinstance(stored, Incident):
        return merge_incident(stored, incoming)
    return incoming


_COMMIT_FILL = ("message", "authored_at", "author", "branch")


def merge_commit(stored: Commit | None, incoming: Commit) -> Commit:
    """A commit from a push keeps what the stored one knows and the push does not: its
    ``parents`` (push payloads carry none; ``leadline sync`` and ``leadline git`` do), its
    ``paths`` (pushes carry them, the sync's commit lists do not) and any field the push
    leaves empty. Otherwise the incoming commit wins (its branch)."""
    if stored is None:
        return incoming
    update: dict[str, Any] = {
        name: getattr(stored, name)
        for name in _COMMIT_FILL
        if getattr(incoming, name) is None and getattr(stored, name) is not None
    }
    if not incoming.parents and stored.parents:
        update["parents"] = stored.parents
    if not incoming.paths and stored.paths:
        update["paths"] = stored.paths
    return incoming.model_copy(update=update)


_PR_FILL = ("title", "source_branch", "target_branch", "author", "merged_at", "merge_commit_sha")


def merge_pull_request(stored: PullRequest | None, incoming: PullRequest) -> PullRequest:
    """Combine a pull request from a webhook with the stored one.

    * ``reviews``: every review ever seen, one per (author, time) — a re-sent review takes
      the newer state (a dismissed approval becomes ``commented``) — in time order;
    * ``commit_shas``: the union;
    * ``label_events``: every label event ever seen, one per (label, action, time), in time
      order — each ``labeled``/``unlabeled`` delivery carries only its own;
    * other fields from the newer record (by the extra ``updated_at``; the incoming one when
      either lacks it); a field the newer one leaves empty is kept from the older one — a
      merge is never undone, and GitLab names a merge request's author only when it opens;
    * ``closed_at`` of a merged pull request is kept the same way (a reopen clears it).
    """
    if stored is None:
        return incoming
    newer, older = (stored, incoming) if _is_older(incoming, stored) else (incoming, stored)
    update: dict[str, Any] = {
        name: getattr(older, name)
        for name in _PR_FILL
        if getattr(newer, name) is None and getattr(older, name) is not None
    }
    if newer.closed_at is None and (newer.merged_at or update.get("merged_at")):
        update["closed_at"] = older.closed_at
    update["commit_shas"] = list(dict.fromkeys([*stored.commit_shas, *incoming.commit_shas]))
    update["reviews"] = merge_reviews(stored.reviews, incoming.reviews)
    update["label_events"] = merge_label_events(stored.label_events, incoming.label_events)
    return newer.model_copy(update=update)


def merge_label_events(stored: list[LabelEvent], incoming: list[LabelEvent]) -> list[LabelEvent]:
    """Label events of both lists, one per (label, action, time), in time order (then by
    label and action, so the result does not depend on the delivery order)."""
    by_key = {(e.label, e.action, e.at): e for e in [*stored, *incoming]}
    return [by_key[k] for k in sorted(by_key, key=lambda k: (k[2], k[0], k[1]))]


def merge_reviews(stored: list[Review], incoming: list[Review]) -> list[Review]:
    """Reviews of both lists, one per (author, time), the incoming one winning; in time
    order (then by author, so the result does not depend on the delivery order)."""
    by_key: dict[tuple[str | None, datetime], Review] = {}
    for review in [*stored, *incoming]:
        by_key[(review.author, review.at)] = review
    return sorted(by_key.values(), key=lambda r: (r.at, r.author or ""))


def merge_issue(stored: Issue | None, incoming: Issue) -> Issue:
    """Combine an issue from a webhook with the stored one: the status changes of both (one
    per status name and time, in time order); every other field from the newer record (by the
    extra ``updated_at``; the incoming one when either lacks it)."""
    if stored is None:
        return incoming
    newer = stored if _is_older(incoming, stored) else incoming
    seen: set[tuple[str, datetime]] = set()
    changes: list[StatusChange] = []
    for change in sorted([*stored.status_changes, *incoming.status_changes], key=lambda c: c.at):
        mark = (change.to.strip().casefold(), change.at)
        if mark not in seen:
            seen.add(mark)
            changes.append(change)
    return newer.model_copy(update={"status_changes": changes})


_INCIDENT_FILL = (
    "title", "service", "severity", "deployment_run_id", "commit_sha", "priority", "urgency",
)  # fmt: skip


def merge_incident(stored: Incident | None, incoming: Incident) -> Incident:
    """Combine an incident from a webhook with the stored one: the newer record (by the extra
    ``updated_at``; the incoming one when either lacks it) decides the state (``resolved_at``,
    title…); a field it leaves empty is kept from the older; ``created_at`` is the earliest
    seen (a delivery without the creation time uses its own event time), and so is
    ``acknowledged_at`` (the first acknowledgement)."""
    if stored is None:
        return incoming
    newer, older = (stored, incoming) if _is_older(incoming, stored) else (incoming, stored)
    update: dict[str, Any] = {"created_at": min(stored.created_at, incoming.created_at)}
    acks = [x.acknowledged_at for x in (stored, incoming) if x.acknowledged_at is not None]
    if acks:
        update["acknowledged_at"] = min(acks)
    for name in _INCIDENT_FILL:
        if getattr(newer, name) is None and getattr(older, name) is not None:
            update[name] = getattr(older, name)
    return newer.model_copy(update=update)


def _is_older(record: RecordModel, other: RecordModel) -> bool:
    """True when both carry an extra ``updated_at`` and ``record``'s is earlier."""
    mine, theirs = _updated_at(record), _updated_at(other)
    return mine is not None and theirs is not None and mine < theirs


def _updated_at(record: RecordModel) -> datetime | None:
    value = (record.model_extra or {}).get("updated_at")
    if isinstance(value, datetime):
        return value
    try:
        return parse_time(value) if isinstance(value, str) else None
    except ValueError:
        return None
