"""Unplanned work: hotfix and revert pull requests, and the deployments that were rework.

One place for the rules that ``dora.failures.source: pull_requests`` (a hotfix or revert PR
is a failure of the deployment it repairs) and ``dora.rework`` (the deployment rework rate)
share (docs/dora.md#failures-from-hotfix-and-revert-pull-requests):

* ``pr_rule``: whether a merged PR is a hotfix or a revert by the profile's patterns (title
  and source-branch globs, labels), and which pattern said so;
* ``reverted_sha`` / ``reverted_title``: what a revert names (``This reverts commit <sha>``
  in its text, ``Revert "<title>"`` as its title);
* ``link_pr_failures``: the deployment each such PR repairs, by the incident rules of
  ``correlate/incidents.py`` with the repository in place of the service;
* ``restoring_deployments`` and ``rework``: which deployments of a window were rework, and
  every rule that counted each.

Patterns compare case-insensitively; ``*`` is any text and ``?`` one character. Unlike the
other globs of a profile, ``[`` is an ordinary character here: titles carry brackets
(``[HOTFIX] login``), and ``[HOTFIX]*`` as a character class would match nearly every title.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from leadline.correlate.ancestry import Deployment, Shipments
from leadline.correlate.incidents import (
    DEFAULT_WINDOW,
    Failure,
    FailureKey,
    FailureLink,
    link_failures,
)

Match = Literal["any", "all"]
# "This reverts commit <sha>." as ``git revert`` writes it (GitHub's revert PRs carry it too).
_REVERTS = re.compile(r"\bthis reverts commit ([0-9a-f]{7,40})\b", re.IGNORECASE)
# 'Revert "<title>"' as GitHub's revert button names the PR (the outer quotes only).
_REVERT_TITLE = re.compile(r'^\s*revert\s+"(.*)"\s*$', re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class PrPatterns:
    """Which merged PRs are hotfixes or reverts. ``match: any``: one given kind of pattern
    (titles, branches, labels) matching is enough; ``all``: every given kind must match.
    ``target_branches`` is a filter in both modes: when given, the PR must target one."""

    titles: tuple[str, ...] | None = None
    branches: tuple[str, ...] | None = None
    labels: tuple[str, ...] | None = None
    target_branches: tuple[str, ...] | None = None
    match: Match = "any"


@functools.cache
def _pattern(glob: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def glob_hit(value: str | None, patterns: Sequence[str]) -> str | None:
    """The first of ``patterns`` that matches the whole of ``value`` (case-insensitive;
    ``*`` any text, ``?`` one character, nothing else special), else ``None``."""
    if value is None:
        return None
    return next((p for p in patterns if _pattern(p).fullmatch(value)), None)


def pr_rule(
    title: str | None,
    source_branch: str | None,
    target_branch: str | None,
    labels: Iterable[str],
    patterns: PrPatterns,
) -> str | None:
    """Why a merged PR is a hotfix or a revert — ``title 'Revert "*"'``, ``branch
    'hotfix/*'``, ``label 'hotfix'`` (with ``match: all``, each joined by ``and``) — or
    ``None`` when it is not one (or targets a branch ``target_branches`` leaves out)."""
    if patterns.target_branches is not None and (
        glob_hit(target_branch, patterns.target_branches) is None
    ):
        return None
    found: list[str] = []
    given = 0
    if patterns.titles is not None:
        given += 1
        if (hit := glob_hit(title, patterns.titles)) is not None:
            found.append(f"title {hit!r}")
    if patterns.branches is not None:
        given += 1
        if (hit := glob_hit(source_branch, patterns.branches)) is not None:
            found.append(f"branch {hit!r}")
    if patterns.labels is not None:
        given += 1
        hits = (glob_hit(label, patterns.labels) for label in labels)
        if (hit := next((h for h in hits if h is not None), None)) is not None:
            found.append(f"label {hit!r}")
    if not found or (patterns.match == "all" and len(found) < given):
        return None
    return " and ".join(found) if patterns.match == "all" else found[0]


def reverted_sha(*texts: str | None) -> str | None:
    """The first commit a revert names (``This reverts commit <sha>``, 7–40 hex digits),
    lower case, searching ``texts`` in order; ``None`` when none names one."""
    for text in texts:
        found = _REVERTS.search(text or "")
        if found is not None:
            return found.group(1).lower()
    return None


def reverted_title(title: str | None) -> str | None:
    """``X`` of a title ``Revert "X"`` (GitHub's revert PRs), else ``None``."""
    found = _REVERT_TITLE.match(title or "")
    return found.group(1) if found is not None and found.group(1).strip() else None


def link_pr_failures(
    failures: Iterable[Failure],
    deployments: Iterable[Deployment],
    shipments: Shipments | None = None,
    *,
    window: timedelta | None = DEFAULT_WINDOW,
) -> dict[FailureKey, FailureLink]:
    """``link_failures`` for hotfix and revert PRs, whose ``service`` is their repository:
    the commit a revert names (the deployments that first shipped it), else the latest
    deployment **of the same repository** strictly before the PR was opened, within
    ``window``. A deployment without a repository is never blamed by that last rule."""
    by_repo = [dataclasses.replace(d, service=d.repo) for d in deployments]
    return link_failures(failures, by_repo, shipments, window=window)


@dataclass(frozen=True)
class TicketPatterns:
    """Which tickets are unplanned work: every given filter must hold (as the ``issues``
    filters of ``dora.failures``); globs as above."""

    issue_types: tuple[str, ...] | None = None
    labels: tuple[str, ...] | None = None
    priorities: tuple[str, ...] | None = None
    projects: tuple[str, ...] | None = None


def ticket_rule(
    issue_type: str | None,
    labels: Iterable[str],
    priority: str | None,
    project: str | None,
    patterns: TicketPatterns,
) -> str | None:
    """Why a ticket is unplanned work — ``type 'Bug'``, ``type 'Bug', priority 'P1'`` (the
    filters given, each with the pattern that held) — or ``None`` when a filter fails. With
    no filter at all, no ticket is (the profile rules require one)."""
    checks = (
        ("type", patterns.issue_types, [issue_type]),
        ("label", patterns.labels, list(labels)),
        ("priority", patterns.priorities, [priority]),
        ("project", patterns.projects, [project]),
    )
    found: list[str] = []
    for what, given, values in checks:
        if given is None:
            continue
        hit = next((h for v in values if (h := glob_hit(v, given)) is not None), None)
        if hit is None:
            return None
        found.append(f"{what} {hit!r}")
    return ", ".join(found) or None


@dataclass(frozen=True)
class Restore:
    """A resolved incident that ``restoring_deployments`` looks at."""

    key: str
    service: str | None
    created_us: int
    resolved_us: int | None


def restoring_deployments(
    incidents: Iterable[Restore], deployments: Iterable[Deployment]
) -> dict[str, list[str]]:
    """Deployment id → the incidents it restored (sorted): for each resolved incident with a
    service, the latest deployment of the same service (trimmed, case-insensitive) finished
    while it was open, ``created ≤ finished ≤ resolved`` (ties: the greatest id). An open
    incident, one without a service, or with no such deployment restores nothing."""
    by_service: dict[str, list[Deployment]] = defaultdict(list)
    for d in deployments:
        if (name := _name(d.service)) is not None:
            by_service[name].append(d)
    out: dict[str, list[str]] = defaultdict(list)
    for incident in incidents:
        name = _name(incident.service)
        if name is None or incident.resolved_us is None:
            continue
        inside = [
            d for d in by_service.get(name, [])
            if incident.created_us <= d.at_us <= incident.resolved_us
        ]  # fmt: skip
        if inside:
            latest = max(inside, key=lambda d: (d.at_us, d.id))
            out[latest.id].append(incident.key)
    return {k: sorted(v) for k, v in out.items()}


def rework(
    deployment_ids: Iterable[str],
    shipped_prs: Mapping[str, Iterable[str]],
    pr_rules: Mapping[str, str],
    shipped_tickets: Mapping[str, Iterable[str]],
    ticket_rules: Mapping[str, str],
    restored: Mapping[str, Sequence[str]],
) -> dict[str, tuple[str, ...]]:
    """Each rework deployment among ``deployment_ids`` → every rule that counted it, in the
    order pull requests, tickets, incidents: ``pull request acme/api#7: title 'hotfix*'``,
    ``ticket PAY-3: type 'Bug'``, ``restored incident pagerduty/P1``. A deployment is rework
    when it shipped a hotfix or revert PR (``pr_rules``: PR → why), shipped a ticket
    ``ticket_rules`` names, or restored an incident; deployments with no rule are left out."""
    out: dict[str, tuple[str, ...]] = {}
    for d in deployment_ids:
        rules = [
            f"pull request {pr}: {pr_rules[pr]}"
            for pr in sorted(set(shipped_prs.get(d, ())))
            if pr in pr_rules
        ]
        rules += [
            f"ticket {key}: {ticket_rules[key]}"
            for key in sorted(set(shipped_tickets.get(d, ())))
            if key in ticket_rules
        ]
        rules += [f"restored incident {key}" for key in restored.get(d, ())]
        if rules:
            out[d] = tuple(rules)
    return out


def _name(text: str | None) -> str | None:
    name = (text or "").strip().lower()
    return name or None
