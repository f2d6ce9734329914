"""Cross-field rules of a profile's ``dora`` block (docs/dora.md): which filter keys each
section's ``source`` uses, what the sections require of each other, the hotfix/revert and
rework patterns, and the band ranges (``bandspec``).

As in ``rules``: raw data in, ``(where, what)`` problems out, never raising on ill-typed input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadline.profiles.bandspec import bands_problems
from leadline.profiles.problems import Problem, is_given

#: Filter keys of the ``dora`` block, per section and ``source``.
DORA_FILTERS: dict[str, dict[str, tuple[str, ...]]] = {
    "deployments": {
        "cd": ("pipelines", "environments", "statuses", "count_at", "params"),
        "pull_requests": ("target_branches", "labels"),
        "releases": ("projects", "names"),
        "issues": ("issue_types", "projects", "labels", "statuses", "category", "occurrence"),
    },
    "failures": {
        "cd": ("pipelines", "environments", "statuses", "params"),
        "incidents": ("priorities", "severities", "urgencies", "services", "window"),
        "issues": ("issue_types", "projects", "labels", "window", "priorities"),
        "pull_requests": ("titles", "branches", "labels", "target_branches", "match", "window"),
    },
    "restore": {
        "incidents": ("priorities", "severities", "urgencies", "services", "start"),
        "issues": (
            "issue_types",
            "projects",
            "labels",
            "priorities",
            "services",
            "start_statuses",
            "stop_statuses",
        ),
    },
}
DORA_DEFAULT_SOURCE = {"deployments": "cd", "failures": "cd", "restore": "incidents"}
DORA_FILTER_KEYS: dict[str, tuple[str, ...]] = {
    section: tuple(dict.fromkeys(k for keys in by_source.values() for k in keys))
    for section, by_source in DORA_FILTERS.items()
}


def dora_section_problems(section: str, spec: Mapping[str, Any]) -> list[Problem]:
    """Problems inside ``dora.<section>``; locations are relative to it."""
    by_source = DORA_FILTERS[section]
    source = spec.get("source", DORA_DEFAULT_SOURCE[section])
    if not isinstance(source, str) or source not in by_source:
        return []
    problems: list[Problem] = [
        ((key,), f"not used by source {source!r}")
        for key in DORA_FILTER_KEYS[section]
        if is_given(spec, key) and key not in by_source[source]
    ]
    if (section, source) == TICKET_DEPLOYMENTS:
        problems += _ticket_deployment_problems(spec)
    if section == "restore":
        problems += _clock_status_problems(spec)
    return problems


TICKET_DEPLOYMENTS = ("deployments", "issues")


def _ticket_deployment_problems(spec: Mapping[str, Any]) -> list[Problem]:
    """``deployments.source: issues``: the statuses that resolve a ticket, or their category
    (as an ``issue_status`` stage takes them)."""
    if is_given(spec, "statuses") and is_given(spec, "category"):
        return [(("category",), "give either statuses or category, not both")]
    if not is_given(spec, "statuses") and not is_given(spec, "category"):
        return [(("statuses",), "required for source 'issues' (or give category, e.g. done)")]
    return []


def dora_problems(dora: Mapping[str, Any]) -> list[Problem]:
    """Problems between the sections of the ``dora`` block; locations are relative to it."""

    def section(name: str) -> Mapping[str, Any]:
        found = dora.get(name)
        return found if isinstance(found, Mapping) else {}

    deployments = section("deployments").get("source", DORA_DEFAULT_SOURCE["deployments"])
    failures = section("failures")
    problems: list[Problem] = []
    if failures.get("total") == "all_runs" and deployments != "cd":
        problems.append(
            (("failures", "total"), f"'all_runs' needs dora.deployments.source 'cd', "
             f"not {deployments!r}")
        )  # fmt: skip
    if failures.get("count") == "absolute" and is_given(failures, "total"):
        problems.append(
            (("failures", "total"), "not used with count 'absolute' (no rate, no denominator)")
        )
    if deployments == "issues" and failures.get("source", DORA_DEFAULT_SOURCE["failures"]) == "cd":
        problems.append(
            (("failures", "source"), "'cd' (the default) needs dora.deployments.source 'cd', "
             "not 'issues': give incidents or issues")
        )  # fmt: skip
    if dora.get("lead_time") == "commits" and deployments == "issues":
        problems.append(
            (("lead_time",), "'commits' needs deployments that ship commits, not "
             "tickets (dora.deployments.source 'issues')")
        )  # fmt: skip
    return problems


PR_PATTERNS = ("titles", "branches", "labels")
ISSUE_PATTERNS = ("issue_types", "labels", "priorities", "projects")
REWORK_SIGNALS = ("pull_requests", "issues", "incidents")


PR_PATTERN_KEYS = (*PR_PATTERNS, "target_branches", "match")


def pr_pattern_problems(spec: Mapping[str, Any], known: tuple[str, ...] = ()) -> list[Problem]:
    """Hotfix and revert PR patterns (``failures.source: pull_requests``,
    ``rework.pull_requests``): at least one kind, else no PR could ever match. Not said
    when ``known`` is given and a key outside it is (the unknown key is the problem)."""
    if any(is_given(spec, key) for key in PR_PATTERNS) or _unknown(spec, known):
        return []
    return [(("titles",), "give at least one of titles, branches, labels")]


def pr_label_problems(spec: Mapping[str, Any]) -> list[Problem]:
    """``failures.labels`` with ``source: pull_requests`` are hotfix and revert patterns
    (which pattern said so is shown), not a filter: a list, never conditions."""
    if isinstance(spec.get("labels"), Mapping):
        return [(("labels",), "a list of patterns with source 'pull_requests' (conditions "
                 "are for filters)")]  # fmt: skip
    return []


def _unknown(spec: Mapping[str, Any], known: tuple[str, ...]) -> bool:
    return bool(known) and any(key not in known for key in spec)


def issue_pattern_problems(spec: Mapping[str, Any]) -> list[Problem]:
    """``rework.issues``: at least one filter, else every ticket would be unplanned work."""
    if any(is_given(spec, key) for key in ISSUE_PATTERNS) or _unknown(spec, ISSUE_PATTERNS):
        return []
    return [(("issue_types",), f"give at least one of {', '.join(ISSUE_PATTERNS)}")]


def rework_problems(spec: Mapping[str, Any]) -> list[Problem]:
    """Problems inside ``dora.rework``; locations are relative to it."""
    problems: list[Problem] = []
    prs, issues = spec.get("pull_requests"), spec.get("issues")
    if isinstance(prs, Mapping):
        problems += [
            (("pull_requests", *loc), what)
            for loc, what in pr_pattern_problems(prs, PR_PATTERN_KEYS)
        ]
    if isinstance(issues, Mapping):
        problems += [(("issues", *loc), what) for loc, what in issue_pattern_problems(issues)]
    incidents = spec.get("incidents")  # of the wrong type: a type error, reported as such
    on = is_given(spec, "pull_requests") or is_given(spec, "issues")
    on = on or (incidents is not None and incidents is not False)
    if not on:
        problems.append(((), f"give at least one signal: {', '.join(REWORK_SIGNALS)}"))
    return problems


def _clock_status_problems(spec: Mapping[str, Any]) -> list[Problem]:
    """``restore.stop_statuses`` naming a status of ``start_statuses`` (ignoring case)."""
    starts, stops = spec.get("start_statuses"), spec.get("stop_statuses")
    if not isinstance(starts, list) or not isinstance(stops, list):
        return []
    folded = {s.strip().casefold() for s in starts if isinstance(s, str)}
    return [
        (("stop_statuses", i), f"{s!r} is in start_statuses too: a status cannot both start "
         "and stop the clock")
        for i, s in enumerate(stops)
        if isinstance(s, str) and s.strip().casefold() in folded
    ]  # fmt: skip


def dora_block_problems(dora: Mapping[str, Any], stages: object) -> list[Problem]:
    """Every problem of a raw ``dora`` block, located under ``dora``; ``stages`` is the raw
    profile's ``stages`` (band ranges may name them)."""
    problems: list[Problem] = []
    for section in DORA_FILTERS:
        spec = dora.get(section)
        if isinstance(spec, Mapping):
            problems += [
                (("dora", section, *loc), what)
                for loc, what in dora_section_problems(section, spec)
            ]
    problems += [(("dora", *loc), what) for loc, what in dora_problems(dora)]
    failures = dora.get("failures")
    if isinstance(failures, Mapping) and failures.get("source") == "pull_requests":
        found = pr_pattern_problems(failures) + pr_label_problems(failures)
        problems += [(("dora", "failures", *loc), w) for loc, w in found]
    rework = dora.get("rework")
    if isinstance(rework, Mapping):
        problems += [(("dora", "rework", *loc), what) for loc, what in rework_problems(rework)]
    bands = dora.get("bands")
    if isinstance(bands, Mapping):
        names = (
            [s["name"] for s in stages if isinstance(s, Mapping) and isinstance(s.get("name"), str)]
            if isinstance(stages, list)
            else None
        )
        problems += [(("dora", "bands", *loc), what) for loc, what in bands_problems(bands, names)]
    return problems
