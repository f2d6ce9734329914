"""Pure metric calculations (no database, no clock, no I/O): lead time by stage.

See ``docs/metrics.md`` for the definitions.
"""

from leadline.metrics.leadtime import (
    MISSING_STAGES,
    ChangeExplanation,
    LeadTimeResult,
    StageResult,
    StageTiming,
    aggregate,
    check_missing_stages,
    explain_change,
    lead_time,
    stage_durations,
)
from leadline.metrics.ratings import GOOD, NEEDS_ATTENTION, RATINGS, SLOW, rate, rate_total
from leadline.metrics.stats import STATISTICS, check_statistic, column_statistic, statistic

__all__ = [
    "GOOD",
    "MISSING_STAGES",
    "NEEDS_ATTENTION",
    "RATINGS",
    "SLOW",
    "STATISTICS",
    "ChangeExplanation",
    "LeadTimeResult",
    "StageResult",
    "StageTiming",
    "aggregate",
    "check_missing_stages",
    "check_statistic",
    "column_statistic",
    "explain_change",
    "lead_time",
    "rate",
    "rate_total",
    "stage_durations",
    "statistic",
]
