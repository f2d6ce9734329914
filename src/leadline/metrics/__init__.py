"""Pure metric calculations (no database, no clock, no I/O), one module each: lead time by
stage (``leadtime``), the four DORA metrics (``dora``), their bands and ratings (``bands``,
``ratings``), trend series (``series``), statistics and confidence intervals (``stats``,
``intervals``), comparisons of two windows (``compare``), the rework rate (``rework``), and
the choices a report offers (``choices``).

Import from the modules: this package imports nothing, so importing ``metrics.choices``
(the CLI does at start-up) does not load numpy. See ``docs/metrics.md`` for the definitions.
"""
