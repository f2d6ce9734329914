"""Pure metric calculations (no database, no clock, no I/O): lead time by stage.

See ``docs/metrics.md`` for the definitions.
"""

from leadline.metrics.bands import (
    BAND_SETS,
    BANDS,
    BandScale,
    band,
    check_band_set,
    lead_time_band,
    scale_of,
)
from leadline.metrics.dora import (
    change_failure_rate_cd,
    change_failure_rate_linked,
    deployment_frequency,
    dora_report,
    lead_time_for_changes,
    mean_time_to_restore,
)
from leadline.metrics.dora_json import (
    ChangeFailureRate,
    DeploymentFrequency,
    DoraReport,
    MeanTimeToRestore,
)
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
from leadline.metrics.series import (
    INTERVALS,
    Bucket,
    bucket_index,
    buckets,
    check_interval,
    count_series,
    value_series,
)
from leadline.metrics.stats import STATISTICS, check_statistic, column_statistic, statistic

__all__ = [
    "BANDS",
    "BAND_SETS",
    "GOOD",
    "INTERVALS",
    "MISSING_STAGES",
    "NEEDS_ATTENTION",
    "RATINGS",
    "SLOW",
    "STATISTICS",
    "BandScale",
    "Bucket",
    "ChangeExplanation",
    "ChangeFailureRate",
    "DeploymentFrequency",
    "DoraReport",
    "LeadTimeResult",
    "MeanTimeToRestore",
    "StageResult",
    "StageTiming",
    "aggregate",
    "band",
    "bucket_index",
    "buckets",
    "change_failure_rate_cd",
    "change_failure_rate_linked",
    "check_band_set",
    "check_interval",
    "check_missing_stages",
    "check_statistic",
    "column_statistic",
    "count_series",
    "deployment_frequency",
    "dora_report",
    "explain_change",
    "lead_time",
    "lead_time_band",
    "lead_time_for_changes",
    "mean_time_to_restore",
    "rate",
    "rate_total",
    "scale_of",
    "stage_durations",
    "statistic",
    "value_series",
]
