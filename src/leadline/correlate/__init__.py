"""Correlation: link records into changes and build each change's stage timeline.

Pure (no database, no HTTP, no clock). See ``docs/linking.md`` for every rule.
"""

from leadline.correlate.keys import find_keys
from leadline.correlate.linking import ChangeBundle, keys_touched, link, shas_touched
from leadline.correlate.timeline import (
    ChangeTimeline,
    StageHit,
    build_timeline,
    build_timelines,
    profile_unit,
)

__all__ = [
    "ChangeBundle",
    "ChangeTimeline",
    "StageHit",
    "build_timeline",
    "build_timelines",
    "find_keys",
    "keys_touched",
    "link",
    "profile_unit",
    "shas_touched",
]
