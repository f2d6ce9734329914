"""Cross-field rules of a profile that a field's type alone cannot express.

Every function here takes *raw* data (the mapping read from YAML/JSON, or a model dump) and
returns problems as ``(where, what)`` pairs, ``where`` being a location tuple such as
``("stages", 2, "pipelines")``. They never raise on ill-typed input: values of the wrong type are
skipped (the type validation reports them), so the loader can collect every problem in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
        "cd": ("pipelines", "environments", "statuses", "params"),
        "pull_requests": ("target_branches", "labels"),
        "releases": ("projects",),
    },
    "failures": {
        "cd": ("pipelines", "environments", "statuses", "params"),
        "incidents": ("window",),
        "issues": ("issue_types", "projects", "labels", "window"),
    },
    "restore": {
        "incidents": (),
        "issues": ("issue_types", "projects", "labels"),
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
    return [
        ((key,), f"not used by source {source!r}")
        for key in DORA_FILTER_KEYS[section]
        if _given(spec, key) and key not in by_source[source]
    ]


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
    dora = data.get("dora")
    if isinstance(dora, Mapping):
        for section in DORA_FILTERS:
            spec = dora.get(section)
            if isinstance(spec, Mapping):
                problems += [
                    (("dora", section, *loc), what)
                    for loc, what in dora_section_problems(section, spec)
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
