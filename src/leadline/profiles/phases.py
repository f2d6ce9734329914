"""Efficiency-profile phases (SEI 2.0) mapped onto the stage engine.

A profile may give ``phases`` instead of ``stages``: up to five sequential phases, each
ending on an event from a source; the end of one phase is the start of the next. Because a
stage's duration is "its time − the time of the nearest earlier stage reached", phases map
one-to-one onto stages:

    phases[0].start  →  start            (the profile's start event)
    phases[i].end    →  stages[i]        (named after the phase; thresholds and bounds kept)

so phase *i* lasts ``end_i − end_{i−1}`` (``end_0`` being the first phase's start), exactly
the stage rule, and every figure of the lead-time engine (statistics, missing phases, ratings,
``--change``) applies unchanged. ``phases: default`` gives the five default phases of the
efficiency-profile page (Planning, Coding, Review, Build, Deployment).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadline.profiles.problems import Loc, Problem

MAX_PHASES = 5

#: Which event each source can end (or start) a phase with.
SOURCE_EVENTS: dict[str, tuple[str, ...]] = {
    "issue_management": ("issue_status", "released", "ticket_created"),
    "scm": (
        "commit",
        "pr_created",
        "pr_review",
        "pr_approved",
        "pr_merged",
        "pr_labeled",
        "commit_created",
    ),
    "ci": ("ci_completed",),
    "cd": ("cd_completed",),
    "itsm": ("change_request",),
    "custom": ("api_event",),
}
EVENT_SOURCE = {event: source for source, events in SOURCE_EVENTS.items() for event in events}
#: A phase's keys that its stage takes as they are (the stage's thresholds and bounds).
THRESHOLD_KEYS = ("ideal", "acceptable", "minimum", "maximum")
PHASE_KEYS = ("name", "start", "end", *THRESHOLD_KEYS, "enabled")

DEFAULT_PHASES: list[dict[str, Any]] = [
    {
        "name": "Planning",
        # The page's "ticket transitions to To Do": a ticket is created in To Do in the
        # default Jira workflow and that first status is not a transition, so creation is
        # the reliable signal.
        "start": {"source": "issue_management", "event": "ticket_created"},
        "end": {"source": "issue_management", "event": "issue_status", "category": "in_progress"},
    },
    {"name": "Coding", "end": {"source": "scm", "event": "commit"}},
    {"name": "Review", "end": {"source": "scm", "event": "pr_merged", "occurrence": "last"}},
    {"name": "Build", "end": {"source": "ci", "event": "ci_completed", "occurrence": "last"}},
    {
        "name": "Deployment",
        "end": {
            "source": "cd",
            "event": "cd_completed",
            "occurrence": "last",
            "environments": ["production"],
        },
    },
]


def expand_phases(data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem], LocMap]:
    """Rewrite ``phases`` into ``start`` + ``stages``; returns the data, structural
    problems (with ``phases[…]`` locations) and a map to report later problems there too."""
    if "phases" not in data:
        return data, [], LocMap({})
    problems: list[Problem] = []
    phases = data["phases"]
    if phases == "default":
        phases = DEFAULT_PHASES
    if "stages" in data:
        problems.append((("phases",), "give either stages or phases, not both"))
    if not isinstance(phases, list) or not phases:
        problems.append((("phases",), "expected a list of 1 to 5 phases, or 'default'"))
        return {k: v for k, v in data.items() if k != "phases"}, problems, LocMap({})
    if len(phases) > MAX_PHASES:
        problems.append((("phases",), f"at most {MAX_PHASES} phases, got {len(phases)}"))
    stages: list[Any] = []
    index: dict[Loc, Loc] = {}
    start: Any = None
    for i, phase in enumerate(phases):
        where: Loc = ("phases", i)
        if not isinstance(phase, Mapping):
            problems.append((where, "expected a mapping with name and end"))
            continue
        problems += [((*where, k), "unknown field") for k in phase if k not in PHASE_KEYS]
        if phase.get("enabled", True) is False:
            continue
        if phase.get("enabled", True) is not True:
            problems.append(((*where, "enabled"), "expected true or false"))
        if start is None:
            if "start" not in phase:
                problems.append(((*where, "start"), "required on the first phase"))
            else:
                start = _event(phase["start"], (*where, "start"), problems, first=True)
                index[("start",)] = (*where, "start")
        elif "start" in phase:
            problems.append(
                ((*where, "start"), "only the first phase has a start: each later phase starts "
                 "where the previous one ended")
            )  # fmt: skip
        if "end" not in phase:
            problems.append(((*where, "end"), "required"))
            continue
        end = _event(phase["end"], (*where, "end"), problems, first=False)
        stage = {"name": phase.get("name"), **(end if isinstance(end, dict) else {"event": end})}
        for key in THRESHOLD_KEYS:
            if key in phase:
                stage[key] = phase[key]
        index[("stages", len(stages))] = where
        stages.append(stage)
    out = {k: v for k, v in data.items() if k != "phases"}
    out["stages"] = stages
    if start is not None:
        out["start"] = start
    return out, problems, LocMap(index)


def _event(spec: Any, where: Loc, problems: list[Problem], *, first: bool) -> Any:
    if not isinstance(spec, Mapping):
        problems.append((where, "expected a mapping with source and event"))
        return {}
    out = {k: v for k, v in spec.items() if k != "source"}
    source, event = spec.get("source"), spec.get("event")
    if source is None:
        problems.append(((*where, "source"), "required"))
    elif source not in SOURCE_EVENTS:
        problems.append(
            ((*where, "source"), f"unknown source {source!r} (expected one of "
             f"{', '.join(SOURCE_EVENTS)})")
        )  # fmt: skip
    elif isinstance(event, str) and event in EVENT_SOURCE and EVENT_SOURCE[event] != source:
        problems.append(
            ((*where, "event"), f"event {event!r} comes from source {EVENT_SOURCE[event]!r}, "
             f"not {source!r}")
        )  # fmt: skip
    if not first and event in ("ticket_created", "commit_created"):
        problems.append(((*where, "event"), f"{event!r} can only start the first phase"))
    return out


class LocMap:
    """Maps locations in the expanded profile back to where the user wrote them."""

    def __init__(self, index: dict[Loc, Loc]) -> None:
        self._index = index

    def __call__(self, loc: Loc) -> Loc:
        if not self._index:
            return loc
        if loc[:1] == ("start",) and ("start",) in self._index:
            return (*self._index[("start",)], *loc[1:])
        if len(loc) >= 2 and loc[0] == "stages" and ("stages", loc[1]) in self._index:
            phase = self._index[("stages", loc[1])]
            rest = loc[2:]
            if not rest or rest[0] == "name" or rest[0] in THRESHOLD_KEYS:
                return (*phase, *rest)
            return (*phase, "end", *rest)
        return loc
