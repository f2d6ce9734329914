"""The two choices every report offers, each defined once here: the statistic of durations
(``Statistic``) and the bucket size of a trend series (``Interval``).

Everything that offers them derives from these: the CLI's ``click.Choice``, the API's query
parameters (a ``Literal`` is an enum in the OpenAPI document), the dashboard's picker (the
tuples are handed to its template) and the checks of ``metrics/stats.py`` and
``metrics/series.py``, so a new choice is added in one place. No numpy here: the CLI's
commands import this module when ``leadline --help`` runs, which must start fast.
"""

from __future__ import annotations

from typing import Literal, get_args

Statistic = Literal["mean", "median", "p90", "p95"]
STATISTICS: tuple[Statistic, ...] = get_args(Statistic)

Interval = Literal["day", "week", "month"]
INTERVALS: tuple[Interval, ...] = get_args(Interval)
