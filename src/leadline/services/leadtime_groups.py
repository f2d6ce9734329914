"""Lead time per group of changes: ``lead-time --by type|priority|label|project``.

Each group's figures come from the very rows the headline counts (the same window, baseline
and ``workflow_order`` rules), so the groups' ``changes`` add up to the headline's — except
``label``: a change with two labels counts in both groups, and one with no label in
``(no label)``. The attribute is read with the rows (``store/timeline_groups.py``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from leadline.metrics.leadtime import aggregate
from leadline.profiles.models import Profile
from leadline.store.timeline_groups import GROUPINGS

NONE = "(none)"  # a change without the attribute (type, priority, project)
NO_LABEL = "(no label)"
LABEL_NOTE = (
    "a change with several labels counts in each of their groups and one with none in "
    f"{NO_LABEL}, so the groups' changes may add up to more than the report's"
)

__all__ = ["GROUPINGS", "LABEL_NOTE", "NONE", "NO_LABEL", "by_group", "group_names", "member"]


def group_names(by: str, values: list[Any]) -> list[str]:
    """The groups of ``values`` (one per row): the biggest first (then by name), the group
    of the changes without the attribute last."""
    counts: Counter[str] = Counter()
    for value in values:
        counts.update(_names(by, value))
    empty = NO_LABEL if by == "label" else NONE
    named = sorted((n for n in counts if n != empty), key=lambda n: (-counts[n], n))
    return named + ([empty] if empty in counts else [])


def member(by: str, value: Any, name: str) -> bool:
    """Whether a row whose attribute is ``value`` belongs to the group ``name``."""
    return name in _names(by, value)


def _names(by: str, value: Any) -> list[str]:
    if by == "label":
        return list(value) or [NO_LABEL]
    return [NONE if value is None or value == "" else str(value)]


def by_group(
    profile: Profile, stat: str, durations: Any, by: str, values: list[Any]
) -> dict[str, Any]:
    """The ``by``/``groups`` part of a lead-time JSON: each group's sample size
    (``changes``), per-stage figures, total and rating, as ``categories`` has them."""
    groups = []
    for name in group_names(by, values):
        mask = np.array([member(by, v, name) for v in values], dtype=bool)
        part = aggregate(durations[mask], profile.stages, stat, profile.missing_stages)
        entry = part.to_json(profile.name, stat)
        del entry["profile"], entry["statistic"]
        groups.append({"name": name, **entry})
    out: dict[str, Any] = {"by": by, "groups": groups}
    if by == "label":
        out["groups_note"] = LABEL_NOTE
    return out
