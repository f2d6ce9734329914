"""Incidents (or failure issues) → the deployment that caused them (docs/deployments.md,
rule 9).

Rules, first match wins (see ``docs/deployments.md``):

1. ``deployment_run_id`` names a deployment: ``system/pipeline/run_id`` exactly, else the bare
   ``run_id``; several bare matches → same service first, then the latest at or before the
   incident, else the earliest after it.
2. ``commit_sha``: the deployments that first shipped that commit (one per stream, per
   ``ancestry.ship``); same service first, then the latest at or before the incident, else the
   earliest after it.
3. Otherwise the latest deployment of the **same service** strictly before the incident and
   no older than ``window`` (default 7 days); ties on time → the greatest id.

An explicit link that matches no deployment falls through to the next rule. A failure with no
service and no usable explicit link attaches to nothing — never to "the latest deployment".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import numpy as np

from leadline.correlate.ancestry import Deployment, Shipments, ship
from leadline.correlate.commit_graph import CommitGraph
from leadline.domain.records import Incident, Issue
from leadline.domain.times import to_micros

LinkRule = Literal["run_id", "commit", "service"]
FailureKey = tuple[str, ...]
DEFAULT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Failure:
    """Something that went wrong in production: an incident, or an issue counted as a failure."""

    key: FailureKey
    at_us: int
    service: str | None = None
    deployment_run_id: str | None = None
    commit_sha: str | None = None


@dataclass(frozen=True)
class FailureLink:
    deployment_id: str | None
    rule: LinkRule | None


NO_LINK = FailureLink(None, None)


def failure_from_incident(incident: Incident) -> Failure:
    """Key ``(source, id)``; time = ``created_at``."""
    return Failure(
        key=(incident.source, incident.id),
        at_us=to_micros(incident.created_at),
        service=incident.service,
        deployment_run_id=incident.deployment_run_id,
        commit_sha=incident.commit_sha,
    )


def failure_from_issue(issue: Issue) -> Failure:
    """Key ``(key,)``; time = ``created_at``; explicit links from extra fields of the same name."""
    extra = issue.model_extra or {}
    run_id, sha = extra.get("deployment_run_id"), extra.get("commit_sha")
    return Failure(
        key=(issue.key,),
        at_us=to_micros(issue.created_at),
        service=issue.service,
        deployment_run_id=str(run_id) if isinstance(run_id, str | int) else None,
        commit_sha=sha if isinstance(sha, str) else None,
    )


def link_failures(
    failures: Iterable[Failure],
    deployments: Iterable[Deployment],
    shipments: Shipments | None = None,
    *,
    window: timedelta | None = DEFAULT_WINDOW,
) -> dict[FailureKey, FailureLink]:
    """Link each failure to at most one of ``deployments`` (successful ones).

    ``shipments`` (from ``ancestry.ship``) answers the commit rule; without it a commit only
    matches a deployment whose head is that commit. ``window=None`` means no age limit.
    O((n + m) log m) for n failures and m deployments: the service rule is one vectorised
    binary search per service.
    """
    if window is not None and window < timedelta(0):
        raise ValueError("the incident window must not be negative")
    deps = {d.id: d for d in deployments}
    bare: dict[str, list[Deployment]] = defaultdict(list)
    for d in deps.values():
        if d.run_id:
            bare[d.run_id.strip()].append(d)
    shipped = shipments if shipments is not None else ship(CommitGraph({}), deps.values())
    links: dict[FailureKey, FailureLink] = {}
    pending: dict[str, list[Failure]] = defaultdict(list)
    for f in {f.key: f for f in failures}.values():  # a repeated key: the last one wins
        link = _explicit(f, deps, bare, shipped)
        if link is not None:
            links[f.key] = link
        elif (service := _service(f.service)) is not None:
            pending[service].append(f)
        else:
            links[f.key] = NO_LINK
    window_us = None if window is None else window // timedelta(microseconds=1)
    links.update(_by_service(pending, deps.values(), window_us))
    return links


def _explicit(
    f: Failure,
    deps: dict[str, Deployment],
    bare: dict[str, list[Deployment]],
    shipped: Shipments,
) -> FailureLink | None:
    run_id = (f.deployment_run_id or "").strip()
    if run_id:
        found = deps.get(run_id) or _pick(bare.get(run_id, []), f)
        if found is not None:
            return FailureLink(found.id, "run_id")
    sha = (f.commit_sha or "").strip()
    if sha:
        candidates = [deps[i] for i in shipped.shipping_deployments(sha) if i in deps]
        found = _pick(candidates, f)
        if found is not None:
            return FailureLink(found.id, "commit")
    return None


def _pick(candidates: Sequence[Deployment], f: Failure) -> Deployment | None:
    """Same service first; then the latest at or before the failure, else the earliest after."""
    service = _service(f.service)
    same = [d for d in candidates if service is not None and _service(d.service) == service]
    pool = sorted(same or candidates, key=lambda d: (d.at_us, d.id))
    before = [d for d in pool if d.at_us <= f.at_us]
    return before[-1] if before else (pool[0] if pool else None)


def _by_service(
    pending: dict[str, list[Failure]], deployments: Iterable[Deployment], window_us: int | None
) -> dict[FailureKey, FailureLink]:
    by_service: dict[str, list[Deployment]] = defaultdict(list)
    for d in deployments:
        if (service := _service(d.service)) in pending:
            by_service[service].append(d)
    links: dict[FailureKey, FailureLink] = {}
    for service, failures in pending.items():
        deps = sorted(by_service.get(service, []), key=lambda d: (d.at_us, d.id))
        times = np.array([d.at_us for d in deps], dtype=np.int64)
        at = np.array([f.at_us for f in failures], dtype=np.int64)
        index = np.searchsorted(times, at, side="left") - 1
        ok = index >= 0
        if window_us is not None and len(times):
            ok &= times[np.clip(index, 0, None)] >= at - window_us
        for f, i, good in zip(failures, index.tolist(), ok.tolist(), strict=True):
            links[f.key] = FailureLink(deps[i].id, "service") if good else NO_LINK
    return links


def _service(name: str | None) -> str | None:
    """Services compare trimmed and case-insensitively; blank means none."""
    text = (name or "").strip().lower()
    return text or None
