"""Cross-field rules of a profile that a field's type alone cannot express.

Every function here takes *raw* data (the mapping read from YAML/JSON, or a model dump) and
returns problems as ``(where, what)`` pairs, ``where`` being a location tuple such as
``("stages", 2, "pipelines")``. They never raise on ill-typed input: values of the wrong type are
skipped (the type validation reports them), so the loader can collect every problem in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadline.profiles.bandspec import bands_problems
from leadline.profiles.durations import format_duration, parse_duration

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

#: Filter keys each stage event uses. Any other filter key on a stage is an error.
STAGE_FILTERS: dict[str, tuple[str, ...]] = {
    "issue_status": ("statuses", "category"),
    "commit": (),
    "pr_created": ("target_branches", "labels"),
    "pr_review": ("target_branches", "labels"),
    "pr_approved": ("target_branches", "labels"),
    "pr_merged": ("target_branches", "labels"),
    "pr_labeled": ("target_branches", "labels"),
    "ci_completed": ("pipelines", "statuses", "params"),
    "cd_completed": ("pipelines", "environments", "statuses", "params"),
    "released": (),
    "api_event": ("event_types",),
    "change_request": ("pipelines", "statuses", "params"),
}
#: Every stage filter key, in the order the docs list them.
STAGE_FILTER_KEYS: tuple[str, ...] = (
    "statuses",
    "category",
    "target_branches",
    "labels",
    "pipelines",
    "environments",
    "event_types",
    "params",
)

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


def _given(data: Mapping[str, Any], key: str) -> bool:
    return data.get(key) is not None


def stage_problems(stage: Mapping[str, Any]) -> list[Problem]:
    """Problems inside one stage; locations are relative to the stage."""
    problems: list[Problem] = []
    event = stage.get("event")
    if isinstance(event, str) and event in STAGE_FILTERS:
        used = STAGE_FILTERS[event]
        for key in STAGE_FILTER_KEYS:
            if _given(stage, key) and key not in used:
                problems.append(((key,), f"not used by event {event!r}"))
        if event == "issue_status":
            if _given(stage, "statuses") and _given(stage, "category"):
                problems.append((("category",), "give either statuses or category, not both"))
            elif not _given(stage, "statuses") and not _given(stage, "category"):
                problems.append(
                    (("statuses",), "required for event 'issue_status' (or give category)")
                )
        if event == "pr_labeled" and not _given(stage, "labels"):
            problems.append((("labels",), "required for event 'pr_labeled' (['*']: any label)"))
    ideal, acceptable = _seconds(stage.get("ideal")), _seconds(stage.get("acceptable"))
    if ideal is not None and acceptable is not None and ideal > acceptable:
        problems.append(
            (
                ("ideal",),
                f"ideal ({format_duration(ideal)}) is longer than "
                f"acceptable ({format_duration(acceptable)})",
            )
        )
    return problems + bound_problems(stage)


def bound_problems(stage: Mapping[str, Any]) -> list[Problem]:
    """``minimum``/``maximum`` (the outlier bounds of a stage's duration): ``minimum`` at most
    ``maximum``, and no rating threshold above ``maximum`` (a statistic of durations at most
    ``maximum`` could never pass it)."""
    low, high = _seconds(stage.get("minimum")), _seconds(stage.get("maximum"))
    if high is None:
        return []
    if low is not None and low > high:
        what = f"minimum ({format_duration(low)}) is longer than maximum ({format_duration(high)})"
        return [(("minimum",), what)]
    problems: list[Problem] = []
    for key in ("ideal", "acceptable"):
        value = _seconds(stage.get(key))
        if value is not None and value > high:
            shown = f"{key} ({format_duration(value)})"
            problems.append(((key,), f"{shown} is longer than maximum ({format_duration(high)})"))
    return problems


START_ONLY_EVENTS = ("ticket_created", "commit_created", "api_event", "first_stage")


def start_problems(start: Mapping[str, Any]) -> list[Problem]:
    """Problems inside the ``start`` block; locations are relative to it."""
    event = start.get("event", "ticket_created")
    if not isinstance(event, str):
        return []
    if event in STAGE_FILTERS and event not in START_ONLY_EVENTS:
        # A stage event as the start: the stage rules apply (event_types is api_event's).
        problems = stage_problems(start)
        if _given(start, "event_types"):
            problems.append((("event_types",), f"not used by event {event!r}"))
        return problems
    problems = []
    if _given(start, "event_types") and event != "api_event":
        problems.append(
            (("event_types",), f"only used with event 'api_event' (start.event is {event!r})")
        )
    for key in (*STAGE_FILTER_KEYS, "occurrence"):
        if key != "event_types" and _given(start, key):
            problems.append(((key,), f"only used when start.event is a stage event, not {event!r}"))
    return problems


def dora_section_problems(section: str, spec: Mapping[str, Any]) -> list[Problem]:
    """Problems inside ``dora.<section>``; locations are relative to it."""
    by_source = DORA_FILTERS[section]
    source = spec.get("source", DORA_DEFAULT_SOURCE[section])
    if not isinstance(source, str) or source not in by_source:
        return []
    problems: list[Problem] = [
        ((key,), f"not used by source {source!r}")
        for key in DORA_FILTER_KEYS[section]
        if _given(spec, key) and key not in by_source[source]
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
    if _given(spec, "statuses") and _given(spec, "category"):
        return [(("category",), "give either statuses or category, not both")]
    if not _given(spec, "statuses") and not _given(spec, "category"):
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
    if failures.get("count") == "absolute" and _given(failures, "total"):
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
    if any(_given(spec, key) for key in PR_PATTERNS) or _unknown(spec, known):
        return []
    return [(("titles",), "give at least one of titles, branches, labels")]


def _unknown(spec: Mapping[str, Any], known: tuple[str, ...]) -> bool:
    return bool(known) and any(key not in known for key in spec)


def issue_pattern_problems(spec: Mapping[str, Any]) -> list[Problem]:
    """``rework.issues``: at least one filter, else every ticket would be unplanned work."""
    if any(_given(spec, key) for key in ISSUE_PATTERNS) or _unknown(spec, ISSUE_PATTERNS):
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
    on = _given(spec, "pull_requests") or _given(spec, "issues")
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


def stage_name_problems(stages: list[Any]) -> list[Problem]:
    """Duplicate stage names (compared ignoring case and surrounding spaces)."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for index, stage in enumerate(stages):
        name = stage.get("name") if isinstance(stage, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            continue
        folded = name.strip().casefold()
        if folded in first:
            problems.append(
                (
                    ("stages", index, "name"),
                    f"stage name {name!r} is already used by stages[{first[folded]}]",
                )
            )
        else:
            first[folded] = index
    return problems


#: The keys of a ``categories`` entry that match a pull request (any one given must match).
CATEGORY_MATCHERS: tuple[str, ...] = ("source_branches", "target_branches", "labels")


def category_problems(categories: list[Any]) -> list[Problem]:
    """``categories``: each names what it matches, or is the ``default`` (then it matches
    nothing itself and is the last); names are unique (ignoring case and spaces)."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    last = len(categories) - 1
    for index, category in enumerate(categories):
        if not isinstance(category, Mapping):
            continue
        given = [key for key in CATEGORY_MATCHERS if _given(category, key)]
        if category.get("default") is True:
            problems += [
                (("categories", index, key), "not used by the default category (it takes the rest)")
                for key in given
            ]
            if index != last:
                what = "the default category must be the last (categories match in order)"
                problems.append((("categories", index, "default"), what))
        elif not given:
            keys = ", ".join(CATEGORY_MATCHERS)
            what = f"give at least one of {keys}, or default: true"
            problems.append((("categories", index, "name"), what))
        name = category.get("name")
        if isinstance(name, str) and name.strip():
            folded = name.strip().casefold()
            if folded in first:
                what = f"category name {name!r} is already used by categories[{first[folded]}]"
                problems.append((("categories", index, "name"), what))
            else:
                first[folded] = index
    return problems


def profile_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every cross-field problem of a whole raw profile, with absolute locations."""
    problems: list[Problem] = []
    start = data.get("start")
    if isinstance(start, Mapping):
        problems += [(("start", *loc), what) for loc, what in start_problems(start)]
    stages = data.get("stages")
    if isinstance(stages, list):
        for index, stage in enumerate(stages):
            if isinstance(stage, Mapping):
                problems += [(("stages", index, *loc), what) for loc, what in stage_problems(stage)]
        problems += stage_name_problems(stages)
    categories = data.get("categories")
    if isinstance(categories, list):
        problems += category_problems(categories)
    dora = data.get("dora")
    if isinstance(dora, Mapping):
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
            problems += [
                (("dora", "failures", *loc), w) for loc, w in pr_pattern_problems(failures)
            ]
        rework = dora.get("rework")
        if isinstance(rework, Mapping):
            problems += [(("dora", "rework", *loc), what) for loc, what in rework_problems(rework)]
        bands = dora.get("bands")
        if isinstance(bands, Mapping):
            names = (
                [
                    s["name"]
                    for s in stages
                    if isinstance(s, Mapping) and isinstance(s.get("name"), str)
                ]
                if isinstance(stages, list)
                else None
            )
            problems += [
                (("dora", "bands", *loc), what) for loc, what in bands_problems(bands, names)
            ]
    return problems


def _seconds(value: object) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError:
        return None


def render_loc(loc: Loc) -> str:
    """``("stages", 3, "event")`` → ``stages[3].event``; the empty location → ``""``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _plain(part):
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out


def _plain(key: str) -> bool:
    """A key that reads unambiguously unquoted in a location (``issue_types``, ``my key``)."""
    return (
        key.isprintable()
        and key == key.strip()
        and bool(key)
        and not any(char in key for char in ".[]'\"")
    )
