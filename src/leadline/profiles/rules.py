"""Cross-field rules of a profile that a field's type alone cannot express: the stages, the
start, the categories, and ``profile_problems`` over a whole profile (the ``dora`` block's
rules are ``dora_rules``'s).

Every function here takes *raw* data (the mapping read from YAML/JSON, or a model dump) and
returns problems as ``(where, what)`` pairs, ``where`` being a location tuple such as
``("stages", 2, "pipelines")``. They never raise on ill-typed input: values of the wrong type are
skipped (the type validation reports them), so the loader can collect every problem in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadline.profiles.dora_rules import dora_block_problems
from leadline.profiles.durations import format_duration, parse_duration
from leadline.profiles.problems import Problem, is_given

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


def stage_problems(stage: Mapping[str, Any]) -> list[Problem]:
    """Problems inside one stage; locations are relative to the stage."""
    problems: list[Problem] = []
    event = stage.get("event")
    if isinstance(event, str) and event in STAGE_FILTERS:
        used = STAGE_FILTERS[event]
        for key in STAGE_FILTER_KEYS:
            if is_given(stage, key) and key not in used:
                problems.append(((key,), f"not used by event {event!r}"))
        if event == "issue_status":
            if is_given(stage, "statuses") and is_given(stage, "category"):
                problems.append((("category",), "give either statuses or category, not both"))
            elif not is_given(stage, "statuses") and not is_given(stage, "category"):
                problems.append(
                    (("statuses",), "required for event 'issue_status' (or give category)")
                )
        if event == "pr_labeled" and not is_given(stage, "labels"):
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
        if is_given(start, "event_types"):
            problems.append((("event_types",), f"not used by event {event!r}"))
        return problems
    problems = []
    if is_given(start, "event_types") and event != "api_event":
        problems.append(
            (("event_types",), f"only used with event 'api_event' (start.event is {event!r})")
        )
    for key in (*STAGE_FILTER_KEYS, "occurrence"):
        if key != "event_types" and is_given(start, key):
            problems.append(((key,), f"only used when start.event is a stage event, not {event!r}"))
    return problems


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
        given = [key for key in CATEGORY_MATCHERS if is_given(category, key)]
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
        problems += dora_block_problems(dora, stages)
    return problems


def _seconds(value: object) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError:
        return None
